//! The synchronization service beyond secrets: application templates and instantiation,
//! templates per application, jobs and their status, credentials validation against a
//! configurable target system, schemas with the service's checks, expression parsing,
//! provisioning on demand and bulk upload with the documented rate limits, and paging.
//!
//! Every `…/synchronization/…` path below a service principal (by object id or appId) or an
//! application is routed to one dispatcher, which reads the segments after `synchronization`
//! the way the service resolves them.

mod catalog;
mod expression;
mod jobs;
mod rate;
pub(crate) mod validate;

use std::collections::HashMap;
use std::sync::{Arc, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use graph_sync_model::Property;
use graph_sync_model::{
    AppId, Application, ApplicationServicePrincipal, ApplicationTemplateId, BULK_REQUEST_SCHEMA,
    BULK_UPLOAD_MAX_OPERATIONS, BulkRequest, InstantiateRequest, JobId, ODataCollection,
    ParseExpressionRequest, ProvisionOnDemandRequest, ProvisionOnDemandResult, RestartRequest,
    Secrets, ServicePrincipalId, SynchronizationJob, SynchronizationJobRestartScope,
    SynchronizationSchema, SynchronizationTemplate, TemplateId, Timestamp,
    ValidateCredentialsRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use tokio::time::Instant;

use self::jobs::JobEntry;
use self::rate::{BULK_UPLOAD, PROVISION_ON_DEMAND, RateWindows, retry_after_seconds};
pub use self::validate::TargetSystem;
use crate::emulator::{Emulator, ServicePrincipal};
use crate::error::GraphError;
use crate::routes::{
    Address, ODATA_JSON, SpPath, authorize, check_json_content_type, graph_root, resolve,
};
use crate::state::Shared;

/// Lists longer than this come in pages linked by `@odata.nextLink` (changeable with
/// [`Emulator::set_page_size`]).
const DEFAULT_PAGE_SIZE: usize = 100;

/// The synchronization state of the emulator.
#[derive(Debug)]
pub(crate) struct SyncState {
    /// By lower-cased service principal id.
    principals: HashMap<String, Principal>,
    /// Application object id (lower-cased) to service principal id (lower-cased).
    applications: HashMap<String, String>,
    /// Gallery application templates by lower-cased id.
    gallery: HashMap<String, Gallery>,
    rates: RateWindows,
    page_size: usize,
    replication_lag: u32,
}

#[derive(Debug)]
struct Gallery {
    templates: Vec<SynchronizationTemplate>,
}

#[derive(Debug, Default)]
struct Principal {
    templates: Vec<TemplateEntry>,
    jobs: Vec<JobEntry>,
    target: Option<TargetSystem>,
    /// How many more `GET /servicePrincipals/{id}` answer `404` (directory replication).
    invisible_reads: u32,
    application: Option<Application>,
}

#[derive(Debug, Clone)]
struct TemplateEntry {
    template: SynchronizationTemplate,
    factory_schema: SynchronizationSchema,
}

impl TemplateEntry {
    fn new(mut template: SynchronizationTemplate) -> Self {
        let schema = template.schema.take().into_option().unwrap_or_default();
        template.schema = Property::Value(schema.clone());
        Self {
            template,
            factory_schema: schema,
        }
    }

    fn id(&self) -> &str {
        self.template.id.get().map_or("", TemplateId::as_str)
    }

    fn schema_mut(&mut self) -> &mut SynchronizationSchema {
        self.template
            .schema
            .get_or_insert_with(SynchronizationSchema::default)
    }
}

impl Default for SyncState {
    fn default() -> Self {
        let mut gallery = HashMap::new();
        gallery.insert(
            catalog::NON_GALLERY_TEMPLATE.to_owned(),
            Gallery {
                templates: vec![catalog::scim_template("")],
            },
        );
        Self {
            principals: HashMap::new(),
            applications: HashMap::new(),
            gallery,
            rates: RateWindows::default(),
            page_size: DEFAULT_PAGE_SIZE,
            replication_lag: 0,
        }
    }
}

fn key(id: &str) -> String {
    id.to_ascii_lowercase()
}

fn lock(shared: &Shared) -> MutexGuard<'_, SyncState> {
    shared.sync.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The Rust API for tests: templates, target systems, gallery entries and knobs.
impl Emulator {
    /// The `scim` template (factory `CustomSCIM`) that instantiated non-gallery applications
    /// get, with its default schema (Entra users to SCIM users; rule id
    /// `03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8`).
    #[must_use]
    pub fn scim_template() -> SynchronizationTemplate {
        catalog::scim_template("")
    }

    /// Gives the service principal `id` the template `template` (its `schema` is the
    /// template's default, to which a schema DELETE resets). A template with the same id is
    /// replaced.
    pub fn add_template(&self, id: &ServicePrincipalId, template: SynchronizationTemplate) {
        let mut state = lock(self.shared());
        let principal = state.principals.entry(key(id.as_str())).or_default();
        let entry = TemplateEntry::new(template);
        principal.templates.retain(|t| t.id() != entry.id());
        principal.templates.push(entry);
    }

    /// The target system of the service principal `id`'s jobs: credentials are validated,
    /// and jobs run, against it.
    pub fn set_target_system(&self, id: &ServicePrincipalId, target: TargetSystem) {
        lock(self.shared())
            .principals
            .entry(key(id.as_str()))
            .or_default()
            .target = Some(target);
    }

    /// Adds a gallery application template: instantiating it creates an application whose
    /// service principal has these synchronization templates. The non-gallery template
    /// `8adf8e6e-67b2-4cf2-a259-e3dc5476c621` (with [`Emulator::scim_template`]) is there from
    /// the start.
    pub fn add_application_template(
        &self,
        id: &ApplicationTemplateId,
        templates: Vec<SynchronizationTemplate>,
    ) {
        lock(self.shared())
            .gallery
            .insert(key(id.as_str()), Gallery { templates });
    }

    /// How many reads of a newly instantiated service principal
    /// (`GET /servicePrincipals/{id}`) answer `404` before it appears, as directory replication
    /// makes a client wait (default: none). Counted in reads, not time, so a test that polls
    /// is deterministic.
    pub fn set_replication_lag(&self, reads: u32) {
        lock(self.shared()).replication_lag = reads;
    }

    /// How many items a list page holds before `@odata.nextLink` (default 100).
    pub fn set_page_size(&self, page_size: usize) {
        lock(self.shared()).page_size = page_size.max(1);
    }

    /// The job as stored (without running a cycle), for assertions.
    #[must_use]
    pub fn job(&self, id: &ServicePrincipalId, job: &JobId) -> Option<SynchronizationJob> {
        lock(self.shared())
            .principals
            .get(&key(id.as_str()))?
            .jobs
            .iter()
            .find(|entry| entry.id() == job.as_str())
            .map(|entry| entry.job.clone())
    }

    /// The SCIM resources a job received by bulk upload, in order.
    #[must_use]
    pub fn bulk_uploaded(&self, id: &ServicePrincipalId, job: &JobId) -> Vec<serde_json::Value> {
        lock(self.shared())
            .principals
            .get(&key(id.as_str()))
            .and_then(|p| p.jobs.iter().find(|entry| entry.id() == job.as_str()))
            .map(|entry| entry.uploaded.clone())
            .unwrap_or_default()
    }
}

/// The routes this module serves.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/v1.0/applicationTemplates/{id}/instantiate",
            post(instantiate),
        )
        .route(
            "/v1.0/servicePrincipals/{id}",
            get(get_service_principal_route),
        )
        .route("/v1.0/{key}", get(get_service_principal_route))
        .route(
            "/v1.0/servicePrincipals/{id}/synchronization/{*rest}",
            any(by_service_principal),
        )
        .route(
            "/v1.0/{key}/synchronization/{*rest}",
            any(by_service_principal),
        )
        .route(
            "/v1.0/applications/{id}/synchronization/{*rest}",
            any(by_application),
        )
}

fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Result<Response, GraphError> {
    let bytes = serde_json::to_vec(body)
        .map_err(|_| GraphError::internal("A response body did not serialize."))?;
    Ok((
        status,
        [(CONTENT_TYPE, HeaderValue::from_static(ODATA_JSON))],
        bytes,
    )
        .into_response())
}

fn bad_request(code: &'static str, message: impl Into<String>) -> GraphError {
    GraphError::with_code(StatusCode::BAD_REQUEST, code, message)
}

fn not_found(what: &str) -> GraphError {
    GraphError::with_code(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("{what} does not exist."),
    )
}

/// Reads a JSON body as `T`; errors name the problem by category and position only, since a
/// body may carry secrets.
fn read_json<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, GraphError> {
    if body.trim_ascii().is_empty() {
        return Err(GraphError::empty_payload());
    }
    check_json_content_type(headers)?;
    serde_json::from_slice(body).map_err(|e| {
        bad_request(
            "BadRequest",
            format!(
                "The request body is not the expected JSON ({:?} error at line {}, column {}).",
                e.classify(),
                e.line(),
                e.column()
            ),
        )
    })
}

async fn instantiate(
    State(shared): State<Arc<Shared>>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    authorize(&shared, &headers)?;
    let Path(id) = id.map_err(|_| GraphError::malformed_path())?;
    let request: InstantiateRequest = read_json(&headers, &body)?;
    let display_name = request
        .display_name
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    if display_name.is_empty() {
        return Err(bad_request(
            "Request_BadRequest",
            "displayName is required.",
        ));
    }
    let templates = lock(&shared)
        .gallery
        .get(&key(&id))
        .map(|gallery| gallery.templates.clone())
        .ok_or_else(|| not_found(&format!("Application template '{id}'")))?;
    let new_guid = || uuid::Uuid::new_v4().to_string();
    let (sp_id, app_id, object_id) = (new_guid(), new_guid(), new_guid());
    let principal = ServicePrincipal::new(
        ServicePrincipalId::new(sp_id.clone()).map_err(|_| GraphError::internal("bad GUID"))?,
        AppId::new(app_id.clone()).map_err(|_| GraphError::internal("bad GUID"))?,
        display_name.clone(),
    );
    shared.insert_service_principal(principal);
    let mut application = Application::default();
    application.id = Property::Value(object_id.clone());
    application.app_id = Property::Value(app_id.clone());
    application.display_name = request.display_name.clone();
    application
        .extra
        .insert("applicationTemplateId".into(), json!(id));
    let mut service_principal = graph_sync_model::ServicePrincipal::default();
    service_principal.id = Property::Value(sp_id.clone());
    service_principal.app_id = Property::Value(app_id);
    service_principal.display_name = request.display_name;
    service_principal.application_template_id = Property::Value(id);
    {
        let mut state = lock(&shared);
        let invisible_reads = state.replication_lag;
        let entries = templates
            .into_iter()
            .map(|mut template| {
                template.application_id = Property::Value(object_id.clone());
                TemplateEntry::new(template)
            })
            .collect();
        state.applications.insert(key(&object_id), key(&sp_id));
        state.principals.insert(
            key(&sp_id),
            Principal {
                templates: entries,
                jobs: Vec::new(),
                target: None,
                invisible_reads,
                application: Some(application.clone()),
            },
        );
    }
    let mut body = ApplicationServicePrincipal::default();
    body.application = Property::Value(application);
    body.service_principal = Property::Value(service_principal);
    json_response(StatusCode::CREATED, &body)
}

