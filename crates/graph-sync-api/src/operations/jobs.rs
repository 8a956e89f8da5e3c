//! `…/synchronization/jobs` and `…/jobs/{jobId}`: create, read, control and feed
//! provisioning jobs.

use graph_sync_model::{
    BULK_UPLOAD_MAX_OPERATIONS, BulkRequest, JobId, ProvisionOnDemandRequest,
    ProvisionOnDemandResult, RestartRequest, RestartScopeFlag, Secrets, SynchronizationJob,
    SynchronizationJobRestartScope, TemplateId, ValidateCredentialsRequest,
};
use http::Method;
use http::header::LOCATION;

use crate::error::{Error, InvalidInput};
use crate::operations::paging::{self, ItemStream};
use crate::operations::schema::SchemaApi;
use crate::operations::{Resource, decode, decode_entity, encode};
use crate::pipeline::Call;

/// The media type bulkUpload requires; without it the service answers `400`.
pub(crate) const SCIM_JSON: &str = "application/scim+json";

/// `…/synchronization/jobs`: the jobs of a service principal.
#[derive(Debug, Clone)]
pub struct JobsApi {
    resource: Resource,
}

impl JobsApi {
    pub(crate) fn new(resource: Resource) -> Self {
        Self { resource }
    }

    /// One job: `…/jobs/{jobId}`.
    #[must_use]
    pub fn job(&self, job_id: JobId) -> JobApi {
        JobApi {
            resource: self.resource.child(&[job_id.as_str()]),
            job_id,
        }
    }

    /// `GET …/jobs`, every page: the jobs of the service principal, following
    /// `@odata.nextLink`.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer, [`Error::Decode`] for a page that is not a job
    /// list or a next link that leaves Graph or loops, [`Error::Transport`] and
    /// [`Error::Auth`] as for any call.
    pub async fn list(&self) -> Result<Vec<SynchronizationJob>, Error> {
        paging::collect(
            self.resource.client(),
            self.resource.url()?,
            "a list of jobs",
        )
        .await
    }

    /// `GET …/jobs` as a stream of jobs, fetching the next page when the current one is used
    /// up. Errors are as for [`list`](Self::list), yielded in the stream.
    #[must_use]
    pub fn list_stream(&self) -> ItemStream<SynchronizationJob> {
        paging::stream(
            self.resource.client().clone(),
            self.resource.url(),
            "a list of jobs",
        )
    }

    /// `POST …/jobs` with `{"templateId":…}`: creates a job from the template. The new job is
    /// disabled (`NotConfigured`) until secrets are saved and it is started. Both `201
    /// Created` (the documented status) and `200 OK` (the documented example) are accepted.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer (e.g. a template the service principal does
    /// not have), [`Error::Decode`] for a body that is not a job, [`Error::Transport`] and
    /// [`Error::Auth`] as for any call.
    pub async fn create(&self, template_id: TemplateId) -> Result<SynchronizationJob, Error> {
        self.create_job(&SynchronizationJob::from_template(template_id))
            .await
    }

    /// `POST …/jobs` with a full job body (for properties beyond `templateId`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when `job` has no `templateId`; otherwise as
    /// [`create`](Self::create).
    pub async fn create_job(&self, job: &SynchronizationJob) -> Result<SynchronizationJob, Error> {
        if !job.template_id.is_value() {
            return Err(InvalidInput::new("a job to create needs a templateId").into());
        }
        let response = self.resource.send_json(Method::POST, job, "a job").await?;
        decode_entity(&response, "a job")
    }

    /// `POST …/jobs/validateCredentials`, the form bound to the jobs collection (in the
    /// metadata, not on a documentation page): checks credentials for a template before any
    /// job exists. Set `templateId` and usually `applicationIdentifier` on `request`.
    ///
    /// # Errors
    ///
    /// As [`JobApi::validate_credentials`].
    pub async fn validate_credentials(
        &self,
        request: &ValidateCredentialsRequest,
    ) -> Result<(), Error> {
        validate_credentials(&self.resource.child(&["validateCredentials"]), request).await
    }
}

/// `…/jobs/{jobId}`: one provisioning job.
#[derive(Debug, Clone)]
pub struct JobApi {
    resource: Resource,
    job_id: JobId,
}

