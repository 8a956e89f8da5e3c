//! The retry stage: what is retried, how long to wait, and when to give up.
//!
//! [`Pipeline::send`](super::Pipeline::send) runs every request through [`run`], which waits
//! at the [`ThrottleGate`] (`gate.rs`, pacing at the rate learned in `pace.rs`), calls one
//! attempt at a time, and asks [`decide`]
//! (`decide.rs`) what to do with its outcome; the waits come from the [`Backoff`]
//! (`config.rs`) and [`Jitter`] (`jitter.rs`), or from the response's `Retry-After`
//! (`retry_after.rs`).
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
//!   started. Throttled answers ([`is_throttled`]) do not count as attempts: the time budget
//!   and the `Retry-After` cap alone bound them.
//! * With a [`ConsistencyConfig`], `404`, `403`, `409` and `400 NoBackingApplicationObject`
//!   are retried for a bounded time (Graph's replication lag right after a create).

mod config;
mod decide;
mod gate;
mod jitter;
mod pace;
pub(crate) mod retry_after;

use std::future::Future;
use std::time::Duration;

use http::Method;
use tokio::time::Instant;

use crate::error::{Error, GaveUp, RetryError};

pub use config::{Backoff, ConsistencyConfig, RetryConfig, RetryObserver, RetryWait};
pub(crate) use decide::{Decision, Progress, decide};
pub use decide::{is_consistency_error, is_idempotent, is_throttled};
use gate::Outcome;
pub use gate::ThrottleGate;
pub(crate) use jitter::Jitter;

/// The per-request settings the retry loop reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Policy {
    pub(crate) retry: RetryConfig,
    pub(crate) consistency: Option<ConsistencyConfig>,
    pub(crate) gate: Option<ThrottleGate>,
    pub(crate) jitter: Jitter,
}

/// An attempt made before the loop (the pipeline's first, made in place when there is no
/// gate to wait at; see `Pipeline::send`), and when the request started.
pub(crate) struct Made<T> {
    pub(crate) start: Instant,
    pub(crate) result: Result<T, Error>,
}

/// Runs `attempt` (called with the attempt number, from 1) until it succeeds or the policy
/// stops, waiting between attempts and at the throttle gate. With `made`, the first attempt
/// is the one already made: the loop starts by deciding on its result.
pub(crate) async fn run<T, F, Fut>(
    policy: &Policy,
    method: &Method,
    made: Option<Made<T>>,
    mut attempt: F,
) -> Result<T, Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let (start, mut made) = match made {
        Some(Made { start, result }) => (start, Some(result)),
        None => (Instant::now(), None),
    };
    let mut progress = Progress {
        attempts: 0,
        throttled: 0,
        elapsed: Duration::ZERO,
        consistency_retries: 0,
        retries: 0,
    };
    loop {
        progress.attempts = progress.attempts.saturating_add(1);
        let result = match made.take() {
            Some(result) => result,
            None => {
                // The gate's wait and the retry's sleep are boxed: a request that meets neither
                // keeps a small future and a short path through it.
                let admission = match &policy.gate {
                    Some(gate) => Some(Box::pin(gate.admit()).await),
                    None => None,
                };
                let result = attempt(progress.attempts).await;
                if let Some(admission) = admission {
                    admission.end(outcome(&result));
                }
                result
            }
        };
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        progress.elapsed = start.elapsed();
        let delay = after_failure(policy, method, error, &mut progress)?;
        Box::pin(tokio::time::sleep(delay)).await;
    }
}

