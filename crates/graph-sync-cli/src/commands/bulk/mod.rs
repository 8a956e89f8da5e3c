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

mod journal;
mod rows;

use std::collections::HashSet;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use graph_sync_api::model::{Secrets, ServicePrincipalRef};
use graph_sync_api::{Bulk, GraphSyncClient};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use zeroize::Zeroizing;

use crate::cli::{BulkCommand, BulkSecretsArgs};
use crate::commands::Context;
use crate::commands::target::secrets_api;
use crate::dry_run::{self, CapturingTransport};
use crate::exit::{Exit, Failure, exit_for};
use crate::interrupt;
use crate::limits::{CSV_CAP, read_file_capped};
use crate::output::{Report, Table};
use crate::secrets_file::{
    ParseOptions, advice, permission_warning, resolve_secrets, warn_or_refuse,
};
use crate::waits;
use journal::Journal;
use rows::CsvRow;
pub(crate) use rows::parse_csv;

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

/// Reads the CSV file: checks the header, every row, and resolves every value.
fn read_csv(path: &Path, allow_unknown_keys: bool, strict: bool) -> Result<Vec<Row>, Failure> {
    let bad = |message: String| Failure::Usage(format!("{}: {message}", path.display()));
    let bytes = Zeroizing::new(
        read_file_capped(path, CSV_CAP)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?,
    );
    let parsed = parse_csv(&bytes, ParseOptions { allow_unknown_keys }).map_err(bad)?;
    let mut rows = Vec::with_capacity(parsed.rows.len());
    let mut warnings = Vec::new();
    for CsvRow { line, sp, file } in parsed.rows {
        let at = |message: String| bad(format!("line {line}: {message}"));
        let secrets =
            resolve_secrets(file, path).map_err(|e| at(format!("service principal {sp}: {e}")))?;
        let advice =
            advice(&secrets).map_err(|refusal| at(format!("service principal {sp}: {refusal}")))?;
        warnings.extend(
            advice
                .into_iter()
                .map(|w| format!("line {line} ({sp}): {w}")),
        );
        rows.push(Row { sp, secrets });
    }
    warn_or_refuse(&path.display().to_string(), &warnings, strict)?;
    if let Some(warning) = permission_warning(path).filter(|_| parsed.literals) {
        eprintln!("{warning}");
    }
    Ok(rows)
}

/// The outcome of one service principal.
enum Outcome {
    Done,
    Failed(FailedRow),
    /// Not attempted: the run stopped early (authentication or permission refused).
    NotAttempted,
}

/// A row that failed, as listed at the end.
struct FailedRow {
    exit: Exit,
    status: Option<u16>,
    request_id: Option<String>,
    error: String,
}

impl FailedRow {
    fn from_error(error: &graph_sync_api::Error) -> Self {
        let service = error.as_service();
        Self {
            exit: exit_for(error),
            status: service.map(|s| s.status().as_u16()),
            request_id: service.and_then(|s| s.request_id()).map(str::to_owned),
            error: error.to_string(),
        }
    }

    /// Refused for authentication (401, no token) or permission (403).
    fn is_auth(&self) -> bool {
        self.exit == Exit::Auth || self.status == Some(403)
    }
}

/// How many first calls, all refused for authentication or permission, stop the run.
pub(crate) const FAIL_FAST_AFTER: usize = 5;

/// This run's counts, shared by the operations, the bar and the Ctrl-C report.
#[derive(Debug, Default)]
struct Tally {
    saved: AtomicUsize,
    failed: AtomicUsize,
    /// Calls refused for authentication or permission, counted while every call so far was.
    auth_refusals: AtomicUsize,
    /// Set once a call succeeded or failed otherwise: the run is not uniformly refused.
    mixed: AtomicBool,
    /// Set when the run stops early; later rows are not attempted.
    stopped: AtomicBool,
}

impl Tally {
    fn counts(&self) -> (usize, usize) {
        (
            self.saved.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
        )
    }

    /// Counts an outcome; returns true when this one made the run stop early.
    fn count(&self, outcome: &Outcome) -> bool {
        match outcome {
            Outcome::Done => {
                self.saved.fetch_add(1, Ordering::Relaxed);
                self.mixed.store(true, Ordering::Relaxed);
                false
            }
            Outcome::Failed(failed) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                if !failed.is_auth() {
                    self.mixed.store(true, Ordering::Relaxed);
                } else if !self.mixed.load(Ordering::Relaxed) {
                    let refusals = self.auth_refusals.fetch_add(1, Ordering::Relaxed) + 1;
                    if refusals >= FAIL_FAST_AFTER {
                        return !self.stopped.swap(true, Ordering::Relaxed);
                    }
                }
                false
            }
            Outcome::NotAttempted => false,
        }
    }
}

