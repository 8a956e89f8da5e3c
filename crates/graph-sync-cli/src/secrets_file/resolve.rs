//! Resolving a parsed secrets file: each value read from where it lives (the file itself, an
//! environment variable, a file, standard input) and checked by the model.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use graph_sync_api::model::{ExposeSecret as _, SecretString, Secrets};
use zeroize::Zeroizing;

use super::{Entry, FileError, SecretsFile, ValueSource};
use crate::limits::{VALUE_CAP, read_file_capped};

/// Where [`SecretsFile::resolve`] reads values from.
pub(crate) struct Sources<'a> {
    /// Looks up an environment variable.
    pub(crate) env: &'a dyn Fn(&str) -> Option<OsString>,
    /// Reads all of standard input (called at most once).
    pub(crate) stdin: &'a mut dyn FnMut() -> io::Result<Vec<u8>>,
    /// The directory relative `file` paths are resolved against.
    pub(crate) base_dir: PathBuf,
}

impl fmt::Debug for Sources<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sources")
            .field("base_dir", &self.base_dir)
            .finish_non_exhaustive()
    }
}

/// The secrets a file resolved to, and warnings to show (files readable by others).
#[derive(Debug)]
pub(crate) struct Resolved {
    /// The secrets, in file order, each checked by the model.
    pub(crate) secrets: Secrets,
    /// Warnings for stderr.
    pub(crate) warnings: Vec<String>,
}

impl SecretsFile {
    /// Reads every value and builds the secrets, each checked by the model.
    ///
    /// # Errors
    ///
    /// [`FileError`] naming the key for an unset variable, an unreadable or non-UTF-8 file or
    /// standard input, or a value the key cannot hold.
    pub(crate) fn resolve(self, sources: &mut Sources<'_>) -> Result<Resolved, FileError> {
        let mut secrets = Secrets::new();
        let mut warnings = Vec::new();
        for Entry { key, source } in self.entries {
            let name = key.as_str().to_owned();
            let (value, from) = match source {
                ValueSource::Bool(value) => {
                    secrets.insert(key, value)?;
                    continue;
                }
                ValueSource::Notification(settings) => {
                    secrets.insert(key, settings)?;
                    continue;
                }
                ValueSource::Literal(value) => (value, "a literal in the file".to_owned()),
                ValueSource::Env(variable) => {
                    let value = (sources.env)(&variable).ok_or_else(|| FileError::Env {
                        key: name.clone(),
                        variable: variable.clone(),
                        problem: "is not set",
                    })?;
                    let value = value.into_string().map_err(|_| FileError::Env {
                        key: name.clone(),
                        variable: variable.clone(),
                        problem: "is not valid Unicode",
                    })?;
                    (
                        SecretString::from(value),
                        format!("environment variable {variable}"),
                    )
                }
                ValueSource::File(path) => {
                    let path = sources.base_dir.join(path);
                    if let Some(warning) = permission_warning(&path) {
                        warnings.push(warning);
                    }
                    let bytes =
                        Zeroizing::new(read_file_capped(&path, VALUE_CAP).map_err(|e| {
                            FileError::ValueFile {
                                key: name.clone(),
                                path: path.clone(),
                                problem: io_problem(&e),
                            }
                        })?);
                    let value = text_value(&bytes).ok_or_else(|| FileError::ValueFile {
                        key: name.clone(),
                        path: path.clone(),
                        problem: "it is not UTF-8 text".to_owned(),
                    })?;
                    (value, format!("file {}", path.display()))
                }
                ValueSource::Stdin => {
                    let bytes =
                        Zeroizing::new((sources.stdin)().map_err(|e| FileError::Stdin {
                            key: name.clone(),
                            problem: io_problem(&e),
                        })?);
                    let value = text_value(&bytes).ok_or_else(|| FileError::Stdin {
                        key: name.clone(),
                        problem: "is not UTF-8 text".to_owned(),
                    })?;
                    (value, "standard input".to_owned())
                }
            };
            if value.expose_secret().is_empty() {
                return Err(FileError::EmptyValue { key: name, from });
            }
            secrets.insert(key, value)?;
        }
        Ok(Resolved { secrets, warnings })
    }
}

/// An I/O error as a short reason: the kind, or the cap's own message for a file too large.
fn io_problem(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::FileTooLarge | io::ErrorKind::Other => error.to_string(),
        kind => kind.to_string(),
    }
}

/// The text of a value file or standard input: UTF-8, one trailing `\n` or `\r\n` removed.
fn text_value(bytes: &[u8]) -> Option<SecretString> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    Some(SecretString::from(text))
}

/// A warning when `path` is readable or writable by its group or others (unix mode & 0o077).
pub(crate) fn permission_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "warning: {} holds secrets but is accessible to other users (mode {mode:03o}); \
                 restrict it with: chmod 600 {}",
                path.display(),
                path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}
