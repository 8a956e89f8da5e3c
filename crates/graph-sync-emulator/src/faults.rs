//! Fault injection and the throttle, as one middleware in front of the handlers.
//!
//! A fault is chosen per request, first from the script (a queue: the next N requests get
//! these faults, in order), else at random at the configured rate (seeded, so a run is
//! reproducible). Throttling is checked before faults: a throttled request is answered `429`
//! and gets no fault.
//!
//! Faults that drop the connection mark the response; the accept loop
//! (`accept.rs`) then closes the connection without writing anything.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::pin::Pin;
use std::sync::Arc;

use crate::clock::Clock;
use crate::context::RequestContext;
use crate::control::answer::Canned;
use crate::control::selection::Selection;
use crate::identity::Identity;
use crate::throttle::{Throttle, format_retry_after};

/// One injected fault.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `503 Service Unavailable` with `Retry-After` set to this wait, or without one.
    ServiceUnavailable(Option<Duration>),
    /// `504 Gateway Timeout`, without `Retry-After`.
    GatewayTimeout,
    /// The connection is closed before the request is handled: nothing was applied.
    ResetBeforeRead,
    /// The request is handled (a PUT is applied), then the connection is closed without an
    /// answer: the client cannot know that it was applied.
    ResetAfterRead,
    /// The answer is delayed by this long (the request is handled after the delay).
    Slow(Duration),
    /// The request is handled, then the answer's body is cut in half (its `Content-Length`
    /// announces the whole body, and the connection breaks after the half).
    TruncatedBody,
}

impl Fault {
    /// A short name, as the request log shows it.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::ServiceUnavailable(Some(_)) => "503 with Retry-After",
            Self::ServiceUnavailable(None) => "503",
            Self::GatewayTimeout => "504",
            Self::ResetBeforeRead => "reset before read",
            Self::ResetAfterRead => "reset after read",
            Self::Slow(_) => "slow",
            Self::TruncatedBody => "truncated body",
        }
    }

    /// Whether the request reaches the handler under this fault.
    #[must_use]
    pub fn reaches_handler(&self) -> bool {
        matches!(
            self,
            Self::ResetAfterRead | Self::Slow(_) | Self::TruncatedBody
        )
    }
}

/// Random faults: each request gets one of `faults` (chosen uniformly) with probability
/// `probability`, from a generator seeded with `seed`.
///
/// The control API and the command line name faults by kind (`503`, `503:1.5` with a
/// `Retry-After` of 1.5 s, `504`, `reset`, `reset-after-read`, `slow:2000`, `truncate`): see
/// [`parse_fault`](crate::parse_fault) and [`fault_kind`](crate::fault_kind).
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRate {
    probability: f64,
    seed: u64,
    faults: Vec<Fault>,
}

impl FaultRate {
    /// Injects one of `faults` into a `probability` (0 to 1) share of requests.
    #[must_use]
    pub fn new(probability: f64, seed: u64, faults: Vec<Fault>) -> Self {
        Self {
            probability: probability.clamp(0.0, 1.0),
            seed,
            faults,
        }
    }

    /// The share of requests that get a fault, 0 to 1.
    #[must_use]
    pub fn probability(&self) -> f64 {
        self.probability
    }

    /// The seed of the generator.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The faults drawn from.
    #[must_use]
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }
}

/// A delay before each selected request is handled, drawn uniformly from `min..=max` by a
/// generator seeded with `seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latency {
    min: Duration,
    max: Duration,
    seed: u64,
}

impl Latency {
    /// A delay from `min` to `max` (swapped when `max < min`).
    #[must_use]
    pub fn new(min: Duration, max: Duration, seed: u64) -> Self {
        Self {
            min: min.min(max),
            max: max.max(min),
            seed,
        }
    }

    /// The shortest delay.
    #[must_use]
    pub fn min(&self) -> Duration {
        self.min
    }

