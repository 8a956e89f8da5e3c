//! [`ThrottleGate`]: the first stage of every attempt when clients share one. It holds
//! attempts back while the service asked to wait, and once the service has throttled, paces
//! them at the rate it learned ([`Pacer`], `pace.rs`) with fewer in flight.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::pace::Pacer;

/// Shared by clients so that when the service throttles one request, the others hold back too,
/// and then go at the pace the service sustains instead of all at once.
///
/// Clients that share a gate ([`GraphSyncClientBuilder::throttle_gate`](crate::GraphSyncClientBuilder::throttle_gate),
/// [`GraphSyncClient::with_throttle_gate`](crate::GraphSyncClient::with_throttle_gate), or
/// [`Bulk`](crate::Bulk), which installs one) pass it before every attempt:
///
/// * A `429`, `503` or `504` with `Retry-After` closes it until then (it only moves forward).
/// * A `429` teaches it the rate the service sustains: unpaced until the first one, then a
///   client-side rate that drops on each throttle episode to what the service let through and
///   climbs back along a cubic curve (the algorithm is described in `docs/resilience.md`).
///   Attempts start one slot apart at that rate, so waiters leave a reopened gate spaced out.
/// * While paced, the attempts in flight are limited to about twice what the rate needs at
///   the observed latency.
///
/// Cheap to clone; clones share the state. Waiting is cancel-safe.
#[derive(Clone, Default)]
pub struct ThrottleGate {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    state: Mutex<State>,
    /// Woken when an attempt in flight ends, for the attempts waiting for the window.
    ended: Notify,
}

#[derive(Default)]
struct State {
    not_before: Option<Instant>,
    pacer: Pacer,
    in_flight: usize,
}

/// What an attempt does next at the gate.
enum Next {
    Closed(Instant),
    Full,
    Slot(Instant),
}

/// How an attempt that passed the gate ended, as the gate learns from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The service answered without throttling (a success or any other status).
    Answered,
    /// The service answered `429`, with its `Retry-After` if it sent one.
    Throttled(Option<Duration>),
    /// No answer (a transport failure): nothing learned.
    NoAnswer,
}

/// An attempt in flight: admitted by the gate, holding a place in its window until
/// [`end`](Self::end) or drop.
pub(crate) struct Admission {
    gate: ThrottleGate,
    sent: Instant,
    ended: bool,
}

impl Admission {
    /// Tells the gate how the attempt ended.
    pub(crate) fn end(mut self, outcome: Outcome) {
        self.ended = true;
        let now = Instant::now();
        let mut state = self.gate.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        match outcome {
            Outcome::Answered => state.pacer.answered(self.sent, now),
            Outcome::Throttled(retry_after) => {
                if state.pacer.throttled(self.sent, now, retry_after) {
                    tracing::debug!(
                        rate = state.pacer.rate(now),
                        "throttled: pacing attempts at the learned rate"
                    );
                }
            }
            Outcome::NoAnswer => {}
        }
        drop(state);
        self.gate.inner.ended.notify_one();
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        if !self.ended {
            let mut state = self.gate.lock();
            state.in_flight = state.in_flight.saturating_sub(1);
            drop(state);
            self.gate.inner.ended.notify_one();
        }
    }
}

impl ThrottleGate {
    /// An open gate that has learned nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The instant before which no attempt starts, if it is still ahead.
    #[must_use]
    pub fn closed_until(&self) -> Option<Instant> {
        let until = self.lock().not_before;
        until.filter(|until| *until > Instant::now())
    }

    /// Closes the gate until `until` (never moves it back).
    pub fn close_until(&self, until: Instant) {
        let mut state = self.lock();
        if state.not_before.is_none_or(|current| current < until) {
            state.not_before = Some(until);
        }
    }

    /// The pace learned from the service's throttling, in attempts per second; `None` until
    /// the service first throttled.
    #[must_use]
    pub fn rate(&self) -> Option<f64> {
        self.lock().pacer.rate(Instant::now())
    }

    /// The most attempts in flight at once now: unlimited until the service throttles.
    #[must_use]
    pub fn concurrency_limit(&self) -> usize {
        self.lock().pacer.window(Instant::now())
    }

    /// Waits until an attempt may start: the gate is open, the window has room, and the
    /// attempt's pacing slot has come. Cancel-safe: dropping the future gives back its place.
    pub(crate) async fn admit(&self) -> Admission {
        loop {
            let notified = self.inner.ended.notified();
            tokio::pin!(notified);
            let next = {
                let mut state = self.lock();
                let now = Instant::now();
                if let Some(until) = state.not_before.filter(|until| *until > now) {
                    Next::Closed(until)
                } else if state.in_flight >= state.pacer.window(now) {
                    // Registered before the lock is released, so no ending is missed.
                    notified.as_mut().enable();
                    Next::Full
                } else {
                    state.in_flight = state.in_flight.saturating_add(1);
                    Next::Slot(state.pacer.slot(now))
                }
            };
            let slot = match next {
                Next::Closed(until) => {
                    tokio::time::sleep_until(until).await;
                    continue;
                }
                Next::Full => {
                    notified.await;
                    continue;
                }
                Next::Slot(slot) => slot,
            };
            let mut admission = Admission {
                gate: self.clone(),
                sent: slot,
                ended: false,
            };
            tokio::time::sleep_until(slot).await;
            // A throttle may have closed the gate while this attempt waited for its slot.
            if let Some(until) = self.closed_until() {
                drop(admission);
                tokio::time::sleep_until(until).await;
                continue;
            }
            admission.sent = Instant::now();
            return admission;
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for ThrottleGate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let now = Instant::now();
        let state = self.lock();
        f.debug_struct("ThrottleGate")
            .field(
                "closed_until",
                &state.not_before.filter(|until| *until > now),
            )
            .field("rate", &state.pacer.rate(now))
            .field("in_flight", &state.in_flight)
            .finish()
    }
}
