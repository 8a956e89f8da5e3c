//! Per-client throttling: a token bucket per bearer token.
//!
//! Each client (each distinct bearer token; requests without one share a bucket) has a bucket
//! of [`burst`](ThrottleConfig::burst) tokens that refills at [`rate`](ThrottleConfig::rate)
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
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleConfig {
    rate: f64,
    burst: f64,
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
        }
    }

    /// Requests per second per client.
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The largest burst per client.
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

/// The buckets of every client.
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

    /// Takes a token from `client`'s bucket at time `now`, or says how long until the bucket is
    /// full again.
    pub(crate) fn admit(&self, client: &str, now: Instant) -> Result<(), Duration> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((config, buckets)) = state.as_mut() else {
            return Ok(());
        };
        let bucket = buckets.entry(client.to_owned()).or_insert(Bucket {
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
        let admit = |client| throttle.admit(client, clock.instant());
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