    /// The longest delay.
    #[must_use]
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The seed of the generator.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// One delay, advancing `state`.
    fn draw(&self, state: &mut u64) -> Duration {
        let spread = self.max.saturating_sub(self.min);
        self.min.saturating_add(spread.mul_f64(next_unit(state)))
    }
}

/// What one scripted request gets.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// One of the emulator's faults.
    Fault(Fault),
    /// A canned response.
    Answer(Canned),
}

/// A queued action and the requests it is for.
#[derive(Debug, Clone)]
pub(crate) struct Scripted {
    /// The requests it is for (the next one of them gets it).
    pub(crate) only: Selection,
    pub(crate) action: Action,
}

/// The response marker that tells the accept loop to close the connection unanswered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;

/// The response marker of a request answered here, without reaching its handler, and the
/// fault applied (if any). The envelope records both.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Intercepted {
    pub(crate) reached_handler: bool,
    pub(crate) fault: Option<Fault>,
    /// Whether the answer was scripted through the control API.
    pub(crate) scripted: bool,
}

/// The throttle and the fault plan of one emulator.
#[derive(Debug, Default)]
pub(crate) struct Resilience {
    pub(crate) throttle: Throttle,
    /// The emulator's clock, which the throttle's buckets refill by.
    clock: Arc<Clock>,
    plan: Mutex<Plan>,
}

#[derive(Debug, Default)]
struct Plan {
    script: VecDeque<Scripted>,
    rate: Option<(FaultRate, u64)>,
    latency: Option<(Latency, u64)>,
    /// The requests the throttle, the random faults and the latency apply to.
    only: Selection,
}

/// The most actions the script holds; more are refused.
pub(crate) const MAX_SCRIPT: usize = 100_000;

impl Resilience {
    /// A resilience stage whose throttle runs on `clock`.
    pub(crate) fn with_clock(clock: Arc<Clock>) -> Self {
        Self {
            clock,
            ..Self::default()
        }
    }

    /// Queues `faults` for the next requests, whatever their route.
    pub(crate) fn script(&self, faults: impl IntoIterator<Item = Fault>) {
        self.script_actions(faults.into_iter().map(|fault| Scripted {
            only: Selection::all(),
            action: Action::Fault(fault),
        }));
    }

    /// Queues actions (each for the next request it selects), up to [`MAX_SCRIPT`] in all;
    /// returns how many are queued.
    pub(crate) fn script_actions(&self, actions: impl IntoIterator<Item = Scripted>) -> usize {
        let mut plan = self.plan();
        let room = MAX_SCRIPT.saturating_sub(plan.script.len());
        plan.script.extend(actions.into_iter().take(room));
        plan.script.len()
    }

    /// How many scripted actions are still queued.
    pub(crate) fn scripted(&self) -> usize {
        self.plan().script.len()
    }

    /// Drops every scripted action.
    pub(crate) fn clear_script(&self) {
        self.plan().script.clear();
    }

    pub(crate) fn set_rate(&self, rate: Option<FaultRate>) {
        self.plan().rate = rate.map(|rate| {
            let state = rate.seed;
            (rate, state)
        });
    }

    /// The random-fault setting.
    pub(crate) fn rate(&self) -> Option<FaultRate> {
        self.plan().rate.as_ref().map(|(rate, _)| rate.clone())
    }

    /// Delays every selected request, or stops (`None`).
    pub(crate) fn set_latency(&self, latency: Option<Latency>) {
        self.plan().latency = latency.map(|latency| (latency, latency.seed));
    }

    /// The latency setting.
    pub(crate) fn latency(&self) -> Option<Latency> {
        self.plan().latency.map(|(latency, _)| latency)
    }

    /// Limits the throttle, random faults and latency to `only`.
    pub(crate) fn set_only(&self, only: Selection) {
        self.plan().only = only;
    }

    /// The requests the throttle, random faults and latency apply to.
    pub(crate) fn only(&self) -> Selection {
        self.plan().only.clone()
    }

