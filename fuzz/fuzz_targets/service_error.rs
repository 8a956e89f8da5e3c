//! `ServiceError` from an arbitrary status, headers and body, with a redactor that knows a
//! canary: no panic, no canary in any output, every text field terminal-safe and capped.
//!
//! Input: two bytes of status, then header lines `name: value` up to an empty line, then
//! the body.
#![no_main]

use bytes::Bytes;
use graph_sync_api::ServiceError;
use graph_sync_api::redact::{MAX_FIELD_LEN, Redactor};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use libfuzzer_sys::fuzz_target;

const CANARY: &str = "FUZZ-CANARY-6b1e";

fuzz_target!(|data: &[u8]| {
    let Some((status, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = StatusCode::from_u16(400 + u16::from_be_bytes(*status) % 200)
        .unwrap_or(StatusCode::BAD_REQUEST);
    let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&rest[..at], &rest[at + 2..]),
        None => (&rest[..0], rest),
    };
    let mut headers = HeaderMap::new();
    for line in head.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) {
            headers.append(name, value);
        }
    }
    let redactor = Redactor::new().with_value(CANARY);
    let error = ServiceError::from_response_redacted(
        status,
        &headers,
        Bytes::copy_from_slice(body),
        Some("client-1"),
        &redactor,
    );
    let display = error.to_string();
    let debug = format!("{error:?}");
    assert!(!display.chars().any(char::is_control), "{display:?}");
    for field in [
        error.code(),
        error.message(),
        error.inner_code(),
        error.request_id(),
        error.client_request_id(),
        error.date(),
    ]
    .into_iter()
    .flatten()
    {
        assert!(field.len() <= MAX_FIELD_LEN + 32, "a field is not capped");
        assert!(!field.chars().any(char::is_control), "{field:?}");
        assert!(!field.contains(CANARY), "{field:?}");
    }
    assert!(!display.contains(CANARY) && !debug.contains(CANARY));
    assert!(!String::from_utf8_lossy(error.raw_body()).contains(CANARY));
    if let Some(odata) = error.odata() {
        assert!(!serde_json::to_string(odata).unwrap_or_default().contains(CANARY));
    }
    let _ = error.retry_after();
});
