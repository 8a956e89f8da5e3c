//! [`ClientSecretCredential`]: the OAuth2 client-credentials grant with a client secret.

use std::fmt;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

use super::http::{ConfidentialClient, confidential_builders};
use super::{AccessToken, AuthError, TokenCredential, TokenRequest};

const NAME: &str = "ClientSecretCredential";

/// An app registration authenticating with a client secret.
///
/// Posts `grant_type=client_credentials` with `client_id`, `client_secret` and the scope
/// (`{graph root}/.default`) to `{authority}/{tenant}/oauth2/v2.0/token`.
///
/// ```no_run
/// use graph_sync_api::{ClientSecretCredential, Cloud, GraphSyncClient};
///
/// # fn run() -> Result<(), graph_sync_api::Error> {
/// let credential = ClientSecretCredential::new(
///     "contoso.onmicrosoft.com",
///     "00000000-0000-0000-0000-000000000001",
///     std::env::var("CLIENT_SECRET").unwrap_or_default(),
/// )?
/// .cloud(Cloud::us_gov_l4());
/// let client = GraphSyncClient::builder()
///     .cloud(Cloud::us_gov_l4())
///     .credential(credential)
///     .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ClientSecretCredential {
    client: ConfidentialClient,
    secret: SecretString,
}

impl ClientSecretCredential {
    /// A credential for app `client_id` in `tenant` (a GUID or domain) with `secret`.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when the tenant is not a GUID or domain name, the client id is empty,
    /// or the secret is empty.
    pub fn new(
        tenant: &str,
        client_id: &str,
        secret: impl Into<SecretString>,
    ) -> Result<Self, AuthError> {
        let secret = secret.into();
        if secret.expose_secret().is_empty() {
            return Err(AuthError::configuration(format!(
                "{NAME}: the client secret is empty"
            )));
        }
        Ok(Self {
            client: ConfidentialClient::new(NAME, tenant, client_id)?,
            secret,
        })
    }

    confidential_builders!("ClientSecretCredential");
}

impl fmt::Debug for ClientSecretCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(NAME)
            .field("client", &self.client)
            .field("secret", &self.secret)
            .finish()
    }
}

#[async_trait]
impl TokenCredential for ClientSecretCredential {
    async fn get_token(&self, request: &TokenRequest) -> Result<AccessToken, AuthError> {
        let secret = self.secret.expose_secret();
        self.client
            .request_token(
                NAME,
                &request.scope,
                request.claims.as_deref(),
                &[("client_secret", secret)],
                secret,
            )
            .await
    }
}
