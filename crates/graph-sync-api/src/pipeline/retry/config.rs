//! The settings of the retry stage: [`RetryConfig`], [`ConsistencyConfig`], and the
//! [`Backoff`] both of them use.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::Error;

/// One wait before a retry, as a [`RetryObserver`] sees it: the failed attempt, its error,
/// and how long the client waits before the next one.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RetryWait<'a> {
    /// The attempt that failed (1 for the first).
    pub attempt: u32,
    /// The most attempts the policy allows (throttled answers do not count against it).
    pub max_attempts: u32,
    /// Whether the failed attempt was throttled ([`is_throttled`](crate::is_throttled)): its
    /// retry does not count against `max_attempts`, only against the time budget.
    pub throttled: bool,
    /// How long the client waits before the next attempt.
    pub delay: Duration,
    /// Whether the wait is the service's `Retry-After`, not the backoff.
    pub from_retry_after: bool,
    /// The failed attempt's error (a service error or a transport error).
    pub error: &'a Error,
}

/// Told of every wait before a retry, so that a program can show that a call is waiting
/// (the command line prints one line on stderr) instead of sitting silent. Called on the
/// task that waits, right before the wait; it must not block.
///
/// ```
/// use std::sync::Arc;
/// use graph_sync_api::{RetryConfig, RetryObserver, RetryWait};
///
/// #[derive(Debug)]
/// struct Log;
/// impl RetryObserver for Log {
///     fn on_wait(&self, wait: &RetryWait<'_>) {
///         eprintln!(
///             "attempt {} of {} failed; retrying in {:?}",
///             wait.attempt, wait.max_attempts, wait.delay
///         );
///     }
/// }
/// let retry = RetryConfig::default().with_observer(Arc::new(Log));
/// assert!(retry.observer().is_some());
/// ```
pub trait RetryObserver: Send + Sync + fmt::Debug {
    /// A call is about to wait `wait.delay` before attempt `wait.attempt + 1`.
    fn on_wait(&self, wait: &RetryWait<'_>);
}

/// An exponential backoff with full jitter: the ceiling of retry `n` is
/// `initial × 2^(n−1)`, at most `max`, and the wait is drawn uniformly from zero to the
/// ceiling.
///
/// Shared by [`RetryConfig`] (default: 1 s doubling to 60 s) and [`ConsistencyConfig`]
/// (default: 1 s doubling to 10 s).
///
/// ```
/// use std::time::Duration;
/// use graph_sync_api::{Backoff, RetryConfig};
///
/// let quick = Backoff::new(Duration::from_millis(50), Duration::from_secs(2));
/// let retry = RetryConfig::default().with_backoff(quick);
/// assert_eq!(retry.backoff().max(), Duration::from_secs(2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
}

impl Backoff {
    /// A backoff whose first ceiling is `initial`, doubling up to `max`.
    #[must_use]
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self { initial, max }
    }

    /// The ceiling of the first retry.
    #[must_use]
    pub fn initial(&self) -> Duration {
        self.initial
    }

    /// The largest ceiling.
    #[must_use]
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The ceiling before retry number `retry` (1 for the first retry):
    /// `initial × 2^(retry − 1)`, at most `max`.
    pub(crate) fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial
            .checked_mul(factor)
            .unwrap_or(self.max)
            .min(self.max)
    }
}

/// How a client retries: attempts, time, `Retry-After` cap and backoff.
///
/// Set per client with [`GraphSyncClientBuilder::retry`](crate::GraphSyncClientBuilder::retry),
/// and per request with [`GraphSyncClient::with_retry`](crate::GraphSyncClient::with_retry).
///
/// The defaults (justified against the official SDKs in `docs/resilience.md`):
///
/// | setting | default |
/// |---|---|
/// | [`max_attempts`](Self::max_attempts) | 10 (the first try and 9 retries), throttled answers not counted |
/// | [`max_elapsed`](Self::max_elapsed) | 5 minutes |
/// | [`max_retry_after`](Self::max_retry_after) | 5 minutes |
/// | [`backoff`](Self::backoff) | 1 second doubling to 60 seconds (full jitter: 0–1 s first) |
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
#[derive(Debug, Clone)]
pub struct RetryConfig {
    max_attempts: u32,
    max_elapsed: Duration,
    max_retry_after: Duration,
    backoff: Backoff,
    jitter_seed: Option<u64>,
    observer: Option<Arc<dyn RetryObserver>>,
}

