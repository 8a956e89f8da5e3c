//! The emulator's clock: the wall clock (and tokio's clock, for rate windows) moved forward by
//! an offset that tests and the control API can advance without sleeping.
//!
//! Token expiry and client-assertion time ranges read [`Clock::now`]; rate windows read
//! [`Clock::instant`], which follows tokio's clock so a paused-time test stays deterministic.
//! The clock can be frozen ([`Clock::freeze`]): then only [`Clock::advance`] moves it (both
//! readings), so a test that issues a token and advances to one second before its expiry, or
//! sends 41 requests into a one-second rate window, does not depend on how long the machine
//! took in between.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

/// A clock that runs with real (or tokio's) time, plus an offset.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: Mutex<Duration>,
    /// The real wall-clock and tokio times the clock stopped at, while frozen.
    frozen_at: Mutex<Option<(SystemTime, Instant)>>,
}

impl Clock {
    /// Stops the clock where it is (a no-op when it is stopped already): from now on only
    /// [`advance`](Self::advance) moves [`now`](Self::now) and [`instant`](Self::instant).
    pub(crate) fn freeze(&self) {
        self.frozen()
            .get_or_insert_with(|| (SystemTime::now(), Instant::now()));
    }

    /// Lets a frozen clock run again from the time it shows: the time it stood still is
    /// taken off the offset (as far as the offset goes), so it never jumps forward by it
    /// and never goes back.
    pub(crate) fn unfreeze(&self) {
        let stopped = self.frozen().take();
        if let Some((wall, _)) = stopped {
            let stood = SystemTime::now().duration_since(wall).unwrap_or_default();
            let mut offset = self.offset.lock().unwrap_or_else(PoisonError::into_inner);
            *offset = offset.saturating_sub(stood);
        }
    }

    /// Whether the clock is frozen.
    pub(crate) fn is_frozen(&self) -> bool {
        self.frozen().is_some()
    }

    fn frozen(&self) -> std::sync::MutexGuard<'_, Option<(SystemTime, Instant)>> {
        self.frozen_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// How far the clock has been moved.
    pub(crate) fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the clock forward by `by` (saturating).
    pub(crate) fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(PoisonError::into_inner);
        *offset = offset.saturating_add(by);
    }

    /// Puts the clock back to real time, running.
    pub(crate) fn reset(&self) {
        *self.frozen() = None;
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner) = Duration::ZERO;
    }

    /// The emulator's wall-clock time.
    pub(crate) fn now(&self) -> SystemTime {
        let base = self.frozen().map_or_else(SystemTime::now, |(wall, _)| wall);
        base.checked_add(self.offset()).unwrap_or(base)
    }

    /// The emulator's monotonic time on tokio's clock.
    pub(crate) fn instant(&self) -> Instant {
        let base = self
            .frozen()
            .map_or_else(Instant::now, |(_, instant)| instant);
        base.checked_add(self.offset()).unwrap_or(base)
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

    #[tokio::test]
    async fn a_frozen_clock_moves_only_when_advanced_and_never_back() {
        let clock = Clock::default();
        clock.freeze();
        assert!(clock.is_frozen());
        let (stopped, mono) = (clock.now(), clock.instant());
        assert_eq!(clock.now(), stopped, "a frozen clock stands still");
        assert_eq!(clock.instant(), mono);
        clock.freeze();
        assert_eq!(clock.now(), stopped, "freezing twice keeps the first stop");
        clock.advance(Duration::from_secs(599));
        assert_eq!(
            clock.now().duration_since(stopped).unwrap(),
            Duration::from_secs(599)
        );
        assert_eq!(clock.instant() - mono, Duration::from_secs(599));
        clock.unfreeze();
        assert!(!clock.is_frozen());
        let running = clock.now();
        assert!(running >= stopped.checked_add(Duration::from_secs(599)).unwrap());
        clock.reset();
        assert!(!clock.is_frozen());
        assert_eq!(clock.offset(), Duration::ZERO);
    }
}
