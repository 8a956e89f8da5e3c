//! [`ThrottleGate`]: the first stage of every attempt when clients share one, so that a
//! throttled request holds back its peers.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::time::Instant;

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
