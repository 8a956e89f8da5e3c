//! A secrets file (TOML or JSON) from arbitrary text: no panic, and a refusal never quotes a
//! value. Every `$C` that opens a string value (`= "$C`, `: "$C`, `= '$C`) becomes a canary
//! secret, which no error message may contain: messages name keys, lines and columns, never
//! values.
//!
//! Input: one byte of options (bit 0: JSON, else TOML; bit 1: allow unknown keys), then the
//! file's text.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CANARY: &str = "zq7-CANARY-secret-9x";

fuzz_target!(|data: &[u8]| {
    let Some((&options, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    // Only the canaries put in below are values; one written by the fuzzer may stand anywhere.
    if text.contains(CANARY) {
        return;
    }
    let (json, allow_unknown_keys) = (options & 1 == 1, options & 2 == 2);
    let mut file = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("$C") {
        let before = &rest[..at];
        file.push_str(before);
        let opens_value = ["= \"", ": \"", "= '", "=\"", ":\"", "='"]
            .iter()
            .any(|opening| file.ends_with(opening));
        file.push_str(if opens_value { CANARY } else { "$C" });
        rest = &rest[at + 2..];
    }
    file.push_str(rest);
    if let Err(message) = graph_sync_cli::fuzzing::secrets_file(&file, json, allow_unknown_keys) {
        assert!(
            !message.contains(CANARY),
            "a value quoted in {message:?} for {file:?}"
        );
    }
});
