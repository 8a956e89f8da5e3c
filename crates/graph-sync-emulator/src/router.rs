//! The HTTP pipeline, listed in the order a request passes through it:
//!
//! 1. **envelope** ([`envelope`]): gives the request its [`RequestContext`] (request-id,
//!    client-request-id, time), renders a handler's [`GraphError`] into Graph's error body,
//!    sets the support headers, records the request in the [`RequestLog`] and logs it
//!    (method, path, status; never headers or bodies);
//! 2. **capture** ([`control::capture::layer`]): reads headers, query and body for the
//!    request log, redacted;
//! 3. **resilience** ([`faults::layer`]): the throttle (per client, or per application as
//!    the bearer token's [`Identity`](crate::identity::Identity) says), answers and faults
//!    scripted through the control API, random faults, latency;
//! 4. **routing**: the identity endpoints ([`identity::routes`]) and the Graph operations
//!    ([`synchronization::routes`], a table where each operation carries its name for
//!    per-operation layers such as request validation);
//! 5. **fallback** ([`strict::unrouted`]): a path no route names answers Graph's `400`
//!    "Resource not found for the segment …", a known path with another method `405`
//!    (never `500`, which clients would retry as transient).
//!
//! Every operation's route also passes the strict layer ([`strict::guard`]): query options
//! and bodies checked against the metadata, `@odata.context` on the answer.
//!
//! The control API ([`control::routes`], under `/_emulator`) stands beside this pipeline, not
//! in it: it is never throttled, faulted or logged.
//!
//! Within a Graph handler, checks run in the service's order: bearer token (`401`), service
//! principal id (`400`) and existence (`404`) in the [`Authorized`](crate::http::auth::Authorized)
//! extractor, then the body: empty (`400`), media type (`415`), JSON shape (`400`), content
//! (`400`). Nothing is stored unless every check passes.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Extension, Request, State};
use axum::http::{Method, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;

use crate::context::{CLIENT_REQUEST_ID, RequestContext};
use crate::control;
use crate::error::{self, GraphError};
use crate::faults;
use crate::identity;
use crate::log::{Captured, RecordedRequest, RequestLog, Timing};
use crate::state::AppState;
use crate::strict;
use crate::synchronization;

/// The router of the emulated API, every stage of the pipeline in place, and the control API.
pub(crate) fn router(state: AppState) -> Router {
    let (operations, patterns) = synchronization::routes();
    let patterns = Arc::new(patterns);
    let unrouted =
        move |method: Method, uri: Uri| async move { strict::unrouted(&method, &uri, &patterns) };
    let graph = Router::new()
        .merge(identity::routes())
        .merge(operations)
        .fallback(unrouted.clone())
        .method_not_allowed_fallback(unrouted)
        .layer(Extension(Arc::clone(&state.strictness)))
        .layer(Extension(Arc::clone(&state.identity)))
        .layer(Extension(Arc::clone(&state.directory)))
        .layer(middleware::from_fn_with_state(state.clone(), faults::layer))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state.directory),
            control::capture::layer,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state.log),
            envelope,
        ))
        .with_state(state.clone());
    control::routes(control::ControlState {
        admin: Arc::clone(&state.admin),
        resilience: Arc::clone(&state.resilience),
        log: Arc::clone(&state.log),
        clock: Arc::clone(&state.clock),
    })
    .merge(graph)
}

/// Wraps every request: gives it a [`RequestContext`], renders a [`GraphError`] into the
/// Graph error body, sets the support headers, records the request and logs it.
async fn envelope(
    State(log): State<Arc<RequestLog>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let received = std::time::SystemTime::now();
    let context = RequestContext::new(request.headers());
    request.extensions_mut().insert(context.clone());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let sent_client_request_id = request
        .headers()
        .get(CLIENT_REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);

    let mut response = next.run(request).await;
    if let Some(graph_error) = response.extensions_mut().remove::<GraphError>() {
        response = error::render(&graph_error, &context);
    }
    context.apply_headers(response.headers_mut());

    let status = response.status().as_u16();
    tracing::debug!(
        %method,
        %path,
        status,
        operation = response
            .extensions()
            .get::<synchronization::Operation>()
            .map(|operation| operation.name),
        request_id = context.request_id(),
        "graph-sync-emulator answered"
    );
    let intercepted = response.extensions().get::<faults::Intercepted>().copied();
    let operation = response
        .extensions()
        .get::<synchronization::Operation>()
        .map(|operation| operation.name);
    let captured = response.extensions_mut().remove::<Captured>();
    let timing = Timing {
        request_id: context.request_id().to_owned(),
        received,
        duration: started.elapsed(),
    };
    log.record(
        RecordedRequest::new(
            method.to_string(),
            path_and_query,
            status,
            sent_client_request_id,
            intercepted,
            operation,
        )
        .with_details(captured, timing),
    );
    response
}
