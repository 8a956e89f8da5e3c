//! Exit codes, the one error type commands return, and how an error is reported on stderr.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | service error: Graph answered with an error, or the request did not complete |
//! | 2 | usage or input error: bad arguments, a missing or malformed file, an unknown key, an unset environment variable; nothing was sent |
//! | 3 | authentication error: no credential, or the token was refused (401) |
//! | 4 | partial failure of a bulk run: some items succeeded, some failed |
//! | 130 | interrupted (Ctrl-C); what was done before is printed |
//!
//! clap's own usage errors exit with 2 as well, so "2" always means "fix the command line or its
//! input". [`exit_for`] is the one place where a `graph_sync_api::Error` becomes a code.

use std::error::Error as _;
use std::fmt::Write as _;

use graph_sync_api::Error as ApiError;
use graph_sync_api::redact::sanitize;
use serde_json::json;

use crate::output::OutputFormat;

/// A documented exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Everything worked.
    Success,
    /// Graph answered with an error, answered something unreadable, or could not be reached.
    Service,
    /// The command line or its input is wrong; nothing was sent.
    Usage,
    /// No credential, or the service refused the token.
    Auth,
    /// A bulk run finished with some items failed.
    Partial,
    /// Ctrl-C stopped the command.
    Interrupted,
}

impl Exit {
    /// Every code, in numeric order.
    pub(crate) const ALL: [Self; 6] = [
        Self::Success,
        Self::Service,
        Self::Usage,
        Self::Auth,
        Self::Partial,
        Self::Interrupted,
    ];

    /// The process exit status.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Service => 1,
            Self::Usage => 2,
            Self::Auth => 3,
            Self::Partial => 4,
            Self::Interrupted => 130,
        }
    }

    /// What the code means, for `--help`.
    pub(crate) fn meaning(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Service => {
                "service error (Graph answered with an error, or could not be reached)"
            }
            Self::Usage => "usage or input error (nothing was sent)",
            Self::Auth => "authentication error (no credential, or the token was refused)",
            Self::Partial => "partial failure of a bulk run",
            Self::Interrupted => "interrupted (Ctrl-C); what was done before is printed",
        }
    }

    /// The exit-code table shown at the end of `graph-sync --help`.
    pub(crate) fn help_table() -> String {
        let mut text = String::from("Exit codes:\n");
        for exit in Self::ALL {
            // Writing to a String cannot fail.
            let _ = writeln!(text, "  {:>3}  {}", exit.code(), exit.meaning());
        }
        text
    }
}

/// Maps a client error to its exit code. The only place this decision is made.
pub(crate) fn exit_for(error: &ApiError) -> Exit {
    match error {
        ApiError::InvalidInput(_) => Exit::Usage,
        ApiError::Auth(_) => Exit::Auth,
        ApiError::Service(service) if service.is_unauthorized() => Exit::Auth,
        // Service, Transport, Decode, and variants added later.
        _ => Exit::Service,
    }
}

/// Why a command failed. Messages never contain a secret value.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    /// Bad arguments or input, found before anything was sent.
    #[error("{0}")]
    Usage(String),
    /// No credential could be found or used.
    #[error("{0}")]
    Auth(String),
    /// A client call failed.
    #[error("{context}: {error}")]
    Api {
        /// What was being done, e.g. "saving secrets for 3f2c…".
        context: String,
        /// The client's error (boxed: it is large, and failures travel through every `?`).
        #[source]
        error: Box<ApiError>,
    },
    /// Something local went wrong that is not the user's input (a runtime, a socket).
    #[error("{0}")]
    Internal(String),
    /// A bulk run finished with some items failed (exit code 4).
    #[error("{0}")]
    Partial(String),
    /// The service did not reach the awaited state (a timeout, a quarantine): exit code 1.
    #[error("{0}")]
    NotReached(String),
    /// Ctrl-C stopped the command; the message says what was done (exit code 130).
    #[error("{0}")]
    Interrupted(String),
}

impl Failure {
    /// A client error with what was being done.
    pub(crate) fn api(context: impl Into<String>, error: ApiError) -> Self {
        Self::Api {
            context: context.into(),
            error: Box::new(error),
        }
    }

    /// The exit code.
    pub(crate) fn exit(&self) -> Exit {
        match self {
            Self::Usage(_) => Exit::Usage,
            Self::Auth(_) => Exit::Auth,
            Self::Api { error, .. } => exit_for(error),
            Self::Internal(_) | Self::NotReached(_) => Exit::Service,
            Self::Partial(_) => Exit::Partial,
            Self::Interrupted(_) => Exit::Interrupted,
        }
    }

