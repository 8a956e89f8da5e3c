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

use zeroize::Zeroizing;

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
/// What is read may be a secret (a value file, standard input, a CSV of secrets), and every
/// buffer it passes through is wiped: when the text outgrows its buffer, it moves to a larger
/// one and the one it leaves is zeroized (`read_to_end` would free it as it is). The buffer
/// returned is the last one, for the caller to keep as it needs.
///
/// # Errors
///
/// The reader's error, or [`std::io::ErrorKind::FileTooLarge`] ("more than N MiB").
pub(crate) fn read_capped(reader: impl Read, cap: u64) -> std::io::Result<Vec<u8>> {
    let mut reader = reader.take(cap.saturating_add(1));
    let mut bytes = Zeroizing::new(Vec::new());
    let mut chunk = Zeroizing::new([0_u8; 8 * 1024]);
    loop {
        let read = match reader.read(chunk.as_mut_slice()) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let piece = chunk.get(..read).unwrap_or_default();
        if piece.len() > bytes.capacity().saturating_sub(bytes.len()) {
            let room = bytes
                .capacity()
                .saturating_mul(2)
                .max(bytes.len().saturating_add(piece.len()));
            let mut larger = Zeroizing::new(Vec::with_capacity(room));
            larger.extend_from_slice(&bytes);
            // The buffer left behind is zeroized as it is dropped.
            bytes = larger;
        }
        bytes.extend_from_slice(piece);
    }
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > cap {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("more than {} (the limit)", size_text(cap)),
        ));
    }
    // The buffer itself, not a copy: the wrapper keeps an empty vector.
    Ok(std::mem::take(&mut *bytes))
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

    /// Gives its bytes a few at a time, and fails once with `Interrupted`.
    struct Trickle<'a> {
        bytes: &'a [u8],
        interrupted: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.bytes.len()).min(5_000);
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn what_is_read_comes_back_whole_across_every_move_to_a_larger_buffer() {
        let text = (0..200_000_u32)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<_>>();
        let read = read_capped(
            Trickle {
                bytes: &text,
                interrupted: false,
            },
            VALUE_CAP,
        )
        .unwrap();
        assert_eq!(read, text);
        let at_cap = read_capped(&text[..1024], 1024).unwrap();
        assert_eq!(at_cap, &text[..1024]);
        assert_eq!(read_capped(&b""[..], 1).unwrap(), b"");
    }

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
