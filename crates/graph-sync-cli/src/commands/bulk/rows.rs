//! The rows of a `bulk secrets` CSV file, read without reading any value: each row's service
//! principal and where each of its values comes from. Errors name a line or a header (key
//! names), never a cell's content (a cell may be the secret itself).

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use graph_sync_api::model::{SecretString, ServicePrincipalRef};

use crate::cli::parse_sp;
use crate::secrets_file::{Entry, ParseOptions, SecretsFile, ValueSource, parse_key_argument};

/// One row as written: its line, its service principal and its value sources.
#[derive(Debug)]
pub(crate) struct CsvRow {
    /// The 1-based line the row starts on.
    pub(crate) line: u64,
    /// The service principal.
    pub(crate) sp: ServicePrincipalRef,
    /// The row's non-empty cells, as a secrets file to resolve.
    pub(crate) file: SecretsFile,
}

/// The rows of a CSV file.
#[derive(Debug)]
pub(crate) struct CsvRows {
    /// The rows, in file order (at least one).
    pub(crate) rows: Vec<CsvRow>,
    /// Whether any cell holds a literal value (then a file others can read is warned about).
    pub(crate) literals: bool,
}

/// Reads the header and every row of `bytes`: the header is `sp` then documented secret keys,
/// each row a service principal (once) with at least one value.
///
/// # Errors
///
/// What is wrong and where (line, header), never the content of a cell.
pub(crate) fn parse_csv(bytes: &[u8], options: ParseOptions) -> Result<CsvRows, String> {
    if let Some(opened) = unclosed_quote(bytes) {
        return Err(format!(
            "line {}: a quoted field opens here and no `\"` closes it before the end of the file",
            Lines::new(bytes).at_byte(opened)
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| {
            format!(
                "cannot read the header: {}",
                csv_message(&e, &mut Lines::new(bytes))
            )
        })?
        .clone();
    if headers.get(0) != Some("sp") {
        return Err(
            "the first column must be `sp` (the service principal: object id or appId=GUID), \
             followed by one column per secret key"
                .to_owned(),
        );
    }
    let mut keys = Vec::new();
    let mut seen = BTreeSet::new();
    for name in headers.iter().skip(1) {
        if !seen.insert(name) {
            return Err(format!("the column `{name}` appears twice"));
        }
        keys.push(parse_key_argument(name, options).map_err(|e| format!("header: {e}"))?);
    }
    if keys.is_empty() {
        return Err("no secret key columns after `sp`".to_owned());
    }

    let mut rows = Vec::new();
    let mut sps = HashSet::new();
    let mut literals = false;
    let mut record = csv::StringRecord::new();
    let mut lines = Lines::new(bytes);
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_message(&e, &mut lines))?
    {
        let line = lines.at(record.position());
        let at = |message: String| format!("line {line}: {message}");
        let sp_text = record.get(0).unwrap_or_default().trim();
        let sp =
            parse_sp(sp_text).map_err(|e| at(format!("sp: {e} (an object id, or appId=GUID)")))?;
        if !sps.insert(sp.to_string().to_ascii_lowercase()) {
            return Err(at(format!("service principal {sp} appears twice")));
        }
        let mut entries = Vec::new();
        for (key, cell) in keys.iter().zip(record.iter().skip(1)) {
            if let Some(source) = cell_source(cell) {
                literals |= matches!(source, ValueSource::Literal(_));
                entries.push(Entry {
                    key: key.clone(),
                    source,
                });
            }
        }
        if entries.is_empty() {
            return Err(at(format!("no values for service principal {sp}")));
        }
        rows.push(CsvRow {
            line,
            sp,
            file: SecretsFile::from_entries(entries),
        });
        record.clear();
    }
    if rows.is_empty() {
        return Err("no service principals (only a header)".to_owned());
    }
    Ok(CsvRows { rows, literals })
}

/// Where a quoted field opens that no quote closes before the end of the file, if one does.
///
/// The csv crate takes the rest of such a file as that one field, without an error: every row
/// after it would vanish into a cell, and the row's secret would carry them. The states are the
/// csv crate's with [`parse_csv`]'s reader: a field is quoted when its first byte is `"`, `""`
/// inside it is a quote, a `"` anywhere else is a character, no escape character, `,` ends a
/// field and `\r` or `\n` a record, and a leading UTF-8 byte order mark is skipped.
fn unclosed_quote(bytes: &[u8]) -> Option<usize> {
    enum State {
        FieldStart,
        Unquoted,
        /// In a quoted field opened at this offset.
        Quoted(usize),
        /// Just after a quote in the quoted field opened at this offset: the field's end, or
        /// the first of `""`.
        QuoteInQuoted(usize),
    }
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut state = State::FieldStart;
    for (index, &byte) in bytes.iter().enumerate().skip(start) {
        state = match state {
            State::Quoted(opened) if byte == b'"' => State::QuoteInQuoted(opened),
            State::Quoted(opened) => State::Quoted(opened),
            State::QuoteInQuoted(opened) if byte == b'"' => State::Quoted(opened),
            State::FieldStart if byte == b'"' => State::Quoted(index),
            _ if matches!(byte, b',' | b'\r' | b'\n') => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    match state {
        State::Quoted(opened) => Some(opened),
        _ => None,
    }
}

/// Where a cell's value comes from (the syntax in the module documentation of `bulk`).
fn cell_source(cell: &str) -> Option<ValueSource> {
    if cell.is_empty() {
        None
    } else if let Some(name) = cell.strip_prefix("env:") {
        Some(ValueSource::Env(name.to_owned()))
    } else if let Some(path) = cell.strip_prefix("file:") {
        Some(ValueSource::File(PathBuf::from(path)))
    } else if let Some(text) = cell.strip_prefix("literal:") {
        Some(ValueSource::Literal(SecretString::from(text)))
    } else {
        Some(ValueSource::Literal(SecretString::from(cell)))
    }
}

/// The line of a record, counted from its byte offset with `\n`, `\r\n` and a lone `\r` each
/// ending a line. (The csv crate's own line number counts only `\n`, and in a file with `\r\n`
/// endings gives each record after the first the line before its own.)
struct Lines<'a> {
    bytes: &'a [u8],
    /// How far the count has got, and the lines ended before it.
    offset: usize,
    ended: u64,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            offset: 0,
            ended: 0,
        }
    }

    /// The 1-based line a record starts on: the line of its first byte that does not end a
    /// line (the csv crate may place a record's start on the line ending before it). Records
    /// come in order, so the count only moves forward.
    fn at(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return 0;
        };
        self.at_byte(usize::try_from(position.byte()).unwrap_or(usize::MAX))
    }

    /// The 1-based line of the byte at `offset`, or of the first byte after it that does not
    /// end a line.
    fn at_byte(&mut self, offset: usize) -> u64 {
        let mut start = offset;
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start = start.saturating_add(1);
        }
        let start = start.min(self.bytes.len());
        if start < self.offset {
            // Out of order: count again from the beginning.
            (self.offset, self.ended) = (0, 0);
        }
        let mut index = self.offset;
        while index < start {
            match self.bytes.get(index) {
                Some(b'\n') => self.ended = self.ended.saturating_add(1),
                Some(b'\r') if self.bytes.get(index.saturating_add(1)) != Some(&b'\n') => {
                    self.ended = self.ended.saturating_add(1);
                }
                _ => {}
            }
            index = index.saturating_add(1);
        }
        self.offset = start;
        self.ended.saturating_add(1)
    }
}

