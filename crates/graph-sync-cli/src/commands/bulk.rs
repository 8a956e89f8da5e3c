//! `graph-sync bulk secrets --csv FILE`: the same kind of secrets for many service principals,
//! with a concurrency limit, one throttle gate for all requests, a progress bar, and a journal
//! that makes an interrupted run resumable.
//!
//! **The CSV file.** The header is `sp` followed by one column per secret key (documented
//! names, spelled exactly). Each row is one service principal (object id or `appId=GUID`) and
//! its values. A cell is:
//!
//! * `env:NAME`: the value of the environment variable `NAME`;
//! * `file:PATH`: the contents of a file (relative to the CSV file's directory), less one
//!   trailing line ending;
//! * `literal:TEXT`: the text `TEXT` as is (for a value that itself starts with `env:` or
//!   `file:`);
//! * empty: the key is not sent for that service principal;
//! * anything else: the literal text.
//!
//! Every cell is read and checked before anything is sent: a bad header, an unset variable or
//! an unreadable file stops the run with exit code 2. A file holding literal values that
//! others can read gets the same warning as `secrets set`.
//!
//! **The journal** (`--journal`, default `FILE.journal`) gets one line per service principal
//! whose secrets were saved, appended and flushed as soon as each one finishes. A later run
//! with the same journal skips those lines' service principals, so a run that was killed,
//! lost its network or hit failures is resumed by running the same command again: it redoes
//! only what is not done. Delete the journal to start over.

use std::collections::{BTreeSet, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use graph_sync_api::model::{SecretString, Secrets, ServicePrincipalRef};
use graph_sync_api::{Bulk, GraphSyncClient};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use zeroize::Zeroizing;

use crate::cli::{BulkCommand, BulkSecretsArgs, refuse_arguments};
use crate::commands::Context;
use crate::exit::{Exit, Failure, exit_for};
use crate::output::{Report, Table};
use crate::secrets_file::{
    Entry, ParseOptions, SecretsFile, ValueSource, parse_key_argument, permission_warning,
    resolve_secrets,
};

/// Runs a `bulk` subcommand.
///
/// # Errors
///
/// The command's [`Failure`]; [`Failure::Partial`] when some service principals failed.
pub(crate) async fn run(context: &Context, command: BulkCommand) -> Result<(), Failure> {
    match command {
        BulkCommand::Secrets(args) => secrets(context, &args).await,
    }
}

/// One row, read and resolved.
struct Row {
    sp: ServicePrincipalRef,
    secrets: Secrets,
}

/// The journal key of a service principal: its reference, lower-cased (ids are GUIDs).
fn journal_key(sp: &ServicePrincipalRef) -> String {
    sp.to_string().to_ascii_lowercase()
}

/// Where a cell's value comes from (the syntax in the module documentation).
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

/// Reads the CSV file: checks the header, every row, and resolves every value.
fn read_csv(path: &Path, allow_unknown_keys: bool) -> Result<Vec<Row>, Failure> {
    let bad = |message: String| Failure::Usage(format!("{}: {message}", path.display()));
    let bytes = Zeroizing::new(
        std::fs::read(path)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?,
    );
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| bad(format!("cannot read the header: {}", csv_message(&e))))?
        .clone();
    if headers.get(0) != Some("sp") {
        return Err(bad(
            "the first column must be `sp` (the service principal: object id or appId=GUID), \
             followed by one column per secret key"
                .to_owned(),
        ));
    }
    let options = ParseOptions { allow_unknown_keys };
    let mut keys = Vec::new();
    let mut seen = BTreeSet::new();
    for name in headers.iter().skip(1) {
        if !seen.insert(name.to_owned()) {
            return Err(bad(format!("the column `{name}` appears twice")));
        }
        keys.push(parse_key_argument(name, options).map_err(|e| bad(format!("header: {e}")))?);
    }
    if keys.is_empty() {
        return Err(bad("no secret key columns after `sp`".to_owned()));
    }

    let mut rows = Vec::new();
    let mut sps = HashSet::new();
    let mut literals = false;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(bad(csv_message(&e))),
        }
        let line = record.position().map_or(0, csv::Position::line);
        let at = |message: String| bad(format!("line {line}: {message}"));
        let sp_text = record.get(0).unwrap_or_default().trim();
        let sp: ServicePrincipalRef = sp_text
            .parse()
            .map_err(|e| at(format!("sp: {e} (an object id, or appId=GUID)")))?;
        if !sps.insert(journal_key(&sp)) {
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
        let secrets = resolve_secrets(SecretsFile::from_entries(entries), path)
            .map_err(|e| at(format!("service principal {sp}: {e}")))?;
        rows.push(Row { sp, secrets });
        record.clear();
    }
    if rows.is_empty() {
        return Err(bad("no service principals (only a header)".to_owned()));
    }
    if let Some(warning) = permission_warning(path).filter(|_| literals) {
        eprintln!("{warning}");
    }
    Ok(rows)
}