async fn get_service_principal_route(
    State(shared): State<Arc<Shared>>,
    sp: SpPath,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    get_service_principal(&shared, &sp.address, &headers)
}

fn get_service_principal(
    shared: &Shared,
    address: &Address,
    headers: &HeaderMap,
) -> Result<Response, GraphError> {
    authorize(shared, headers)?;
    let principal = resolve(shared, address)?;
    let mut state = lock(shared);
    if let Some(entry) = state
        .principals
        .get_mut(&key(principal.id.as_str()))
        .filter(|entry| entry.invisible_reads > 0)
    {
        entry.invisible_reads -= 1;
        return Err(GraphError::resource_not_found(principal.id.as_str()));
    }
    let entry = state.principals.get(&key(principal.id.as_str()));
    let mut body = graph_sync_model::ServicePrincipal::default();
    body.id = Property::Value(principal.id.to_string());
    body.app_id = Property::Value(principal.app_id.to_string());
    body.display_name = Property::Value(principal.display_name.clone());
    body.application_template_id = entry
        .and_then(|p| p.application.as_ref())
        .and_then(|a| a.extra.get("applicationTemplateId"))
        .and_then(|v| v.as_str())
        .map_or(Property::Absent, |id| Property::Value(id.to_owned()));
    drop(state);
    json_response(StatusCode::OK, &body)
}

/// Which object's synchronization a path addresses.
enum Owner {
    ServicePrincipal(Address),
    Application(String),
}

async fn by_service_principal(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    sp: SpPath,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    dispatch(
        &shared,
        Owner::ServicePrincipal(sp.address),
        &sp.rest,
        &method,
        &uri,
        &headers,
        &body,
    )
    .await
}

async fn by_application(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let Path((id, rest)) = path.map_err(|_| GraphError::malformed_path())?;
    dispatch(
        &shared,
        Owner::Application(id),
        &rest,
        &method,
        &uri,
        &headers,
        &body,
    )
    .await
}

