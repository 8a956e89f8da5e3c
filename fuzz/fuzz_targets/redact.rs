//! The redaction point from arbitrary text and secrets: a secret is never left in what the
//! redactor returns, and the sanitizer's output is free of control characters and capped.
//!
//! Input: the secret, a NUL byte, then the text (which is also searched with the secret
//! inserted in it).
#![no_main]

use graph_sync_api::redact::{MAX_FIELD_LEN, MIN_SECRET_LEN, Redactor, sanitize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (secret, text) = text.split_once('\0').unwrap_or(("", text));
    let clean = sanitize(text);
    assert!(!clean.chars().any(char::is_control), "{clean:?}");
    assert!(clean.len() <= MAX_FIELD_LEN + 32);
    let redactor = Redactor::new().with_value(secret);
    let searched = secret.len() >= MIN_SECRET_LEN
        && !secret.eq_ignore_ascii_case("true")
        && !secret.eq_ignore_ascii_case("false");
    let with_secret = format!("{text}{secret}{text}");
    let redacted = redactor.redact(&with_secret);
    if searched {
        assert!(!redacted.contains(secret), "{secret:?} left in {redacted:?}");
        let bytes = redactor.redact_bytes(with_secret.as_bytes());
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
    }
});
