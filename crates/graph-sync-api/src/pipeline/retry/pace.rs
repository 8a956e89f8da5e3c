//! [`Pacer`]: the sustainable request rate, learned from the service's throttled answers,
//! and the spacing of attempts at that rate. Pure (instants come in as arguments), so the
//! algorithm is tested without a clock; [`ThrottleGate`](super::ThrottleGate) drives it.
//!
//! The algorithm (the reasoning and its anchors are in `docs/resilience.md`):
//!
//! * **Unpaced until the first throttle.** Like the AWS SDKs' adaptive retry mode, the client
//!   rate limiter switches on only once the service has throttled.
//! * **A decrease per throttle episode, to what the service admitted.** On the first `429` of an
//!   episode (answers to attempts that started before the last decrease belong to it, as TCP
//!   reduces once per window), the rate becomes `β × W_max`. `W_max` is the rate that was just
//!   too fast, or, when the service admitted much less (another client shares the quota, or
//!   the quota fell), the rate it admitted: the answers that got through in the last
//!   [`MIN_SPAN`] or more, over that time. Only the recent past counts: over a longer span the
//!   client may have been the slower side (after a decrease, or while probing), and a bucket
//!   that is not drained loses its refill, so a long average measures the client, not the
//!   service.
//! * **A first estimate that waits for the herd.** Before a second of answers exists, the
//!   estimate is what got through so far over the longer of the time so far and the
//!   `Retry-After` (the service's own window). Over real HTTP the first answers of a wide herd
//!   are its `429`s (refusing is quicker than storing) while its admitted requests are still
//!   on their way, so each later success of an attempt sent before the first throttle raises
//!   that estimate, until the next episode.
//! * **A cubic increase.** Between episodes the rate follows CUBIC (RFC 9438):
//!   `W(t) = W_max × (1 + C × (t − K)³)`, flat near `W_max` (few `429`s where the limit was)
//!   and growing faster the longer the service does not throttle (quick to use a raised
//!   limit), with `K` = [`RECOVERY`] the time to climb back to `W_max`.
//! * **Spaced release.** Each attempt takes the next slot, `1 / rate` after the previous one
//!   (the generic cell rate algorithm), so that when a closed gate reopens the waiters go one
//!   at a time rather than all at once.
//! * **A concurrency limit.** While paced, at most `max(MIN_WINDOW, 2 × rate × latency + 1)`
//!   attempts are in flight (Little's law with headroom, on the smoothed latency of the answers,
//!   taken as at least [`MIN_LATENCY`]), so that a throttle episode meets few requests already
//!   on their way.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// The multiplicative decrease: the rate right after a throttle, as a fraction of `W_max`.
pub(crate) const BETA: f64 = 0.95;
/// How long the cubic increase takes to climb back to `W_max` (CUBIC's `K`).
pub(crate) const RECOVERY: Duration = Duration::from_secs(2);
/// The shortest span of answers that measures the service's rate.
pub(crate) const MIN_SPAN: Duration = Duration::from_secs(1);
/// How far back the marks of answers that measure the recent rate are kept.
pub(crate) const WINDOW: Duration = Duration::from_secs(10);
/// The fewest answers that measure a rate.
pub(crate) const MIN_SAMPLE: u64 = 4;
/// The smallest concurrency limit while paced.
pub(crate) const MIN_WINDOW: usize = 4;
/// The shortest latency the concurrency limit is sized for. Answers on loopback take well
/// under a millisecond, and a limit sized for that starves at the first scheduling delay of a
/// busy machine: at 2,000/s the window would be 4, and one answer late by 2 ms costs the rate.
pub(crate) const MIN_LATENCY: Duration = Duration::from_millis(2);
/// The slowest pace: one attempt every 20 seconds.
const MIN_RATE: f64 = 0.05;
/// The fastest pace, beyond which pacing means nothing.
const MAX_RATE: f64 = 1_000_000.0;

/// How many answers had got through at an instant: marks at least [`MARK_EVERY`] apart, kept
/// for [`WINDOW`], measure the recent rate.
#[derive(Debug, Clone, Copy)]
struct Mark {
    at: Instant,
    answered: u64,
}

/// The spacing of [`Mark`]s.
const MARK_EVERY: Duration = Duration::from_millis(50);

/// The first estimate, taken at the first throttle, while it is still being refined.
#[derive(Debug, Clone, Copy)]
struct Seed {
    /// When the first throttle came: attempts sent before it belong to the herd.
    at: Instant,
    /// The span the estimate divides by.
    span: Duration,
}

/// The learned rate: CUBIC around `w_max` since `since`.
#[derive(Debug, Clone, Copy)]
struct Curve {
    w_max: f64,
    since: Instant,
}

