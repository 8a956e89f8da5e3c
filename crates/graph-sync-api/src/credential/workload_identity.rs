//! [`WorkloadIdentityCredential`]: workload identity federation, with the federated token
//! file (`AZURE_FEDERATED_TOKEN_FILE`) as the client assertion.

use std::fmt;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use zeroize::Zeroizing;

use super::http::{ConfidentialClient, confidential_builders};
use super::{AccessToken, AuthError, TokenCredential, TokenRequest};

const NAME: &str = "WorkloadIdentityCredential";

/// An app registration trusting an external identity provider (Kubernetes, GitHub Actions,
/// another cloud): the provider's token, written to a file, is the client assertion.
///
/// The file is read again at every token request, because the platform rotates it (a
/// Kubernetes projected token lives about an hour).
#[derive(Clone)]
pub struct WorkloadIdentityCredential {
    client: ConfidentialClient,
    token_file: PathBuf,
}

impl WorkloadIdentityCredential {
    /// A credential for app `client_id` in `tenant`, reading the federated token from
    /// `token_file`.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when the tenant is not a GUID or domain name or the client id is empty.
    pub fn new(
        tenant: &str,
        client_id: &str,
        token_file: impl Into<PathBuf>,
    ) -> Result<Self, AuthError> {
        Ok(Self {
            client: ConfidentialClient::new(NAME, tenant, client_id)?,
            token_file: token_file.into(),
        })
    }

    /// The federated token file.
    #[must_use]
    pub fn token_file(&self) -> &Path {
        &self.token_file
    }

    confidential_builders!("WorkloadIdentityCredential");

    fn read_assertion(&self) -> Result<Zeroizing<String>, AuthError> {
        let text = Zeroizing::new(std::fs::read_to_string(&self.token_file).map_err(|e| {
            AuthError::configuration(format!(
                "{NAME}: the federated token file {} cannot be read",
                self.token_file.display()
            ))
            .with_source(e)
        })?);
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(AuthError::configuration(format!(
                "{NAME}: the federated token file {} is empty",
                self.token_file.display()
            )));
        }
        Ok(Zeroizing::new(trimmed.to_owned()))
    }
}

impl fmt::Debug for WorkloadIdentityCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(NAME)
            .field("client", &self.client)
            .field("token_file", &self.token_file)
            .finish()
    }
}

#[async_trait]
impl TokenCredential for WorkloadIdentityCredential {
    async fn get_token(&self, request: &TokenRequest) -> Result<AccessToken, AuthError> {
        let assertion = self.read_assertion()?;
        self.client
            .request_token_with_assertion(NAME, request, assertion.as_str())
            .await
    }
}