/// A CSV error's position and kind, never the record's content.
fn csv_message(error: &csv::Error) -> String {
    let line = error
        .position()
        .map(|p| format!("line {}: ", p.line()))
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

/// The journal: done service principals, appended and flushed one line at a time.
struct Journal {
    file: Mutex<File>,
}

impl Journal {
    /// Opens (creating) the journal and returns the service principals it holds. A last line
    /// without its line ending (a run killed while writing it) does not count.
    fn open(path: &Path) -> Result<(Self, HashSet<String>), Failure> {
        let cannot = |e: std::io::Error| {
            Failure::Usage(format!("cannot use the journal {}: {e}", path.display()))
        };
        let mut done = HashSet::new();
        let mut torn = false;
        if path.exists() {
            let mut reader = BufReader::new(File::open(path).map_err(cannot)?);
            let mut line = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).map_err(cannot)? == 0 {
                    break;
                }
                match line.strip_suffix('\n') {
                    Some(entry) => {
                        let entry = entry.trim();
                        if !entry.is_empty() && !entry.starts_with('#') {
                            done.insert(entry.to_ascii_lowercase());
                        }
                    }
                    None => torn = true,
                }
            }
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(cannot)?;
        if torn {
            // End the torn line, so the next entry starts on a line of its own.
            file.write_all(b"\n").map_err(cannot)?;
        }
        Ok((
            Self {
                file: Mutex::new(file),
            },
            done,
        ))
    }

    /// Appends `key` and flushes it to the operating system.
    fn record(&self, key: &str) -> std::io::Result<()> {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.write_all(format!("{key}\n").as_bytes())?;
        file.flush()
    }
}

/// The outcome of one service principal.
enum Outcome {
    Done,
    Failed {
        exit: Exit,
        status: Option<u16>,
        request_id: Option<String>,
        error: String,
    },
}