/// The command line that resumes this run: the same arguments, shell-quoted.
fn resume_command() -> String {
    let quoted: Vec<String> = std::env::args_os()
        .enumerate()
        .map(|(index, arg)| {
            let arg = arg.to_string_lossy().into_owned();
            let arg = if index == 0 {
                "graph-sync".to_owned()
            } else {
                arg
            };
            let plain = !arg.is_empty()
                && arg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
            if plain {
                arg
            } else {
                format!("'{}'", arg.replace('\'', r"'\''"))
            }
        })
        .collect();
    quoted.join(" ")
}

/// The progress bar on stderr (hidden unless stderr is a terminal): this run's rows only, so
/// the rate and ETA measure this run's work, with its saved and failed counts, in a line that
/// fits the terminal's width (a wider line would wrap, and every redraw would leave a row
/// behind).
fn progress_bar(todo: usize) -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(
            Some(u64::try_from(todo).unwrap_or(u64::MAX)),
            ProgressDrawTarget::stderr(),
        )
    } else {
        ProgressBar::hidden()
    };
    let width = usize::from(console::Term::stderr().size().1);
    bar.set_style(
        ProgressStyle::with_template(bar_template(width, todo))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                    let _ =
                        std::fmt::Write::write_fmt(out, format_args!("{:.1}/s", state.per_sec()));
                },
            ),
    );
    bar.set_message("0 saved, 0 failed");
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The bar's template for a terminal `width` columns wide and `todo` rows: the counts
/// (`12/500  10 saved, 2 failed`) always, then the rate and ETA, then a 30-column bar, each
/// only when the line still fits; below the counts' own width the message is cut to fit.
fn bar_template(width: usize, todo: usize) -> &'static str {
    let digits = todo.checked_ilog10().map_or(1, |log| {
        usize::try_from(log).unwrap_or(usize::MAX).saturating_add(1)
    });
    // `P/T  S saved, F failed`, every number at most `digits` wide.
    let counts = digits.saturating_mul(4).saturating_add(18);
    // `  1234.5/s  ETA 59m`.
    let with_rate = counts.saturating_add(20);
    // A 30-column bar and a space.
    if width > with_rate.saturating_add(31) {
        "{bar:30} {pos}/{len}  {msg}  {rate}  ETA {eta}"
    } else if width > with_rate {
        "{pos}/{len}  {msg}  {rate}  ETA {eta}"
    } else {
        "{pos}/{len} {wide_msg}"
    }
}

/// `bulk secrets --dry-run`: the PUT of every row not done yet, printed (secret-kind values
/// redacted), nothing sent. The journal is read when it exists, never created.
async fn dry_run(context: &Context, rows: Vec<Row>, journal_path: &Path) -> Result<(), Failure> {
    let (journal, done) = if journal_path.exists() {
        let (journal, done) = Journal::open(journal_path)?;
        (Some(journal), done)
    } else {
        (None, HashSet::new())
    };
    let transport = CapturingTransport::default();
    let client = context.dry_run_client(Arc::new(transport.clone()))?;
    let mut skipped = 0;
    for row in rows {
        if journal
            .as_ref()
            .is_some_and(|journal| done.contains(&journal.entry(&row.sp, &row.secrets)))
        {
            skipped += 1;
            continue;
        }
        secrets_api(&client, &row.sp)
            .put(&row.secrets)
            .await
            .map_err(|e| {
                Failure::api(
                    format!("saving secrets for service principal {}", row.sp),
                    e,
                )
            })?;
    }
    for request in transport.take() {
        context.print(&dry_run::report(&request));
    }
    if skipped > 0 {
        eprintln!(
            "{skipped} service principal(s) skipped: done according to {}",
            journal_path.display()
        );
    }
    Ok(())
}

