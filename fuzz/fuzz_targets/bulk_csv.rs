//! A `bulk secrets` CSV file from arbitrary bytes: no panic, and a refusal never quotes a
//! value. Every `$C` after the header record becomes a canary secret; when the csv reader puts
//! every canary in a value cell (a column after `sp` of a data record), no error message may
//! contain it: messages name lines, service principals and header keys, never values.
//!
//! Input: one byte of options (bit 0: allow unknown keys), then the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CANARY: &[u8] = b"zq7-CANARY-secret-9x";

fn reader(file: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .flexible(true)
        .from_reader(file)
}

fn holds_canary(field: &[u8]) -> bool {
    field.windows(CANARY.len()).any(|w| w == CANARY)
}

fn check(data: &[u8]) {
    let Some((&options, text)) = data.split_first() else {
        return;
    };
    // Only the canaries put in below are values; one written by the fuzzer may stand anywhere.
    if holds_canary(text) {
        return;
    }
    // Where the header record ends, as the command's reader sees it (a header the reader
    // refuses gets no canary: the whole input stays as it is).
    let mut header = reader(text);
    let header_end = match header.byte_headers() {
        Ok(_) => usize::try_from(header.position().byte()).unwrap_or(usize::MAX),
        Err(_) => usize::MAX,
    }
    .min(text.len());
    let mut file = text[..header_end].to_vec();
    let mut rest = &text[header_end..];
    while let Some(at) = rest.windows(2).position(|w| w == b"$C") {
        file.extend_from_slice(&rest[..at]);
        file.extend_from_slice(CANARY);
        rest = &rest[at + 2..];
    }
    file.extend_from_slice(rest);
    // Where the canaries landed, as the csv reader sees the file: the `sp` cell of a row is an
    // id, which a refusal names; only a file whose canaries are all in value cells is judged.
    let mut records = reader(&file);
    let mut only_values = records
        .byte_headers()
        .is_ok_and(|headers| !headers.iter().any(holds_canary));
    for record in records.byte_records() {
        match record {
            Ok(record) => only_values &= !record.get(0).is_some_and(holds_canary),
            Err(_) => break,
        }
    }
    if let Err(message) = graph_sync_cli::fuzzing::bulk_csv(&file, options & 1 == 1) {
        let canary = std::str::from_utf8(CANARY).expect("ASCII");
        assert!(
            !only_values || !message.contains(canary),
            "a value quoted in {message:?} for {:?}",
            String::from_utf8_lossy(&file)
        );
    }
}

fuzz_target!(|data: &[u8]| check(data));