    /// The report printed on stderr: `error: …`, the chain of causes, and for a service
    /// error the details support asks for (status, code, request ids, date).
    pub(crate) fn report(&self, format: OutputFormat) -> String {
        match format {
            OutputFormat::Table | OutputFormat::Tsv => self.text_report(),
            OutputFormat::Json | OutputFormat::Ndjson => {
                let mut value = json!({
                    "exitCode": self.exit().code(),
                    "message": self.to_string(),
                });
                if let Some(service) = self.service_error() {
                    value["status"] = json!(service.status().as_u16());
                    value["code"] = json!(service.code());
                    value["serviceMessage"] = json!(service.message());
                    value["innerCode"] = json!(service.inner_code());
                    value["requestId"] = json!(service.request_id());
                    value["clientRequestId"] = json!(service.client_request_id());
                    value["date"] = json!(service.date());
                }
                json!({ "error": value }).to_string()
            }
        }
    }

    fn service_error(&self) -> Option<&graph_sync_api::ServiceError> {
        match self {
            Self::Api { error, .. } => error.as_service(),
            _ => None,
        }
    }

    fn text_report(&self) -> String {
        // Service-supplied text (an API error, a quarantine reason) is sanitized; the
        // command's own messages keep their line breaks.
        let head = match self {
            Self::Api { .. } | Self::NotReached(_) => sanitize(&self.to_string()).into_owned(),
            _ => self.to_string(),
        };
        let mut text = format!("error: {head}");
        let mut source = self.source();
        // The Api variant's Display already includes its error; start below it.
        if let Self::Api { error, .. } = self {
            source = error.source();
        }
        let mut depth = 0;
        while let Some(cause) = source {
            depth += 1;
            if depth > 16 {
                break;
            }
            let _ = write!(text, "\n  caused by: {}", sanitize(&cause.to_string()));
            source = cause.source();
        }
        if let Some(service) = self.service_error() {
            let _ = write!(text, "\n  status:            {}", service.status());
            for (label, value) in [
                ("code", service.code()),
                ("inner code", service.inner_code()),
                ("request-id", service.request_id()),
                ("client-request-id", service.client_request_id()),
                ("date", service.date()),
            ] {
                if let Some(value) = value {
                    let value = sanitize(value);
                    let _ = write!(text, "\n  {:<18} {value}", format!("{label}:"));
                }
            }
            if let Some(wait) = service.retry_after() {
                let _ = write!(text, "\n  retry after:       {}s", wait.as_secs_f64());
            }
        }
        let _ = match self.exit() {
            Exit::Auth => write!(
                text,
                "\n  hint: set GRAPH_SYNC_TOKEN to a bearer token for Microsoft Graph, or name \
                 another variable with --token-env NAME"
            ),
            _ => Ok(()),
        };
        text
    }
}

#[cfg(test)]
mod tests {
    use graph_sync_api::transport::Bytes;
    use graph_sync_api::transport::http::{HeaderMap, StatusCode};
    use graph_sync_api::{AuthError, InvalidInput, ServiceError};

    use super::*;

    fn service(status: u16) -> ApiError {
        let body = br#"{"error":{"code":"Code","message":"it failed"}}"#;
        ApiError::from(ServiceError::from_response(
            StatusCode::from_u16(status).unwrap(),
            &HeaderMap::new(),
            Bytes::from_static(body),
            Some("cid"),
        ))
    }

    #[test]
    fn codes_are_the_documented_numbers() {
        let codes: Vec<u8> = Exit::ALL.iter().map(|exit| exit.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 130]);
        let table = Exit::help_table();
        for exit in Exit::ALL {
            assert!(table.contains(&format!("{:>3}  {}", exit.code(), exit.meaning())));
        }
    }

    #[test]
    fn api_errors_map_to_codes() {
        assert_eq!(
            exit_for(&ApiError::from(InvalidInput::new("bad"))),
            Exit::Usage
        );
        assert_eq!(
            exit_for(&ApiError::Auth(AuthError::new("none"))),
            Exit::Auth
        );
        assert_eq!(exit_for(&service(401)), Exit::Auth);
        assert_eq!(exit_for(&service(403)), Exit::Service);
        assert_eq!(exit_for(&service(404)), Exit::Service);
        assert_eq!(exit_for(&service(500)), Exit::Service);
    }

    #[test]
    fn a_service_error_report_has_the_support_details() {
        let failure = Failure::api("saving secrets", service(404));
        let text = failure.report(OutputFormat::Table);
        assert!(text.starts_with("error: saving secrets: "), "{text}");
        assert!(text.contains("404"), "{text}");
        assert!(text.contains("client-request-id: cid"), "{text}");
        let json: serde_json::Value =
            serde_json::from_str(&failure.report(OutputFormat::Json)).unwrap();
        assert_eq!(json["error"]["status"], 404);
        assert_eq!(json["error"]["code"], "Code");
        assert_eq!(json["error"]["exitCode"], 1);
    }
}
