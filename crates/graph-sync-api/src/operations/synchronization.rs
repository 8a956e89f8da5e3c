//! `…/synchronization`: the container, its secrets and `acquireAccessToken`.

use graph_sync_model::{AcquireAccessTokenRequest, JobId, Secrets, Synchronization, TemplateId};
use http::Method;

use crate::error::Error;
use crate::operations::Resource;
use crate::operations::jobs::{JobApi, JobsApi};
use crate::operations::templates::{TemplateApi, TemplatesApi};

/// `…/synchronization`: the container of jobs, templates and secrets.
#[derive(Debug, Clone)]
pub struct SynchronizationApi {
    resource: Resource,
}

impl SynchronizationApi {
    pub(crate) fn new(resource: Resource) -> Self {
        Self { resource }
    }

    /// The secrets: `…/synchronization/secrets`.
    #[must_use]
    pub fn secrets(&self) -> SecretsApi {
        SecretsApi {
            resource: self.resource.clone(),
        }
    }

    /// The jobs: `…/synchronization/jobs`.
    #[must_use]
    pub fn jobs(&self) -> JobsApi {
        JobsApi::new(self.resource.child(&["jobs"]))
    }

    /// One job: `…/synchronization/jobs/{jobId}`.
    #[must_use]
    pub fn job(&self, job_id: JobId) -> JobApi {
        self.jobs().job(job_id)
    }

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

    /// `GET …/synchronization`: the resource, with its secrets masked (`*`).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer, [`Error::Decode`] for a body that is not a
    /// synchronization resource, [`Error::Transport`] and [`Error::Auth`] as for any call.
    pub async fn get(&self) -> Result<Synchronization, Error> {
        self.resource.get("a synchronization resource").await
    }

    /// `POST …/synchronization/acquireAccessToken`: exchanges `credentials` (for example an
    /// OAuth authorization code) for the target system's access token, which the service
    /// keeps. Answers `204 No Content`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when `credentials` is empty or holds a value its key cannot
    /// hold (masked `*` values included); otherwise as [`get`](Self::get).
    pub async fn acquire_access_token(&self, credentials: &Secrets) -> Result<(), Error> {
        acquire_access_token(&self.resource, credentials).await
    }
}

/// `POST {resource}/acquireAccessToken`, shared with the application path.
pub(crate) async fn acquire_access_token(
    resource: &Resource,
    credentials: &Secrets,
) -> Result<(), Error> {
    credentials.validate_for_put()?;
    let body = AcquireAccessTokenRequest::new(credentials.clone());
    let resource = resource.child(&["acquireAccessToken"]);
    let call = resource.secrets_call(Method::POST, &body, credentials)?;
    resource.client().send(call).await?;
    Ok(())
}

/// `…/synchronization/secrets`: the credentials a provisioning job uses for its target.
#[derive(Debug, Clone)]
pub struct SecretsApi {
    /// The `synchronization` resource.
    resource: Resource,
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
        let resource = self.resource.child(&["secrets"]);
        let call = resource.secrets_call(Method::PUT, secrets, secrets)?;
        resource.client().send(call).await?;
        Ok(())
    }

    /// The saved secrets as Graph returns them (via `GET …/synchronization`): keys in the
    /// service's order, sensitive values masked as `*`; none when the resource has no
    /// `secrets` (absent or `null`). A masked collection cannot be sent
    /// back: [`put`](Self::put) refuses it.
    ///
    /// # Errors
    ///
    /// As [`SynchronizationApi::get`].
    pub async fn get(&self) -> Result<Secrets, Error> {
        Ok(SynchronizationApi::new(self.resource.clone())
            .get()
            .await?
            .secrets
            .into_option()
            .unwrap_or_default())
    }
}