/// Everything a handler needs about the request.
struct Request<'a> {
    shared: &'a Shared,
    sp_id: ServicePrincipalId,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    body: &'a Bytes,
}

/// An operation, recognised from the method and the segments after `synchronization`.
enum Op<'a> {
    AcquireAccessToken,
    ListJobs,
    CreateJob,
    ValidateCredentials(Option<&'a str>),
    GetJob(&'a str),
    DeleteJob(&'a str),
    ControlJob(&'a str, &'a str),
    ProvisionOnDemand(&'a str),
    BulkUpload(&'a str),
    ListTemplates,
    GetTemplate(&'a str),
    UpdateTemplate(&'a str),
    Schema(SchemaOf<'a>, SchemaOp<'a>),
}

/// What a schema operation does.
enum SchemaOp<'a> {
    Get,
    Put,
    Delete,
    FilterOperators,
    Functions,
    ParseExpression,
    Discover(&'a str),
}

fn recognise<'a>(method: &str, segments: &[&'a str]) -> Option<Op<'a>> {
    Some(match (method, segments) {
        ("POST", ["acquireAccessToken"]) => Op::AcquireAccessToken,
        ("GET", ["jobs"]) => Op::ListJobs,
        ("POST", ["jobs"]) => Op::CreateJob,
        ("POST", ["jobs", "validateCredentials"]) => Op::ValidateCredentials(None),
        ("GET", ["jobs", job]) => Op::GetJob(job),
        ("DELETE", ["jobs", job]) => Op::DeleteJob(job),
        ("POST", ["jobs", job, action @ ("start" | "pause" | "restart")]) => {
            Op::ControlJob(job, action)
        }
        ("POST", ["jobs", job, "validateCredentials"]) => Op::ValidateCredentials(Some(job)),
        ("POST", ["jobs", job, "provisionOnDemand"]) => Op::ProvisionOnDemand(job),
        ("POST", ["jobs", job, "bulkUpload"]) => Op::BulkUpload(job),
        (_, ["jobs", job, "schema", rest @ ..]) => {
            Op::Schema(SchemaOf::Job(job), recognise_schema(method, rest)?)
        }
        ("GET", ["templates"]) => Op::ListTemplates,
        ("GET", ["templates", template]) => Op::GetTemplate(template),
        ("PATCH" | "PUT", ["templates", template]) => Op::UpdateTemplate(template),
        (_, ["templates", template, "schema", rest @ ..]) => Op::Schema(
            SchemaOf::Template(template),
            recognise_schema(method, rest)?,
        ),
        _ => return None,
    })
}

fn recognise_schema<'a>(method: &str, rest: &[&'a str]) -> Option<SchemaOp<'a>> {
    Some(match (method, rest) {
        ("GET", []) => SchemaOp::Get,
        ("PUT", []) => SchemaOp::Put,
        ("DELETE", []) => SchemaOp::Delete,
        ("GET", ["filterOperators" | "filterOperators()"]) => SchemaOp::FilterOperators,
        ("GET", ["functions" | "functions()"]) => SchemaOp::Functions,
        ("POST", ["parseExpression"]) => SchemaOp::ParseExpression,
        ("POST", ["directories", directory, "discover"]) => SchemaOp::Discover(directory),
        _ => return None,
    })
}

