//! Random values that need uniqueness, not secrecy: the `client-request-id` GUID of every
//! request, the `jti` of a client assertion, the seed of retry jitter.
//!
//! One process-wide SplitMix64 sequence, seeded once from the operating system's randomness
//! through std's [`RandomState`] (whose SipHash keys the OS provides): no RNG crate is compiled,
//! and a value costs a few multiplications, no system call. SplitMix64 maps distinct counter
//! values to distinct outputs, so the GUIDs of one process never repeat; their 122 random bits
//! make a collision between processes as unlikely as with any v4 UUID. Not for secrets.

use std::hash::{BuildHasher as _, RandomState};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// SplitMix64's increment (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijection on `u64`.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The process's sequence: starts at a random point, advances by [`GAMMA`].
fn state() -> &'static AtomicU64 {
    static STATE: OnceLock<AtomicU64> = OnceLock::new();
    STATE.get_or_init(|| AtomicU64::new(RandomState::new().hash_one(std::process::id())))
}

/// The next value of the process's sequence.
pub(crate) fn next_u64() -> u64 {
    mix(state()
        .fetch_add(GAMMA, Ordering::Relaxed)
        .wrapping_add(GAMMA))
}

/// A random (version 4, RFC 9562) GUID in Graph's lower-case hyphenated form:
/// `xxxxxxxx-xxxx-4xxx-Yxxx-xxxxxxxxxxxx`, `Y` one of `8`, `9`, `a`, `b`.
pub(crate) fn guid() -> String {
    guid_of(next_u64(), next_u64())
}

/// The GUID of two random values, with the version and variant bits set.
fn guid_of(high: u64, low: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let high = (high & !0xF000) | 0x4000;
    let low = (low & !(0b11 << 62)) | (0b10 << 62);
    // Written digit by digit: `format!` costs more than the rest of a request's headers.
    let [a, b, c, d, e, f, g, h] = high.to_be_bytes();
    let [i, j, k, l, m, n, o, p] = low.to_be_bytes();
    let mut text = Vec::with_capacity(36);
    for group in [
        &[a, b, c, d][..],
        &[e, f],
        &[g, h],
        &[i, j],
        &[k, l, m, n, o, p],
    ] {
        if !text.is_empty() {
            text.push(b'-');
        }
        for byte in group {
            text.push(HEX[usize::from(byte >> 4)]);
            text.push(HEX[usize::from(byte & 0xF)]);
        }
    }
    // Hex digits and hyphens: always UTF-8.
    String::from_utf8(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_version_4_in_the_hyphenated_form_and_do_not_repeat() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let guid = guid();
            let bytes = guid.as_bytes();
            assert_eq!(bytes.len(), 36, "{guid}");
            for (at, byte) in bytes.iter().enumerate() {
                if [8, 13, 18, 23].contains(&at) {
                    assert_eq!(*byte, b'-', "{guid}");
                } else {
                    assert!(matches!(byte, b'0'..=b'9' | b'a'..=b'f'), "{guid}");
                }
            }
            assert_eq!(bytes[14], b'4', "version: {guid}");
            assert!(
                matches!(bytes[19], b'8' | b'9' | b'a' | b'b'),
                "variant: {guid}"
            );
            assert!(seen.insert(guid));
        }
    }

    #[test]
    fn guids_are_written_as_the_hyphenated_hex_of_the_two_values() {
        for (high, low) in [
            (0, 0),
            (u64::MAX, u64::MAX),
            (mix(1), mix(2)),
            (0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210),
        ] {
            let high_v4 = (high & !0xF000) | 0x4000;
            let low_v4 = (low & !(0b11 << 62)) | (0b10 << 62);
            let expected = format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                high_v4 >> 32,
                (high_v4 >> 16) & 0xFFFF,
                high_v4 & 0xFFFF,
                low_v4 >> 48,
                low_v4 & 0xFFFF_FFFF_FFFF
            );
            assert_eq!(guid_of(high, low), expected);
        }
    }

    #[test]
    fn the_sequence_is_not_constant_and_mix_is_splitmix64() {
        assert_ne!(next_u64(), next_u64());
        // SplitMix64 seeded with 0: its first output (the reference implementation's).
        assert_eq!(mix(GAMMA), 0xE220_A839_7B1D_CDAF);
    }
}
