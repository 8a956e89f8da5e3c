//! Throttling: a token bucket per client, or per application as Graph also throttles.
//!
//! By default each client (each distinct bearer token; requests without one share a bucket)
//! has a bucket; with [`ThrottleConfig::per_application`], the clients whose tokens were
//! issued to the same application in the same tenant share one, as Graph's
//! per-application-per-tenant limits do, so that several processes sharing an app
//! registration (graph-sync, an SDK, a script) can be measured together. The application is
//! the one the token was issued to: by the token endpoint (the grant's client id, any
//! credential), a managed-identity endpoint, or
//! [`Emulator::issue_token_for_application`](crate::Emulator::issue_token_for_application); a
//! token issued to no application keeps a bucket of its own. A bucket holds
//! [`burst`](ThrottleConfig::burst) tokens that refills at [`rate`](ThrottleConfig::rate)
//! tokens per second. A request takes a token; with none left it is answered `429` with the
//! body Graph documents and a fractional `Retry-After`: the time the bucket needs to refill
//! completely, as Graph answers with the rest of its throttling window rather than the time
//! to one more request. The time is the emulator's clock ([`Clock::instant`]: tokio's clock
//! plus the offset the control API moves), so tests can run it paused, and moving the
//! emulator's clock forward refills the buckets as that much time would.
//!
//! [`Clock::instant`]: crate::clock::Clock::instant

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// The throttle's settings.
///
/// ```
/// use graph_sync_emulator::{ThrottleConfig, ThrottleKey};
///
/// let shared = ThrottleConfig::new(200.0, 20).per_application();
/// assert_eq!(shared.key(), ThrottleKey::Application);
/// assert_eq!(ThrottleConfig::new(200.0, 20).key(), ThrottleKey::Client);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleConfig {
    rate: f64,
    burst: f64,
    key: ThrottleKey,
}

/// Who shares a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ThrottleKey {
    /// Each bearer token has its own bucket.
    #[default]
    Client,
    /// The tokens issued to one application in one tenant (by the token endpoint, a
    /// managed-identity endpoint, or
    /// [`Emulator::issue_token_for_application`](crate::Emulator::issue_token_for_application))
    /// share its bucket; a token issued to no application keeps its own.
    Application,
}

impl ThrottleConfig {
    /// `rate` requests per second per client, with bursts of up to `burst` requests.
    ///
    /// # Panics
    ///
    /// When `rate` is not a positive finite number or `burst` is less than 1.
    #[must_use]
    pub fn new(rate: f64, burst: u32) -> Self {
        assert!(
            rate.is_finite() && rate > 0.0,
            "the throttle rate must be positive"
        );
        assert!(burst >= 1, "the throttle burst must be at least 1");
        Self {
            rate,
            burst: f64::from(burst),
            key: ThrottleKey::Client,
        }
    }

    /// One bucket per application instead of per client: the rate and burst are the
    /// application's, shared by all its clients.
    #[must_use]
    pub fn per_application(mut self) -> Self {
        self.key = ThrottleKey::Application;
        self
    }

    /// Who shares a bucket.
    #[must_use]
    pub fn key(&self) -> ThrottleKey {
        self.key
    }

    /// Requests per second per bucket (per client, or per application).
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The largest burst per bucket.
    #[must_use]
    pub fn burst(&self) -> f64 {
        self.burst
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The buckets of every client (or application).
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    state: Mutex<Option<(ThrottleConfig, HashMap<String, Bucket>)>>,
}

impl Throttle {
    /// Turns throttling on with `config` (fresh, full buckets), or off.
    pub(crate) fn set(&self, config: Option<ThrottleConfig>) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) =
            config.map(|config| (config, HashMap::new()));
    }

    /// The current settings, if throttling.
    pub(crate) fn config(&self) -> Option<ThrottleConfig> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|(config, _)| *config)
    }

    /// Takes a token at time `now` from the bucket of `client` (its `Authorization` value)
    /// or, throttling per application, of the application `application` names (asked only
    /// then), or says how long until the bucket is full again.
    pub(crate) fn admit(
        &self,
        client: &str,
        now: Instant,
        application: impl FnOnce() -> Option<String>,
    ) -> Result<(), Duration> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((config, buckets)) = state.as_mut() else {
            return Ok(());
        };
        let key = match config.key {
            ThrottleKey::Client => client.to_owned(),
            ThrottleKey::Application => {
                application().map_or_else(|| client.to_owned(), |app| format!("app:{app}"))
            }
        };
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: config.burst,
            updated: now,
        });
        let refilled = now.saturating_duration_since(bucket.updated).as_secs_f64() * config.rate;
        bucket.tokens = (bucket.tokens + refilled).min(config.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (config.burst - bucket.tokens) / config.rate,
            ))
        }
    }
}

