//! `/servicePrincipals/{id}` and `/servicePrincipals(appId='…')`.

use graph_sync_model::{ServicePrincipal, ServicePrincipalRef};

use crate::client::GraphSyncClient;
use crate::error::Error;
use crate::operations::Resource;
use crate::operations::synchronization::SynchronizationApi;

impl GraphSyncClient {
    /// Operations on one service principal, addressed by object id or appId.
    #[must_use]
    pub fn service_principal(
        &self,
        service_principal: impl Into<ServicePrincipalRef>,
    ) -> ServicePrincipalApi {
        ServicePrincipalApi::new(self.clone(), service_principal.into())
    }
}

/// A service principal: `/servicePrincipals/{id}` or `/servicePrincipals(appId='…')`.
#[derive(Debug, Clone)]
pub struct ServicePrincipalApi {
    resource: Resource,
    service_principal: ServicePrincipalRef,
}

impl ServicePrincipalApi {
    fn new(client: GraphSyncClient, service_principal: ServicePrincipalRef) -> Self {
        let resource = match &service_principal {
            ServicePrincipalRef::Id(id) => {
                Resource::new(client, &["servicePrincipals", id.as_str()])
            }
            ServicePrincipalRef::AppId(app_id) => {
                Resource::new(client, &[&format!("servicePrincipals(appId='{app_id}')")])
            }
        };
        Self {
            resource,
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
        SynchronizationApi::new(self.resource.child(&["synchronization"]))
    }

    /// `GET /servicePrincipals/{id}` (or by appId): the service principal. After
    /// instantiating an application, poll this until it stops answering `404` (directory
    /// replication takes a few seconds).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer (`404` while the service principal is not yet
    /// replicated), [`Error::Decode`] for a body that is not a service principal,
    /// [`Error::Transport`] and [`Error::Auth`] as for any call.
    pub async fn get(&self) -> Result<ServicePrincipal, Error> {
        self.resource.get("a service principal").await
    }
}
