//! The public handle: [`Emulator`], the service principals it knows and the requests it saw.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use graph_sync_model::{AppId, IdError, Secrets, ServicePrincipalId};

use crate::faults::{Fault, FaultRate, Intercepted};
use crate::server::RunningEmulator;
use crate::state::Shared;
use crate::throttle::ThrottleConfig;

/// An in-memory Graph synchronization service.
///
/// Cheap to clone: clones share one state, so a test keeps a handle to register service
/// principals, issue tokens and inspect what was stored while the server answers requests.
#[derive(Clone, Debug, Default)]
pub struct Emulator {
    shared: Arc<Shared>,
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

    /// Registers `principal` with its given ids (for deterministic tests). A service principal
    /// with the same object id or the same appId is replaced, and its stored secrets are
    /// dropped. Ids are compared ignoring ASCII case, as Graph compares GUIDs.
    pub fn insert_service_principal(&self, principal: ServicePrincipal) {
        self.shared.insert_service_principal(principal);
    }

    /// Issues a new valid bearer token (random and opaque) and returns it.
    #[must_use = "the token is the only way to authenticate to the emulator"]
    pub fn issue_token(&self) -> String {
        let token = format!("graph-sync-emulator.{}", uuid::Uuid::new_v4().as_simple());
        self.shared.add_token(token.clone());
        token
    }

    /// Makes `token` invalid: requests bearing it get `401 InvalidAuthenticationToken`.
    pub fn revoke_token(&self, token: &str) {
        self.shared.revoke_token(token);
    }

    /// Registers an app (`client_id`) that authenticates at the token endpoint with
    /// `secret`. An app may have several secrets, certificates and federated tokens.
    pub fn register_app_with_secret(&self, client_id: &str, secret: &str) {
        self.shared.identity().register_secret(client_id, secret);
    }

    /// Registers an app (`client_id`) that authenticates with JWT client assertions signed
    /// by the key of `certificate` (PEM or DER X.509, RSA).
    ///
    /// # Errors
    ///
    /// [`InvalidCertificate`](crate::InvalidCertificate) when the certificate cannot be read
    /// or its key is not RSA.
    pub fn register_app_with_certificate(
        &self,
        client_id: &str,
        certificate: &[u8],
    ) -> Result<(), crate::InvalidCertificate> {
        self.shared
            .identity()
            .register_certificate(client_id, certificate)
    }

    /// Registers an app (`client_id`) whose client assertion may be `federated_token`, the
    /// token a workload identity federation provider writes to `AZURE_FEDERATED_TOKEN_FILE`.
    pub fn register_app_with_federated_token(&self, client_id: &str, federated_token: &str) {
        self.shared
            .identity()
            .register_federated_token(client_id, federated_token);
    }

    /// Gives the emulated host a system-assigned managed identity (IMDS at
    /// `/metadata/identity/oauth2/token`, App Service at `/msi/token`).
    pub fn enable_system_assigned_identity(&self) {
        self.shared.identity().enable_system_assigned();
    }

    /// Gives the emulated host the user-assigned managed identity `client_id`.
    pub fn add_user_assigned_identity(&self, client_id: &str) {
        self.shared.identity().add_user_assigned(client_id);
    }

    /// The `IDENTITY_HEADER` value the App Service endpoint (`/msi/token`) expects in
    /// `X-IDENTITY-HEADER`.
    #[must_use]
    pub fn app_service_identity_header(&self) -> String {
        self.shared.identity().app_service_header()
    }

    /// How long tokens issued from now on live (default 3599 seconds, as Entra reports).
    pub fn set_token_lifetime(&self, lifetime: std::time::Duration) {
        self.shared.identity().set_lifetime(lifetime);
    }

