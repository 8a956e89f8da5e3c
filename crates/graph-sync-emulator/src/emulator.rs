//! The public handle: [`Emulator`], the Rust API over the emulator's substates (serving it is
//! in `server.rs`).

use std::sync::Arc;

use graph_sync_model::{
    AppId, ApplicationTemplateId, IdError, JobId, Property, Secrets, ServicePrincipalId,
    SynchronizationJob, SynchronizationTemplate,
};

use crate::control::settings::Settings;
use crate::directory::{ServicePrincipal, TemplateEntry};
use crate::faults::{Fault, FaultRate, Latency};
use crate::log::RecordedRequest;
use crate::provisioning::catalog;
use crate::provisioning::checks::TargetSystem;
use crate::provisioning::events::SourceObject;
use crate::state::AppState;
use crate::state_file::{StateFile, StateFileError};
use crate::throttle::ThrottleConfig;

/// An in-memory Graph synchronization service.
///
/// Cheap to clone: clones share one state, so a test keeps a handle to register service
/// principals, issue tokens and inspect what was stored while the server answers requests.
#[derive(Clone, Debug, Default)]
pub struct Emulator {
    state: AppState,
}

impl Emulator {
    /// An emulator with no service principals and no valid tokens.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a service principal named `display_name` with fresh random GUIDs for its
    /// object id and appId, and returns it.
    pub fn register_service_principal(&self, display_name: &str) -> ServicePrincipal {
        let principal = ServicePrincipal::new(
            random_guid(ServicePrincipalId::new),
            random_guid(AppId::new),
            display_name,
        );
        self.insert_service_principal(principal.clone());
        principal
    }

    /// Every registered service principal, by display name then object id.
    #[must_use]
    pub fn service_principals(&self) -> Vec<ServicePrincipal> {
        self.state.directory.lock().principals()
    }

    /// Registers `principal` with its given ids (for deterministic tests). A service principal
    /// with the same object id or the same appId is replaced, and its stored secrets are
    /// dropped. Ids are compared ignoring ASCII case, as Graph compares GUIDs.
    pub fn insert_service_principal(&self, principal: ServicePrincipal) {
        self.state.directory.lock().insert(principal);
    }

    /// Issues a new valid bearer token (random and opaque) and returns it.
    #[must_use = "the token is the only way to authenticate to the emulator"]
    pub fn issue_token(&self) -> String {
        self.new_token(None)
    }

    /// Grants the app or managed identity `client_id` exactly these application permissions
    /// (app roles, e.g. `Synchronization.ReadWrite.All`) in the tokens issued to it from now on.
    /// Without a grant a client has `Synchronization.ReadWrite.All`,
    /// `Application.ReadWrite.OwnedBy` and `SynchronizationData-User.Upload`. A token without
    /// a permission an operation needs (Microsoft's permission table) is answered
    /// `403 Authorization_RequestDenied`. Tokens from [`Emulator::issue_token`] may do
    /// everything. The system-assigned managed identity's client id is
    /// `e1a7e1a7-0000-4000-8000-00000000005a`.
    pub fn grant_roles<I, R>(&self, client_id: &str, roles: I)
    where
        I: IntoIterator<Item = R>,
        R: Into<String>,
    {
        self.state
            .identity
            .grant_roles(client_id, roles.into_iter().map(Into::into).collect());
    }

    /// Issues a new valid bearer token for the application `app_id` (as the token endpoint
    /// does for its client credentials): with
    /// [`ThrottleConfig::per_application`](crate::ThrottleConfig::per_application), every
    /// token of one application draws from one bucket, these and the token endpoint's alike.
    #[must_use = "the token is the only way to authenticate to the emulator"]
    pub fn issue_token_for_application(&self, app_id: &str) -> String {
        self.new_token(Some(app_id))
    }

    fn new_token(&self, application: Option<&str>) -> String {
        let token = format!("graph-sync-emulator.{}", uuid::Uuid::new_v4().as_simple());
        self.state.identity.add_token(token.clone(), application);
        token
    }

    /// Makes `token` invalid: requests bearing it get `401 InvalidAuthenticationToken`.
    pub fn revoke_token(&self, token: &str) {
        self.state.identity.revoke_token(token);
    }

    /// Registers an app (`client_id`) that authenticates at the token endpoint with
    /// `secret`. An app may have several secrets, certificates and federated tokens.
    pub fn register_app_with_secret(&self, client_id: &str, secret: &str) {
        self.state.identity.register_secret(client_id, secret);
    }

