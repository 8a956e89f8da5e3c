//! The retry policy: what is retried, how long to wait, and when to give up.
//!
//! [`GraphSyncClient::send`](crate::GraphSyncClient) runs every request through
//! [`run`], which calls one attempt at a time and asks [`decide`] what to do with its outcome.
//! The rules (see `docs/resilience.md` for the reasoning and the comparison with the peers):
//!
//! * `429`, `503` and `504` are retried, after `Retry-After` when the service sent one (seconds,
//!   fractional seconds, the duplicated `N, N` form, or an HTTP date), else after an
//!   exponential backoff with full jitter.
//! * A `Retry-After` longer than [`RetryConfig::max_retry_after`] is never shortened: the call
//!   fails at once with [`GaveUp::RetryAfterTooLong`], carrying the wait the service asked for.
//! * A transport failure is retried when the request provably never reached the server
//!   ([`Delivery::NotSent`]), and for idempotent methods also when it may have; a `POST` that
//!   may have reached the server is never repeated ([`GaveUp::MaybeApplied`]).
//! * Attempts and total time are bounded; a wait that would end past the time limit is not
//!   started.
//! * With a [`ConsistencyConfig`], `404`, `403`, `409` and `400 NoBackingApplicationObject`
//!   are retried for a bounded time (Graph's replication lag right after a create).

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use graph_sync_transport::{Delivery, TransportErrorKind};
use http::{Method, StatusCode};
use tokio::time::Instant;

use crate::error::Error;

/// How a client retries: attempts, time, `Retry-After` cap and backoff.
///
/// Set per client with [`GraphSyncClientBuilder::retry`](crate::GraphSyncClientBuilder::retry),
/// and per request with [`GraphSyncClient::with_retry`](crate::GraphSyncClient::with_retry).
///
/// The defaults (justified against the official SDKs in `docs/resilience.md`):
///
/// | setting | default |
/// |---|---|
/// | [`max_attempts`](Self::max_attempts) | 10 (the first try and 9 retries) |
/// | [`max_elapsed`](Self::max_elapsed) | 5 minutes |
/// | [`max_retry_after`](Self::max_retry_after) | 5 minutes |
/// | [`initial_backoff`](Self::initial_backoff) | 1 second (full jitter: 0–1 s) |
/// | [`max_backoff`](Self::max_backoff) | 60 seconds |
///
/// ```
/// use std::time::Duration;
/// use graph_sync_api::RetryConfig;
///
/// let patient = RetryConfig::default()
///     .with_max_attempts(20)
///     .with_max_elapsed(Duration::from_secs(30 * 60));
/// assert_eq!(patient.max_attempts(), 20);
/// assert_eq!(RetryConfig::none().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryConfig {
    max_attempts: u32,
    max_elapsed: Duration,
    max_retry_after: Duration,
    initial_backoff: Duration,
    max_backoff: Duration,
    jitter_seed: Option<u64>,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            max_elapsed: Duration::from_secs(5 * 60),
            max_retry_after: Duration::from_secs(5 * 60),
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            jitter_seed: None,
        }
    }
}

impl RetryConfig {
    /// No retries: every request is tried once.
    #[must_use]
    pub fn none() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// The most attempts per request, the first one included (at least 1).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The longest a request may take from its first attempt, waits included. A wait that would
    /// end past it is not started.
    #[must_use]
    pub fn with_max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// The longest `Retry-After` honoured. A longer one ends the call with
    /// [`GaveUp::RetryAfterTooLong`]; it is never shortened.
    #[must_use]
    pub fn with_max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// The backoff ceiling of the first retry when there is no `Retry-After`; it doubles with
    /// every retry up to [`max_backoff`](Self::max_backoff). The wait is drawn uniformly from
    /// zero to the ceiling ("full jitter").
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff ceiling.
    #[must_use]
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Seeds the jitter generator, so that the waits are reproducible (for tests). Unseeded,
    /// each client draws a seed of its own.
    #[must_use]
    pub fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    pub(crate) fn jitter_seed(&self) -> Option<u64> {
        self.jitter_seed
    }

