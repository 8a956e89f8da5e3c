//! A `bulk secrets` CSV file from arbitrary bytes: no panic, and a refusal never quotes a
//! value. Every `$C` that opens a value cell (after the header record, right after a `,` or
//! `,"`) becomes a canary secret, which no error message may contain: messages name lines,
//! service principals and header keys, never values.
//!
//! Input: one byte of options (bit 0: allow unknown keys), then the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CANARY: &[u8] = b"zq7-CANARY-secret-9x";

fuzz_target!(|data: &[u8]| {
    let Some((&options, text)) = data.split_first() else {
        return;
    };
    // Only the canaries put in below are values; one written by the fuzzer may stand anywhere.
    if text.windows(CANARY.len()).any(|w| w == CANARY) {
        return;
    }
    // Where the header record ends, as the command's reader sees it (a quoted field may span
    // lines; a quote inside an unquoted field is a plain character).
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .from_reader(text);
    // (A header the reader refuses gets no canary: the whole input stays as it is.)
    let header_end = match reader.headers() {
        Ok(_) => usize::try_from(reader.position().byte()).unwrap_or(usize::MAX),
        Err(_) => usize::MAX,
    }
    .min(text.len());
    let mut file = text[..header_end].to_vec();
    let mut rest = &text[header_end..];
    while let Some(at) = rest.windows(2).position(|w| w == b"$C") {
        file.extend_from_slice(&rest[..at]);
        let opens_value = file.ends_with(b",") || file.ends_with(b",\"");
        file.extend_from_slice(if opens_value { CANARY } else { b"$C" });
        rest = &rest[at + 2..];
    }
    file.extend_from_slice(rest);
    if let Err(message) = graph_sync_cli::fuzzing::bulk_csv(&file, options & 1 == 1) {
        let canary = std::str::from_utf8(CANARY).expect("ASCII");
        assert!(
            !message.contains(canary),
            "a value quoted in {message:?} for {:?}",
            String::from_utf8_lossy(&file)
        );
    }
});
