//! The `WWW-Authenticate` claims-challenge parser (continuous access evaluation) from
//! arbitrary header values, one per line: no panic; claims, when found, are JSON.
#![no_main]

use http::header::WWW_AUTHENTICATE;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for line in data.split(|b| *b == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(WWW_AUTHENTICATE, value);
        }
    }
    if let Some(claims) = graph_sync_api::fuzzing::claims_challenge(&headers) {
        assert!(claims.len() <= data.len().saturating_mul(2) + 16);
    }
});