    /// The most attempts per request.
    #[must_use]
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The longest a request may take, waits included.
    #[must_use]
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    /// The longest `Retry-After` honoured.
    #[must_use]
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The backoff ceiling of the first retry.
    #[must_use]
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The largest backoff ceiling.
    #[must_use]
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The backoff ceiling before retry number `retry` (1 for the first retry).
    pub(crate) fn backoff_ceiling(&self, retry: u32) -> Duration {
        doubling(self.initial_backoff, self.max_backoff, retry)
    }
}

/// The opt-in consistency policy: right after an object is created, Graph may answer `404`,
/// `403`, `409` or `400 NoBackingApplicationObject` for a while, until the object has
/// replicated. With this policy those answers are retried until
/// [`max_elapsed`](Self::max_elapsed) has passed.
///
/// It is per request, never a shared switch: enable it on the calls that follow a create
/// with [`GraphSyncClient::with_consistency`](crate::GraphSyncClient::with_consistency).
///
/// Defaults: retry for 2 minutes, waiting 1 s doubling to at most 10 s (full jitter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyConfig {
    max_elapsed: Duration,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for ConsistencyConfig {
    fn default() -> Self {
        Self {
            max_elapsed: Duration::from_secs(120),
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(10),
        }
    }
}

impl ConsistencyConfig {
    /// How long consistency answers are retried, from the first attempt.
    #[must_use]
    pub fn with_max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// The first backoff ceiling; it doubles up to [`Self::with_max_backoff`].
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff ceiling.
    #[must_use]
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// How long consistency answers are retried.
    #[must_use]
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    fn backoff_ceiling(&self, retry: u32) -> Duration {
        doubling(self.initial_backoff, self.max_backoff, retry)
    }
}

/// `initial × 2^(retry − 1)`, at most `max`.
fn doubling(initial: Duration, max: Duration, retry: u32) -> Duration {
    let factor = 1u32
        .checked_shl(retry.saturating_sub(1))
        .unwrap_or(u32::MAX);
    initial.checked_mul(factor).unwrap_or(max).min(max)
}

/// Whether `error` is one of the answers Graph gives while a new object replicates.
#[must_use]
pub fn is_consistency_error(error: &Error) -> bool {
    let Some(service) = error.as_service() else {
        return false;
    };
    match service.status() {
        StatusCode::NOT_FOUND | StatusCode::FORBIDDEN | StatusCode::CONFLICT => true,
        StatusCode::BAD_REQUEST => [service.code(), service.inner_code()]
            .into_iter()
            .flatten()
            .any(|code| code.eq_ignore_ascii_case("NoBackingApplicationObject")),
        _ => false,
    }
}

/// A "not before" instant shared by clients, so that when one request is throttled the
/// others wait too instead of all hitting the throttle.
///
/// Clients that share a gate ([`GraphSyncClientBuilder::throttle_gate`](crate::GraphSyncClientBuilder::throttle_gate),
/// [`GraphSyncClient::with_throttle_gate`](crate::GraphSyncClient::with_throttle_gate), or
/// [`Bulk`](crate::Bulk), which installs one) consult it before every attempt; a `429` or `503`
/// with `Retry-After` moves it forward. Cheap to clone; clones share the instant.
#[derive(Clone, Default)]
pub struct ThrottleGate {
    not_before: Arc<Mutex<Option<Instant>>>,
}

impl ThrottleGate {
    /// An open gate.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The instant before which no attempt starts, if it is still ahead.
    #[must_use]
    pub fn closed_until(&self) -> Option<Instant> {
        let until = *self.lock();
        until.filter(|until| *until > Instant::now())
    }

    /// Closes the gate until `until` (never moves it back).
    pub fn close_until(&self, until: Instant) {
        let mut not_before = self.lock();
        if not_before.is_none_or(|current| current < until) {
            *not_before = Some(until);
        }
    }

