//! `--state FILE`: the emulator's state kept across restarts, as Azurite's `--location` keeps
//! its storage. The default stays in memory.
//!
//! What is kept: the directory (every service principal with its secrets, application,
//! templates, jobs and their schemas, target system; the gallery of application templates)
//! and the identity state (app registrations with their credentials, managed identities, the
//! App Service identity header, granted roles, object ids, and the tokens issued, so a client's
//! cached token still works after a restart). What is not: the throttle, faults, latency and
//! their selection (settings of a run: flags or the tenant file's `[emulator]` table), the
//! clock offset, the request log, scripted answers, rate windows and replication lag.
//!
//! The file is JSON with a format name and a version (`{"format":"graph-sync-emulator-state",
//! "version":1,…}`); a file of another format or version is refused, never half read. It is
//! written after every request that may have changed the state (any method but `GET` and
//! `HEAD`, and the managed-identity token endpoints, which issue tokens on a `GET`), before
//! the answer leaves, atomically: a temporary file beside it, flushed to disk, renamed over
//! it. It holds secrets, so it is created readable and writable by its owner only (Unix).

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::directory::{Directory, Tenant};
use crate::identity::{Identity, IdentitySnapshot};

/// The format name a state file starts with.
const FORMAT: &str = "graph-sync-emulator-state";
/// The version of the format this emulator writes and reads.
const VERSION: u32 = 1;
/// The largest state file read (256 MiB).
const MAX_SIZE: u64 = 256 * 1024 * 1024;

/// A state file that cannot be read or written: which file, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateFileError {
    path: PathBuf,
    message: String,
}

impl StateFileError {
    pub(crate) fn already_open(path: &Path) -> Self {
        Self::new(path, "a state file is already open for this emulator")
    }

    fn new(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for StateFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "state file {}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for StateFileError {}

/// The file's shape, version 1.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    format: String,
    version: u32,
    directory: Tenant,
    identity: IdentitySnapshot,
}

/// Only the header, read first so that another version is refused with its number.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

/// Where the state is kept, and the lock that keeps two writes from interleaving.
pub(crate) struct StateFile {
    path: PathBuf,
    directory: Arc<Directory>,
    identity: Arc<Identity>,
    writing: Mutex<()>,
}

impl fmt::Debug for StateFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl StateFile {
    /// Keeps the state of `directory` and `identity` in `path`, first loading what the file
    /// holds if it exists. Returns whether it existed.
    pub(crate) fn open(
        path: &Path,
        directory: Arc<Directory>,
        identity: Arc<Identity>,
    ) -> Result<(Self, bool), StateFileError> {
        let file = Self {
            path: path.to_owned(),
            directory,
            identity,
            writing: Mutex::new(()),
        };
        let loaded = file.load()?;
        if !loaded {
            file.save()?;
        }
        Ok((file, loaded))
    }

    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the file into the state; `false` when there is no file.
    fn load(&self) -> Result<bool, StateFileError> {
        let path = &self.path;
        let size = match std::fs::metadata(path) {
            Ok(metadata) => metadata.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(StateFileError::new(path, format!("cannot read it: {e}"))),
        };
        if size > MAX_SIZE {
            return Err(StateFileError::new(
                path,
                format!("it is {size} bytes; at most {MAX_SIZE} are read"),
            ));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| StateFileError::new(path, format!("cannot read it: {e}")))?;
        let header: Header = serde_json::from_slice(&bytes).map_err(|e| {
            StateFileError::new(path, format!("not a graph-sync-emulator state file ({e})"))
        })?;
        if header.format.as_deref() != Some(FORMAT) {
            return Err(StateFileError::new(
                path,
                format!(
                    "not a graph-sync-emulator state file (format {:?})",
                    header.format
                ),
            ));
        }
        if header.version != Some(VERSION) {
            return Err(StateFileError::new(
                path,
                format!(
                    "version {:?}; this emulator reads version {VERSION}",
                    header.version
                ),
            ));
        }
        let snapshot: Snapshot = serde_json::from_slice(&bytes)
            .map_err(|e| StateFileError::new(path, format!("cannot be read: {e}")))?;
        self.identity
            .restore(snapshot.identity)
            .map_err(|e| StateFileError::new(path, e.to_string()))?;
        let mut tenant = snapshot.directory;
        tenant.reindex();
        *self.directory.lock() = tenant;
        Ok(true)
    }

    /// Writes the state now, atomically.
    pub(crate) fn save(&self) -> Result<(), StateFileError> {
        let _writing = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        let json = {
            let directory = self.directory.lock();
            let snapshot = SnapshotRef {
                format: FORMAT,
                version: VERSION,
                directory: &directory,
                identity: self.identity.snapshot(),
            };
            serde_json::to_vec_pretty(&snapshot)
        }
        .map_err(|e| StateFileError::new(&self.path, format!("cannot encode the state: {e}")))?;
        write_atomically(&self.path, &json)
            .map_err(|e| StateFileError::new(&self.path, format!("cannot write it: {e}")))
    }
}

/// [`Snapshot`] borrowing the directory, for writing.
#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: &'static str,
    version: u32,
    directory: &'a Tenant,
    identity: IdentitySnapshot,
}

/// Writes `bytes` to a temporary file beside `path` (owner-only on Unix), flushes it to disk
/// and renames it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_owned());
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let written = (|| {
        let mut file = options.open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Whether a request may have changed what a state file keeps.
fn may_change(method: &Method, path: &str) -> bool {
    !matches!(*method, Method::GET | Method::HEAD)
        || path == "/metadata/identity/oauth2/token"
        || path == "/msi/token"
}

/// The middleware: after a request that may have changed the state, writes it before the
/// answer leaves. A failed write is logged (the answer stands: the emulator's state did
/// change).
pub(crate) async fn layer(
    State(file): State<Arc<StateFile>>,
    request: Request,
    next: Next,
) -> Response {
    let changes = may_change(request.method(), request.uri().path());
    let response = next.run(request).await;
    if changes {
        let writer = Arc::clone(&file);
        let saved = tokio::task::spawn_blocking(move || writer.save()).await;
        match saved {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "graph-sync-emulator: state not saved"),
            Err(error) => tracing::error!(%error, "graph-sync-emulator: state not saved"),
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_change_nothing_but_managed_identity_tokens() {
        assert!(!may_change(&Method::GET, "/v1.0/servicePrincipals/x"));
        assert!(may_change(&Method::PUT, "/v1.0/servicePrincipals/x"));
        assert!(may_change(&Method::POST, "/common/oauth2/v2.0/token"));
        assert!(may_change(&Method::GET, "/msi/token"));
    }
}
