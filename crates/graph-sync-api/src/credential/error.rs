//! [`AuthError`]: why no token could be had, with what Entra said about it.
//!
//! It never holds a secret, an assertion or a token: messages are built from names and
//! constants, and the description a token endpoint returns is scrubbed of every secret the
//! request carried before it is kept.

use std::fmt;

/// What kind of authentication failure this is.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthErrorKind {
    /// The credential is misconfigured: missing environment variables, an unreadable
    /// certificate, an invalid tenant id. Nothing was sent.
    Configuration,
    /// The token endpoint refused: see [`AuthError::error_code`], [`AuthError::aadsts_code`]
    /// and [`AuthError::description`].
    Rejected,
    /// The token endpoint could not be reached (see the source).
    Unreachable,
    /// The token endpoint answered something that is not a token response.
    InvalidResponse,
    /// A token may not be sent where the request goes, or cannot be put in a header.
    Refused,
    /// Every credential of a chain failed: see [`AuthError::failures`].
    Chain,
    /// Anything else.
    Other,
}

/// Why no token could be had. Never contains a secret, an assertion or a token.
///
/// When a token endpoint refused, it carries the OAuth2 error code (`invalid_client`), the
/// Entra `AADSTS` code, the description, and the correlation and trace ids that Microsoft
/// support asks for.
#[derive(Debug)]
pub struct AuthError {
    kind: AuthErrorKind,
    message: String,
    endpoint: Option<Box<EndpointDetails>>,
    missing: Vec<String>,
    failures: Vec<Self>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// What a token endpoint said in an error body.
#[derive(Debug, Default, Clone)]
pub(crate) struct EndpointDetails {
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) aadsts: Option<String>,
    pub(crate) correlation_id: Option<String>,
    pub(crate) trace_id: Option<String>,
}

impl AuthError {
    /// An error with a message (which must not contain secrets).
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        Self::of_kind(AuthErrorKind::Other, message)
    }

    /// An error of `kind` with a message (which must not contain secrets).
    #[must_use]
    pub fn of_kind(kind: AuthErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            endpoint: None,
            missing: Vec::new(),
            failures: Vec::new(),
            source: None,
        }
    }

    /// Attaches the underlying cause.
    #[must_use]
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Self::of_kind(AuthErrorKind::Configuration, message)
    }

    pub(crate) fn missing_variables(message: impl Into<String>, missing: Vec<String>) -> Self {
        Self {
            missing,
            ..Self::configuration(message)
        }
    }

    pub(crate) fn rejected(message: impl Into<String>, details: EndpointDetails) -> Self {
        Self {
            endpoint: Some(Box::new(details)),
            ..Self::of_kind(AuthErrorKind::Rejected, message)
        }
    }

    pub(crate) fn chain(failures: Vec<Self>) -> Self {
        let mut message = format!(
            "none of the {} credentials in the chain gave a token",
            failures.len()
        );
        for (index, failure) in failures.iter().enumerate() {
            message.push_str(&format!("; {}: {failure}", index.saturating_add(1)));
        }
        Self {
            failures,
            ..Self::of_kind(AuthErrorKind::Chain, message)
        }
    }

    /// What kind of failure this is.
    #[must_use]
    pub fn kind(&self) -> AuthErrorKind {
        self.kind
    }

    /// The message, without the token endpoint's details.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status the token endpoint answered with.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.endpoint.as_ref().and_then(|d| d.status)
    }

    /// The OAuth2 error code, e.g. `invalid_client`.
    #[must_use]
    pub fn error_code(&self) -> Option<&str> {
        self.endpoint.as_ref().and_then(|d| d.error.as_deref())
    }

    /// The Entra error code, e.g. `AADSTS7000215`.
    #[must_use]
    pub fn aadsts_code(&self) -> Option<&str> {
        self.endpoint.as_ref().and_then(|d| d.aadsts.as_deref())
    }

    /// The token endpoint's description of the error, scrubbed of anything the request
    /// carried that is secret.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.endpoint
            .as_ref()
            .and_then(|d| d.description.as_deref())
    }

    /// The correlation id of the failed token request, for Microsoft support.
    #[must_use]
    pub fn correlation_id(&self) -> Option<&str> {
        self.endpoint
            .as_ref()
            .and_then(|d| d.correlation_id.as_deref())
    }

    /// The trace id of the failed token request, for Microsoft support.
    #[must_use]
    pub fn trace_id(&self) -> Option<&str> {
        self.endpoint.as_ref().and_then(|d| d.trace_id.as_deref())
    }

    /// The environment variables that were missing, for a credential built from the
    /// environment.
    #[must_use]
    pub fn missing(&self) -> &[String] {
        &self.missing
    }

    /// Each credential's failure, in order, for a chain.
    #[must_use]
    pub fn failures(&self) -> &[Self] {
        &self.failures
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let Some(details) = &self.endpoint else {
            return Ok(());
        };
        if let Some(status) = details.status {
            write!(f, " (HTTP {status}")?;
        } else {
            f.write_str(" (")?;
        }
        if let Some(error) = &details.error {
            write!(f, ", {error}")?;
        }
        if let Some(code) = &details.aadsts {
            write!(f, ", {code}")?;
        }
        if let Some(id) = &details.correlation_id {
            write!(f, ", correlation id {id}")?;
        }
        if let Some(id) = &details.trace_id {
            write!(f, ", trace id {id}")?;
        }
        f.write_str(")")?;
        if let Some(description) = &details.description {
            write!(f, ": {description}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_carries_codes_and_ids() {
        let error = AuthError::rejected(
            "ClientSecretCredential: the token endpoint refused",
            EndpointDetails {
                status: Some(401),
                error: Some("invalid_client".to_owned()),
                description: Some("AADSTS7000215: Invalid client secret provided.".to_owned()),
                aadsts: Some("AADSTS7000215".to_owned()),
                correlation_id: Some("c-1".to_owned()),
                trace_id: Some("t-1".to_owned()),
            },
        );
        assert_eq!(
            error.to_string(),
            "ClientSecretCredential: the token endpoint refused (HTTP 401, invalid_client, \
             AADSTS7000215, correlation id c-1, trace id t-1): AADSTS7000215: Invalid client \
             secret provided."
        );
        assert_eq!(error.kind(), AuthErrorKind::Rejected);
        assert_eq!(error.aadsts_code(), Some("AADSTS7000215"));
    }

    #[test]
    fn a_chain_lists_every_failure() {
        let error = AuthError::chain(vec![
            AuthError::configuration("A: missing X"),
            AuthError::new("B: unreachable"),
        ]);
        assert_eq!(error.failures().len(), 2);
        assert_eq!(
            error.to_string(),
            "none of the 2 credentials in the chain gave a token; 1: A: missing X; 2: B: unreachable"
        );
    }
}