    /// Waits until the gate is open. Cancel-safe: dropping the future stops the wait.
    pub async fn wait(&self) {
        // Each round sleeps until a strictly later instant that some response set; the
        // instant only moves forward, so the loop ends once no peer pushes it further.
        while let Some(until) = self.closed_until() {
            tokio::time::sleep_until(until).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.not_before
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for ThrottleGate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThrottleGate")
            .field("closed_until", &self.closed_until())
            .finish()
    }
}

/// Why the retry policy stopped and returned an error.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaveUp {
    /// The request is not idempotent (a `POST`) and its transport failure may have reached the
    /// server: it may have been applied, so it was not repeated. Check the resource before
    /// sending it again.
    MaybeApplied,
    /// The attempt limit was reached.
    Attempts,
    /// The next wait would have ended past the time limit.
    Elapsed,
    /// The service asked to wait longer than the configured cap; the wait is in
    /// [`RetryError::retry_after`].
    RetryAfterTooLong,
    /// [`wait_until_visible`](crate::wait_until_visible) ran out of time before the resource
    /// had been read the required number of times in a row.
    NotVisible,
}

impl GaveUp {
    fn describe(self) -> &'static str {
        match self {
            Self::MaybeApplied => {
                "not retried: the request is not idempotent and may have reached the server, so it may have been applied"
            }
            Self::Attempts => "gave up: attempt limit reached",
            Self::Elapsed => "gave up: time limit reached",
            Self::RetryAfterTooLong => {
                "gave up: the service asked to wait longer than the configured Retry-After cap"
            }
            Self::NotVisible => "gave up: the resource did not become visible in time",
        }
    }
}

/// A request the retry policy stopped retrying: why, after how many attempts and how long,
/// and the last attempt's error ([`last_error`](Self::last_error), also the
/// [`source`](std::error::Error::source)).
#[derive(Debug)]
pub struct RetryError {
    reason: GaveUp,
    attempts: u32,
    elapsed: Duration,
    retry_after: Option<Duration>,
    last: Option<Error>,
}

impl RetryError {
    pub(crate) fn new(
        reason: GaveUp,
        attempts: u32,
        elapsed: Duration,
        last: Option<Error>,
    ) -> Self {
        let retry_after = last
            .as_ref()
            .and_then(Error::as_service)
            .and_then(|service| service.retry_after());
        Self {
            reason,
            attempts,
            elapsed,
            retry_after,
            last,
        }
    }

    /// Why the policy stopped.
    #[must_use]
    pub fn reason(&self) -> GaveUp {
        self.reason
    }

    /// How many attempts were made (or reads, for [`GaveUp::NotVisible`]).
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The time from the first attempt to giving up.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The `Retry-After` of the last answer, if it had one.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The last attempt's error (`None` only for [`GaveUp::NotVisible`] when the last read
    /// succeeded).
    #[must_use]
    pub fn last_error(&self) -> Option<&Error> {
        self.last.as_ref()
    }

    /// Takes the last attempt's error.
    #[must_use]
    pub fn into_last_error(self) -> Option<Error> {
        self.last
    }
}

impl fmt::Display for RetryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} after {} attempt{} in {:.3} s",
            self.reason.describe(),
            self.attempts,
            if self.attempts == 1 { "" } else { "s" },
            self.elapsed.as_secs_f64()
        )?;
        if let Some(wait) = self.retry_after {
            write!(f, " (Retry-After {:.3} s)", wait.as_secs_f64())?;
        }
        Ok(())
    }
}

impl std::error::Error for RetryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.last
            .as_ref()
            .map(|error| error as &(dyn std::error::Error + 'static))
    }
}

/// Methods that may be repeated after a failure that may have reached the server.
#[must_use]
pub fn is_idempotent(method: &Method) -> bool {
    [
        Method::GET,
        Method::PUT,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
    ]
    .contains(method)
}

/// What to do after an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Return the error as it is: not a retryable failure.
    Fail,
    /// Stop, and say why.
    GiveUp(GaveUp),
    /// Retry after `delay`, honouring `retry_after` from the service when there was one.
    Retry {
        delay: Duration,
        from_retry_after: bool,
    },
}

/// The per-request settings the retry loop reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Policy {
    pub(crate) retry: RetryConfig,
    pub(crate) consistency: Option<ConsistencyConfig>,
    pub(crate) gate: Option<ThrottleGate>,
    pub(crate) jitter: Jitter,
}

/// What happened so far in one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Progress {
    /// Attempts made, the failed one included.
    pub(crate) attempts: u32,
    /// Time since the first attempt.
    pub(crate) elapsed: Duration,
    /// Retries made for consistency answers.
    pub(crate) consistency_retries: u32,
    /// Retries made for everything else.
    pub(crate) retries: u32,
}

