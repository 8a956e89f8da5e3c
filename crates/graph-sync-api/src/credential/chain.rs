//! [`ChainedTokenCredential`]: the first of several credentials that gives a token.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use super::{AccessToken, AuthError, TokenCredential, TokenRequest};

/// Tries credentials in order and returns the first token; when all fail, the error lists
/// every failure ([`AuthError::failures`]), in order.
///
/// ```no_run
/// use std::sync::Arc;
/// use graph_sync_api::{ChainedTokenCredential, EnvironmentCredential, ManagedIdentity, ManagedIdentityCredential};
///
/// # fn run() -> Result<(), graph_sync_api::AuthError> {
/// let mut chain = ChainedTokenCredential::new();
/// if let Ok(environment) = EnvironmentCredential::from_env() {
///     chain = chain.with(environment);
/// }
/// let chain = chain.with(ManagedIdentityCredential::from_env(ManagedIdentity::SystemAssigned)?);
/// # let _ = chain;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct ChainedTokenCredential {
    credentials: Vec<Arc<dyn TokenCredential>>,
}

impl ChainedTokenCredential {
    /// An empty chain (which fails until credentials are added).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `credential` at the end of the chain.
    #[must_use]
    pub fn with(mut self, credential: impl TokenCredential + 'static) -> Self {
        self.credentials.push(Arc::new(credential));
        self
    }

    /// Adds a shared credential at the end of the chain.
    #[must_use]
    pub fn with_shared(mut self, credential: Arc<dyn TokenCredential>) -> Self {
        self.credentials.push(credential);
        self
    }
}

impl fmt::Debug for ChainedTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.credentials).finish()
    }
}

#[async_trait]
impl TokenCredential for ChainedTokenCredential {
    async fn get_token(&self, request: &TokenRequest) -> Result<AccessToken, AuthError> {
        let mut failures = Vec::with_capacity(self.credentials.len());
        for credential in &self.credentials {
            match credential.get_token(request).await {
                Ok(token) => return Ok(token),
                Err(error) => {
                    tracing::debug!(%error, "credential in chain failed; trying the next");
                    failures.push(error);
                }
            }
        }
        Err(AuthError::chain(failures))
    }
}
