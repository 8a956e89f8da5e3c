//! `…/synchronization/templates`: the preconfigured setups jobs are created from.

use graph_sync_model::{SynchronizationTemplate, TemplateId};
use http::Method;

use crate::error::Error;
use crate::operations::Resource;
use crate::operations::paging::{self, ItemStream};
use crate::operations::schema::SchemaApi;

/// `…/synchronization/templates` of a service principal or an application.
#[derive(Debug, Clone)]
pub struct TemplatesApi {
    resource: Resource,
}

impl TemplatesApi {
    pub(crate) fn new(resource: Resource) -> Self {
        Self { resource }
    }

    /// One template: `…/templates/{templateId}`.
    #[must_use]
    pub fn template(&self, template_id: TemplateId) -> TemplateApi {
        TemplateApi {
            resource: self.resource.child(&[template_id.as_str()]),
            template_id,
        }
    }

    /// `GET …/templates`, every page.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer, [`Error::Decode`] for a page that is not a
    /// template list or a next link that leaves Graph or loops, [`Error::Transport`] and
    /// [`Error::Auth`] as for any call.
    pub async fn list(&self) -> Result<Vec<SynchronizationTemplate>, Error> {
        paging::collect(
            self.resource.client(),
            self.resource.url()?,
            "a list of templates",
        )
        .await
    }

    /// `GET …/templates` as a stream.
    #[must_use]
    pub fn list_stream(&self) -> ItemStream<SynchronizationTemplate> {
        paging::stream(
            self.resource.client().clone(),
            self.resource.url(),
            "a list of templates",
        )
    }
}

/// `…/templates/{templateId}`: one template.
#[derive(Debug, Clone)]
pub struct TemplateApi {
    resource: Resource,
    template_id: TemplateId,
}

impl TemplateApi {
    /// The template this handle addresses.
    #[must_use]
    pub fn id(&self) -> &TemplateId {
        &self.template_id
    }

    /// The template's schema: `…/templates/{templateId}/schema`.
    #[must_use]
    pub fn schema(&self) -> SchemaApi {
        SchemaApi::new(self.resource.child(&["schema"]))
    }

    /// `GET …/templates/{templateId}`.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer, [`Error::Decode`] for a body that is not a
    /// template, [`Error::Transport`] and [`Error::Auth`] as for any call.
    pub async fn get(&self) -> Result<SynchronizationTemplate, Error> {
        self.resource.get("a template").await
    }

    /// `PATCH …/templates/{templateId}` with the full template: properties left out are
    /// erased, so read, change and send the whole object. Documented on
    /// `/applications/{id}/…` only, for the application's owner. (The documentation's
    /// HTTP-request section says `PATCH`, its example `PUT`; the metadata and the
    /// permissions list name `PATCH`.)
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer; [`Error::Transport`] and [`Error::Auth`] as
    /// for any call.
    pub async fn update(&self, template: &SynchronizationTemplate) -> Result<(), Error> {
        self.resource
            .send_json(Method::PATCH, template, "a template")
            .await
            .map(drop)
    }
}
