//! The composition root of the emulator's state: one [`AppState`] made of independent
//! substates, each behind its own `Arc` and lock, handed to handlers and middleware through
//! axum's [`FromRef`].
//!
//! | substate | holds | read by |
//! |---|---|---|
//! | [`Clock`] | the clock offset tests (and a control API) move | identity, rate windows |
//! | [`Identity`] | app registrations, managed identities, issued tokens | token endpoints, [`Authorized`](crate::http::auth::Authorized) |
//! | [`Directory`] | every service principal with all it owns, the gallery | synchronization handlers |
//! | [`Resilience`] | throttle and fault plan (the throttle reads the shared `Clock`) | the resilience middleware |
//! | [`RequestLog`] | every request answered | the envelope middleware |
//! | [`Paging`] | the page size of lists | list handlers |
//! | [`Strictness`] | strict (default) or loose | the strict layer |
//! | [`ProvisioningLogs`] | the provisioning events (`/auditLogs/provisioning`) | job, provisioning and log handlers |
//! | [`Admin`] | the control API's admin token and baseline settings | the control API |
//! | [`StateFile`] | where directory and identity are kept (`--state`), if anywhere | its middleware |
//!
//! A handler names the substates it needs (`State<Arc<Directory>>`), never the whole; no
//! substate knows another except `Identity` and `Resilience`, which read the shared `Clock`. This module is
//! imported by the router and the [`Emulator`](crate::Emulator) handle only.

use std::sync::{Arc, OnceLock};

use axum::extract::FromRef;

use crate::clock::Clock;
use crate::control::admin::Admin;
use crate::directory::Directory;
use crate::faults::Resilience;
use crate::identity::Identity;
use crate::log::RequestLog;
use crate::state_file::StateFile;
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
    /// Where the directory and identity are kept across restarts, once opened.
    pub(crate) state_file: Arc<OnceLock<Arc<StateFile>>>,
}

impl Default for AppState {
    fn default() -> Self {
        let clock = Arc::new(Clock::default());
        Self {
            identity: Arc::new(Identity::new(Arc::clone(&clock))),
            directory: Arc::default(),
            resilience: Arc::new(Resilience::with_clock(Arc::clone(&clock))),
            log: Arc::default(),
            paging: Arc::default(),
            strictness: Arc::default(),
            admin: Arc::default(),
            provisioning_logs: Arc::default(),
            state_file: Arc::default(),
            clock,
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
