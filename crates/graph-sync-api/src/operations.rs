//! Typed operations, grouped by the resource they act on.
//!
//! Each handle is a cheap value (a client clone and an id) that names a resource;
//! the async methods on it are the operations.

use bytes::Bytes;
use graph_sync_model::{Secrets, ServicePrincipalRef, Synchronization};
use http::Method;
use secrecy::ExposeSecret;
use zeroize::Zeroizing;

use crate::client::{Call, GraphSyncClient};
use crate::error::{DecodeError, Error, InvalidInput};

/// A service principal: `/servicePrincipals/{id}` or `/servicePrincipals(appId='…')`.
#[derive(Debug, Clone)]
pub struct ServicePrincipalApi {
    client: GraphSyncClient,
    service_principal: ServicePrincipalRef,
}

impl ServicePrincipalApi {
    pub(crate) fn new(client: GraphSyncClient, service_principal: ServicePrincipalRef) -> Self {
        Self {
            client,
            service_principal,
        }
    }

    /// The service principal this handle addresses.
    #[must_use]
    pub fn id(&self) -> &ServicePrincipalRef {
        &self.service_principal
    }

    /// Its provisioning configuration: `…/synchronization`.
    #[must_use]
    pub fn synchronization(&self) -> SynchronizationApi {
        SynchronizationApi { sp: self.clone() }
    }

    /// The path segment(s) that address the service principal.
    fn segments(&self) -> Vec<String> {
        match &self.service_principal {
            ServicePrincipalRef::Id(id) => {
                vec!["servicePrincipals".to_owned(), id.as_str().to_owned()]
            }
            ServicePrincipalRef::AppId(app_id) => {
                vec![format!("servicePrincipals(appId='{app_id}')")]
            }
        }
    }

    fn url(&self, below: &[&str]) -> url::Url {
        let mut segments = self.segments();
        segments.extend(below.iter().map(|s| (*s).to_owned()));
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        self.client.url(&segments)
    }
}

/// `…/synchronization`: the container of jobs, templates and secrets.
#[derive(Debug, Clone)]
pub struct SynchronizationApi {
    sp: ServicePrincipalApi,
}

impl SynchronizationApi {
    /// The secrets: `…/synchronization/secrets`.
    #[must_use]
    pub fn secrets(&self) -> SecretsApi {
        SecretsApi {
            sp: self.sp.clone(),
        }
    }

    /// `GET …/synchronization`: the resource, with its secrets masked (`*`).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer, [`Error::Decode`] for a body that is not a
    /// synchronization resource, [`Error::Transport`] and [`Error::Auth`] as for any call.
    pub async fn get(&self) -> Result<Synchronization, Error> {
        let url = self.sp.url(&["synchronization"]);
        let response = self.sp.client.send(Call::new(Method::GET, url)).await?;
        serde_json::from_slice(response.body())
            .map_err(|e| Error::Decode(DecodeError::from_json("a synchronization resource", &e)))
    }
}

/// `…/synchronization/secrets`: the credentials a provisioning job uses for its target.
#[derive(Debug, Clone)]
pub struct SecretsApi {
    sp: ServicePrincipalApi,
}

impl SecretsApi {
    /// `PUT …/synchronization/secrets`: saves `secrets` for the service principal's
    /// provisioning jobs.
    ///
    /// The body is `{"value":[{"key":…,"value":…}]}`. Keys not named are left as they are;
    /// a key sent with an empty value is cleared. Any 2xx answer is success: the service
    /// documents `204 No Content`, and its metadata declares a body, which is ignored.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`], before anything is sent, when `secrets` is empty, repeats a
    /// key, holds a masked `*` value read back from Graph, or holds a value its key cannot
    /// hold (see [`Secrets::validate_for_put`]); [`Error::Service`] for a non-2xx answer,
    /// with any secret value the service echoed scrubbed; [`Error::Transport`] and
    /// [`Error::Auth`] as for any call.
    pub async fn put(&self, secrets: &Secrets) -> Result<(), Error> {
        secrets.validate_for_put()?;
        let body = Zeroizing::new(
            serde_json::to_vec(secrets)
                .map_err(|e| InvalidInput::new(format!("secrets cannot be serialized: {e}")))?,
        );
        let sensitive: Vec<&str> = secrets
            .iter()
            .map(|pair| pair.value().expose_secret())
            .collect();
        let url = self.sp.url(&["synchronization", "secrets"]);
        self.sp
            .client
            .send(Call::new(Method::PUT, url).json(Bytes::from_owner(body), &sensitive))
            .await?;
        Ok(())
    }

    /// The saved secrets as Graph returns them (via `GET …/synchronization`): keys in the
    /// service's order, sensitive values masked as `*`. A masked collection cannot be sent
    /// back: [`put`](Self::put) refuses it.
    ///
    /// # Errors
    ///
    /// As [`SynchronizationApi::get`].
    pub async fn get(&self) -> Result<Secrets, Error> {
        Ok(self.sp.synchronization().get().await?.secrets)
    }
}
