//! `Retry-After` (and the `Date` it is measured from) from arbitrary bytes: no panic, and no
//! wait longer than the parser's cap of seven days.
//!
//! Input: the `Retry-After` value, optionally followed by `\n` and a `Date` value.
#![no_main]

use std::time::{Duration, SystemTime};

use http::header::{DATE, RETRY_AFTER};
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (retry_after, date) = match data.iter().position(|b| *b == b'\n') {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let mut headers = HeaderMap::new();
    let Ok(value) = HeaderValue::from_bytes(retry_after) else {
        return;
    };
    headers.insert(RETRY_AFTER, value);
    if let Some(Ok(date)) = date.map(HeaderValue::from_bytes) {
        headers.insert(DATE, date);
    }
    for now in [SystemTime::UNIX_EPOCH, SystemTime::now()] {
        if let Some(wait) = graph_sync_api::fuzzing::retry_after(&headers, now) {
            assert!(wait <= Duration::from_secs(7 * 24 * 60 * 60), "{wait:?}");
        }
    }
});