/// What follows a failed attempt: the error to return, or how long to wait before the next
/// attempt (having told the gate, the log and the observer).
///
/// Out of line and cold: most requests succeed at once, and the loop that drives them stays
/// small.
#[cold]
#[inline(never)]
fn after_failure(
    policy: &Policy,
    method: &Method,
    error: Error,
    progress: &mut Progress,
) -> Result<Duration, Error> {
    let status = error.status().map(|status| status.as_u16());
    match decide(policy, method, &error, *progress) {
        Decision::Fail => Err(error),
        // With retries off, the error is the attempt's own.
        Decision::GiveUp(GaveUp::Attempts) if progress.attempts == 1 => Err(error),
        Decision::GiveUp(reason) => {
            tracing::debug!(
                attempt = progress.attempts,
                status,
                reason = reason.describe(),
                "not retrying"
            );
            Err(Error::Retry(Box::new(RetryError::new(
                reason,
                progress.attempts,
                progress.elapsed,
                Some(error),
            ))))
        }
        Decision::Retry {
            delay,
            from_retry_after,
        } => {
            if is_consistency_error(&error) {
                progress.consistency_retries = progress.consistency_retries.saturating_add(1);
            } else if is_throttled(&error) {
                progress.throttled = progress.throttled.saturating_add(1);
            } else {
                progress.retries = progress.retries.saturating_add(1);
            }
            // A wait past what an `Instant` can hold leaves the gate open; this call
            // still waits (the delay is bounded by `max_retry_after` anyway).
            if from_retry_after
                && let Some(gate) = &policy.gate
                && let Some(until) = Instant::now().checked_add(delay)
            {
                gate.close_until(until);
            }
            tracing::debug!(
                attempt = progress.attempts,
                status,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                from_retry_after,
                "retrying"
            );
            if let Some(observer) = policy.retry.observer() {
                observer.on_wait(&RetryWait {
                    attempt: progress.attempts,
                    max_attempts: policy.retry.max_attempts(),
                    throttled: is_throttled(&error),
                    delay,
                    from_retry_after,
                    error: &error,
                });
            }
            Ok(delay)
        }
    }
}