    /// Moves the emulator's clock forward: issued tokens and client assertions expire as if
    /// `by` had passed. For expiry tests without sleeping.
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.shared.identity().advance_clock(by);
    }

    /// When on, protected endpoints answer every token not requested with claims with a
    /// continuous access evaluation challenge (`401`, `WWW-Authenticate: Bearer …
    /// error="insufficient_claims", claims="…"`).
    pub fn require_claims_challenge(&self, on: bool) {
        self.shared.identity().require_claims(on);
    }

    /// How many token requests the token and managed-identity endpoints have answered.
    #[must_use]
    pub fn token_requests(&self) -> usize {
        self.shared.identity().token_requests()
    }

    /// The secrets stored for the service principal `id`, unmasked, in stored order; `None`
    /// if no such service principal is registered. For test assertions.
    ///
    /// # Security Warning
    ///
    /// The values are the real ones the client sent.
    #[must_use]
    pub fn stored_secrets(&self, id: &ServicePrincipalId) -> Option<Secrets> {
        self.shared.stored_secrets(id)
    }

    /// Every request answered so far, in order: method, path with query, status and the
    /// `client-request-id` the client sent. Never bodies or `Authorization`.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// How many requests with `method` to `path` (as recorded: with its query) reached their
    /// handler, i.e. were applied. For asserting that a request was not applied twice.
    #[must_use]
    pub fn handled_count(&self, method: &str, path: &str) -> usize {
        self.shared
            .requests()
            .iter()
            .filter(|r| r.reached_handler && r.method == method && r.path == path)
            .count()
    }

    /// Throttles each client (each bearer token) with a token bucket, or stops throttling
    /// (`None`). See [`ThrottleConfig`].
    pub fn set_throttle(&self, config: Option<ThrottleConfig>) {
        self.shared.resilience.throttle.set(config);
    }

    /// Queues faults for the next requests, one each, in order (before any random fault).
    pub fn script_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.resilience.script(faults);
    }

    /// Injects random faults at a rate, or stops (`None`). See [`FaultRate`].
    pub fn set_fault_rate(&self, rate: Option<FaultRate>) {
        self.shared.resilience.set_rate(rate);
    }

    /// The [`axum::Router`] that serves the emulated API under `/v1.0`, for embedding in
    /// another server. It shares this emulator's state.
    pub fn router(&self) -> axum::Router {
        crate::routes::router(Arc::clone(&self.shared))
    }

    /// The state shared with the handlers.
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Serves the API on `127.0.0.1` at an ephemeral port, in a background tokio task.
    ///
    /// # Errors
    ///
    /// The I/O error of binding the socket.
    pub async fn start(&self) -> std::io::Result<RunningEmulator> {
        self.start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
    }

    /// Serves the API on `addr` in a background tokio task.
    ///
    /// # Errors
    ///
    /// The I/O error of binding the socket (address in use, permission denied, …).
    pub async fn start_on(&self, addr: SocketAddr) -> std::io::Result<RunningEmulator> {
        RunningEmulator::bind(self.clone(), addr).await
    }
}

/// A random GUID as an id type. A v4 UUID is always a well-formed GUID.
fn random_guid<T>(make: fn(String) -> Result<T, IdError>) -> T {
    make(uuid::Uuid::new_v4().to_string()).expect("a v4 UUID is a well-formed GUID")
}

/// A service principal the emulator knows.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServicePrincipal {
    /// The object id, as in `/servicePrincipals/{id}`.
    pub id: ServicePrincipalId,
    /// The application (client) id, as in `/servicePrincipals(appId='{appId}')`.
    pub app_id: AppId,
    /// The display name.
    pub display_name: String,
}

impl ServicePrincipal {
    /// A service principal with these ids and name.
    #[must_use]
    pub fn new(id: ServicePrincipalId, app_id: AppId, display_name: impl Into<String>) -> Self {
        Self {
            id,
            app_id,
            display_name: display_name.into(),
        }
    }
}

/// One request the emulator answered, as kept in [`Emulator::requests`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, e.g. `PUT`.
    pub method: String,
    /// The path with its query, as sent (percent-encoding kept).
    pub path: String,
    /// The status answered (or the handler's status, when a fault then dropped the
    /// connection or cut the body).
    pub status: u16,
    /// The `client-request-id` header the client sent, if any (and if it was text).
    pub client_request_id: Option<String>,
    /// Whether the request reached its handler (and so, for a PUT, was applied). `false` when
    /// it was throttled or a fault answered or dropped it first.
    pub reached_handler: bool,
    /// The fault injected into this request, if any.
    pub fault: Option<Fault>,
}

impl RecordedRequest {
    pub(crate) fn new(
        method: String,
        path: String,
        status: u16,
        client_request_id: Option<String>,
        intercepted: Option<Intercepted>,
    ) -> Self {
        Self {
            method,
            path,
            status,
            client_request_id,
            reached_handler: intercepted.is_none_or(|i| i.reached_handler),
            fault: intercepted.and_then(|i| i.fault),
        }
    }

    /// Whether this request was answered `429` by the throttle.
    #[must_use]
    pub fn throttled(&self) -> bool {
        self.status == 429 && self.fault.is_none() && !self.reached_handler
    }
}
