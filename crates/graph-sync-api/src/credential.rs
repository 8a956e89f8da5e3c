//! Where access tokens come from.
//!
//! [`TokenCredential`] is the one seam between the client and authentication: a scope in, an
//! access token out. This module has the static bearer token; the full set of credentials
//! (client secret, certificate, workload identity, managed identity, environment) builds on
//! the same trait.

use std::fmt;

use async_trait::async_trait;
use secrecy::SecretString;
use tokio::time::Instant;

/// What a credential is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenRequest {
    /// The scope, e.g. `https://graph.microsoft.com/.default`.
    pub scope: String,
    /// Claims from a continuous access evaluation challenge, to be included in the request.
    pub claims: Option<String>,
}

impl TokenRequest {
    /// A request for `scope` with no claims.
    #[must_use]
    pub fn new(scope: impl Into<String>) -> Self {
        Self {
            scope: scope.into(),
            claims: None,
        }
    }
}

/// An access token and when it stops being valid.
#[derive(Clone)]
#[non_exhaustive]
pub struct AccessToken {
    /// The bearer token.
    pub token: SecretString,
    /// When it expires; `None` when unknown (a static token).
    pub expires_at: Option<Instant>,
}

impl AccessToken {
    /// A token that expires at `expires_at` (`None`: never, as far as the client knows).
    #[must_use]
    pub fn new(token: SecretString, expires_at: Option<Instant>) -> Self {
        Self { token, expires_at }
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &self.token)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Why no token could be had. Never contains a secret, an assertion or a token.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct AuthError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl AuthError {
    /// An error with a message (which must not contain secrets).
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
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
}

/// Gives access tokens for a scope.
///
/// Implementations are shared across tasks (`Arc<dyn TokenCredential>`) and may be called
/// concurrently.
#[async_trait]
pub trait TokenCredential: Send + Sync + fmt::Debug {
    /// Returns a token for `request.scope`.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when no token can be had.
    async fn get_token(&self, request: &TokenRequest) -> Result<AccessToken, AuthError>;
}

/// A fixed bearer token, e.g. one from `az account get-access-token` or the emulator.
///
/// It is sent as is for every scope and never refreshed.
#[derive(Clone)]
pub struct StaticTokenCredential {
    token: SecretString,
}

impl StaticTokenCredential {
    /// Wraps `token`.
    pub fn new(token: impl Into<SecretString>) -> Self {
        Self {
            token: token.into(),
        }
    }
}

impl fmt::Debug for StaticTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticTokenCredential")
            .field("token", &self.token)
            .finish()
    }
}

#[async_trait]
impl TokenCredential for StaticTokenCredential {
    async fn get_token(&self, _request: &TokenRequest) -> Result<AccessToken, AuthError> {
        Ok(AccessToken::new(self.token.clone(), None))
    }
}
