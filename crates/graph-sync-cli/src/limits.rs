//! Size caps on everything the command line reads whole into memory, so that a wrong path
//! (`{ file = "/dev/zero" }`), a runaway pipe or a huge file ends with a clear error instead of
//! eating memory. The caps are documented in `graph-sync secrets set --help`, `bulk secrets
//! --help` and docs/cli-output.md.
//!
//! | input | cap |
//! |---|---|
//! | a secrets file or `provision` manifest | [`SECRETS_FILE_CAP`] (1 MiB) |
//! | a `{ file = … }` / `file:` value | [`VALUE_CAP`] (1 MiB) |
//! | a `{ stdin = true }` value | [`VALUE_CAP`] (1 MiB) |
//! | a `bulk secrets` CSV file | [`CSV_CAP`] (64 MiB) |
//! | a `schema put` file | [`SCHEMA_CAP`] (16 MiB, the transport's response cap) |

use std::io::Read;
use std::path::Path;

/// The largest secrets file or manifest read: 1 MiB.
pub(crate) const SECRETS_FILE_CAP: u64 = 1024 * 1024;
/// The largest value read from a file or standard input: 1 MiB.
pub(crate) const VALUE_CAP: u64 = 1024 * 1024;
/// The largest `bulk secrets` CSV file read: 64 MiB.
pub(crate) const CSV_CAP: u64 = 64 * 1024 * 1024;
/// The largest schema file read: 16 MiB.
pub(crate) const SCHEMA_CAP: u64 = 16 * 1024 * 1024;

/// `N MiB` or `N KiB`, for messages.
pub(crate) fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// Reads all of `reader`, refusing more than `cap` bytes (it reads at most `cap + 1`).
///
/// # Errors
///
/// The reader's error, or [`std::io::ErrorKind::FileTooLarge`] ("more than N MiB").
pub(crate) fn read_capped(reader: impl Read, cap: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > cap {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("more than {} (the limit)", size_text(cap)),
        ));
    }
    Ok(bytes)
}

/// Reads the file at `path`, refusing more than `cap` bytes.
///
/// # Errors
///
/// As [`read_capped`], and the error of opening the file.
pub(crate) fn read_file_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    read_capped(std::fs::File::open(path)?, cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_one_byte_past_the_cap() {
        assert_eq!(read_capped(&b"abc"[..], 3).unwrap(), b"abc");
        let error = read_capped(std::io::repeat(0), 1024).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::FileTooLarge);
        assert!(error.to_string().contains("1 KiB"), "{error}");
        #[cfg(unix)]
        {
            let error = read_file_capped(Path::new("/dev/zero"), VALUE_CAP).unwrap_err();
            assert!(error.to_string().contains("1 MiB"), "{error}");
        }
    }
}
