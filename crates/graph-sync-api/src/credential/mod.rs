//! Where access tokens come from.
//!
//! [`TokenCredential`] is the one seam between the client and authentication: a scope in, an
//! access token with its expiry out. The built-in credentials are the ones provisioning teams
//! use, configured the way azure-identity users already configure them:
//!
//! | credential | what it sends |
//! |---|---|
//! | [`StaticTokenCredential`] | a bearer token you already have |
//! | [`ClientSecretCredential`] | an OAuth2 client-credentials grant with a client secret |
//! | `ClientCertificateCredential` | the same grant with a signed JWT client assertion (PEM with the `certificate` feature, PKCS#12 with `pkcs12`) |
//! | [`WorkloadIdentityCredential`] | the same grant with a federated token read from a file at every refresh |
//! | [`ManagedIdentityCredential`] | a request to IMDS or the App Service identity endpoint |
//! | `AzureCliCredential` (feature `azure-cli`) | `az account get-access-token`: the session of `az login` |
//! | [`EnvironmentCredential`] | one of the above, chosen from `AZURE_*` variables |
//! | [`ChainedTokenCredential`] | the first of several that gives a token |
//!
//! Credentials that call a token endpoint send HTTP through a
//! [`Transport`](graph_sync_transport::Transport), like the client; the request carries no
//! Graph token. Caching is not the credentials' job: the client keeps one token cache per
//! client (see `docs/authentication.md`).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::SecretString;

use tokio::time::Instant;

#[cfg(feature = "azure-cli")]
mod azure_cli;
#[cfg(feature = "azure-core")]
mod azure_core;
#[cfg(feature = "certificate")]
mod certificate;
mod chain;
mod client_secret;
mod environment;
mod error;
mod http;
mod managed_identity;
#[cfg(feature = "pkcs12")]
mod pfx;
mod static_token;
mod workload_identity;

#[cfg(feature = "azure-core")]
pub use self::azure_core::AzureCoreCredential;
#[cfg(feature = "azure-cli")]
pub use azure_cli::{AZURE_CLI_TIMEOUT, AzureCliCredential};
#[cfg(feature = "certificate")]
pub use certificate::{ClientCertificate, ClientCertificateCredential};
pub use chain::ChainedTokenCredential;
pub use client_secret::ClientSecretCredential;
pub use environment::EnvironmentCredential;
pub use error::{AuthError, AuthErrorKind};
pub use managed_identity::{IMDS_ENDPOINT, ManagedIdentity, ManagedIdentityCredential};
pub use static_token::StaticTokenCredential;
pub use workload_identity::WorkloadIdentityCredential;

/// What a credential is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenRequest {
    /// The scope, e.g. `https://graph.microsoft.com/.default`.
    pub scope: String,
    /// Claims from a continuous access evaluation challenge (a JSON document), to be included
    /// in the request.
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

    /// The same request carrying the claims of a challenge.
    #[must_use]
    pub fn with_claims(mut self, claims: impl Into<String>) -> Self {
        self.claims = Some(claims.into());
        self
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

    /// A token that a token endpoint said is valid for `lifetime` from now. The lifetime is
    /// external input: it is clamped to [`MAX_TOKEN_LIFETIME`], so that no answer, however
    /// large, can overflow the clock or keep a token cached for years.
    #[must_use]
    pub fn expiring_in(token: SecretString, lifetime: Duration) -> Self {
        let lifetime = lifetime.min(MAX_TOKEN_LIFETIME);
        let now = Instant::now();
        Self::new(token, Some(now.checked_add(lifetime).unwrap_or(now)))
    }
}

/// The longest a token is believed valid, whatever its endpoint says: 24 hours (Entra issues
/// tokens for 60 to 90 minutes; managed identities for up to 24 hours).
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &self.token)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Gives access tokens for a scope.
///
/// Implementations are shared across tasks (`Arc<dyn TokenCredential>`) and may be called
/// concurrently. They need not cache: the client's token cache calls them only when a token
/// is missing, due for refresh, rejected, or challenged.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait TokenCredential: Send + Sync + fmt::Debug {
    /// Returns a token for `request.scope`, requested with `request.claims` if any.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when no token can be had.
    async fn get_token(&self, request: &TokenRequest) -> Result<AccessToken, AuthError>;
}