/// `Retry-After` in seconds with millisecond precision, rounded up so that a client that waits
/// exactly that long finds its bucket refilled: `0.25`, `1.5`, `2`.
pub(crate) fn format_retry_after(wait: Duration) -> String {
    let millis = wait.as_micros().div_ceil(1000);
    let text = format!("{}.{:03}", millis / 1000, millis % 1000);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;

    #[tokio::test(start_paused = true)]
    async fn buckets_allow_bursts_then_refill_at_the_rate_per_client() {
        let throttle = Throttle::default();
        let clock = Clock::default();
        let admit = |client: &str| throttle.admit(client, clock.instant(), || None);
        assert_eq!(admit("a"), Ok(()));
        throttle.set(Some(ThrottleConfig::new(4.0, 2)));
        assert_eq!(admit("a"), Ok(()));
        assert_eq!(admit("a"), Ok(()));
        // Empty: refilling 2 tokens at 4/s takes 0.5 s.
        assert_eq!(admit("a"), Err(Duration::from_millis(500)));
        // Another client has its own bucket.
        assert_eq!(admit("b"), Ok(()));
        tokio::time::advance(Duration::from_millis(250)).await;
        assert_eq!(admit("a"), Ok(()));
        assert_eq!(admit("a"), Err(Duration::from_millis(500)));
        tokio::time::advance(Duration::from_millis(500)).await;
        assert_eq!(admit("a"), Ok(()));
        assert_eq!(admit("a"), Ok(()));
        // Moving the emulator's clock refills as that much time would.
        assert_eq!(admit("a"), Err(Duration::from_millis(500)));
        clock.advance(Duration::from_millis(500));
        assert_eq!(admit("a"), Ok(()));
        assert_eq!(admit("a"), Ok(()));
        throttle.set(None);
        assert_eq!(admit("a"), Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn clients_of_one_application_share_its_bucket_when_told_to() {
        let throttle = Throttle::default();
        let application = |client: &str| match client {
            "Bearer a1" | "Bearer a2" => Some("tenant/app-1".to_owned()),
            "Bearer b" => Some("tenant/app-2".to_owned()),
            _ => None,
        };
        let asked = std::cell::Cell::new(0);
        let admit = |client: &str| {
            throttle.admit(client, Instant::now(), || {
                asked.set(asked.get() + 1);
                application(client)
            })
        };
        // Per client (the default), every token has its own bucket, and no application is
        // looked up.
        throttle.set(Some(ThrottleConfig::new(4.0, 2)));
        for client in ["Bearer a1", "Bearer a1", "Bearer a2", "Bearer a2"] {
            assert_eq!(admit(client), Ok(()), "{client}");
        }
        assert_eq!(asked.get(), 0);
        // Per application, a1 and a2 share app-1's 2 tokens; b and an unknown token do not.
        throttle.set(Some(ThrottleConfig::new(4.0, 2).per_application()));
        assert_eq!(admit("Bearer a1"), Ok(()));
        assert_eq!(admit("Bearer a2"), Ok(()));
        assert_eq!(admit("Bearer a1"), Err(Duration::from_millis(500)));
        assert_eq!(admit("Bearer a2"), Err(Duration::from_millis(500)));
        assert_eq!(admit("Bearer b"), Ok(()));
        assert_eq!(admit("Bearer unknown"), Ok(()));
        assert_eq!(admit("Bearer unknown"), Ok(()));
        assert_eq!(admit("Bearer unknown"), Err(Duration::from_millis(500)));
        tokio::time::advance(Duration::from_millis(250)).await;
        assert_eq!(admit("Bearer a2"), Ok(()));
        assert_eq!(admit("Bearer a1"), Err(Duration::from_millis(500)));
    }

    #[test]
    fn retry_after_is_fractional_and_rounded_up() {
        assert_eq!(format_retry_after(Duration::from_millis(500)), "0.5");
        assert_eq!(
            format_retry_after(Duration::from_micros(2_127_001)),
            "2.128"
        );
        assert_eq!(format_retry_after(Duration::from_secs(2)), "2");
        assert_eq!(format_retry_after(Duration::ZERO), "0");
    }
}
