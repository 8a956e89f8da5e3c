//! A latency record of fixed size: percentiles of any number of operations, to within 1/64
//! (1.6 %), in 15 KiB, so that the memory figures measure the client, not a record that grows
//! with N.
//!
//! Latencies are counted in microseconds, in log-linear buckets: values below 128 µs each have
//! their own, and each doubling above is split into 64 buckets (relative width ≤ 1/64).

use std::time::Duration;

/// Buckets per doubling above [`LINEAR`] (the mantissa's bits: 6).
const PER_DOUBLING: usize = 64;
/// Values below this many microseconds have a bucket each.
const LINEAR: u64 = 2 * PER_DOUBLING as u64;
/// Every doubling a `u64` count of microseconds can reach above [`LINEAR`] (2⁷ to 2⁶⁴).
const BUCKETS: usize = LINEAR as usize + 57 * PER_DOUBLING;

/// Counts of latencies per bucket.
pub(crate) struct Latencies {
    counts: Box<[u32; BUCKETS]>,
    total: u64,
}

impl Latencies {
    pub(crate) fn new() -> Self {
        Self {
            counts: Box::new([0; BUCKETS]),
            total: 0,
        }
    }

    /// Records one latency.
    pub(crate) fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        if let Some(count) = self.counts.get_mut(bucket(micros)) {
            *count = count.saturating_add(1);
            self.total = self.total.saturating_add(1);
        }
    }

    /// The latency below which `fraction` of those recorded fall (the lower bound of its
    /// bucket), in milliseconds; 0 when none was recorded.
    pub(crate) fn percentile_ms(&self, fraction: f64) -> f64 {
        // The rank of the value asked for, from 0, as a sorted list would index it.
        let rank = ((self.total as f64 * fraction) as u64).min(self.total.saturating_sub(1));
        let mut seen = 0_u64;
        for (index, count) in self.counts.iter().enumerate() {
            seen = seen.saturating_add(u64::from(*count));
            if *count > 0 && seen > rank {
                return lower_bound(index) as f64 / 1000.0;
            }
        }
        0.0
    }
}

/// The bucket of `micros`.
fn bucket(micros: u64) -> usize {
    if micros < LINEAR {
        return micros as usize;
    }
    // `micros` has `bits` significant bits, at least 8; the six after the leading one pick
    // the bucket within its doubling.
    let bits = u64::BITS - micros.leading_zeros();
    let doubling = (bits - 8) as usize;
    let within = ((micros >> (bits - 7)) & (PER_DOUBLING as u64 - 1)) as usize;
    LINEAR as usize + doubling * PER_DOUBLING + within
}

/// The smallest value in bucket `index`.
fn lower_bound(index: usize) -> u64 {
    if index < LINEAR as usize {
        return index as u64;
    }
    let above = index - LINEAR as usize;
    let (doubling, within) = (above / PER_DOUBLING, above % PER_DOUBLING);
    (PER_DOUBLING as u64 + within as u64) << (doubling + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_falls_in_a_bucket_whose_bounds_hold_it_within_a_64th() {
        for micros in (0..100_000).chain([u64::MAX / 3, u64::MAX - 1, u64::MAX]) {
            let index = bucket(micros);
            assert!(index < BUCKETS, "{micros}");
            let low = lower_bound(index);
            assert!(low <= micros, "{micros}: {low}");
            if index + 1 < BUCKETS {
                let next = lower_bound(index + 1);
                assert!(micros < next, "{micros}: {next}");
                assert!((next - low) * 64 <= low.max(64), "{micros}: {low}..{next}");
            }
        }
    }

    #[test]
    fn percentiles_match_a_sorted_list_to_within_the_bucket_width() {
        let mut latencies = Latencies::new();
        let mut sorted = Vec::new();
        for i in 0..10_000_u64 {
            // Spread from microseconds to seconds, out of order.
            let micros = (i * 7_919 % 10_000 + 1).pow(2) / 10;
            latencies.record(Duration::from_micros(micros));
            sorted.push(micros);
        }
        sorted.sort_unstable();
        for fraction in [0.0, 0.5, 0.9, 0.99, 1.0] {
            let exact = sorted[((sorted.len() as f64 * fraction) as usize).min(sorted.len() - 1)]
                as f64
                / 1000.0;
            let found = latencies.percentile_ms(fraction);
            assert!(
                found <= exact && exact - found <= exact / 64.0 + 0.001,
                "{fraction}: {found} vs {exact}"
            );
        }
        assert_eq!(Latencies::new().percentile_ms(0.5), 0.0);
    }
}