/// What the service answered to an accepted bulk upload (`202 Accepted`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkUploadAccepted {
    /// The `Location` header: a provisioning-logs query for the job, where the outcome of
    /// each operation appears.
    pub location: Option<String>,
}

impl JobApi {
    /// The job this handle addresses.
    #[must_use]
    pub fn id(&self) -> &JobId {
        &self.job_id
    }

    /// The job's schema: `…/jobs/{jobId}/schema`.
    #[must_use]
    pub fn schema(&self) -> SchemaApi {
        SchemaApi::new(self.resource.child(&["schema"]))
    }

    /// `GET …/jobs/{jobId}`: the job, with its schedule and status.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer (`404` for an unknown job),
    /// [`Error::Decode`] for a body that is not a job, [`Error::Transport`] and
    /// [`Error::Auth`] as for any call.
    pub async fn get(&self) -> Result<SynchronizationJob, Error> {
        self.resource.get("a job").await
    }

    /// `DELETE …/jobs/{jobId}`: stops the job and deletes its state. Accounts it provisioned
    /// are left as they are.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get), without decoding.
    pub async fn delete(&self) -> Result<(), Error> {
        self.resource.send_empty(Method::DELETE).await.map(drop)
    }

    /// `POST …/jobs/{jobId}/start`: starts the job, resumes a paused one, or clears a
    /// quarantine. Do not call it in a loop on a running job: the service documents that this
    /// can stop it.
    ///
    /// # Errors
    ///
    /// As [`delete`](Self::delete).
    pub async fn start(&self) -> Result<(), Error> {
        self.resource
            .child(&["start"])
            .send_empty(Method::POST)
            .await
            .map(drop)
    }

    /// `POST …/jobs/{jobId}/pause`: pauses the job; it resumes where it left off on start.
    ///
    /// # Errors
    ///
    /// As [`delete`](Self::delete).
    pub async fn pause(&self) -> Result<(), Error> {
        self.resource
            .child(&["pause"])
            .send_empty(Method::POST)
            .await
            .map(drop)
    }

    /// `POST …/jobs/{jobId}/restart` with `{"criteria":{"resetScope":…}}`: clears what
    /// `scope` names and starts over, e.g.
    /// [`SynchronizationJobRestartScope::portal_restart`] (`Watermark, Escrows,
    /// QuarantineState`) or `ForceDeletes` to push deletions held back by accidental-deletion
    /// prevention.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when `scope` is empty or names `None` (call
    /// [`start`](Self::start) instead) or `ConnectorDataStore` (the documentation says to
    /// contact support instead); otherwise as [`delete`](Self::delete).
    pub async fn restart(&self, scope: &SynchronizationJobRestartScope) -> Result<(), Error> {
        if let Some(flag) = scope.discouraged().first() {
            let advice = match flag {
                RestartScopeFlag::None => "call start instead",
                _ => "the documentation says to contact support instead",
            };
            return Err(InvalidInput::new(format!(
                "restart scope {flag} is documented as not to be used: {advice}"
            ))
            .into());
        }
        if scope.members().is_empty() {
            return Err(InvalidInput::new(
                "an empty restart scope: name what to clear, e.g. Watermark, Escrows, QuarantineState",
            )
            .into());
        }
        self.resource
            .child(&["restart"])
            .send_json(
                Method::POST,
                &RestartRequest::new(scope.clone()),
                "restart criteria",
            )
            .await
            .map(drop)
    }

    /// `POST …/jobs/{jobId}/validateCredentials`: checks credentials against the target
    /// system without saving them, or (with [`ValidateCredentialsRequest::saved`]) checks
    /// the saved ones. `204` means the target accepted them.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the request neither uses the saved credentials nor
    /// carries any, or carries a value its key cannot hold (masked `*` values included);
    /// [`Error::Service`] when the target rejects the credentials (with any echoed value
    /// redacted); [`Error::Transport`] and [`Error::Auth`] as for any call.
    pub async fn validate_credentials(
        &self,
        request: &ValidateCredentialsRequest,
    ) -> Result<(), Error> {
        validate_credentials(&self.resource.child(&["validateCredentials"]), request).await
    }