    /// Registers an app (`client_id`) that authenticates with JWT client assertions signed
    /// by the key of `certificate` (PEM or DER X.509, RSA).
    ///
    /// # Errors
    ///
    /// [`InvalidCertificate`](crate::identity::InvalidCertificate) when the certificate cannot be read
    /// or its key is not RSA.
    pub fn register_app_with_certificate(
        &self,
        client_id: &str,
        certificate: &[u8],
    ) -> Result<(), crate::identity::InvalidCertificate> {
        self.state
            .identity
            .register_certificate(client_id, certificate)
    }

    /// Registers an app (`client_id`) whose client assertion may be `federated_token`, the
    /// token a workload identity federation provider writes to `AZURE_FEDERATED_TOKEN_FILE`.
    pub fn register_app_with_federated_token(&self, client_id: &str, federated_token: &str) {
        self.state
            .identity
            .register_federated_token(client_id, federated_token);
    }

    /// Gives the emulated host a system-assigned managed identity (IMDS at
    /// `/metadata/identity/oauth2/token`, App Service at `/msi/token`).
    pub fn enable_system_assigned_identity(&self) {
        self.state.identity.enable_system_assigned();
    }

    /// Gives the emulated host the user-assigned managed identity `client_id`.
    pub fn add_user_assigned_identity(&self, client_id: &str) {
        self.state.identity.add_user_assigned(client_id);
    }

    /// The `IDENTITY_HEADER` value the App Service endpoint (`/msi/token`) expects in
    /// `X-IDENTITY-HEADER`.
    #[must_use]
    pub fn app_service_identity_header(&self) -> String {
        self.state.identity.app_service_header()
    }

    /// Sets the `IDENTITY_HEADER` value the App Service endpoint expects (default: random).
    pub fn set_app_service_identity_header(&self, header: &str) {
        self.state.identity.set_app_service_header(header);
    }

    /// How long tokens issued from now on live (default 3599 seconds, as Entra reports).
    pub fn set_token_lifetime(&self, lifetime: std::time::Duration) {
        self.state.identity.set_lifetime(lifetime);
    }