    /// Whether the throttle, random faults and latency apply to `method` `path`.
    fn selects(&self, method: &str, path: &str) -> bool {
        self.plan().only.matches(method, path)
    }

    /// The next scripted action for `method` `path`, taken from the queue.
    fn next_scripted(&self, method: &str, path: &str) -> Option<Action> {
        let mut plan = self.plan();
        let index = plan
            .script
            .iter()
            .position(|scripted| scripted.only.matches(method, path))?;
        plan.script.remove(index).map(|scripted| scripted.action)
    }

    /// The delay of the next selected request, if latency is on.
    fn next_delay(&self) -> Option<Duration> {
        let mut plan = self.plan();
        let (latency, state) = plan.latency.as_mut()?;
        Some(latency.draw(state))
    }

    fn plan(&self) -> std::sync::MutexGuard<'_, Plan> {
        self.plan.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The random fault for the next request, if any.
    fn next_fault(&self) -> Option<Fault> {
        let mut plan = self.plan();
        let (rate, state) = plan.rate.as_mut()?;
        if rate.faults.is_empty() {
            return None;
        }
        let roll = next_unit(state);
        if roll >= rate.probability {
            return None;
        }
        let pick = (next_unit(state) * rate.faults.len() as f64) as usize;
        rate.faults.get(pick.min(rate.faults.len() - 1)).copied()
    }
}

/// A uniform number in `[0, 1)` from an xorshift64* generator.
fn next_unit(state: &mut u64) -> f64 {
    if *state == 0 {
        *state = 0x853C_49E6_748F_EA9B;
    }
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    let value = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
    (value >> 11) as f64 / (1u64 << 53) as f64
}

/// The middleware, in order: the throttle (selected requests; throttling per application, the
/// bearer token's application comes from `identity`), a scripted action for the route, a
/// random fault (selected requests), the latency (selected requests), the handler.
pub(crate) async fn layer(
    State(resilience): State<Arc<Resilience>>,
    State(identity): State<Arc<Identity>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let selected = resilience.selects(&method, &path);
    if selected {
        let client = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let application = || {
            let (scheme, token) = client.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| identity.application(token.trim()))?
        };
        if let Err(wait) =
            resilience
                .throttle
                .admit(&client, resilience.clock.instant(), application)
        {
            let context = request.extensions().get::<RequestContext>().cloned();
            return throttled(wait, context.as_ref());
        }
    }
    let (fault, scripted) = match resilience.next_scripted(&method, &path) {
        Some(Action::Answer(canned)) => return scripted_answer(&canned, &request),
        Some(Action::Fault(fault)) => (Some(fault), true),
        None if selected => (resilience.next_fault(), false),
        None => (None, false),
    };
    if selected && let Some(delay) = resilience.next_delay() {
        tokio::time::sleep(delay).await;
    }
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    tracing::debug!(fault = fault.name(), "graph-sync-emulator injects a fault");
    let mut response = inject(fault, request, next).await;
    response.extensions_mut().insert(Intercepted {
        reached_handler: fault.reaches_handler(),
        fault: Some(fault),
        scripted,
    });
    response
}

/// A canned answer scripted through the control API, instead of the handler.
fn scripted_answer(canned: &Canned, request: &Request) -> Response {
    tracing::debug!(
        status = canned.status.as_u16(),
        "graph-sync-emulator answers as scripted"
    );
    let context = request.extensions().get::<RequestContext>();
    let mut response =
        canned.respond(|status, code, message| service_error(status, code, message, context));
    response.extensions_mut().insert(Intercepted {
        reached_handler: false,
        fault: None,
        scripted: true,
    });
    response
}

