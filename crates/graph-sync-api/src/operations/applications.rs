//! `/applications/{id}` (templates and `acquireAccessToken` of an application) and
//! `/applicationTemplates/{id}/instantiate`, where the workflow starts.

use graph_sync_model::{
    ApplicationObjectId, ApplicationServicePrincipal, ApplicationTemplateId, InstantiateRequest,
    Secrets, TemplateId,
};
use http::Method;

use crate::client::GraphSyncClient;
use crate::error::{Error, InvalidInput};
use crate::operations::templates::{TemplateApi, TemplatesApi};
use crate::operations::{Resource, decode_entity, synchronization};

impl GraphSyncClient {
    /// Operations on one application registration: `/applications/{objectId}`. (Its object
    /// id differs from its appId and from its service principal's id.)
    #[must_use]
    pub fn application(&self, application: ApplicationObjectId) -> ApplicationApi {
        ApplicationApi {
            resource: Resource::new(self.clone(), &["applications", application.as_str()]),
        }
    }

    /// An application template of the Entra gallery: `/applicationTemplates/{id}`.
    #[must_use]
    pub fn application_template(&self, template: ApplicationTemplateId) -> ApplicationTemplateApi {
        ApplicationTemplateApi {
            resource: Resource::new(self.clone(), &["applicationTemplates", template.as_str()]),
        }
    }
}

/// `/applications/{objectId}`.
#[derive(Debug, Clone)]
pub struct ApplicationApi {
    resource: Resource,
}

impl ApplicationApi {
    /// `/applications/{objectId}/synchronization`.
    #[must_use]
    pub fn synchronization(&self) -> ApplicationSynchronizationApi {
        ApplicationSynchronizationApi {
            resource: self.resource.child(&["synchronization"]),
        }
    }
}

/// `/applications/{objectId}/synchronization`: where templates are documented to be updated.
#[derive(Debug, Clone)]
pub struct ApplicationSynchronizationApi {
    resource: Resource,
}

impl ApplicationSynchronizationApi {
    /// The templates: `…/synchronization/templates`.
    #[must_use]
    pub fn templates(&self) -> TemplatesApi {
        TemplatesApi::new(self.resource.child(&["templates"]))
    }

    /// One template: `…/synchronization/templates/{templateId}`.
    #[must_use]
    pub fn template(&self, template_id: TemplateId) -> TemplateApi {
        self.templates().template(template_id)
    }

    /// `POST /applications/{objectId}/synchronization/acquireAccessToken` (the path the
    /// documentation's example uses).
    ///
    /// # Errors
    ///
    /// As [`SynchronizationApi::acquire_access_token`](crate::SynchronizationApi::acquire_access_token).
    pub async fn acquire_access_token(&self, credentials: &Secrets) -> Result<(), Error> {
        synchronization::acquire_access_token(&self.resource, credentials).await
    }
}

/// `/applicationTemplates/{id}`: a gallery application template.
#[derive(Debug, Clone)]
pub struct ApplicationTemplateApi {
    resource: Resource,
}

impl ApplicationTemplateApi {
    /// The id of the template for non-gallery (custom SCIM) applications.
    pub const NON_GALLERY: &'static str = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";

    /// `POST /applicationTemplates/{id}/instantiate`: adds an instance of the template to the
    /// directory, creating an application and its service principal (`201 Created`). The
    /// service principal can take a few seconds to become readable: poll
    /// [`ServicePrincipalApi::get`](crate::ServicePrincipalApi::get) until it stops
    /// answering `404`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty display name; [`Error::Service`] for a non-2xx
    /// answer, [`Error::Decode`] for a body that is not an application and service principal,
    /// [`Error::Transport`] and [`Error::Auth`] as for any call.
    pub async fn instantiate(
        &self,
        request: &InstantiateRequest,
    ) -> Result<ApplicationServicePrincipal, Error> {
        if request
            .display_name
            .as_deref()
            .is_none_or(|name| name.trim().is_empty())
        {
            return Err(InvalidInput::new("instantiate needs a display name").into());
        }
        let response = self
            .resource
            .child(&["instantiate"])
            .send_json(Method::POST, request, "an instantiate request")
            .await?;
        decode_entity(&response, "an application and service principal")
    }
}
