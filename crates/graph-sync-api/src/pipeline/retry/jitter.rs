//! [`Jitter`]: the random part of a backoff wait.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A small, lock-free jitter source (SplitMix64): uniform enough for spreading retries, and
/// seedable so that tests are reproducible. Not for anything secret.
#[derive(Debug, Clone)]
pub(crate) struct Jitter {
    state: Arc<AtomicU64>,
}

impl Default for Jitter {
    fn default() -> Self {
        Self::seeded(crate::random::next_u64())
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
        crate::random::mix(
            self.state
                .fetch_add(GAMMA, Ordering::Relaxed)
                .wrapping_add(GAMMA),
        )
    }

    /// A duration drawn uniformly from `[0, ceiling]` (millisecond resolution).
    pub(crate) fn full(&self, ceiling: Duration) -> Duration {
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        if millis == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(
            self.next()
                .checked_rem(millis.saturating_add(1))
                .unwrap_or(0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
