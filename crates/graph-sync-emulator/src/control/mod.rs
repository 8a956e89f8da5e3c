//! The control API: the emulator's settings, script, clock, state and request log over HTTP,
//! under `/_emulator/…` (a path Graph never serves), so that a test in any language can
//! rehearse throttling and outages and read back what its client sent.
//!
//! Every route needs `Authorization: Bearer {admin token}`, a token apart from the Graph
//! bearer tokens (the banner prints it; [`Emulator::admin_token`](crate::Emulator::admin_token)
//! returns it). The control API stands beside the emulated Graph, not in its pipeline: its
//! requests are never throttled, faulted or logged. The OpenAPI description `openapi.json`
//! (served at `GET /_emulator/openapi.json`) lists its routes; a test compares it with what
//! answers over HTTP.
//!
//! | route | does |
//! |---|---|
//! | `GET/PUT/PATCH/DELETE /_emulator/settings` | throttle, random faults, latency, selection |
//! | `GET/POST/DELETE /_emulator/script` | canned answers and faults for the next requests to a route |
//! | `GET/POST /_emulator/clock` | move the emulator's clock forward, freeze or unfreeze it |
//! | `POST /_emulator/reset` | settings back to the start, script, log and clock cleared |
//! | `GET/DELETE /_emulator/log` | the request log as JSON, redacted |
//! | `GET /_emulator/counters` | requests, `429`s, faults by kind |

pub(crate) mod admin;
pub(crate) mod answer;
pub(crate) mod capture;
mod handlers;
pub(crate) mod kinds;
pub(crate) mod redact;
pub(crate) mod selection;
pub(crate) mod settings;

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::clock::Clock;
use crate::control::admin::Admin;
use crate::faults::Resilience;
use crate::log::RequestLog;

/// The path prefix of the control API.
pub(crate) const PREFIX: &str = "/_emulator";

/// The OpenAPI description of the control API.
pub(crate) const OPENAPI: &str = include_str!("openapi.json");

/// The substates the control API works on.
#[derive(Debug, Clone)]
pub(crate) struct ControlState {
    pub(crate) admin: Arc<Admin>,
    pub(crate) resilience: Arc<Resilience>,
    pub(crate) log: Arc<RequestLog>,
    pub(crate) clock: Arc<Clock>,
}

macro_rules! control_substates {
    ($($field:ident: $type:ty),* $(,)?) => {$(
        impl FromRef<ControlState> for Arc<$type> {
            fn from_ref(state: &ControlState) -> Self {
                Arc::clone(&state.$field)
            }
        }
    )*};
}

control_substates! {
    admin: Admin,
    resilience: Resilience,
    log: RequestLog,
    clock: Clock,
}

/// The control API's router, under [`PREFIX`].
pub(crate) fn routes(state: ControlState) -> Router {
    let api = Router::new()
        .route(
            "/settings",
            get(handlers::settings_get)
                .put(handlers::settings_put)
                .patch(handlers::settings_patch)
                .delete(handlers::settings_delete),
        )
        .route(
            "/script",
            get(handlers::script_get)
                .post(handlers::script_post)
                .delete(handlers::script_delete),
        )
        .route(
            "/clock",
            get(handlers::clock_get).post(handlers::clock_post),
        )
        .route("/reset", post(handlers::reset))
        .route("/log", get(handlers::log_get).delete(handlers::log_delete))
        .route("/counters", get(handlers::counters))
        .route("/openapi.json", get(handlers::openapi))
        .fallback(handlers::unknown)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state.admin),
            authenticate,
        ))
        .with_state(state);
    Router::new().nest(PREFIX, api)
}

/// Lets a request through only with `Authorization: Bearer {admin token}`.
async fn authenticate(State(admin): State<Arc<Admin>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.as_bytes().strip_prefix(b"Bearer "));
    if presented.is_some_and(|token| admin.accepts(token)) {
        return next.run(request).await;
    }
    let mut response = handlers::error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "The control API needs Authorization: Bearer {admin token} (the emulator's banner \
         prints it; it is not a Graph token).",
    );
    response.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"graph-sync-emulator control\""),
    );
    response.into_response()
}