impl Curve {
    /// CUBIC's constant, chosen so that the curve starts at `BETA × w_max` and is back at
    /// `w_max` after [`RECOVERY`].
    fn c() -> f64 {
        (1.0 - BETA) / RECOVERY.as_secs_f64().powi(3)
    }

    fn rate(&self, now: Instant) -> f64 {
        let t = now.saturating_duration_since(self.since).as_secs_f64() - RECOVERY.as_secs_f64();
        (self.w_max * (1.0 + Self::c() * t.powi(3))).clamp(MIN_RATE, MAX_RATE)
    }
}

/// The pacing state shared by the clients of one gate.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    curve: Option<Curve>,
    next_slot: Option<Instant>,
    started: Option<Instant>,
    answered: u64,
    marks: VecDeque<Mark>,
    seed: Option<Seed>,
    latency: Option<Duration>,
}

impl Pacer {
    /// The learned rate at `now`, in attempts per second; `None` before the first throttle.
    pub(crate) fn rate(&self, now: Instant) -> Option<f64> {
        self.curve.map(|curve| curve.rate(now))
    }

    /// The most attempts in flight: unlimited until the service throttles.
    pub(crate) fn window(&self, now: Instant) -> usize {
        let Some(rate) = self.rate(now) else {
            return usize::MAX;
        };
        let latency = self
            .latency
            .unwrap_or(Duration::ZERO)
            .max(MIN_LATENCY)
            .as_secs_f64();
        let needed = (2.0 * rate * latency).ceil();
        // A float-to-int cast saturates; the window is at least MIN_WINDOW.
        (needed as usize).saturating_add(1).max(MIN_WINDOW)
    }

    /// Reserves the instant at which the next attempt may start (`now` while unpaced).
    pub(crate) fn slot(&mut self, now: Instant) -> Instant {
        self.started.get_or_insert(now);
        let Some(rate) = self.rate(now) else {
            return now;
        };
        let slot = self.next_slot.map_or(now, |next| next.max(now));
        // The rate is clamped to [MIN_RATE, MAX_RATE], so the spacing is a finite positive time.
        let spacing = Duration::try_from_secs_f64(1.0 / rate).unwrap_or(Duration::ZERO);
        self.next_slot = Some(slot.checked_add(spacing).unwrap_or(slot));
        slot
    }

    /// An attempt that started at `sent` got an answer that was not a throttle at `now`.
    pub(crate) fn answered(&mut self, sent: Instant, now: Instant) {
        self.answered = self.answered.saturating_add(1);
        let sample = now.saturating_duration_since(sent);
        self.latency = Some(match self.latency {
            // An exponentially weighted mean, 1/8 per sample, as TCP smooths its RTT.
            Some(mean) => mean.mul_f64(0.875).saturating_add(sample.mul_f64(0.125)),
            None => sample,
        });
        if self
            .marks
            .back()
            .is_none_or(|mark| now.saturating_duration_since(mark.at) >= MARK_EVERY)
        {
            self.marks.push_back(Mark {
                at: now,
                answered: self.answered,
            });
            while self
                .marks
                .front()
                .is_some_and(|mark| now.saturating_duration_since(mark.at) > WINDOW)
            {
                self.marks.pop_front();
            }
        }
        // A success of the first herd: what the service admitted before it throttled grows.
        if let (Some(seed), Some(curve)) = (self.seed, self.curve.as_mut())
            && sent < seed.at
        {
            let admitted = self.answered as f64 / seed.span.as_secs_f64();
            if admitted > curve.w_max {
                curve.w_max = admitted.clamp(MIN_RATE, MAX_RATE);
            }
        }
    }

    /// An attempt admitted at `admitted` was throttled at `now`, with the service's
    /// `Retry-After` if it sent one. Returns whether this began a new episode and set the
    /// rate (a first throttle before [`MIN_SAMPLE`] answers got through teaches nothing; the
    /// gate's `Retry-After` closing still holds everyone back).
    pub(crate) fn throttled(
        &mut self,
        admitted: Instant,
        now: Instant,
        retry_after: Option<Duration>,
    ) -> bool {
        if let Some(curve) = self.curve
            && admitted < curve.since
        {
            // Sent before the last decrease: part of the episode already answered for.
            return false;
        }
        let (measured, recent) = self.measure(now, retry_after);
        let w_max = match (self.rate(now), measured) {
            (Some(rate), Some(measured)) if measured < BETA * rate => Some(measured),
            (Some(rate), _) => Some(rate),
            (None, measured) => measured,
        };
        if let Some(w_max) = w_max {
            self.seed = match (self.curve, recent) {
                // The first estimate, from what got through so far: refined by the herd.
                (None, false) => Some(Seed {
                    at: now,
                    span: self.seed_span(now, retry_after),
                }),
                _ => None,
            };
            self.curve = Some(Curve {
                w_max: w_max.clamp(MIN_RATE, MAX_RATE),
                since: now,
            });
        }
        w_max.is_some()
    }

