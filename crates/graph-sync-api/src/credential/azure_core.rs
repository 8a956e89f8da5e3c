//! [`AzureCoreCredential`]: any `azure_core::credentials::TokenCredential` (every
//! azure_identity credential) as a graph-sync credential. Behind the `azure-core` feature.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use azure_core::credentials::TokenCredential as AzureTokenCredential;
use secrecy::SecretString;

use super::{AccessToken, AuthError, AuthErrorKind, TokenCredential, TokenRequest};

const NAME: &str = "AzureCoreCredential";

/// Wraps an azure_core credential, such as one from azure_identity.
///
/// The scope is passed as the only scope; the expiry (`OffsetDateTime`) becomes a tokio
/// `Instant`. azure_core 1.x's `TokenRequestOptions` has no field for claims, so a
/// continuous access evaluation challenge cannot be answered through this adapter: such a
/// request fails with a clear [`AuthError`] instead of fetching a token that would be
/// refused again.
#[derive(Clone)]
pub struct AzureCoreCredential {
    inner: Arc<dyn AzureTokenCredential>,
}

impl AzureCoreCredential {
    /// Wraps `credential` (azure_identity constructors return `Arc<Self>`).
    #[must_use]
    pub fn new(credential: Arc<dyn AzureTokenCredential>) -> Self {
        Self { inner: credential }
    }
}

impl fmt::Debug for AzureCoreCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple(NAME).field(&self.inner).finish()
    }
}

#[async_trait]
impl TokenCredential for AzureCoreCredential {
    async fn get_token(&self, request: &TokenRequest) -> Result<AccessToken, AuthError> {
        if request.claims.is_some() {
            return Err(AuthError::of_kind(
                AuthErrorKind::Other,
                format!(
                    "{NAME}: the service asked for claims (continuous access evaluation), which azure_core 1.x credentials cannot request"
                ),
            ));
        }
        let token = self
            .inner
            .get_token(&[request.scope.as_str()], None)
            .await
            .map_err(|error| {
                AuthError::new(format!(
                    "{NAME}: the azure_core credential failed ({})",
                    error.kind()
                ))
                .with_source(error)
            })?;
        // Saturating: an expiry far in the future or past cannot overflow.
        let remaining = token
            .expires_on
            .unix_timestamp()
            .saturating_sub(azure_core::time::OffsetDateTime::now_utc().unix_timestamp());
        let remaining = Duration::from_secs(u64::try_from(remaining).unwrap_or(0));
        Ok(AccessToken::expiring_in(
            SecretString::from(token.token.secret().to_owned()),
            remaining,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[derive(Debug)]
    struct Fixed;

    #[async_trait]
    impl AzureTokenCredential for Fixed {
        async fn get_token(
            &self,
            scopes: &[&str],
            _options: Option<azure_core::credentials::TokenRequestOptions<'_>>,
        ) -> azure_core::Result<azure_core::credentials::AccessToken> {
            assert_eq!(scopes, ["https://graph.microsoft.com/.default"]);
            Ok(azure_core::credentials::AccessToken::new(
                "azure-core-token",
                azure_core::time::OffsetDateTime::now_utc()
                    + azure_core::time::Duration::seconds(600),
            ))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_and_expiry_are_carried_over() {
        use secrecy::ExposeSecret;
        let credential = AzureCoreCredential::new(Arc::new(Fixed));
        let start = Instant::now();
        let token = credential
            .get_token(&TokenRequest::new("https://graph.microsoft.com/.default"))
            .await
            .unwrap();
        assert_eq!(token.token.expose_secret(), "azure-core-token");
        let lifetime = token.expires_at.unwrap() - start;
        assert!(lifetime > Duration::from_secs(590) && lifetime <= Duration::from_secs(600));
        let refused = credential
            .get_token(&TokenRequest::new("s").with_claims("{}"))
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("claims"));
    }
}