/// The response of a request that gets `fault`.
async fn inject(fault: Fault, request: Request, next: Next) -> Response {
    match fault {
        Fault::ServiceUnavailable(wait) => {
            let mut response = service_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                "The service is temporarily unavailable.",
                request.extensions().get::<RequestContext>(),
            );
            if let Some(wait) = wait
                && let Ok(value) = HeaderValue::from_str(&format_retry_after(wait))
            {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            response
        }
        Fault::GatewayTimeout => service_error(
            StatusCode::GATEWAY_TIMEOUT,
            "gatewayTimeout",
            "The gateway timed out.",
            request.extensions().get::<RequestContext>(),
        ),
        Fault::ResetBeforeRead => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
        Fault::ResetAfterRead => {
            let mut response = next.run(request).await;
            response.extensions_mut().insert(DropConnection);
            response
        }
        Fault::Slow(delay) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Fault::TruncatedBody => truncate(next.run(request).await).await,
    }
}

/// `429` with Graph's documented body and a fractional `Retry-After`.
fn throttled(wait: Duration, context: Option<&RequestContext>) -> Response {
    let mut response = service_error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "Please retry again later.",
        context,
    );
    if let Ok(value) = HeaderValue::from_str(&format_retry_after(wait)) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response.extensions_mut().insert(Intercepted {
        reached_handler: false,
        fault: None,
        scripted: false,
    });
    response
}

/// A Graph error body in the shape of the throttling sample: `innerError` carries `code`,
/// `status` and `message` besides the ids and date.
fn service_error(
    status: StatusCode,
    code: &str,
    message: &str,
    context: Option<&RequestContext>,
) -> Response {
    let body = serde_json::json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "code": status.as_u16().to_string(),
                "status": status.as_u16().to_string(),
                "message": "Please retry after",
                "date": context.map(RequestContext::iso_date),
                "request-id": context.map(RequestContext::request_id),
                "client-request-id": context.map(RequestContext::client_request_id),
            }
        }
    });
    (status, axum::Json(body)).into_response()
}

/// The response with its body cut in half while `Content-Length` announces all of it. An
/// empty body (a `204`) becomes a `200` with a small JSON body first, so there is something
/// to cut.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let mut bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    if bytes.is_empty() {
        parts.status = StatusCode::OK;
        parts
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        bytes = Bytes::from_static(br#"{"@odata.context":"truncated by the emulator"}"#);
    }
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..bytes.len() / 2);
    Response::from_parts(parts, Body::new(Truncated { half: Some(half) }))
}

/// A body that yields its first half, then fails, so the connection breaks mid-body.
struct Truncated {
    half: Option<Bytes>,
}

impl http_body::Body for Truncated {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(match self.half.take() {
            Some(half) => Ok(http_body::Frame::data(half)),
            None => Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "body truncated by the emulator",
            )),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_faults_come_first_and_in_order() {
        let resilience = Resilience::default();
        resilience.script([Fault::GatewayTimeout, Fault::ResetAfterRead]);
        let next = || match resilience.next_scripted("GET", "/v1.0/x") {
            Some(Action::Fault(fault)) => Some(fault),
            _ => None,
        };
        assert_eq!(next(), Some(Fault::GatewayTimeout));
        assert_eq!(next(), Some(Fault::ResetAfterRead));
        assert_eq!(next(), None);
        assert_eq!(resilience.next_fault(), None);
    }

    #[test]
    fn random_faults_follow_the_rate_and_the_seed() {
        let draw = |seed| {
            let resilience = Resilience::default();
            resilience.set_rate(Some(FaultRate::new(
                0.1,
                seed,
                vec![Fault::GatewayTimeout, Fault::ResetBeforeRead],
            )));
            (0..10_000)
                .map(|_| resilience.next_fault())
                .collect::<Vec<_>>()
        };
        let faults = draw(7);
        let count = faults.iter().filter(|f| f.is_some()).count();
        assert!((900..1100).contains(&count), "{count}");
        let timeouts = faults
            .iter()
            .filter(|f| **f == Some(Fault::GatewayTimeout))
            .count();
        assert!((400..600).contains(&timeouts), "{timeouts}");
        assert_eq!(faults, draw(7));
        assert_ne!(faults, draw(8));
    }
}
