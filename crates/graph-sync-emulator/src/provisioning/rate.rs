//! Sliding-window rate limits on tokio's clock, so tests can pause and advance time.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

/// A documented limit: `limit` requests per `period`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limit {
    pub(crate) limit: usize,
    pub(crate) period: Duration,
}

/// provisionOnDemand: 5 requests per 10 seconds.
pub(crate) const PROVISION_ON_DEMAND: Limit = Limit {
    limit: 5,
    period: Duration::from_secs(10),
};

/// bulkUpload: 40 requests per second.
pub(crate) const BULK_UPLOAD: Limit = Limit {
    limit: 40,
    period: Duration::from_secs(1),
};

/// The request times of each (key, limit) window.
#[derive(Clone, Debug, Default)]
pub(crate) struct RateWindows {
    windows: HashMap<String, VecDeque<Instant>>,
}

impl RateWindows {
    /// Admits a request under `key` at `now`, or says how long until one would be admitted.
    pub(crate) fn admit(
        &mut self,
        key: String,
        limit: Limit,
        now: Instant,
    ) -> Result<(), Duration> {
        let window = self.windows.entry(key).or_default();
        while window
            .front()
            .is_some_and(|first| now.duration_since(*first) >= limit.period)
        {
            window.pop_front();
        }
        if window.len() >= limit.limit {
            let wait = window.front().map_or(limit.period, |first| {
                limit.period.saturating_sub(now.duration_since(*first))
            });
            return Err(wait);
        }
        window.push_back(now);
        Ok(())
    }
}

/// Whole seconds for `Retry-After`, rounded up, at least 1.
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_window_slides_with_the_clock() {
        let mut windows = RateWindows::default();
        for _ in 0..5 {
            windows
                .admit("job".into(), PROVISION_ON_DEMAND, Instant::now())
                .unwrap();
        }
        let wait = windows
            .admit("job".into(), PROVISION_ON_DEMAND, Instant::now())
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(10));
        assert!(
            windows
                .admit("other".into(), PROVISION_ON_DEMAND, Instant::now())
                .is_ok()
        );
        tokio::time::advance(Duration::from_millis(9_500)).await;
        let wait = windows
            .admit("job".into(), PROVISION_ON_DEMAND, Instant::now())
            .unwrap_err();
        assert_eq!(retry_after_seconds(wait), 1);
        tokio::time::advance(Duration::from_millis(500)).await;
        assert!(
            windows
                .admit("job".into(), PROVISION_ON_DEMAND, Instant::now())
                .is_ok()
        );
    }
}