/// Decides what to do with a failed attempt. Pure, apart from drawing jitter.
pub(crate) fn decide(
    policy: &Policy,
    method: &Method,
    error: &Error,
    progress: Progress,
) -> Decision {
    let config = &policy.retry;
    let (delay, from_retry_after) = match error {
        Error::Service(service) => {
            let status = service.status();
            if matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
            ) {
                match service.retry_after() {
                    Some(wait) if wait > config.max_retry_after => {
                        return Decision::GiveUp(GaveUp::RetryAfterTooLong);
                    }
                    Some(wait) => (wait, true),
                    None => (
                        policy
                            .jitter
                            .full(config.backoff_ceiling(progress.retries + 1)),
                        false,
                    ),
                }
            } else if let Some(consistency) = &policy.consistency
                && is_consistency_error(error)
            {
                let delay = policy
                    .jitter
                    .full(consistency.backoff_ceiling(progress.consistency_retries + 1));
                if progress.elapsed + delay > consistency.max_elapsed {
                    return Decision::Fail;
                }
                return Decision::Retry {
                    delay,
                    from_retry_after: false,
                };
            } else {
                return Decision::Fail;
            }
        }
        Error::Transport(transport) => {
            if matches!(
                transport.kind(),
                TransportErrorKind::Request | TransportErrorKind::Tls
            ) {
                return Decision::Fail;
            }
            if transport.delivery() != Delivery::NotSent && !is_idempotent(method) {
                return Decision::GiveUp(GaveUp::MaybeApplied);
            }
            (
                policy
                    .jitter
                    .full(config.backoff_ceiling(progress.retries + 1)),
                false,
            )
        }
        _ => return Decision::Fail,
    };
    if progress.attempts >= config.max_attempts {
        return Decision::GiveUp(GaveUp::Attempts);
    }
    if progress.elapsed + delay > config.max_elapsed {
        return Decision::GiveUp(GaveUp::Elapsed);
    }
    Decision::Retry {
        delay,
        from_retry_after,
    }
}