async fn secrets(context: &Context, args: &BulkSecretsArgs) -> Result<(), Failure> {
    let rows = read_csv(&args.csv, args.allow_unknown_keys, args.strict)?;
    let journal_path = args.journal.clone().unwrap_or_else(|| {
        let mut name = args.csv.clone().into_os_string();
        name.push(".journal");
        PathBuf::from(name)
    });
    if args.dry_run {
        return dry_run(context, rows, &journal_path).await;
    }
    let (journal, done) = Journal::open(&journal_path)?;
    let total = rows.len();
    let todo: Vec<(Row, String)> = rows
        .into_iter()
        .map(|row| {
            let entry = journal.entry(&row.sp, &row.secrets);
            (row, entry)
        })
        .filter(|(_, entry)| !done.contains(entry))
        .collect();
    let skipped = total - todo.len();
    let client = context.client()?;

    if skipped > 0 {
        eprintln!(
            "Resuming: {skipped} of {total} service principal(s) already done according to {}",
            journal_path.display()
        );
    }
    let bar = progress_bar(todo.len());
    waits::set_bar(Some(bar.clone()));
    let tally = Arc::new(Tally::default());
    {
        let tally = Arc::clone(&tally);
        let journal_path = journal_path.clone();
        let todo_count = todo.len();
        interrupt::set_report(move || {
            let (saved, failed) = tally.counts();
            format!(
                "interrupted (Ctrl-C): bulk secrets saved {saved} service principal(s) in this \
                 run (recorded in the journal {}), {failed} failed, {} not finished (a request \
                 in flight may or may not have reached the service); {skipped} were already \
                 done.\nResume with: {}",
                journal_path.display(),
                todo_count.saturating_sub(saved).saturating_sub(failed),
                resume_command()
            )
        });
    }

    let journal = Arc::new(journal);
    let sps: Vec<ServicePrincipalRef> = todo.iter().map(|(row, _)| row.sp.clone()).collect();
    let operations = todo.into_iter().map(|(row, entry)| {
        let journal = Arc::clone(&journal);
        let bar = bar.clone();
        let tally = Arc::clone(&tally);
        move |client: GraphSyncClient| async move {
            if tally.stopped.load(Ordering::Relaxed) {
                return Ok::<_, graph_sync_api::Error>(Outcome::NotAttempted);
            }
            let result = secrets_api(&client, &row.sp).put(&row.secrets).await;
            let outcome = match result {
                Ok(()) => match journal.record(&entry) {
                    Ok(()) => Outcome::Done,
                    Err(e) => Outcome::Failed(FailedRow {
                        exit: Exit::Service,
                        status: None,
                        request_id: None,
                        error: format!("saved, but the journal could not be written: {e}"),
                    }),
                },
                Err(error) => Outcome::Failed(FailedRow::from_error(&error)),
            };
            if tally.count(&outcome) {
                bar.suspend(|| {
                    eprintln!(
                        "Stopping: the first {FAIL_FAST_AFTER} calls were all refused for \
                         authentication or permission (401/403); the rest would be too. Check \
                         the credential and its Synchronization.ReadWrite.All permission."
                    );
                });
            }
            let (saved, failed) = tally.counts();
            bar.set_message(format!("{saved} saved, {failed} failed"));
            bar.inc(1);
            Ok(outcome)
        }
    });
    let results = Bulk::new(&client)
        .with_concurrency(usize::from(args.concurrency))
        .run(operations)
        .await;
    bar.finish_and_clear();
    waits::set_bar(None);

    let mut failures = Vec::new();
    let mut not_attempted = 0_usize;
    for (sp, result) in sps.iter().zip(results) {
        match result {
            Ok(Outcome::Done) => {}
            Ok(Outcome::NotAttempted) => not_attempted += 1,
            Ok(Outcome::Failed(failed)) => failures.push((sp, failed)),
            Err(error) => failures.push((sp, FailedRow::from_error(&error))),
        }
    }
    let (succeeded, _) = tally.counts();
    let stopped = tally.stopped.load(Ordering::Relaxed);
    interrupt::record(format!(
        "bulk secrets saved {succeeded} service principal(s)"
    ));

    let mut text = format!(
        "Bulk secrets from {}: {total} service principal(s): {succeeded} saved now, {skipped} \
         already done (journal {}), {} failed{}.",
        args.csv.display(),
        journal_path.display(),
        failures.len(),
        if not_attempted > 0 {
            format!(", {not_attempted} not attempted")
        } else {
            String::new()
        }
    );
    if !failures.is_empty() {
        let mut table = Table::new(&["SERVICE PRINCIPAL", "STATUS", "REQUEST-ID", "ERROR"]);
        for (sp, failed) in &failures {
            table.row([
                sp.to_string(),
                failed
                    .status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".to_owned()),
                failed.request_id.clone().unwrap_or_else(|| "-".to_owned()),
                failed.error.clone(),
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
            "notAttempted": not_attempted,
            "stoppedEarly": stopped,
            "failed": failures.iter().map(|(sp, failed)| json!({
                "servicePrincipal": sp.to_string(),
                "status": failed.status,
                "requestId": failed.request_id,
                "error": failed.error,
            })).collect::<Vec<_>>(),
        }),
        tsv: None,
    });
    if failures.is_empty() {
        return Ok(());
    }
    if stopped {
        return Err(Failure::Auth(format!(
            "stopped after the first {FAIL_FAST_AFTER} calls were all refused for \
             authentication or permission; {not_attempted} service principal(s) were not \
             attempted. Fix the credential, then run the same command again"
        )));
    }
    let message = format!(
        "{} of {} service principal(s) failed; run the same command again to retry only those \
         (the journal keeps the others)",
        failures.len(),
        total - skipped
    );
    if succeeded == 0 && failures.iter().all(|(_, failed)| failed.exit == Exit::Auth) {
        return Err(Failure::Auth(message));
    }
    Err(Failure::Partial(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_drops_what_does_not_fit_the_width() {
        assert!(bar_template(100, 16).starts_with("{bar:30}"));
        assert!(bar_template(60, 16).starts_with("{pos}/{len}  {msg}  {rate}"));
        assert_eq!(bar_template(40, 16), "{pos}/{len} {wide_msg}");
        assert_eq!(
            bar_template(100, 10_000_000),
            "{pos}/{len}  {msg}  {rate}  ETA {eta}"
        );
        assert_eq!(bar_template(0, 0), "{pos}/{len} {wide_msg}");
        assert_eq!(bar_template(usize::MAX, usize::MAX).len(), 46);
    }
}
