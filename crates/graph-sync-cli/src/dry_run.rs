//! `--dry-run`: the request a command would send, printed with its secrets redacted, and
//! nothing sent.
//!
//! The command runs through the real client with [`CapturingTransport`] in place of the HTTP
//! transport, so what is printed is exactly what the pipeline built (URL, headers, body), not a
//! reconstruction. The transport records the request and answers `204 No Content`.

use std::sync::{Arc, Mutex, PoisonError};

use graph_sync_api::model::{SecretKey, SecretValueKind};
use graph_sync_api::transport::http::{HeaderValue, StatusCode};
use graph_sync_api::transport::{Request, Response, Transport, TransportError, async_trait};
use serde_json::{Value, json};

use crate::output::Report;

/// What replaces a secret in a printed request.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// A transport that keeps the requests it is given and sends nothing.
#[derive(Debug, Default, Clone)]
pub(crate) struct CapturingTransport {
    requests: Arc<Mutex<Vec<Request>>>,
}

impl CapturingTransport {
    /// The requests captured so far.
    pub(crate) fn take(&self) -> Vec<Request> {
        std::mem::take(&mut *self.requests.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[async_trait]
impl Transport for CapturingTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
        let mut response = Response::default();
        *response.status_mut() = StatusCode::NO_CONTENT;
        Ok(response)
    }
}

/// A header's value as printed: sensitive headers (`Authorization`) are redacted.
fn header_text(value: &HeaderValue) -> String {
    if value.is_sensitive() {
        REDACTED.to_owned()
    } else {
        value.to_str().unwrap_or("(not text)").to_owned()
    }
}

/// Whether a request to `path` carries secret values in its body: the secrets `PUT` and
/// `validateCredentials` (both send `{key, value}` pairs of secret keys).
pub(crate) fn carries_secrets(path: &str) -> bool {
    path.ends_with("/synchronization/secrets") || path.ends_with("/validateCredentials")
}

/// A JSON body as printed. In a body that carries secrets ([`carries_secrets`]) every non-empty
/// string is replaced by [`REDACTED`], except the values of members named `key` (secret key
/// names are not secret) and the value next to a `key` whose kind is not a secret (a URL such
/// as `BaseAddress`, a boolean such as `SyncAll`, the `SyncNotificationSettings` document):
/// those are what one wants to check before sending. An empty string stays empty: it says
/// "clear this key", which is worth seeing. Any other body (a job's template, a schema, a
/// restart's scope, the subjects to provision) holds no secret and is shown as it is, but for
/// the value of a `{key, value}` pair whose key is a documented secret-kind key, in case one
/// is met there.
pub(crate) fn redact_body(value: &mut Value, secrets: bool) {
    if secrets {
        redact_secrets_body(value);
    } else {
        redact_stray_secrets(value);
    }
}

/// The value of every `{key, value}` pair whose key is a documented secret-kind key, redacted.
fn redact_stray_secrets(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(redact_stray_secrets),
        Value::Object(members) => {
            let secret = members
                .get("key")
                .and_then(Value::as_str)
                .and_then(|key| SecretKey::parse(key).ok())
                .is_some_and(|key| {
                    !matches!(key, SecretKey::Other(_))
                        && !matches!(
                            key.kind(),
                            SecretValueKind::Url | SecretValueKind::Boolean | SecretValueKind::Json
                        )
                });
            for (name, member) in members.iter_mut() {
                if secret && name == "value" {
                    redact_secrets_body(member);
                } else {
                    redact_stray_secrets(member);
                }
            }
        }
        _ => {}
    }
}

/// Every non-empty string redacted but key names and the values of non-secret-kind keys.
fn redact_secrets_body(value: &mut Value) {
    match value {
        Value::String(text) if !text.is_empty() => *text = REDACTED.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(redact_secrets_body),
        Value::Object(members) => {
            let shown = members
                .get("key")
                .and_then(Value::as_str)
                .and_then(|key| SecretKey::parse(key).ok())
                .is_some_and(|key| {
                    !matches!(key, SecretKey::Other(_))
                        && matches!(
                            key.kind(),
                            SecretValueKind::Url | SecretValueKind::Boolean | SecretValueKind::Json
                        )
                });
            for (name, member) in members.iter_mut() {
                if name != "key" && !(shown && name == "value") {
                    redact_secrets_body(member);
                }
            }
        }
        _ => {}
    }
}

/// The report for one captured request.
pub(crate) fn report(request: &Request) -> Report {
    let mut body = if request.body().is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(request.body())
            .unwrap_or_else(|_| Value::String(format!("({} bytes)", request.body().len())))
    };
    redact_body(&mut body, carries_secrets(request.uri().path()));
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), header_text(value)))
        .collect();

    let mut text = format!(
        "Dry run: nothing was sent. The request would be:\n\n{} {}\n",
        request.method(),
        request.uri()
    );
    for (name, value) in &headers {
        text.push_str(&format!("{name}: {value}\n"));
    }
    if !body.is_null() {
        text.push('\n');
        text.push_str(&serde_json::to_string_pretty(&body).unwrap_or_default());
    }
    let headers: serde_json::Map<String, Value> = headers
        .into_iter()
        .map(|(name, value)| (name, Value::String(value)))
        .collect();
    Report {
        text: text.trim_end().to_owned(),
        json: json!({
            "dryRun": true,
            "method": request.method().as_str(),
            "url": request.uri().to_string(),
            "headers": headers,
            "body": body,
        }),
        tsv: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_without_secrets_are_shown_but_a_stray_secret_pair() {
        assert!(carries_secrets(
            "/v1.0/servicePrincipals/s/synchronization/secrets"
        ));
        assert!(carries_secrets(
            "/v1.0/servicePrincipals/s/synchronization/jobs/j/validateCredentials"
        ));
        assert!(!carries_secrets(
            "/v1.0/servicePrincipals/s/synchronization/jobs"
        ));
        let mut body = json!({"templateId": "scim", "metadata": [
            {"key": "ConfigurationFields", "value": "[\"BaseAddress\"]"},
            {"key": "SecretToken", "value": "CANARY"},
            {"key": "BaseAddress", "value": "https://scim.example.com"},
        ]});
        redact_body(&mut body, false);
        assert_eq!(
            body,
            json!({"templateId": "scim", "metadata": [
                {"key": "ConfigurationFields", "value": "[\"BaseAddress\"]"},
                {"key": "SecretToken", "value": "[REDACTED]"},
                {"key": "BaseAddress", "value": "https://scim.example.com"},
            ]})
        );
    }

    #[test]
    fn bodies_keep_keys_and_empty_values_and_lose_everything_else() {
        let mut body = json!({"value": [
            {"key": "SecretToken", "value": "CANARY"},
            {"key": "Password", "value": ""},
            {"key": "BaseAddress", "value": "https://scim.example.com"},
            {"key": "SyncAll", "value": "false"},
            {"key": "NewKeyFromGraph", "value": "CANARY"},
        ]});
        redact_body(&mut body, true);
        assert_eq!(
            body,
            json!({"value": [
                {"key": "SecretToken", "value": "[REDACTED]"},
                {"key": "Password", "value": ""},
                {"key": "BaseAddress", "value": "https://scim.example.com"},
                {"key": "SyncAll", "value": "false"},
                {"key": "NewKeyFromGraph", "value": "[REDACTED]"},
            ]})
        );
    }
}