/// Runs `attempt` (called with the attempt number, from 1) until it succeeds or the policy
/// stops, waiting between attempts and at the throttle gate.
pub(crate) async fn run<T, F, Fut>(
    policy: &Policy,
    method: &Method,
    mut attempt: F,
) -> Result<T, Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let start = Instant::now();
    let mut progress = Progress {
        attempts: 0,
        elapsed: Duration::ZERO,
        consistency_retries: 0,
        retries: 0,
    };
    loop {
        if let Some(gate) = &policy.gate {
            gate.wait().await;
        }
        progress.attempts += 1;
        let error = match attempt(progress.attempts).await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        progress.elapsed = start.elapsed();
        let status = error.status().map(|status| status.as_u16());
        match decide(policy, method, &error, progress) {
            Decision::Fail => return Err(error),
            // With retries off, the error is the attempt's own.
            Decision::GiveUp(GaveUp::Attempts) if progress.attempts == 1 => return Err(error),
            Decision::GiveUp(reason) => {
                tracing::debug!(
                    attempt = progress.attempts,
                    status,
                    reason = reason.describe(),
                    "not retrying"
                );
                return Err(Error::Retry(Box::new(RetryError::new(
                    reason,
                    progress.attempts,
                    progress.elapsed,
                    Some(error),
                ))));
            }
            Decision::Retry {
                delay,
                from_retry_after,
            } => {
                if is_consistency_error(&error) {
                    progress.consistency_retries += 1;
                } else {
                    progress.retries += 1;
                }
                if from_retry_after && let Some(gate) = &policy.gate {
                    gate.close_until(Instant::now() + delay);
                }
                tracing::debug!(
                    attempt = progress.attempts,
                    status,
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    from_retry_after,
                    "retrying"
                );
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// A small, lock-free jitter source (SplitMix64): uniform enough for spreading retries, and
/// seedable so that tests are reproducible. Not for anything secret.
#[derive(Debug, Clone)]
pub(crate) struct Jitter {
    state: Arc<AtomicU64>,
}

impl Default for Jitter {
    fn default() -> Self {
        Self::seeded(uuid::Uuid::new_v4().as_u64_pair().0)
    }
}

impl Jitter {
    pub(crate) fn seeded(seed: u64) -> Self {
        Self {
            state: Arc::new(AtomicU64::new(seed)),
        }
    }

    fn next(&self) -> u64 {
        const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut z = self
            .state
            .fetch_add(GAMMA, Ordering::Relaxed)
            .wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A duration drawn uniformly from `[0, ceiling]` (millisecond resolution).
    pub(crate) fn full(&self, ceiling: Duration) -> Duration {
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        if millis == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(self.next() % (millis.saturating_add(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_ceiling() {
        let config = RetryConfig::default();
        let ceilings: Vec<u64> = (1..=9)
            .map(|n| config.backoff_ceiling(n).as_secs())
            .collect();
        assert_eq!(ceilings, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(config.backoff_ceiling(200), Duration::from_secs(60));
    }

    #[test]
    fn full_jitter_stays_in_bounds_and_spreads() {
        let jitter = Jitter::seeded(7);
        let ceiling = Duration::from_millis(1000);
        let draws: Vec<Duration> = (0..1000).map(|_| jitter.full(ceiling)).collect();
        assert!(draws.iter().all(|d| *d <= ceiling));
        assert!(draws.iter().any(|d| *d < Duration::from_millis(100)));
        assert!(draws.iter().any(|d| *d > Duration::from_millis(900)));
        assert_eq!(jitter.full(Duration::ZERO), Duration::ZERO);
        let again = Jitter::seeded(7);
        assert_eq!(again.full(ceiling), draws[0]);
    }

    fn transport(kind: TransportErrorKind, delivery: Delivery) -> Error {
        Error::Transport(graph_sync_transport::TransportError::new(kind, delivery))
    }

    /// Runs `errors` (then success) through the loop for `method`; returns the result and
    /// how many attempts were made.
    async fn run_with(method: Method, errors: Vec<Error>) -> (Result<(), Error>, u32) {
        let errors = Mutex::new(errors.into_iter());
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let policy = Policy {
            jitter: Jitter::seeded(1),
            ..Policy::default()
        };
        let result = run(&policy, &method, |_| {
            attempts.fetch_add(1, Ordering::SeqCst);
            let next = errors.lock().unwrap().next();
            async move { next.map_or(Ok(()), Err) }
        })
        .await;
        (result, attempts.load(Ordering::SeqCst))
    }

    #[tokio::test(start_paused = true)]
    async fn a_post_that_may_have_reached_the_server_is_never_repeated() {
        for kind in [
            TransportErrorKind::Io,
            TransportErrorKind::Timeout,
            TransportErrorKind::Body,
        ] {
            let (result, attempts) =
                run_with(Method::POST, vec![transport(kind, Delivery::MaybeSent)]).await;
            assert_eq!(attempts, 1, "{kind}");
            let error = result.unwrap_err();
            let retry = error.as_retry().unwrap();
            assert_eq!(retry.reason(), GaveUp::MaybeApplied);
            assert!(matches!(retry.last_error(), Some(Error::Transport(_))));
            assert!(
                error.to_string().contains("may have been applied"),
                "{error}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_post_that_never_left_is_retried() {
        let (result, attempts) = run_with(
            Method::POST,
            vec![transport(TransportErrorKind::Connect, Delivery::NotSent)],
        )
        .await;
        assert!(result.is_ok());
        assert_eq!(attempts, 2);
        // The same failure that stops a POST does not stop a PUT or a GET.
        for method in [Method::PUT, Method::GET, Method::DELETE] {
            let (result, attempts) = run_with(
                method.clone(),
                vec![transport(TransportErrorKind::Io, Delivery::MaybeSent)],
            )
            .await;
            assert!(result.is_ok(), "{method}");
            assert_eq!(attempts, 2, "{method}");
        }
    }

    #[test]
    fn idempotent_methods() {
        for method in [
            Method::GET,
            Method::PUT,
            Method::DELETE,
            Method::HEAD,
            Method::OPTIONS,
        ] {
            assert!(is_idempotent(&method), "{method}");
        }
        for method in [Method::POST, Method::PATCH] {
            assert!(!is_idempotent(&method), "{method}");
        }
    }
}
