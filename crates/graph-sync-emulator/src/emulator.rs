//! The public handle: [`Emulator`], the service principals it knows and the requests it saw.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use graph_sync_model::{AppId, IdError, Secrets, ServicePrincipalId};

use crate::server::RunningEmulator;
use crate::state::Shared;

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
    /// The status answered.
    pub status: u16,
    /// The `client-request-id` header the client sent, if any (and if it was text).
    pub client_request_id: Option<String>,
}

impl RecordedRequest {
    pub(crate) fn new(
        method: String,
        path: String,
        status: u16,
        client_request_id: Option<String>,
    ) -> Self {
        Self {
            method,
            path,
            status,
            client_request_id,
        }
    }
}