/// A CSV error's position and kind, never the record's content.
fn csv_message(error: &csv::Error, lines: &mut Lines<'_>) -> String {
    let line = error
        .position()
        .map(|p| format!("line {}: ", lines.at(Some(p))))
        .unwrap_or_default();
    let kind = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
        csv::ErrorKind::Io(e) => e.to_string(),
        _ => "malformed CSV".to_owned(),
    };
    format!("{line}{kind}")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use graph_sync_api::model::ExposeSecret as _;

    use super::*;

    #[test]
    fn cells_name_their_source() {
        assert!(cell_source("").is_none());
        assert!(
            matches!(cell_source("env:TOKEN"), Some(ValueSource::Env(name)) if name == "TOKEN")
        );
        assert!(
            matches!(cell_source("file:a/b.txt"), Some(ValueSource::File(path)) if path == Path::new("a/b.txt"))
        );
        for (cell, literal) in [
            ("literal:env:X", "env:X"),
            ("plain", "plain"),
            ("a:b", "a:b"),
        ] {
            match cell_source(cell) {
                Some(ValueSource::Literal(value)) => assert_eq!(value.expose_secret(), literal),
                other => panic!("{cell}: {other:?}"),
            }
        }
    }

    #[test]
    fn refusals_name_the_place_never_a_cell() {
        const SP: &str = "6a2e4a1f-6c1d-4f2e-9a55-0f3f4a1c2b3d";
        const CANARY: &str = "zq7-CANARY-secret-9x";
        let options = ParseOptions::default();
        for (csv, expected) in [
            (
                format!("sp,SecretToken\n{SP},{CANARY},extra\n"),
                "line 2: 3 fields where the header has 2",
            ),
            (
                format!("sp,SecretToken\n{SP},\"{CANARY}\n,\",x\n"),
                "line 2: 3 fields where the header has 2",
            ),
            (
                format!("sp,SecretToken\n{SP},{CANARY}\n{SP},{CANARY}\n"),
                "line 3: service principal",
            ),
            (format!("sp,SecretToken\n{SP},\n"), "line 2: no values"),
            ("sp,SecretToken\n".to_owned(), "only a header"),
            (
                format!("BaseAddress,SecretToken\n{SP},{CANARY}\n"),
                "the first column must be `sp`",
            ),
        ] {
            let message = parse_csv(csv.as_bytes(), options).expect_err(&csv);
            assert!(message.contains(expected), "{message:?} for {csv:?}");
            assert!(!message.contains(CANARY), "{message:?}");
        }
        let mut not_utf8 = format!("sp,SecretToken\n{SP},{CANARY}").into_bytes();
        not_utf8.extend_from_slice(b"\xff\n");
        let message = parse_csv(&not_utf8, options).expect_err("not UTF-8");
        assert_eq!(message, "line 2: not UTF-8 text");
        let parsed = parse_csv(
            format!(
                "sp,BaseAddress,SecretToken\n{SP},literal:env:X,env:TOKEN\nappId={SP},,file:t\n"
            )
            .as_bytes(),
            options,
        )
        .expect("a well-formed file");
        assert!(parsed.literals);
        let lines: Vec<(u64, usize)> = parsed
            .rows
            .iter()
            .map(|row| (row.line, row.file.entries().len()))
            .collect();
        assert_eq!(lines, [(2, 2), (3, 1)]);
    }

    #[test]
    fn a_quote_never_closed_is_refused_at_its_line_not_read_to_the_end() {
        const SP: &str = "6a2e4a1f-6c1d-4f2e-9a55-0f3f4a1c2b3d";
        const OTHER: &str = "7b3f5b2a-7d2e-4a3f-8b66-1a4a5b2d3c4e";
        const CANARY: &str = "zq7-CANARY-secret-9x";
        let options = ParseOptions::default();
        for (csv, line) in [
            // The csv crate alone reads this as one row whose secret holds the next row.
            (format!("sp,SecretToken\n{SP},\"{CANARY}\n{OTHER},b\n"), 2),
            (
                format!("sp,SecretToken\r\n{SP},a\r\n{OTHER},\"{CANARY}\"\"\r\n"),
                3,
            ),
            (format!("\u{feff}sp,SecretToken\n\n{SP},\"\"\"{CANARY}"), 3),
            ("\"sp,SecretToken\n".to_owned(), 1),
        ] {
            let message = parse_csv(csv.as_bytes(), options).expect_err(&csv);
            assert_eq!(
                message,
                format!(
                    "line {line}: a quoted field opens here and no `\"` closes it before the end \
                     of the file"
                ),
                "{csv:?}"
            );
        }
        // Quotes that close, doubled quotes, and quotes inside an unquoted cell are fine.
        let parsed = parse_csv(
            format!("sp,SecretToken\n{SP},\"a,\"\"b\"\"\nc\"\n\"{OTHER}\",x\"y\"\n").as_bytes(),
            options,
        )
        .expect("closed quotes");
        let lines: Vec<u64> = parsed.rows.iter().map(|row| row.line).collect();
        assert_eq!(lines, [2, 4]);
    }

    /// Every text of up to six bytes from `"`, `,`, `\r`, `\n` and `a`: a quote is unclosed
    /// exactly when the csv crate reads a line added after the text into the text's last field.
    #[test]
    fn unclosed_quotes_are_the_csv_crates() {
        const ALPHABET: [u8; 5] = [b'"', b',', b'\r', b'\n', b'a'];
        let mut texts = vec![Vec::new()];
        let mut last = vec![Vec::new()];
        for _ in 0..6 {
            last = last
                .iter()
                .flat_map(|text: &Vec<u8>| {
                    ALPHABET.iter().map(move |&byte| {
                        let mut longer = text.clone();
                        longer.push(byte);
                        longer
                    })
                })
                .collect();
            texts.extend(last.iter().cloned());
        }
        assert_eq!(texts.len(), 19_531);
        // The csv crate skips a byte order mark at the start: so must the scan.
        let with_mark = texts.iter().filter(|text| text.len() <= 4).map(|text| {
            let mut marked = "\u{feff}".as_bytes().to_vec();
            marked.extend_from_slice(text);
            marked
        });
        for text in texts.iter().cloned().chain(with_mark.collect::<Vec<_>>()) {
            let mut probed = text.clone();
            probed.extend_from_slice(b"\nZ");
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(&probed[..]);
            let records = reader
                .byte_records()
                .collect::<Result<Vec<_>, _>>()
                .expect("the csv crate reads any bytes");
            let field = records.last().and_then(|record| record.iter().next_back());
            let absorbed = field.is_some_and(|field| field != b"Z");
            assert_eq!(
                unclosed_quote(&text).is_some(),
                absorbed,
                "{:?}: last field {:?}",
                String::from_utf8_lossy(&text),
                field.map(String::from_utf8_lossy)
            );
        }
    }

    #[test]
    fn lines_are_counted_whatever_ends_them() {
        const SP: &str = "6a2e4a1f-6c1d-4f2e-9a55-0f3f4a1c2b3d";
        let options = ParseOptions::default();
        for ending in ["\n", "\r\n", "\r"] {
            let csv = format!("sp,SecretToken{ending}{ending}{SP},a{ending}x,b{ending}");
            let message = parse_csv(csv.as_bytes(), options).expect_err(&csv);
            assert!(message.starts_with("line 4: sp:"), "{ending:?}: {message}");
            let csv = format!("sp,SecretToken{ending}{SP},a{ending}{SP},b{ending}");
            let message = parse_csv(csv.as_bytes(), options).expect_err(&csv);
            assert!(
                message.starts_with("line 3: service principal"),
                "{ending:?}: {message}"
            );
            let csv = format!("sp,SecretToken{ending}{SP},a{ending}{SP},b,c{ending}");
            let message = parse_csv(csv.as_bytes(), options).expect_err(&csv);
            assert_eq!(
                message, "line 3: 3 fields where the header has 2",
                "{ending:?}"
            );
        }
    }
}