    /// Moves the emulator's clock forward: issued tokens and client assertions expire as if
    /// `by` had passed. For expiry tests without sleeping.
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.state.clock.advance(by);
    }

    /// Stops the emulator's clock (token expiry, client-assertion times, job times, and the
    /// rate windows of provisionOnDemand, bulkUpload and the throttle): from now on only
    /// [`advance_clock`](Self::advance_clock) moves it, so an expiry or rate-limit test does not
    /// depend on how long the machine takes between two requests.
    /// [`unfreeze_clock`](Self::unfreeze_clock) lets it run again from where it stands.
    pub fn freeze_clock(&self) {
        self.state.clock.freeze();
    }

    /// Lets a frozen clock run again, from the time it shows (it never goes back).
    pub fn unfreeze_clock(&self) {
        self.state.clock.unfreeze();
    }

    /// When on, protected endpoints answer every token not requested with claims with a
    /// continuous access evaluation challenge (`401`, `WWW-Authenticate: Bearer …
    /// error="insufficient_claims", claims="…"`).
    pub fn require_claims_challenge(&self, on: bool) {
        self.state.identity.require_claims(on);
    }

    /// How many token requests the token and managed-identity endpoints have answered.
    #[must_use]
    pub fn token_requests(&self) -> usize {
        self.state.identity.token_requests()
    }

    /// The secrets stored for the service principal `id`, unmasked, in stored order; `None`
    /// if no such service principal is registered. For test assertions.
    ///
    /// # Security Warning
    ///
    /// The values are the real ones the client sent.
    #[must_use]
    pub fn stored_secrets(&self, id: &ServicePrincipalId) -> Option<Secrets> {
        self.state
            .directory
            .with(id, |entry| Secrets::clone(&entry.secrets))
    }

    /// Every request answered so far, in order: method, path with query, status and the
    /// `client-request-id` the client sent. Never bodies or `Authorization`.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.log.requests()
    }

    /// How many requests the log holds: cheap, unlike [`requests`](Self::requests), which
    /// copies the log while the server waits to append to it.
    #[must_use]
    pub fn request_count(&self) -> usize {
        self.state.log.len()
    }

    /// The requests answered from entry `first` on (entries are numbered from 0, in order).
    #[must_use]
    pub fn requests_since(&self, first: usize) -> Vec<RecordedRequest> {
        self.state.log.page(first, usize::MAX).0
    }

    /// How many requests with `method` to `path` (as recorded: with its query) reached their
    /// handler, i.e. were applied. For asserting that a request was not applied twice.
    #[must_use]
    pub fn handled_count(&self, method: &str, path: &str) -> usize {
        self.state
            .log
            .requests()
            .iter()
            .filter(|r| r.reached_handler && r.method == method && r.path == path)
            .count()
    }

    /// Throttles each client (each bearer token) with a token bucket, or stops throttling
    /// (`None`). See [`ThrottleConfig`].
    pub fn set_throttle(&self, config: Option<ThrottleConfig>) {
        self.state.resilience.throttle.set(config);
    }

    /// Queues faults for the next requests, one each, in order (before any random fault).
    pub fn script_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.resilience.script(faults);
    }

    /// Injects random faults at a rate, or stops (`None`). See [`FaultRate`].
    pub fn set_fault_rate(&self, rate: Option<FaultRate>) {
        self.state.resilience.set_rate(rate);
    }

    /// Delays each selected request, or stops (`None`). See [`Latency`].
    pub fn set_latency(&self, latency: Option<Latency>) {
        self.state.resilience.set_latency(latency);
    }

    /// Runs with `settings` (throttle, faults, latency, selection) from now on, and makes them
    /// the settings `POST /_emulator/reset` returns to. For the command line's flags.
    pub fn configure(&self, settings: &Settings) {
        settings.apply(&self.state.resilience);
        self.state.admin.set_baseline(settings.clone());
    }

    /// The throttle, faults, latency and selection in force now.
    #[must_use]
    pub fn settings(&self) -> Settings {
        Settings::current(&self.state.resilience)
    }

    /// The admin token of the control API (`/_emulator/…`): `Authorization: Bearer {token}`.
    /// Not a Graph token: Graph routes refuse it, and Graph tokens do not open the control
    /// API.
    #[must_use]
    pub fn admin_token(&self) -> &str {
        self.state.admin.token()
    }

    /// The substates, for the crate's other composition modules (tenant file, state file).
    pub(crate) fn state(&self) -> &AppState {
        &self.state
    }

    /// The [`axum::Router`] that serves the emulated API under `/v1.0`, for embedding in
    /// another server. It shares this emulator's state.
    pub fn router(&self) -> axum::Router {
        let router = crate::router::router(self.state.clone());
        match self.state.state_file.get() {
            Some(file) => router.layer(axum::middleware::from_fn_with_state(
                Arc::clone(file),
                crate::state_file::layer,
            )),
            None => router,
        }
    }

    /// Keeps this emulator's directory and identity state in `path` across restarts
    /// (`--state FILE`): loads the file if it exists (replacing what the emulator holds), else
    /// writes it; from then on it is rewritten atomically after every request that may change
    /// it (see the module docs of the state file, `docs/emulator.md`). Call before
    /// [`Emulator::start`]. Returns whether the file existed.
    ///
    /// # Errors
    ///
    /// [`StateFileError`] when the file cannot be read or written, is not a state file, or is
    /// of another version; and when a state file is already open.
    pub fn open_state_file(&self, path: &std::path::Path) -> Result<bool, StateFileError> {
        if let Some(open) = self.state.state_file.get() {
            return Err(StateFileError::already_open(open.path()));
        }
        let (file, existed) = StateFile::open(
            path,
            Arc::clone(&self.state.directory),
            Arc::clone(&self.state.identity),
        )?;
        self.state
            .state_file
            .set(Arc::new(file))
            .map_err(|file| StateFileError::already_open(file.path()))?;
        Ok(existed)
    }

    /// Writes the state file now (it is also written after every change). Nothing without one.
    ///
    /// # Errors
    ///
    /// [`StateFileError`] when it cannot be written.
    pub fn save_state(&self) -> Result<(), StateFileError> {
        self.state
            .state_file
            .get()
            .map_or(Ok(()), |file| file.save())
    }

    /// The `scim` template (factory `CustomSCIM`) that instantiated non-gallery applications
    /// get, with its default schema (Entra users to SCIM users; rule id
    /// `03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8`).
    #[must_use]
    pub fn scim_template() -> SynchronizationTemplate {
        catalog::scim_template("")
    }

    /// Gives the service principal `id` the template `template` (its `schema` is the
    /// template's default, to which a schema DELETE resets). A template with the same id is
    /// replaced. An unknown service principal is ignored.
    ///
    /// A template without an `applicationId` gets the service principal's application (its
    /// object id when it has one, else its appId), as Graph always writes a GUID there.
    pub fn add_template(&self, id: &ServicePrincipalId, mut template: SynchronizationTemplate) {
        let found = self.state.directory.with(id, move |principal| {
            if template.application_id.as_deref().is_none_or(str::is_empty) {
                template.application_id = Property::Value(
                    principal
                        .application
                        .as_ref()
                        .and_then(|application| application.id.get().cloned())
                        .unwrap_or_else(|| principal.principal.app_id.to_string()),
                );
            }
            let entry = TemplateEntry::new(template);
            principal.templates.retain(|t| t.id() != entry.id());
            principal.templates.push(entry);
        });
        if found.is_none() {
            tracing::warn!(service_principal = %id, "add_template: no such service principal");
        }
    }

    /// The target system of the service principal `id`'s jobs: credentials are validated,
    /// and jobs run, against it. An unknown service principal is ignored.
    pub fn set_target_system(&self, id: &ServicePrincipalId, target: TargetSystem) {
        let found = self
            .state
            .directory
            .with(id, |principal| principal.target = Some(target));
        if found.is_none() {
            tracing::warn!(service_principal = %id, "set_target_system: no such service principal");
        }
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
        self.state
            .directory
            .lock()
            .gallery
            .insert(id.as_str().to_ascii_lowercase(), templates);
    }

    /// How many reads of a newly instantiated service principal
    /// (`GET /servicePrincipals/{id}`) answer `404` before it appears, as directory replication
    /// makes a client wait (default: none). Counted in reads, not time, so a test that polls
    /// is deterministic.
    pub fn set_replication_lag(&self, reads: u32) {
        self.state.directory.lock().replication_lag = reads;
    }

    /// Loose (`true`) or strict (`false`, the default). Strict holds requests to what Graph
    /// accepts: bodies checked against the v1.0 metadata (unknown properties, wrong JSON
    /// types, invalid enum and flags text are `400`), OData query options checked and applied.
    /// Loose accepts such requests as earlier versions did, for clients that rely on it.
    pub fn set_loose(&self, loose: bool) {
        self.state.strictness.set_loose(loose);
    }

    /// How many items a list page holds before `@odata.nextLink` (default 100).
    pub fn set_page_size(&self, page_size: usize) {
        self.state.paging.set_page_size(page_size);
    }

    /// The job as stored (without running a cycle), for assertions.
    #[must_use]
    pub fn job(&self, id: &ServicePrincipalId, job: &JobId) -> Option<SynchronizationJob> {
        self.state
            .directory
            .with(id, |principal| {
                principal
                    .job_mut(job.as_str())
                    .map(|entry| entry.job.clone())
            })
            .flatten()
    }

    /// Assigns `object` to the service principal `id`'s application: the next initial cycle of
    /// each of its jobs imports it, and provisioning on demand reads its attributes. An object
    /// with the same id is replaced. An unknown service principal is ignored.
    pub fn assign(&self, id: &ServicePrincipalId, object: SourceObject) {
        let found = self.state.directory.with(id, |principal| {
            principal.assigned.insert(object.id.clone(), object);
        });
        if found.is_none() {
            tracing::warn!(service_principal = %id, "assign: no such service principal");
        }
    }

    /// The users and groups assigned to the service principal `id`'s application, by id
    /// (none for an unknown service principal).
    #[must_use]
    pub fn assigned(&self, id: &ServicePrincipalId) -> Vec<SourceObject> {
        self.state
            .directory
            .with(id, |principal| {
                principal.assigned.values().cloned().collect()
            })
            .unwrap_or_default()
    }

    /// Every provisioning event recorded (`/auditLogs/provisioning`), newest first.
    #[must_use]
    pub fn provisioning_events(&self) -> Vec<graph_sync_model::audit::ProvisioningObjectSummary> {
        self.state.provisioning_logs.newest_first()
    }

    /// The SCIM resources a job received by bulk upload, in order.
    #[must_use]
    pub fn bulk_uploaded(&self, id: &ServicePrincipalId, job: &JobId) -> Vec<serde_json::Value> {
        self.state
            .directory
            .with(id, |principal| {
                principal
                    .job_mut(job.as_str())
                    .map(|entry| entry.uploaded.clone())
            })
            .flatten()
            .unwrap_or_default()
    }
}

/// A random GUID as an id type. A v4 UUID is always a well-formed GUID.
pub(crate) fn random_guid<T>(make: fn(String) -> Result<T, IdError>) -> T {
    make(uuid::Uuid::new_v4().to_string()).expect("a v4 UUID is a well-formed GUID")
}
