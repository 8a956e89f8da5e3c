//! The composition root of the emulator's state: one [`AppState`] made of independent
//! substates, each behind its own `Arc` and lock, handed to handlers and middleware through
//! axum's [`FromRef`].
//!
//! | substate | holds | read by |
//! |---|---|---|
//! | [`Clock`] | the clock offset tests (and a control API) move | identity, rate windows |
//! | [`Identity`] | app registrations, managed identities, issued tokens | token endpoints, [`Authorized`](crate::http::auth::Authorized) |
//! | [`Directory`] | every service principal with all it owns, the gallery | synchronization handlers |
//! | [`Resilience`] | throttle and fault plan | the resilience middleware |
//! | [`RequestLog`] | every request answered | the envelope middleware |
//! | [`Paging`] | the page size of lists | list handlers |
//! | [`Strictness`] | strict (default) or loose | the strict layer |
//! | [`ProvisioningLogs`] | the provisioning events (`/auditLogs/provisioning`) | job, provisioning and log handlers |
//! | [`Admin`] | the control API's admin token and baseline settings | the control API |
//!
//! A handler names the substates it needs (`State<Arc<Directory>>`), never the whole; no
//! substate knows another except `Identity`, which reads the shared `Clock`. This module is
//! imported by the router and the [`Emulator`](crate::Emulator) handle only.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::clock::Clock;
use crate::control::admin::Admin;
use crate::directory::Directory;
use crate::faults::Resilience;
use crate::identity::Identity;
use crate::log::RequestLog;
use crate::strict::Strictness;
use crate::synchronization::logs::ProvisioningLogs;
use crate::synchronization::paging::Paging;

/// Every substate of one emulator. Cheap to clone: clones share the substates.
#[derive(Clone, Debug)]
pub(crate) struct AppState {
    pub(crate) clock: Arc<Clock>,
    pub(crate) identity: Arc<Identity>,
    pub(crate) directory: Arc<Directory>,
    pub(crate) resilience: Arc<Resilience>,
    pub(crate) log: Arc<RequestLog>,
    pub(crate) paging: Arc<Paging>,
    pub(crate) strictness: Arc<Strictness>,
    pub(crate) admin: Arc<Admin>,
    pub(crate) provisioning_logs: Arc<ProvisioningLogs>,
}

impl Default for AppState {
    fn default() -> Self {
        let clock = Arc::new(Clock::default());
        Self {
            identity: Arc::new(Identity::new(Arc::clone(&clock))),
            clock,
            directory: Arc::default(),
            resilience: Arc::default(),
            log: Arc::default(),
            paging: Arc::default(),
            strictness: Arc::default(),
            admin: Arc::default(),
            provisioning_logs: Arc::default(),
        }
    }
}

/// `FromRef` for each substate: a handler or middleware extracts `State<Arc<Substate>>`.
macro_rules! substates {
    ($($field:ident: $type:ty),* $(,)?) => {$(
        impl FromRef<AppState> for Arc<$type> {
            fn from_ref(state: &AppState) -> Self {
                Arc::clone(&state.$field)
            }
        }
    )*};
}

substates! {
    clock: Clock,
    identity: Identity,
    directory: Directory,
    resilience: Resilience,
    log: RequestLog,
    paging: Paging,
    strictness: Strictness,
    provisioning_logs: ProvisioningLogs,
}