async fn dispatch(
    shared: &Shared,
    owner: Owner,
    rest: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, GraphError> {
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    // An unimplemented route fails loudly whatever else is wrong.
    let op = recognise(method.as_str(), &segments)
        .ok_or_else(|| GraphError::not_implemented(method, uri.path()))?;
    authorize(shared, headers)?;
    let sp_id = match owner {
        Owner::ServicePrincipal(address) => resolve(shared, &address)?.id,
        Owner::Application(id) => {
            let found = lock(shared).applications.get(&key(&id)).cloned();
            let sp = found.ok_or_else(|| GraphError::resource_not_found(&id))?;
            ServicePrincipalId::new(sp).map_err(|_| GraphError::internal("bad stored id"))?
        }
    };
    let request = Request {
        shared,
        sp_id,
        uri,
        headers,
        body,
    };
    match op {
        Op::AcquireAccessToken => acquire_access_token(&request),
        Op::ListJobs => list_jobs(&request),
        Op::CreateJob => create_job(&request),
        Op::ValidateCredentials(job) => validate_credentials(&request, job),
        Op::GetJob(job) => get_job(&request, job),
        Op::DeleteJob(job) => delete_job(&request, job),
        Op::ControlJob(job, action) => control_job(&request, job, action),
        Op::ProvisionOnDemand(job) => provision_on_demand(&request, job),
        Op::BulkUpload(job) => bulk_upload(&request, job),
        Op::ListTemplates => list_templates(&request),
        Op::GetTemplate(template) => get_template(&request, template),
        Op::UpdateTemplate(template) => update_template(&request, template),
        Op::Schema(of, op) => schema_operation(&request, &of, op),
    }
}

impl Request<'_> {
    fn sp_key(&self) -> String {
        key(self.sp_id.as_str())
    }

    /// The secrets saved for the service principal, unmasked.
    fn saved_secrets(&self) -> Secrets {
        self.shared.stored_secrets(&self.sp_id).unwrap_or_default()
    }

    /// Runs `f` on the service principal's synchronization state.
    fn with_principal<R>(&self, f: impl FnOnce(&mut Principal, &mut SyncState) -> R) -> R {
        let mut state = lock(self.shared);
        let mut principal = state.principals.remove(&self.sp_key()).unwrap_or_default();
        let result = f(&mut principal, &mut state);
        state.principals.insert(self.sp_key(), principal);
        result
    }

    fn page<T: Serialize>(&self, items: Vec<T>) -> Result<Response, GraphError> {
        let page_size = lock(self.shared).page_size;
        let skip = match self.uri.query().and_then(|q| {
            q.split('&').find_map(|pair| {
                pair.strip_prefix("$skiptoken=")
                    .or_else(|| pair.strip_prefix("%24skiptoken="))
            })
        }) {
            Some(token) => token
                .parse::<usize>()
                .map_err(|_| bad_request("BadRequest", "The $skiptoken is not valid."))?,
            None => 0,
        };
        let total = items.len();
        let value: Vec<T> = items.into_iter().skip(skip).take(page_size).collect();
        let mut page = ODataCollection::new(value);
        if skip + page_size < total {
            let origin = graph_root(self.headers);
            let origin = origin.trim_end_matches("/v1.0");
            page = page.with_next_link(format!(
                "{origin}{}?$skiptoken={}",
                self.uri.path(),
                skip + page_size
            ));
        }
        json_response(StatusCode::OK, &page)
    }
}

