//! [`decide`]: what the retry stage does with a failed attempt. A pure function (apart from
//! drawing jitter), tested on its own; [`run`](super::run) is the loop that acts on it.

use std::time::Duration;

use graph_sync_transport::Delivery;
use http::{Method, StatusCode};

use super::Policy;
use crate::error::{Error, GaveUp};

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

/// Whether `error` is the service asking to wait rather than a failure: `429`, or `503` with
/// `Retry-After` (Graph's guidance treats both as "come back later"; a `503` without a
/// `Retry-After` may be an outage, and counts as a fault). Throttled answers do not spend
/// [`RetryConfig::max_attempts`](crate::RetryConfig::max_attempts): only the time budget and
/// the `Retry-After` cap bound them.
#[must_use]
pub fn is_throttled(error: &Error) -> bool {
    error
        .as_service()
        .is_some_and(|service| match service.status() {
            StatusCode::TOO_MANY_REQUESTS => true,
            StatusCode::SERVICE_UNAVAILABLE => service.retry_after().is_some(),
            _ => false,
        })
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

/// What happened so far in one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Progress {
    /// Attempts made, the failed one included.
    pub(crate) attempts: u32,
    /// Attempts answered as throttled ([`is_throttled`]), the failed one not included: they
    /// do not count against the attempt limit.
    pub(crate) throttled: u32,
    /// Time since the first attempt.
    pub(crate) elapsed: Duration,
    /// Retries made for consistency answers.
    pub(crate) consistency_retries: u32,
    /// Retries made for everything else.
    pub(crate) retries: u32,
}

impl Progress {
    /// Retries made so far for faults and throttling (the backoff's exponent).
    fn faults_and_throttles(&self) -> u32 {
        self.retries.saturating_add(self.throttled)
    }
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
                    Some(wait) if wait > config.max_retry_after() => {
                        return Decision::GiveUp(GaveUp::RetryAfterTooLong);
                    }
                    Some(wait) => (wait, true),
                    None => (
                        policy.jitter.full(
                            config
                                .backoff()
                                .ceiling(progress.faults_and_throttles().saturating_add(1)),
                        ),
                        false,
                    ),
                }
            } else if let Some(consistency) = &policy.consistency
                && is_consistency_error(error)
            {
                let delay = policy.jitter.full(
                    consistency
                        .backoff()
                        .ceiling(progress.consistency_retries.saturating_add(1)),
                );
                if progress.elapsed.saturating_add(delay) > consistency.max_elapsed() {
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
            // TLS, invalid requests, bodies over the cap and responses that are not HTTP
            // fail the same way every time.
            if transport.kind().is_permanent() {
                return Decision::Fail;
            }
            if transport.delivery() != Delivery::NotSent && !is_idempotent(method) {
                return Decision::GiveUp(GaveUp::MaybeApplied);
            }
            (
                policy.jitter.full(
                    config
                        .backoff()
                        .ceiling(progress.faults_and_throttles().saturating_add(1)),
                ),
                false,
            )
        }
        _ => return Decision::Fail,
    };
    // Throttling is bounded by time alone; with retries off (one attempt) nothing is retried.
    let faults = progress.attempts.saturating_sub(progress.throttled);
    let exempt = is_throttled(error) && config.max_attempts() > 1;
    if !exempt && faults >= config.max_attempts() {
        return Decision::GiveUp(GaveUp::Attempts);
    }
    if progress.elapsed.saturating_add(delay) > config.max_elapsed() {
        return Decision::GiveUp(GaveUp::Elapsed);
    }
    Decision::Retry {
        delay,
        from_retry_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