/// What the throttle gate learns from an attempt's result.
fn outcome<T>(result: &Result<T, Error>) -> Outcome {
    match result {
        Ok(_) => Outcome::Answered,
        Err(error) => match error.as_service() {
            Some(service) if service.status() == http::StatusCode::TOO_MANY_REQUESTS => {
                Outcome::Throttled(service.retry_after())
            }
            Some(_) => Outcome::Answered,
            None => Outcome::NoAnswer,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};

    use graph_sync_transport::{Delivery, TransportErrorKind};

    use super::*;

    fn transport(kind: TransportErrorKind, delivery: Delivery) -> Error {
        Error::Transport(graph_sync_transport::TransportError::new(kind, delivery))
    }

    /// Runs `errors` (then success) through the loop for `method`; returns the result and
    /// how many attempts were made.
    async fn run_with(method: Method, errors: Vec<Error>) -> (Result<(), Error>, u32) {
        let errors = Mutex::new(errors.into_iter());
        let attempts = AtomicU32::new(0);
        let policy = Policy {
            jitter: Jitter::seeded(1),
            ..Policy::default()
        };
        let result = run(&policy, &method, None, |_| {
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

    /// Records every wait it is told of.
    #[derive(Debug, Default)]
    struct Recorder(Mutex<Vec<(u32, u32, Duration, bool)>>);

    impl RetryObserver for Recorder {
        fn on_wait(&self, wait: &RetryWait<'_>) {
            assert!(matches!(wait.error, Error::Transport(_)));
            self.0.lock().unwrap().push((
                wait.attempt,
                wait.max_attempts,
                wait.delay,
                wait.from_retry_after,
            ));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_observer_is_told_of_every_wait_and_no_other() {
        let recorder = Arc::new(Recorder::default());
        let policy = Policy {
            retry: RetryConfig::default()
                .with_max_attempts(3)
                .with_observer(recorder.clone()),
            jitter: Jitter::seeded(1),
            ..Policy::default()
        };
        let result: Result<(), Error> = run(&policy, &Method::GET, None, |_| async {
            Err(transport(TransportErrorKind::Connect, Delivery::NotSent))
        })
        .await;
        assert!(result.is_err());
        let waits = recorder.0.lock().unwrap().clone();
        assert_eq!(
            waits.len(),
            2,
            "two waits between three attempts: {waits:?}"
        );
        assert_eq!((waits[0].0, waits[0].1), (1, 3));
        assert_eq!((waits[1].0, waits[1].1), (2, 3));
        assert!(waits.iter().all(|wait| !wait.3));
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

    fn service(status: u16, retry_after: Option<&str>) -> Error {
        let mut headers = http::HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        Error::Service(Box::new(crate::error::ServiceError::from_response(
            http::StatusCode::from_u16(status).unwrap(),
            &headers,
            bytes::Bytes::new(),
            None,
        )))
    }

    #[tokio::test(start_paused = true)]
    async fn a_long_run_of_429s_never_ends_an_operation_before_the_time_budget() {
        let policy = Policy {
            jitter: Jitter::seeded(1),
            ..Policy::default()
        };
        let attempts = AtomicU32::new(0);
        let start = Instant::now();
        let error = run(&policy, &Method::PUT, None, |_| {
            attempts.fetch_add(1, Ordering::SeqCst);
            async { Err::<(), _>(service(429, Some("0.1"))) }
        })
        .await
        .unwrap_err();
        let retry = error.as_retry().unwrap();
        assert_eq!(retry.reason(), GaveUp::Elapsed);
        // Stopped only when the next 0.1 s wait would pass the 5 minute budget.
        let budget = policy.retry.max_elapsed();
        assert!(start.elapsed() > budget - Duration::from_millis(100));
        assert!(start.elapsed() <= budget);
        assert!(attempts.load(Ordering::SeqCst) > 2_900);
        assert_eq!(retry.attempts(), attempts.load(Ordering::SeqCst));
        // A 503 with Retry-After is the service asking to wait too: attempts at 0 s, 1 s, …, 60 s.
        let policy = Policy {
            retry: RetryConfig::default().with_max_elapsed(Duration::from_secs(60)),
            ..policy
        };
        let error = run(&policy, &Method::PUT, None, |_| async {
            Err::<(), _>(service(503, Some("1")))
        })
        .await
        .unwrap_err();
        assert_eq!(error.as_retry().unwrap().reason(), GaveUp::Elapsed);
        assert_eq!(error.as_retry().unwrap().attempts(), 61);
    }

    #[tokio::test(start_paused = true)]
    async fn faults_keep_their_attempt_limit_among_throttles() {
        // 9 faults among 40 throttles: the request still succeeds on attempt 50.
        let mut errors = Vec::new();
        for i in 0..49 {
            errors.push(if i % 5 == 0 && i < 45 {
                service(504, None)
            } else {
                service(429, Some("0.05"))
            });
        }
        let (result, attempts) = run_with(Method::PUT, errors).await;
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(attempts, 50);
        // Ten faults end it, throttles in between or not.
        let mut errors = Vec::new();
        for _ in 0..10 {
            errors.push(service(429, Some("0.05")));
            errors.push(transport(TransportErrorKind::Io, Delivery::MaybeSent));
        }
        let (result, attempts) = run_with(Method::PUT, errors).await;
        let error = result.unwrap_err();
        assert_eq!(error.as_retry().unwrap().reason(), GaveUp::Attempts);
        assert_eq!(attempts, 20);
        // A 503 without Retry-After is a fault.
        let (result, attempts) =
            run_with(Method::GET, (0..12).map(|_| service(503, None)).collect()).await;
        assert_eq!(
            result.unwrap_err().as_retry().unwrap().reason(),
            GaveUp::Attempts
        );
        assert_eq!(attempts, 10);
    }

    #[tokio::test(start_paused = true)]
    async fn with_retries_off_a_throttle_is_not_retried() {
        let policy = Policy {
            retry: RetryConfig::none(),
            ..Policy::default()
        };
        let attempts = AtomicU32::new(0);
        let error = run(&policy, &Method::PUT, None, |_| {
            attempts.fetch_add(1, Ordering::SeqCst);
            async { Err::<(), _>(service(429, Some("0.1"))) }
        })
        .await
        .unwrap_err();
        assert_eq!(error.status(), Some(http::StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(attempts.load(Ordering::SeqCst), 1);
    }
}