fn acquire_access_token(request: &Request<'_>) -> Result<Response, GraphError> {
    let body: graph_sync_model::AcquireAccessTokenRequest =
        read_json(request.headers, request.body)?;
    if body.credentials.is_empty() {
        return Err(bad_request("BadRequest", "credentials must not be empty."));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn job_not_found(job: &str) -> GraphError {
    not_found(&format!("The job '{job}'"))
}

fn list_jobs(request: &Request<'_>) -> Result<Response, GraphError> {
    let secrets = request.saved_secrets();
    let jobs = request.with_principal(|principal, _| {
        let target = principal.target.clone();
        principal
            .jobs
            .iter_mut()
            .map(|entry| {
                entry.tick(&secrets, target.as_ref());
                entry.job.clone()
            })
            .collect::<Vec<_>>()
    });
    request.page(jobs)
}

fn get_job(request: &Request<'_>, job: &str) -> Result<Response, GraphError> {
    let secrets = request.saved_secrets();
    let found = request.with_principal(|principal, _| {
        let target = principal.target.clone();
        principal
            .jobs
            .iter_mut()
            .find(|e| e.id() == job)
            .map(|entry| {
                entry.tick(&secrets, target.as_ref());
                entry.job.clone()
            })
    });
    json_response(StatusCode::OK, &found.ok_or_else(|| job_not_found(job))?)
}

fn create_job(request: &Request<'_>) -> Result<Response, GraphError> {
    let body: SynchronizationJob = read_json(request.headers, request.body)?;
    let template_id = body
        .template_id
        .into_option()
        .ok_or_else(|| bad_request("BadRequest", "templateId is required to create a job."))?;
    let created = request.with_principal(|principal, _| {
        let template = principal
            .templates
            .iter()
            .find(|t| t.id().eq_ignore_ascii_case(template_id.as_str()))?;
        let entry = JobEntry::create(&template_id, template.template.schema.get()?)?;
        let job = entry.job.clone();
        principal.jobs.push(entry);
        Some(job)
    });
    let job = created.ok_or_else(|| {
        bad_request(
            "BadRequest",
            format!("The template '{template_id}' is not a template of this service principal; list them with GET …/synchronization/templates."),
        )
    })?;
    json_response(StatusCode::CREATED, &job)
}

fn delete_job(request: &Request<'_>, job: &str) -> Result<Response, GraphError> {
    let removed = request.with_principal(|principal, _| {
        let before = principal.jobs.len();
        principal.jobs.retain(|e| e.id() != job);
        principal.jobs.len() < before
    });
    if removed {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(job_not_found(job))
    }
}

fn control_job(request: &Request<'_>, job: &str, action: &str) -> Result<Response, GraphError> {
    let scope = if action == "restart" {
        let body: RestartRequest = if request.body.trim_ascii().is_empty() {
            RestartRequest::default()
        } else {
            read_json(request.headers, request.body)?
        };
        Some(
            body.criteria
                .into_option()
                .and_then(|c| c.reset_scope.into_option())
                .unwrap_or_else(SynchronizationJobRestartScope::portal_restart),
        )
    } else {
        None
    };
    let secrets = request.saved_secrets();
    let found = request.with_principal(|principal, _| {
        let target = principal.target.clone();
        let entry = principal.jobs.iter_mut().find(|e| e.id() == job)?;
        match (action, &scope) {
            ("start", _) => entry.start(&secrets, target.as_ref()),
            ("pause", _) => entry.pause(),
            (_, Some(scope)) => entry.restart(scope, &secrets, target.as_ref()),
            _ => {}
        }
        Some(())
    });
    found.ok_or_else(|| job_not_found(job))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn validate_credentials(request: &Request<'_>, job: Option<&str>) -> Result<Response, GraphError> {
    let body: ValidateCredentialsRequest = read_json(request.headers, request.body)?;
    let secrets = if body.use_saved_credentials == Property::Value(true) {
        request.saved_secrets()
    } else {
        body.credentials.unwrap_or_default()
    };
    let target = request.with_principal(|principal, _| {
        if let Some(job) = job {
            principal
                .jobs
                .iter()
                .find(|e| e.id() == job)
                .ok_or_else(|| job_not_found(job))?;
        } else if let Property::Value(template) = &body.template_id {
            principal
                .templates
                .iter()
                .find(|t| t.id() == template.as_str())
                .ok_or_else(|| {
                    bad_request(
                        "BadRequest",
                        format!(
                            "The template '{template}' is not a template of this service principal."
                        ),
                    )
                })?;
        }
        Ok::<_, GraphError>(principal.target.clone())
    })?;
    validate::check_credentials(target.as_ref(), &secrets).map_err(|reason| {
        bad_request(
            "CredentialValidationFailed",
            format!("The credentials could not be validated: {reason}."),
        )
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn provision_on_demand(request: &Request<'_>, job: &str) -> Result<Response, GraphError> {
    let body: ProvisionOnDemandRequest = read_json(request.headers, request.body)?;
    let secrets = request.saved_secrets();
    let sp_key = request.sp_key();
    let outcome = request.with_principal(|principal, state| {
        let target = principal.target.clone();
        let entry = principal.jobs.iter_mut().find(|e| e.id() == job).ok_or_else(|| job_not_found(job))?;
        state
            .rates
            .admit(format!("{sp_key}/{job}/provisionOnDemand"), PROVISION_ON_DEMAND, Instant::now())
            .map_err(|wait| {
                GraphError::too_many_requests(
                    retry_after_seconds(wait),
                    "provisionOnDemand is limited to 5 requests per 10 seconds. Please retry after the Retry-After interval.",
                )
            })?;
        let rules: Vec<String> = entry
            .schema
            .synchronization_rules
            .iter()
            .flatten()
            .filter_map(|r| r.id.get().cloned())
            .collect();
        let mut subjects = Vec::new();
        for parameter in body.parameters.iter().flatten() {
            let rule = parameter.rule_id.as_deref().unwrap_or_default();
            if !rules.iter().any(|r| r == rule) {
                return Err(bad_request("BadRequest", format!("The rule '{rule}' is not a synchronization rule of this job's schema.")));
            }
            subjects.extend(parameter.subjects.iter().flatten().cloned());
        }
        if subjects.is_empty() {
            return Err(bad_request("BadRequest", "No subjects to provision."));
        }
        Ok((subjects, validate::check_credentials(target.as_ref(), &secrets)))
    })?;
    let (subjects, credentials) = outcome;
    let first = &subjects[0];
    let object_id = first.object_id.get().cloned().unwrap_or_default();
    let credentials_ok = credentials.is_ok();
    let (result, status, description) = match credentials {
        Ok(()) => (
            "Success",
            "Success",
            format!("The object '{object_id}' was created in the target system."),
        ),
        Err(reason) => (
            "Failure",
            "Failure",
            format!("Provisioning could not authenticate to the target system: {reason}."),
        ),
    };
    let now = Timestamp::from(time::OffsetDateTime::now_utc()).to_string();
    let type_name = first
        .object_type_name
        .get()
        .cloned()
        .unwrap_or_else(|| "User".to_owned());
    let key = json!({"result": result, "details": {}});
    let value = json!({
        "action": if credentials_ok { "Create" } else { "Other" },
        "changeId": uuid::Uuid::new_v4().to_string(),
        "startTime": now,
        "endTime": now,
        "modifiedProperties": [],
        "provisioningSteps": [
            {"name": "EntryImport", "type": "Import", "status": "Success",
             "description": format!("Retrieved {type_name} '{object_id}' from Azure Active Directory"),
             "timestamp": now, "details": {"objectId": object_id}},
            {"name": "EntrySynchronizationScoping", "type": "Scoping", "status": "Success",
             "description": format!("Determine if {type_name} in scope by evaluating against each scoping filter"),
             "timestamp": now, "details": {"IsActive": "True"}},
            {"name": if credentials_ok { "EntryExportAdd" } else { "EntryExportError" },
             "type": "Export", "status": status, "description": description,
             "timestamp": now, "details": {}}
        ],
        "reportableIdentifier": object_id,
        "statusInfo": {"status": status, "errorCode": if credentials_ok { None } else { Some("CredentialsRejected") }},
        "sourceIdentity": {"id": object_id, "type": type_name, "displayName": null, "details": null},
        "sourceSystem": {"id": null, "name": catalog::ENTRA_DIRECTORY, "details": null},
        "targetSystem": {"id": null, "name": catalog::SCIM_DIRECTORY, "details": null}
    });
    let mut answer = ProvisionOnDemandResult::default();
    answer.key = Property::Value(key.to_string());
    answer.value = Property::Value(value.to_string());
    json_response(StatusCode::OK, &answer)
}

fn bulk_upload(request: &Request<'_>, job: &str) -> Result<Response, GraphError> {
    let media_type = request
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    if !media_type.eq_ignore_ascii_case("application/scim+json") {
        return Err(bad_request(
            "BadRequest",
            "The request must be sent with Content-Type: application/scim+json.",
        ));
    }
    let body: BulkRequest = serde_json::from_slice(request.body).map_err(|e| {
        bad_request(
            "BadRequest",
            format!(
                "The SCIM bulk request could not be parsed ({:?} error at line {}, column {}).",
                e.classify(),
                e.line(),
                e.column()
            ),
        )
    })?;
    if !body.schemas.iter().any(|s| s == BULK_REQUEST_SCHEMA) {
        return Err(bad_request(
            "BadRequest",
            format!("The bulk request must declare the schema {BULK_REQUEST_SCHEMA}."),
        ));
    }
    if body.operations.len() > BULK_UPLOAD_MAX_OPERATIONS {
        return Err(bad_request(
            "BadRequest",
            format!(
                "The bulk request holds {} operations; at most {BULK_UPLOAD_MAX_OPERATIONS} are allowed.",
                body.operations.len()
            ),
        ));
    }
    let sp_key = request.sp_key();
    request.with_principal(|principal, state| {
        let entry = principal.jobs.iter_mut().find(|e| e.id() == job).ok_or_else(|| job_not_found(job))?;
        state
            .rates
            .admit(format!("{sp_key}/{job}/bulkUpload"), BULK_UPLOAD, Instant::now())
            .map_err(|wait| {
                GraphError::too_many_requests(
                    retry_after_seconds(wait),
                    "bulkUpload is limited to 40 requests per second. Please retry after the Retry-After interval.",
                )
            })?;
        entry.uploaded.extend(
            body.operations
                .iter()
                .map(|op| op.data.get().cloned().unwrap_or_default()),
        );
        Ok::<_, GraphError>(())
    })?;
    let origin = graph_root(request.headers);
    let location = format!("{origin}/auditLogs/provisioning/?$filter=jobid%20eq%20'{job}'");
    let mut response = StatusCode::ACCEPTED.into_response();
    if let Ok(value) = HeaderValue::try_from(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    Ok(response)
}

fn template_not_found(template: &str) -> GraphError {
    not_found(&format!("The template '{template}'"))
}

fn list_templates(request: &Request<'_>) -> Result<Response, GraphError> {
    let templates = request.with_principal(|principal, _| {
        principal
            .templates
            .iter()
            .map(|t| t.template.clone())
            .collect::<Vec<_>>()
    });
    request.page(templates)
}

fn get_template(request: &Request<'_>, template: &str) -> Result<Response, GraphError> {
    let found = request.with_principal(|principal, _| {
        principal
            .templates
            .iter()
            .find(|t| t.id() == template)
            .map(|t| t.template.clone())
    });
    json_response(
        StatusCode::OK,
        &found.ok_or_else(|| template_not_found(template))?,
    )
}

fn update_template(request: &Request<'_>, template: &str) -> Result<Response, GraphError> {
    let mut body: SynchronizationTemplate = read_json(request.headers, request.body)?;
    if body.id.get().is_some_and(|id| id.as_str() != template) {
        return Err(bad_request(
            "BadRequest",
            "The template id in the body does not match the path.",
        ));
    }
    request.with_principal(|principal, _| {
        let entry = principal
            .templates
            .iter_mut()
            .find(|t| t.id() == template)
            .ok_or_else(|| template_not_found(template))?;
        // The whole template is replaced: properties left out are erased. The schema is a
        // contained navigation property, updated through …/schema.
        body.id.clone_from(&entry.template.id);
        body.schema = entry.template.schema.take();
        entry.template = body;
        Ok::<_, GraphError>(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Whose schema an operation acts on.
enum SchemaOf<'a> {
    Job(&'a str),
    Template(&'a str),
}

/// A schema operation on the schema of `of`.
fn schema_operation(
    request: &Request<'_>,
    of: &SchemaOf<'_>,
    op: SchemaOp<'_>,
) -> Result<Response, GraphError> {
    match op {
        SchemaOp::Get => with_schema(request, of, |schema, _| {
            json_response(StatusCode::OK, schema)
        }),
        SchemaOp::Put => {
            let schema: SynchronizationSchema = read_json(request.headers, request.body)?;
            validate::check_schema(&schema)
                .map_err(|message| bad_request("InvalidSchema", message))?;
            with_schema(request, of, move |stored, _| {
                let id = stored.id.clone();
                *stored = schema;
                stored.id = id;
                Ok(StatusCode::NO_CONTENT.into_response())
            })
        }
        SchemaOp::Delete => with_schema(request, of, |stored, default| {
            *stored = default;
            Ok(StatusCode::NO_CONTENT.into_response())
        }),
        SchemaOp::FilterOperators => with_schema(request, of, |_, _| {
            json_response(
                StatusCode::OK,
                &ODataCollection::new(catalog::filter_operators()),
            )
        }),
        SchemaOp::Functions => with_schema(request, of, |_, _| {
            json_response(StatusCode::OK, &ODataCollection::new(catalog::functions()))
        }),
        SchemaOp::ParseExpression => {
            let body: ParseExpressionRequest = read_json(request.headers, request.body)?;
            with_schema(request, of, |_, _| {
                json_response(StatusCode::OK, &expression::parse_expression(&body))
            })
        }
        SchemaOp::Discover(directory) => with_schema(request, of, |schema, _| {
            let found = schema
                .directories
                .iter_mut()
                .flatten()
                .find(|d| d.id.as_deref() == Some(directory))
                .ok_or_else(|| not_found(&format!("The directory '{directory}'")))?;
            found.discovery_date_time =
                Property::Value(Timestamp::from(time::OffsetDateTime::now_utc()));
            let version = found
                .version
                .as_deref()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
            found.version = Property::Value(version.saturating_add(1).to_string());
            json_response(StatusCode::OK, &found.clone())
        }),
    }
}

/// Runs `f` on the stored schema of `of` and its default (the template's, for a reset).
fn with_schema(
    request: &Request<'_>,
    of: &SchemaOf<'_>,
    f: impl FnOnce(&mut SynchronizationSchema, SynchronizationSchema) -> Result<Response, GraphError>,
) -> Result<Response, GraphError> {
    request.with_principal(|principal, _| match of {
        SchemaOf::Job(job) => {
            let entry = principal
                .jobs
                .iter_mut()
                .find(|e| e.id() == *job)
                .ok_or_else(|| job_not_found(job))?;
            let default = entry.template_schema.clone();
            f(&mut entry.schema, default)
        }
        SchemaOf::Template(template) => {
            let entry = principal
                .templates
                .iter_mut()
                .find(|t| t.id() == *template)
                .ok_or_else(|| template_not_found(template))?;
            let default = entry.factory_schema.clone();
            f(entry.schema_mut(), default)
        }
    })
}