async fn secrets(context: &Context, args: &BulkSecretsArgs) -> Result<(), Failure> {
    refuse_arguments(&args.rejected)?;
    let rows = read_csv(&args.csv, args.allow_unknown_keys)?;
    let journal_path = args.journal.clone().unwrap_or_else(|| {
        let mut name = args.csv.clone().into_os_string();
        name.push(".journal");
        PathBuf::from(name)
    });
    let (journal, done) = Journal::open(&journal_path)?;
    let total = rows.len();
    let todo: Vec<Row> = rows
        .into_iter()
        .filter(|row| !done.contains(&journal_key(&row.sp)))
        .collect();
    let skipped = total - todo.len();
    let client = context.client()?;

    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} service principals  {per_sec}  ETA {eta}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_position(skipped as u64);
    bar.enable_steady_tick(Duration::from_millis(200));
    if skipped > 0 {
        eprintln!(
            "Resuming: {skipped} of {total} service principal(s) already done according to {}",
            journal_path.display()
        );
    }

    let journal = Arc::new(journal);
    let sps: Vec<ServicePrincipalRef> = todo.iter().map(|row| row.sp.clone()).collect();
    let operations = todo.into_iter().map(|row| {
        let journal = Arc::clone(&journal);
        let bar = bar.clone();
        move |client: GraphSyncClient| async move {
            let result = client
                .service_principal(row.sp.clone())
                .synchronization()
                .secrets()
                .put(&row.secrets)
                .await;
            let outcome = match result {
                Ok(()) => match journal.record(&journal_key(&row.sp)) {
                    Ok(()) => Outcome::Done,
                    Err(e) => Outcome::Failed {
                        exit: Exit::Service,
                        status: None,
                        request_id: None,
                        error: format!("saved, but the journal could not be written: {e}"),
                    },
                },
                Err(error) => {
                    let service = error.as_service();
                    Outcome::Failed {
                        exit: exit_for(&error),
                        status: service.map(|s| s.status().as_u16()),
                        request_id: service.and_then(|s| s.request_id()).map(str::to_owned),
                        error: error.to_string(),
                    }
                }
            };
            bar.inc(1);
            Ok::<_, graph_sync_api::Error>(outcome)
        }
    });
    let results = Bulk::new(&client)
        .with_concurrency(usize::from(args.concurrency))
        .run(operations)
        .await;
    bar.finish_and_clear();

    let mut failures = Vec::new();
    let mut succeeded = 0;
    for (sp, result) in sps.iter().zip(results) {
        match result {
            Ok(Outcome::Done) => succeeded += 1,
            Ok(Outcome::Failed {
                exit,
                status,
                request_id,
                error,
            }) => failures.push((sp, exit, status, request_id, error)),
            Err(error) => failures.push((sp, exit_for(&error), None, None, error.to_string())),
        }
    }

    let mut text = format!(
        "Bulk secrets from {}: {total} service principal(s): {succeeded} saved now, {skipped} \
         already done (journal {}), {} failed.",
        args.csv.display(),
        journal_path.display(),
        failures.len()
    );
    if !failures.is_empty() {
        let mut table = Table::new(&["SERVICE PRINCIPAL", "STATUS", "REQUEST-ID", "ERROR"]);
        for (sp, _, status, request_id, error) in &failures {
            table.row([
                sp.to_string(),
                status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".to_owned()),
                request_id.clone().unwrap_or_else(|| "-".to_owned()),
                error.clone(),
            ]);
        }
        text.push_str("\nFailures:\n");
        text.push_str(&table.render());
    }
    context.print(&Report {
        text,
        json: json!({
            "csv": args.csv.display().to_string(),
            "journal": journal_path.display().to_string(),
            "total": total,
            "saved": succeeded,
            "skipped": skipped,
            "failed": failures.iter().map(|(sp, _, status, request_id, error)| json!({
                "servicePrincipal": sp.to_string(),
                "status": status,
                "requestId": request_id,
                "error": error,
            })).collect::<Vec<_>>(),
        }),
    });
    if failures.is_empty() {
        return Ok(());
    }
    let message = format!(
        "{} of {} service principal(s) failed; run the same command again to retry only those \
         (the journal keeps the others)",
        failures.len(),
        total - skipped
    );
    if succeeded == 0 && failures.iter().all(|f| f.1 == Exit::Auth) {
        return Err(Failure::Auth(message));
    }
    Err(Failure::Partial(message))
}

#[cfg(test)]
mod tests {
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
    fn a_half_written_journal_line_does_not_count() {
        let dir = std::env::temp_dir().join(format!("graph-sync-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("j");
        std::fs::write(&path, "# comment\nAAA\nbbb\nccc").unwrap();
        let (journal, done) = Journal::open(&path).unwrap();
        let mut done: Vec<String> = done.into_iter().collect();
        done.sort();
        assert_eq!(done, ["aaa", "bbb"]);
        journal.record("ddd").unwrap();
        drop(journal);
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .ends_with("ccc\nddd\n")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