    /// `POST …/jobs/{jobId}/provisionOnDemand`: provisions the given objects now, outside the
    /// schedule. The service allows 5 requests per 10 seconds per job; beyond, it answers
    /// `429` with `Retry-After`. The result's `key` and `value` are JSON documents in
    /// strings: see [`ProvisionOnDemandResult::decode_key`] and
    /// [`ProvisionOnDemandResult::decode_value`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when `request` has no parameters or a parameter without a rule
    /// id or subjects; [`Error::Service`] for a non-2xx answer, [`Error::Decode`] for a body
    /// that is not a key/value pair, [`Error::Transport`] and [`Error::Auth`] as for any call.
    pub async fn provision_on_demand(
        &self,
        request: &ProvisionOnDemandRequest,
    ) -> Result<ProvisionOnDemandResult, Error> {
        let parameters = request.parameters.get().map_or(&[][..], Vec::as_slice);
        if parameters.is_empty() {
            return Err(InvalidInput::new("provisionOnDemand needs at least one parameter").into());
        }
        for parameter in parameters {
            if parameter.rule_id.as_deref().is_none_or(str::is_empty) {
                return Err(InvalidInput::new(
                    "a provisionOnDemand parameter needs a ruleId (from the schema's synchronizationRules)",
                )
                .into());
            }
            if parameter.subjects.get().is_none_or(Vec::is_empty) {
                return Err(InvalidInput::new(
                    "a provisionOnDemand parameter needs at least one subject",
                )
                .into());
            }
        }
        let response = self
            .resource
            .child(&["provisionOnDemand"])
            .send_json(Method::POST, request, "a provisionOnDemand request")
            .await?;
        decode(&response, "a provisionOnDemand result")
    }

    /// `POST …/jobs/{jobId}/bulkUpload`: sends a SCIM bulk request as
    /// `application/scim+json` (API-driven inbound provisioning). The service accepts at most
    /// 50 operations per request and 40 requests per second, and answers `202 Accepted` with
    /// an empty body and a `Location` to the provisioning logs.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`], before anything is sent, for a request with no operations or
    /// more than 50, or without the SCIM BulkRequest schema; [`Error::Service`] for a non-2xx
    /// answer; [`Error::Transport`] and [`Error::Auth`] as for any call.
    pub async fn bulk_upload(&self, request: &BulkRequest) -> Result<BulkUploadAccepted, Error> {
        let count = request.operations.len();
        if count == 0 {
            return Err(InvalidInput::new("a bulk upload needs at least one operation").into());
        }
        if count > BULK_UPLOAD_MAX_OPERATIONS {
            return Err(InvalidInput::new(format!(
                "a bulk upload holds at most {BULK_UPLOAD_MAX_OPERATIONS} operations, this one {count}: split it"
            ))
            .into());
        }
        if !request
            .schemas
            .iter()
            .any(|s| s == graph_sync_model::BULK_REQUEST_SCHEMA)
        {
            return Err(InvalidInput::new(format!(
                "a bulk upload must declare the schema {}",
                graph_sync_model::BULK_REQUEST_SCHEMA
            ))
            .into());
        }
        let body = encode(request, "a bulk request")?;
        let resource = self.resource.child(&["bulkUpload"]);
        let response = resource
            .client()
            .send(
                Call::new(Method::POST, resource.uri()?)
                    .json(body)
                    .content_type(SCIM_JSON),
            )
            .await?;
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        Ok(BulkUploadAccepted { location })
    }
}

async fn validate_credentials(
    resource: &Resource,
    request: &ValidateCredentialsRequest,
) -> Result<(), Error> {
    let no_secrets = Secrets::new();
    let credentials = request
        .credentials
        .get()
        .filter(|credentials| !credentials.is_empty());
    if request.use_saved_credentials.get() != Some(&true) && credentials.is_none() {
        return Err(InvalidInput::new(
            "validateCredentials needs credentials, or useSavedCredentials set to true",
        )
        .into());
    }
    if let Some(credentials) = credentials {
        credentials.validate_for_put()?;
    }
    let credentials = credentials.unwrap_or(&no_secrets);
    let call = resource.secrets_call(Method::POST, request, credentials)?;
    resource.client().send(call).await?;
    Ok(())
}
