//! The emulator's clock: the wall clock (and tokio's clock, for rate windows) moved forward by
//! an offset that tests, and later the control API, can advance without sleeping.
//!
//! Token expiry and client-assertion time ranges read [`Clock::now`]; rate windows read
//! [`Clock::instant`], which follows tokio's clock so a paused-time test stays deterministic.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// A clock that runs with real (or tokio's) time, plus an offset.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    /// How far the clock has been moved.
    pub(crate) fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the clock forward by `by` (saturating).
    pub(crate) fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(PoisonError::into_inner);
        *offset = offset.saturating_add(by);
    }

    /// Puts the clock back to real time.
    pub(crate) fn reset(&self) {
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner) = Duration::ZERO;
    }

    /// The emulator's wall-clock time.
    pub(crate) fn now(&self) -> SystemTime {
        let offset = self.offset();
        SystemTime::now()
            .checked_add(offset)
            .unwrap_or_else(SystemTime::now)
    }

    /// The emulator's monotonic time on tokio's clock.
    pub(crate) fn instant(&self) -> tokio::time::Instant {
        let now = tokio::time::Instant::now();
        now.checked_add(self.offset()).unwrap_or(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn advancing_moves_both_clocks() {
        let clock = Clock::default();
        let (wall, mono) = (clock.now(), clock.instant());
        clock.advance(Duration::from_secs(60));
        assert!(clock.now().duration_since(wall).unwrap() >= Duration::from_secs(60));
        assert_eq!(clock.instant() - mono, Duration::from_secs(60));
        clock.advance(Duration::MAX);
        assert!(clock.now() >= wall);
    }
}