/// Equal when every setting is, and both have no observer or the same one.
impl PartialEq for RetryConfig {
    fn eq(&self, other: &Self) -> bool {
        let same_observer = match (&self.observer, &other.observer) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        self.max_attempts == other.max_attempts
            && self.max_elapsed == other.max_elapsed
            && self.max_retry_after == other.max_retry_after
            && self.backoff == other.backoff
            && self.jitter_seed == other.jitter_seed
            && same_observer
    }
}

impl Eq for RetryConfig {}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            max_elapsed: Duration::from_secs(5 * 60),
            max_retry_after: Duration::from_secs(5 * 60),
            backoff: Backoff::new(Duration::from_secs(1), Duration::from_secs(60)),
            jitter_seed: None,
            observer: None,
        }
    }
}

impl RetryConfig {
    /// No retries: every request is tried once.
    #[must_use]
    pub fn none() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// The most attempts per request, the first one included (at least 1). Attempts answered
    /// as throttled ([`is_throttled`](crate::is_throttled): `429`, `503` with `Retry-After`) do
    /// not count: the service asked to wait, so only [`max_elapsed`](Self::max_elapsed) and
    /// [`max_retry_after`](Self::max_retry_after) bound them. With 1, nothing is retried, not
    /// even a throttled answer.
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
    /// [`GaveUp::RetryAfterTooLong`](crate::GaveUp::RetryAfterTooLong); it is never shortened.
    #[must_use]
    pub fn with_max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// The backoff used when the service sent no `Retry-After`.
    #[must_use]
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Seeds the jitter generator, so that the waits are reproducible (for tests). Unseeded,
    /// each client draws a seed of its own.
    #[must_use]
    pub fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Tells `observer` of every wait before a retry (see [`RetryObserver`]).
    #[must_use]
    pub fn with_observer(mut self, observer: Arc<dyn RetryObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The observer told of every wait, if any.
    #[must_use]
    pub fn observer(&self) -> Option<&Arc<dyn RetryObserver>> {
        self.observer.as_ref()
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

    /// The backoff used when the service sent no `Retry-After`.
    #[must_use]
    pub fn backoff(&self) -> Backoff {
        self.backoff
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
/// Defaults: retry for 2 minutes, with a [`Backoff`] of 1 s doubling to at most 10 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyConfig {
    max_elapsed: Duration,
    backoff: Backoff,
}

impl Default for ConsistencyConfig {
    fn default() -> Self {
        Self {
            max_elapsed: Duration::from_secs(120),
            backoff: Backoff::new(Duration::from_secs(1), Duration::from_secs(10)),
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

    /// The backoff between consistency retries.
    #[must_use]
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// How long consistency answers are retried.
    #[must_use]
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    /// The backoff between consistency retries.
    #[must_use]
    pub fn backoff(&self) -> Backoff {
        self.backoff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_ceiling() {
        let backoff = RetryConfig::default().backoff();
        let ceilings: Vec<u64> = (1..=9).map(|n| backoff.ceiling(n).as_secs()).collect();
        assert_eq!(ceilings, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff.ceiling(200), Duration::from_secs(60));
        let consistency = ConsistencyConfig::default().backoff();
        let ceilings: Vec<u64> = (1..=5).map(|n| consistency.ceiling(n).as_secs()).collect();
        assert_eq!(ceilings, [1, 2, 4, 8, 10]);
    }
}