    /// The span a first estimate divides by: the time so far or the service's `Retry-After`,
    /// whichever is longer.
    fn seed_span(&self, now: Instant, retry_after: Option<Duration>) -> Duration {
        let so_far = self.started.map_or(Duration::ZERO, |started| {
            now.saturating_duration_since(started)
        });
        so_far
            .max(retry_after.unwrap_or(MIN_SPAN))
            .max(Duration::from_millis(1))
    }

    /// What the service admitted, and whether it was measured over a recent span: the
    /// answers of the last [`MIN_SPAN`] or more (the newest mark at least that old), else what
    /// got through so far over the [`seed_span`](Self::seed_span). `None` when fewer than
    /// [`MIN_SAMPLE`] answers got through: too few to tell a rate.
    fn measure(&self, now: Instant, retry_after: Option<Duration>) -> (Option<f64>, bool) {
        let recent = self
            .marks
            .iter()
            .rev()
            .find(|mark| now.saturating_duration_since(mark.at) >= MIN_SPAN);
        let (through, span, recent) = match recent {
            Some(mark) => (
                self.answered.saturating_sub(mark.answered),
                now.saturating_duration_since(mark.at),
                true,
            ),
            None => (self.answered, self.seed_span(now, retry_after), false),
        };
        (
            (through >= MIN_SAMPLE).then(|| through as f64 / span.as_secs_f64()),
            recent,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: Instant, millis: u64) -> Instant {
        start + Duration::from_millis(millis)
    }

    /// A pacer whose first throttle came after 100 answers, with `Retry-After: 1`: it paces
    /// at `BETA` × 100 per second from `start`.
    fn seeded_at_100_per_second() -> (Instant, Pacer) {
        let start = Instant::now();
        let mut pacer = Pacer::default();
        pacer.slot(start);
        for _ in 0..100 {
            pacer.answered(start, start);
        }
        pacer.throttled(start, start, Some(Duration::from_secs(1)));
        (start, pacer)
    }

    #[test]
    fn unpaced_until_the_first_throttle() {
        let start = Instant::now();
        let mut pacer = Pacer::default();
        for i in 0..100 {
            assert_eq!(pacer.slot(at(start, i)), at(start, i));
            pacer.answered(at(start, i), at(start, i + 1));
        }
        assert_eq!(pacer.rate(at(start, 100)), None);
        assert_eq!(pacer.window(at(start, 100)), usize::MAX);
    }

    #[test]
    fn the_first_throttle_seeds_the_rate_from_what_got_through_over_retry_after() {
        let start = Instant::now();
        let mut pacer = Pacer::default();
        pacer.slot(start);
        // A bucket of 50 at 500/s: 50 answers, then a 429 asking for the 0.1 s refill.
        for _ in 0..50 {
            pacer.answered(start, at(start, 10));
        }
        assert!(pacer.throttled(start, at(start, 10), Some(Duration::from_millis(100))));
        let rate = pacer.rate(at(start, 10)).unwrap();
        assert!((rate - BETA * 500.0).abs() < 1.0, "{rate}");
        // The rest of the herd that was on its way belongs to the same episode.
        assert!(!pacer.throttled(
            at(start, 5),
            at(start, 11),
            Some(Duration::from_millis(100))
        ));
        assert!((pacer.rate(at(start, 11)).unwrap() - rate).abs() < 1.0);
    }

    #[test]
    fn a_throttle_before_enough_answers_teaches_nothing() {
        let start = Instant::now();
        let mut pacer = Pacer::default();
        pacer.slot(start);
        pacer.answered(start, at(start, 1));
        assert!(!pacer.throttled(start, at(start, 2), Some(Duration::from_secs(5))));
        assert_eq!(pacer.rate(at(start, 2)), None);
        assert_eq!(pacer.slot(at(start, 3)), at(start, 3));
    }

    #[test]
    fn slots_are_spaced_at_the_rate() {
        let (start, mut pacer) = seeded_at_100_per_second();
        let rate = pacer.rate(start).unwrap();
        let slots: Vec<Instant> = (0..5).map(|_| pacer.slot(start)).collect();
        let gap = Duration::from_secs_f64(1.0 / rate);
        for pair in slots.windows(2) {
            let spacing = pair[1] - pair[0];
            assert!(
                spacing.abs_diff(gap) < Duration::from_micros(10),
                "{spacing:?}"
            );
        }
        assert_eq!(slots[0], start);
    }

    #[test]
    fn the_rate_recovers_to_w_max_then_probes_beyond_it() {
        let (start, pacer) = seeded_at_100_per_second();
        let w_max = pacer.rate(start).unwrap() / BETA;
        let rate = |ms| pacer.rate(at(start, ms)).unwrap() / w_max;
        assert!((rate(0) - BETA).abs() < 1e-9);
        assert!(rate(1_000) < 1.0 && rate(1_000) > rate(0));
        assert!((rate(2_000) - 1.0).abs() < 1e-9);
        // Flat near W_max, faster the longer no throttle comes.
        assert!(rate(3_000) - rate(2_000) < rate(4_000) - rate(3_000));
        assert!(rate(10_000) > 2.0);
    }

    #[test]
    fn the_recent_rate_measures_a_lower_limit_in_one_step() {
        let (start, mut pacer) = seeded_at_100_per_second();
        assert!((pacer.rate(start).unwrap() - BETA * 100.0).abs() < 1e-6);
        // Another client now takes most of the quota: only 20 a second get through.
        for i in 0..40 {
            pacer.answered(at(start, i * 50), at(start, i * 50 + 1));
        }
        assert!(pacer.throttled(at(start, 1_999), at(start, 2_000), None));
        let rate = pacer.rate(at(start, 2_000)).unwrap();
        assert!((rate / BETA - 20.0).abs() < 1.5, "{rate}");
    }

    #[test]
    fn a_slow_past_does_not_count_against_a_limit_that_was_reached_just_now() {
        let (start, mut pacer) = seeded_at_100_per_second();
        // Five seconds at 20 a second (the client was the slow side), then one at the pace
        // the curve has reached (140 a second), the last answers before the throttle.
        for i in 0..100 {
            pacer.answered(at(start, i * 50), at(start, i * 50 + 1));
        }
        let before = pacer.rate(at(start, 6_000)).unwrap();
        assert!((before - 140.0).abs() < 1.0, "{before}");
        for i in 0..140 {
            pacer.answered(at(start, 5_000 + i * 7), at(start, 5_001 + i * 7));
        }
        assert!(pacer.throttled(at(start, 5_999), at(start, 6_000), None));
        // The service admitted 140 a second just now: the decrease is from there, not to the
        // 40 a second that the six seconds since the first throttle average.
        let rate = pacer.rate(at(start, 6_000)).unwrap();
        assert!((rate - BETA * before).abs() < 1.0, "{rate} (was {before})");
    }

    #[test]
    fn the_first_estimate_grows_with_the_herd_that_was_on_its_way() {
        let start = Instant::now();
        let mut pacer = Pacer::default();
        pacer.slot(start);
        // A bucket of 50 at 500/s and a herd of 256: the 429s come back first.
        for _ in 0..10 {
            pacer.answered(start, at(start, 10));
        }
        assert!(pacer.throttled(start, at(start, 10), Some(Duration::from_millis(100))));
        assert!((pacer.rate(at(start, 10)).unwrap() - BETA * 100.0).abs() < 1.0);
        // The other 40 admitted requests of the herd answer later.
        for _ in 0..40 {
            pacer.answered(start, at(start, 40));
        }
        let rate = pacer.rate(at(start, 40)).unwrap();
        assert!((rate - BETA * 500.0).abs() < 5.0, "{rate}");
        // Attempts sent after the first throttle do not count toward the first estimate.
        for _ in 0..100 {
            pacer.answered(at(start, 50), at(start, 60));
        }
        assert!((pacer.rate(at(start, 60)).unwrap() - rate).abs() < 5.0);
    }

    #[test]
    fn the_window_follows_the_rate_and_the_latency() {
        let start = Instant::now();
        let mut pacer = Pacer::default();
        pacer.slot(start);
        for _ in 0..1_000 {
            pacer.answered(start, at(start, 100));
        }
        pacer.throttled(start, at(start, 100), Some(Duration::from_secs(1)));
        // ~950/s at 0.1 s latency: 2 × 95 + 1 in flight.
        let window = pacer.window(at(start, 100));
        assert!((185..=200).contains(&window), "{window}");
        let mut slow = Pacer::default();
        slow.slot(start);
        for _ in 0..10 {
            slow.answered(start, at(start, 1));
        }
        slow.throttled(start, at(start, 1), Some(Duration::from_secs(10)));
        assert_eq!(slow.window(at(start, 1)), MIN_WINDOW);
    }
}
