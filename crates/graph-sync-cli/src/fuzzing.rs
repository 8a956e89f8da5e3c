//! The parsers of the files a user hands the command line, for the fuzz targets in `fuzz/`:
//! secrets files (TOML and JSON) and `bulk secrets` CSV files. Parsing reads no value (no
//! environment variable, file or standard input), so the entry points are pure functions of
//! their input. Not a stable interface.

use crate::commands::bulk::parse_csv;
use crate::secrets_file::{FileFormat, ParseOptions, SecretsFile};

/// Parses `text` as a secrets file (`json`: as JSON, else as TOML), as `secrets set --from`
/// does before it reads any value.
///
/// # Errors
///
/// The message the command would print for a refused file.
pub fn secrets_file(text: &str, json: bool, allow_unknown_keys: bool) -> Result<usize, String> {
    let format = if json {
        FileFormat::Json
    } else {
        FileFormat::Toml
    };
    SecretsFile::parse(text, format, ParseOptions { allow_unknown_keys })
        .map(|file| file.entries().len())
        .map_err(|error| error.to_string())
}

/// Parses `bytes` as a `bulk secrets` CSV file, as the command does before it reads any value:
/// the number of rows.
///
/// # Errors
///
/// The message the command would print for a refused file (less the file's path).
pub fn bulk_csv(bytes: &[u8], allow_unknown_keys: bool) -> Result<usize, String> {
    parse_csv(bytes, ParseOptions { allow_unknown_keys }).map(|parsed| parsed.rows.len())
}
