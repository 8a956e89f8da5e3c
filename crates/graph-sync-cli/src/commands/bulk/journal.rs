//! The journal of `bulk secrets`: what was applied, one line per row, so that a rerun skips
//! exactly the rows whose values were already saved.
//!
//! A line is `SP DIGEST`: the service principal (lower-cased) and an HMAC-SHA256 of the row
//! (its service principal, then each key and value, length-prefixed), keyed with a random key
//! kept in the journal's `# key:` line. A changed value in the CSV changes the digest, so the
//! row is applied again; the journal never holds a value, and the key means a digest cannot be
//! checked against a list of likely values without the journal itself. Lines of the earlier
//! format (the service principal alone) match no row, so those rows are applied again (the
//! safe direction).
//!
//! The file is opened without following a symbolic link (`O_NOFOLLOW`) and created with mode
//! 0600; an existing journal readable by others is narrowed to 0600. A last line without its
//! line ending (a run killed while writing it) does not count.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use graph_sync_api::model::{ExposeSecret as _, Secrets, ServicePrincipalRef};
use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use sha2::Sha256;

use crate::exit::Failure;

/// The line that holds the digest key.
const KEY_PREFIX: &str = "# key: ";

/// The journal: the applied rows, appended and flushed one line at a time.
pub(super) struct Journal {
    file: Mutex<File>,
    key: [u8; 32],
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").finish_non_exhaustive()
    }
}

/// Opens `path` for reading and appending, creating it with mode 0600, never through a
/// symbolic link.
fn open_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = file.metadata()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(file)
}

impl Journal {
    /// Opens (creating) the journal and returns the entries it holds.
    pub(super) fn open(path: &Path) -> Result<(Self, HashSet<String>), Failure> {
        let cannot = |e: std::io::Error| {
            let reason = if e.raw_os_error() == Some(libc_eloop()) {
                "it is a symbolic link; pass the real path with --journal".to_owned()
            } else {
                e.to_string()
            };
            Failure::Usage(format!(
                "cannot use the journal {}: {reason}",
                path.display()
            ))
        };
        let mut file = open_private(path).map_err(cannot)?;
        let mut done = HashSet::new();
        let mut key = None;
        let mut torn = false;
        let mut reader = BufReader::new(&file);
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).map_err(cannot)? == 0 {
                break;
            }
            let Some(entry) = line.strip_suffix('\n') else {
                torn = true;
                continue;
            };
            let entry = entry.trim();
            if let Some(hex) = entry.strip_prefix(KEY_PREFIX.trim_end()) {
                key = key.or_else(|| parse_key(hex.trim()));
            } else if !entry.is_empty() && !entry.starts_with('#') {
                done.insert(entry.to_ascii_lowercase());
            }
        }
        drop(reader);
        if torn {
            // End the torn line, so the next entry starts on a line of its own.
            file.write_all(b"\n").map_err(cannot)?;
        }
        let key = match key {
            Some(key) => key,
            None => {
                let mut key = [0_u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                let header = format!(
                    "# graph-sync bulk journal: service principal, keyed digest of the values \
                     applied\n{KEY_PREFIX}{}\n",
                    hex(&key)
                );
                file.write_all(header.as_bytes()).map_err(cannot)?;
                key
            }
        };
        Ok((
            Self {
                file: Mutex::new(file),
                key,
            },
            done,
        ))
    }

    /// The entry of a row: `sp digest`.
    pub(super) fn entry(&self, sp: &ServicePrincipalRef, secrets: &Secrets) -> String {
        let sp = sp.to_string().to_ascii_lowercase();
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            // HMAC takes a key of any length; this branch is never taken.
            return sp;
        };
        let mut field = |bytes: &[u8]| {
            mac.update(&u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_be_bytes());
            mac.update(bytes);
        };
        field(sp.as_bytes());
        for pair in secrets.iter() {
            field(pair.key().as_str().as_bytes());
            field(pair.value().expose_secret().as_bytes());
        }
        let digest = mac.finalize().into_bytes();
        format!("{sp} {}", hex(&digest))
    }

    /// Appends `entry` and flushes it to the operating system.
    pub(super) fn record(&self, entry: &str) -> std::io::Result<()> {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.write_all(format!("{entry}\n").as_bytes())?;
        file.flush()
    }
}

/// `ELOOP`: what opening a symbolic link with `O_NOFOLLOW` fails with.
fn libc_eloop() -> i32 {
    #[cfg(unix)]
    {
        libc::ELOOP
    }
    #[cfg(not(unix))]
    {
        -1
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len().saturating_mul(2));
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

fn parse_key(hex: &str) -> Option<[u8; 32]> {
    let mut key = [0_u8; 32];
    if hex.len() != 64 {
        return None;
    }
    for (index, slot) in key.iter_mut().enumerate() {
        let pair = hex.get(index * 2..index * 2 + 2)?;
        *slot = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use graph_sync_api::model::{SecretKey, SecretString};

    use super::*;

    fn secrets(token: &str) -> Secrets {
        Secrets::new()
            .with(SecretKey::SecretToken, SecretString::from(token))
            .unwrap()
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("graph-sync-journal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn entries_change_with_the_values_and_never_hold_them() {
        let dir = scratch("digest");
        let path = dir.join("j");
        let sp: ServicePrincipalRef = "3F2C1A9E-8B7D-4C6E-9F10-A1B2C3D4E5F6".parse().unwrap();
        let (journal, done) = Journal::open(&path).unwrap();
        assert!(done.is_empty());
        let first = journal.entry(&sp, &secrets("CANARY-one"));
        assert!(
            first.starts_with("3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 "),
            "{first}"
        );
        assert_ne!(first, journal.entry(&sp, &secrets("CANARY-two")));
        journal.record(&first).unwrap();
        drop(journal);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("CANARY"), "{text}");
        // Reopened: the same key, so the same row has the same entry.
        let (journal, done) = Journal::open(&path).unwrap();
        assert!(done.contains(&journal.entry(&sp, &secrets("CANARY-one"))));
        assert!(!done.contains(&journal.entry(&sp, &secrets("CANARY-two"))));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_half_written_line_does_not_count_and_old_lines_match_nothing() {
        let dir = scratch("torn");
        let path = dir.join("j");
        std::fs::write(&path, "# comment\nAAA\nbbb x\nccc").unwrap();
        let (journal, done) = Journal::open(&path).unwrap();
        let mut done: Vec<String> = done.into_iter().collect();
        done.sort();
        assert_eq!(done, ["aaa", "bbb x"]);
        journal.record("ddd y").unwrap();
        drop(journal);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# comment\nAAA\nbbb x\nccc\n"), "{text}");
        assert!(text.ends_with("ddd y\n"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_not_followed() {
        let dir = scratch("link");
        let target = dir.join("elsewhere");
        std::fs::write(&target, "").unwrap();
        let link = dir.join("j");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let error = Journal::open(&link).unwrap_err().to_string();
        assert!(error.contains("symbolic link"), "{error}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
