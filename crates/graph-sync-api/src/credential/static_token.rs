//! [`StaticTokenCredential`]: a bearer token you already have.

use std::fmt;

use async_trait::async_trait;
use secrecy::SecretString;

use super::{AccessToken, AuthError, TokenCredential, TokenRequest};

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
