//! `graph-sync logs`, `logs show ID`, `logs summary`: the provisioning logs.
//!
//! Listing streams: each page is printed as it arrives and dropped, so memory is one page
//! whatever the number of events (`--output json` prints one JSON array, item by item;
//! `ndjson` one event per line). `--follow` polls oldest first from the newest event seen,
//! reading `--lag` further back each time so that an event that reaches the logs late is not
//! missed, and prints each event once: it remembers the ids of the events inside that window
//! only, so its memory is bounded by how many events the window holds, not by how long it
//! runs.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use graph_sync_api::model::audit::{ProvisioningObjectSummary, ProvisioningStep};
use graph_sync_api::model::{CycleSummary, ProvisioningAction, ProvisioningResult, Timestamp};
use graph_sync_api::{GraphSyncClient, LogFilter, LogOrder, LogQuery, TextMatch};
use serde_json::json;
use time::OffsetDateTime;

use crate::cli::{ActionArg, LogsArgs, LogsCommand, LogsFilterArgs, LogsListArgs, StatusArg, When};
use crate::commands::Context;
use crate::commands::target::deadline_after;
use crate::exit::Failure;
use crate::output::{self, OutputFormat, Report, Table, to_json};

/// How many events `logs` prints without `--max` or `--all`.
const DEFAULT_MAX: u64 = 50;
/// The page size `--follow` asks for.
const FOLLOW_PAGE: u32 = 100;

/// Runs `logs`, `logs show` or `logs summary`.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn run(context: &Context, args: LogsArgs) -> Result<(), Failure> {
    let client = context.client()?;
    match args.command {
        Some(LogsCommand::Show(show)) => show_event(context, &client, &show.id).await,
        Some(LogsCommand::Summary(summary)) => summarize(context, &client, &summary.filter).await,
        None if args.list.follow => follow(context, &client, &args.list).await,
        None => list(context, &client, &args.list).await,
    }
}

/// The criteria the flags name.
fn criteria(args: &LogsFilterArgs, now: SystemTime) -> LogQuery {
    let mut query = LogQuery::new();
    let text = |value: &Option<String>, make: fn(TextMatch) -> LogFilter| {
        value.as_ref().map(|v| make(TextMatch::equals(v.as_str())))
    };
    let filters = [
        text(&args.job, LogFilter::JobId),
        text(&args.cycle, LogFilter::CycleId),
        text(&args.change, LogFilter::ChangeId),
        args.sp
            .as_ref()
            .map(|sp| LogFilter::service_principal_id(sp.as_str())),
        text(&args.source_id, LogFilter::SourceIdentityId),
        text(&args.target_id, LogFilter::TargetIdentityId),
        args.name
            .as_ref()
            .map(|name| LogFilter::SourceIdentityName(TextMatch::contains(name.as_str()))),
        args.action
            .map(|action| LogFilter::Action(action_of(action))),
        args.status
            .map(|status| LogFilter::Status(status_of(status))),
        args.since
            .as_ref()
            .map(|when| LogFilter::After(instant(when, now))),
        args.until
            .as_ref()
            .map(|when| LogFilter::Before(instant(when, now))),
    ];
    for filter in filters.into_iter().flatten() {
        query = query.filter(filter);
    }
    query
}

fn action_of(action: ActionArg) -> ProvisioningAction {
    match action {
        ActionArg::Create => ProvisioningAction::Create,
        ActionArg::Update => ProvisioningAction::Update,
        ActionArg::Delete => ProvisioningAction::Delete,
        ActionArg::Disable => ProvisioningAction::Disable,
        ActionArg::StagedDelete => ProvisioningAction::StagedDelete,
        ActionArg::Other => ProvisioningAction::OtherAction,
    }
}

fn status_of(status: StatusArg) -> ProvisioningResult {
    match status {
        StatusArg::Success => ProvisioningResult::Success,
        StatusArg::Failure => ProvisioningResult::Failure,
        StatusArg::Skipped => ProvisioningResult::Skipped,
        StatusArg::Warning => ProvisioningResult::Warning,
    }
}

fn timestamp(at: SystemTime) -> Timestamp {
    Timestamp::from(OffsetDateTime::from(at))
}

/// `--since`/`--until` as a timestamp, a duration counted back from `now`.
fn instant(when: &When, now: SystemTime) -> Timestamp {
    match when {
        When::At(at) => at.clone(),
        When::Ago(ago) => timestamp(now.checked_sub(*ago).unwrap_or(SystemTime::UNIX_EPOCH)),
    }
}

fn listing_failure(error: graph_sync_api::Error) -> Failure {
    Failure::api("reading the provisioning logs", error)
}

/// Prints events as they come, in the `--output` format.
struct Printer {
    format: OutputFormat,
    printed: u64,
}

/// The columns of the event table and their widths (the last one is not padded).
const COLUMNS: &[(&str, usize)] = &[
    // Widths include the gap: a full activityDateTime (7 fractional digits and `Z`), the
    // longest action (`stagedDelete`), a whole GUID event id (to copy into `logs show`).
    ("TIME", 29),
    ("ACTION", 13),
    ("STATUS", 8),
    ("SOURCE", 30),
    ("EVENT", 37),
    ("REASON", 0),
];

impl Printer {
    fn new(format: OutputFormat, follow: bool) -> Self {
        // A stream that does not end cannot be one JSON array: --follow prints lines.
        let format = if follow && format == OutputFormat::Json {
            OutputFormat::Ndjson
        } else {
            format
        };
        Self { format, printed: 0 }
    }

    fn start(&self) {
        match self.format {
            OutputFormat::Table => output::stdout_line(format_args!(
                "{}",
                fixed(COLUMNS.iter().map(|(name, _)| (*name).to_owned()))
            )),
            OutputFormat::Json => output::write_stdout("["),
            OutputFormat::Ndjson | OutputFormat::Tsv => {}
        }
    }

    fn event(&mut self, event: &ProvisioningObjectSummary) {
        let json = to_json(event);
        match self.format {
            OutputFormat::Table => output::stdout_line(format_args!("{}", fixed(row(event)))),
            OutputFormat::Json => {
                let separator = if self.printed == 0 { "\n" } else { ",\n" };
                output::write_stdout(&format!("{separator}  {json}"));
            }
            OutputFormat::Ndjson => output::stdout_line(format_args!("{json}")),
            OutputFormat::Tsv => output::stdout_line(format_args!("{}", output::tsv(&json))),
        }
        self.printed = self.printed.saturating_add(1);
    }

    fn finish(&self) {
        if self.format == OutputFormat::Json {
            output::write_stdout(if self.printed == 0 { "]\n" } else { "\n]\n" });
        }
    }
}

/// A table line with fixed column widths, every cell sanitized and cut to its width.
fn fixed(cells: impl IntoIterator<Item = String>) -> String {
    let mut line = String::new();
    for ((_, width), cell) in COLUMNS.iter().zip(cells) {
        let cell = graph_sync_api::redact::sanitize(&cell).into_owned();
        if *width == 0 {
            line.push_str(&cell);
        } else {
            let shown: String = cell.chars().take(width.saturating_sub(1)).collect();
            let pad = width.saturating_sub(shown.chars().count());
            line.push_str(&shown);
            line.push_str(&" ".repeat(pad));
        }
    }
    line.trim_end().to_owned()
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

/// The cells of an event's row.
fn row(event: &ProvisioningObjectSummary) -> Vec<String> {
    let source = event.source_identity.get();
    let source = source
        .and_then(|s| s.display_name.as_deref().filter(|name| !name.is_empty()))
        .or_else(|| source.and_then(|s| s.id.as_deref()));
    let reason = event
        .error()
        .and_then(|e| e.error_code.as_deref().or(e.reason.as_deref()));
    vec![
        text(event.activity_date_time.get().map(Timestamp::as_str)),
        text(
            event
                .provisioning_action
                .get()
                .map(ProvisioningAction::as_str),
        ),
        text(event.status().map(ProvisioningResult::as_str)),
        text(source),
        text(event.id.as_deref()),
        text(reason),
    ]
}

async fn list(
    context: &Context,
    client: &GraphSyncClient,
    args: &LogsListArgs,
) -> Result<(), Failure> {
    let mut query = criteria(&args.filter, SystemTime::now());
    if args.oldest_first {
        query = query.order(LogOrder::OldestFirst);
    }
    let max = if args.all {
        None
    } else {
        Some(args.max.unwrap_or(DEFAULT_MAX))
    };
    if let Some(max) = max {
        // One page is enough to print --max events (and to see whether more follow).
        let page = u32::try_from(max.saturating_add(1))
            .unwrap_or(u32::MAX)
            .min(1000);
        query = query.top(page);
    }
    let mut events = client.provisioning_logs().list(&query);
    let mut printer = Printer::new(context.format(), false);
    printer.start();
    let mut more = false;
    while let Some(event) = events.next().await {
        let event = event.map_err(|error| {
            printer.finish();
            listing_failure(error)
        })?;
        if max.is_some_and(|max| printer.printed >= max) {
            more = true;
            break;
        }
        printer.event(&event);
    }
    printer.finish();
    if more {
        eprintln!("(more events match: --all prints every one, --max N more of them)");
    } else if printer.printed == 0 && context.format() == OutputFormat::Table {
        eprintln!("(no provisioning events match)");
    }
    Ok(())
}

/// What `--follow` holds between polls: the ids of the events printed that are still inside
/// the lag window (with their times), and where the next poll starts. Its size is bounded by
/// how many events the service logs in `lag` (plus one poll's new events until [`Follow::prune`]),
/// not by how long it runs.
#[derive(Debug)]
struct Follow {
    ids: HashMap<String, OffsetDateTime>,
    /// The newest event time seen.
    newest: Option<OffsetDateTime>,
    /// Nothing before this (`--since`).
    floor: OffsetDateTime,
    lag: Duration,
}

impl Follow {
    fn new(floor: OffsetDateTime, lag: Duration) -> Self {
        Self {
            ids: HashMap::new(),
            newest: None,
            floor,
            lag,
        }
    }

    /// `lag` as a time span (saturating).
    fn lag(&self) -> time::Duration {
        time::Duration::try_from(self.lag).unwrap_or(time::Duration::MAX)
    }

    /// Where the next poll starts: `lag` before the newest event seen, never before the floor.
    fn from(&self) -> OffsetDateTime {
        self.newest
            .and_then(|newest| newest.checked_sub(self.lag()))
            .map_or(self.floor, |from| from.max(self.floor))
    }

    /// Whether `event` is new; remembers it.
    fn admit(&mut self, event: &ProvisioningObjectSummary) -> bool {
        let Some(id) = event.id.get() else {
            return true;
        };
        let at = event
            .activity_date_time
            .get()
            .and_then(Timestamp::value)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        if self.ids.contains_key(id) {
            return false;
        }
        self.ids.insert(id.clone(), at);
        self.newest = self.newest.max(Some(at));
        true
    }

    /// Forgets the ids older than the window: the next poll starts after them, so they
    /// cannot come back.
    fn prune(&mut self) {
        if let Some(floor) = self.newest.and_then(|n| n.checked_sub(self.lag())) {
            self.ids.retain(|_, at| *at >= floor);
        }
    }
}

async fn follow(
    context: &Context,
    client: &GraphSyncClient,
    args: &LogsListArgs,
) -> Result<(), Failure> {
    let started = SystemTime::now();
    let base = criteria(
        &LogsFilterArgs {
            since: None,
            ..args.filter.clone()
        },
        started,
    );
    let since = args
        .filter
        .since
        .as_ref()
        .map_or_else(|| timestamp(started), |when| instant(when, started));
    let deadline = args.timeout.map(deadline_after);
    let mut window = Follow::new(
        since.value().unwrap_or(OffsetDateTime::UNIX_EPOCH),
        args.lag,
    );
    let mut printer = Printer::new(context.format(), true);
    printer.start();
    loop {
        let query = base
            .clone()
            .filter(LogFilter::After(Timestamp::from(window.from())))
            .order(LogOrder::OldestFirst)
            .top(FOLLOW_PAGE);
        let mut events = client.provisioning_logs().list(&query);
        while let Some(event) = events.next().await {
            let event = event.map_err(listing_failure)?;
            if window.admit(&event) {
                printer.event(&event);
                if args.max.is_some_and(|max| printer.printed >= max) {
                    return Ok(());
                }
            }
        }
        window.prune();
        let now = tokio::time::Instant::now();
        let wait = match deadline {
            Some(deadline) if now >= deadline => return Ok(()),
            Some(deadline) => args.interval.min(deadline - now),
            None => args.interval,
        };
        tokio::time::sleep(wait).await;
    }
}

async fn show_event(context: &Context, client: &GraphSyncClient, id: &str) -> Result<(), Failure> {
    let event = client
        .provisioning_logs()
        .get(id)
        .await
        .map_err(|e| Failure::api(format!("reading provisioning event {id}"), e))?;
    context.print(&Report {
        text: event_text(&event),
        json: to_json(&event),
        tsv: None,
    });
    Ok(())
}

/// An event for people: what, who, the outcome, then each step with its details, then the
/// attributes written.
fn event_text(event: &ProvisioningObjectSummary) -> String {
    let mut table = Table::new(&["FIELD", "VALUE"]);
    let identity = |side: Option<&graph_sync_api::model::audit::ProvisionedIdentity>| {
        side.map(|s| {
            format!(
                "{} {} ({})",
                s.identity_type.as_deref().unwrap_or_default(),
                s.display_name.as_deref().unwrap_or_default(),
                s.id.as_deref().unwrap_or_default()
            )
            .trim()
            .to_owned()
        })
    };
    let fields = [
        ("Event", event.id.get().cloned()),
        (
            "Time",
            event.activity_date_time.get().map(ToString::to_string),
        ),
        (
            "Action",
            event.provisioning_action.get().map(ToString::to_string),
        ),
        ("Status", event.status().map(ToString::to_string)),
        ("Job", event.job_id.get().cloned()),
        ("Cycle", event.cycle_id.get().cloned()),
        ("Change", event.change_id.get().cloned()),
        ("Source", identity(event.source_identity.get())),
        ("Target", identity(event.target_identity.get())),
        (
            "Systems",
            Some(format!(
                "{} -> {}",
                event
                    .source_system
                    .get()
                    .and_then(|s| s.display_name.as_deref())
                    .unwrap_or("?"),
                event
                    .target_system
                    .get()
                    .and_then(|s| s.display_name.as_deref())
                    .unwrap_or("?")
            )),
        ),
        (
            "Initiated by",
            event.initiated_by.get().map(|i| {
                format!(
                    "{} ({})",
                    i.display_name.as_deref().unwrap_or_default(),
                    i.initiator_type
                        .get()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                )
            }),
        ),
        (
            "Duration",
            event
                .duration_in_milliseconds
                .get()
                .map(|ms| format!("{ms} ms")),
        ),
        (
            "Error",
            event.error().and_then(|e| e.error_code.get().cloned()),
        ),
        (
            "Reason",
            event.error().and_then(|e| e.reason.get().cloned()),
        ),
        (
            "Recommended",
            event
                .error()
                .and_then(|e| e.recommended_action.get().cloned()),
        ),
    ];
    for (field, value) in fields {
        if let Some(value) = value {
            table.row([field.to_owned(), value]);
        }
    }
    let mut text = table.render();
    text.push_str("\n\nSteps:");
    for (index, step) in event.steps().iter().enumerate() {
        text.push_str(&step_text(
            index.saturating_add(1),
            step,
            event.failed_step() == Some(step),
        ));
    }
    let changes = event
        .modified_properties
        .get()
        .map_or(&[][..], Vec::as_slice);
    if !changes.is_empty() {
        let mut changed = Table::new(&["ATTRIBUTE", "OLD", "NEW"]);
        for change in changes {
            changed.row([
                text_of(change.display_name.get()),
                text_of(change.old_value.get()),
                text_of(change.new_value.get()),
            ]);
        }
        text.push_str("\n\nModified properties:\n");
        text.push_str(&changed.render());
    }
    text
}

fn text_of(value: Option<&String>) -> String {
    value.cloned().unwrap_or_default()
}

/// One step: `N. TYPE STATUS NAME`, its description, its details indented; the failing step
/// is marked.
fn step_text(number: usize, step: &ProvisioningStep, failing: bool) -> String {
    let clean = |text: &str| graph_sync_api::redact::sanitize(text).into_owned();
    let mut text = format!(
        "\n  {number}. {:<12} {:<8} {}{}",
        step.provisioning_step_type
            .get()
            .map(ToString::to_string)
            .unwrap_or_default(),
        step.status
            .get()
            .map(ToString::to_string)
            .unwrap_or_default(),
        clean(step.name.as_deref().unwrap_or_default()),
        if failing { "   <- failed here" } else { "" }
    );
    if let Some(description) = step.description.get() {
        text.push_str(&format!("\n     {}", clean(description)));
    }
    for (name, value) in step.details.get().map(|d| &d.extra).into_iter().flatten() {
        let value = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        text.push_str(&format!("\n       {}: {}", clean(name), clean(&value)));
    }
    text
}

async fn summarize(
    context: &Context,
    client: &GraphSyncClient,
    filter: &LogsFilterArgs,
) -> Result<(), Failure> {
    let query = criteria(filter, SystemTime::now()).order(LogOrder::OldestFirst);
    let mut events = client.provisioning_logs().list(&query);
    let mut summaries: Vec<CycleSummary> = Vec::new();
    while let Some(event) = events.next().await {
        let event = event.map_err(listing_failure)?;
        let cycle = event.cycle_id.get().map_or("", String::as_str);
        match summaries.iter_mut().find(|s| s.cycle_id == cycle) {
            Some(summary) => summary.add(&event),
            None => {
                let mut summary = CycleSummary::new(cycle);
                summary.add(&event);
                summaries.push(summary);
            }
        }
    }
    let json = json!({ "cycles": summaries });
    context.print(&Report {
        text: summary_text(&summaries),
        tsv: output::items_tsv(&json, "cycles"),
        json,
    });
    Ok(())
}

/// The summaries as MSIdentityTools writes them to the console.
fn summary_text(summaries: &[CycleSummary]) -> String {
    if summaries.is_empty() {
        return "No provisioning events match.".to_owned();
    }
    let mut blocks = Vec::new();
    for summary in summaries {
        let start = summary
            .start
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let end = summary
            .end
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let span = summary
            .start
            .as_ref()
            .and_then(Timestamp::value)
            .zip(summary.end.as_ref().and_then(Timestamp::value))
            .map(|(start, end)| format!(" ({:.3}s)", (end - start).as_seconds_f64()))
            .unwrap_or_default();
        let mut block = format!(
            "CycleId: {}\nJob: {}\nTimespan: {start} - {end}{span}\nTotal Changes: {}\nTotal Users: {}\n\n",
            summary.cycle_id,
            summary.job_id.as_deref().unwrap_or_default(),
            summary.changes,
            summary.users
        );
        block.push_str(&format!(
            "{:<12} {:>7} {:>7} {:>7} {:>7} {:>7}\n",
            "Action", "Success", "Failure", "Skipped", "Warning", "Total"
        ));
        block.push_str(&format!(
            "{:<12} {:>7} {:>7} {:>7} {:>7} {:>7}",
            "------", "-------", "-------", "-------", "-------", "-----"
        ));
        for row in &summary.actions {
            block.push_str(&format!(
                "\n{:<12} {:>7} {:>7} {:>7} {:>7} {:>7}",
                graph_sync_api::redact::sanitize(&row.action),
                row.success,
                row.failure,
                row.skipped,
                row.warning,
                row.total()
            ));
        }
        blocks.push(block);
    }
    blocks.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use graph_sync_api::model::Property;

    fn at(text: &str) -> OffsetDateTime {
        OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
    }

    fn event(id: &str, at: &str) -> ProvisioningObjectSummary {
        serde_json::from_value(json!({"id": id, "activityDateTime": at})).unwrap()
    }

    #[test]
    fn follow_prints_each_event_once_and_forgets_what_left_the_window() {
        let mut seen = Follow::new(OffsetDateTime::UNIX_EPOCH, Duration::from_secs(300));
        assert!(seen.admit(&event("a", "2026-11-29T10:00:00Z")));
        assert!(seen.admit(&event("b", "2026-11-29T10:04:00Z")));
        assert!(!seen.admit(&event("a", "2026-11-29T10:00:00Z")));
        assert!(seen.admit(&event("c", "2026-11-29T10:10:00Z")));
        seen.prune();
        // Only c is inside the 5-minute window behind the newest event.
        assert_eq!(seen.ids.len(), 1);
        assert!(seen.ids.contains_key("c"));
        assert_eq!(
            seen.from(),
            at("2026-11-29T10:05:00Z"),
            "the next poll starts a lag before the newest event"
        );
    }

    /// The service's answer to one `--follow` poll: every event logged after `from` up to
    /// `now`, oldest first, for a tenant that logs event N at `start` + N seconds.
    fn logged(
        start: OffsetDateTime,
        from: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Vec<ProvisioningObjectSummary> {
        let first = u64::try_from((from - start).whole_seconds()).unwrap_or(0);
        (first..)
            .map(|number| {
                let seconds = i64::try_from(number).unwrap();
                (number, start + time::Duration::seconds(seconds))
            })
            .skip_while(|(_, at)| *at <= from)
            .take_while(|(_, at)| *at <= now)
            .map(|(number, at)| {
                let mut event = ProvisioningObjectSummary::default();
                event.id = Property::Value(format!("event-{number}"));
                event.activity_date_time = Property::Value(Timestamp::from(at));
                event
            })
            .collect()
    }

    /// `--follow` over 6 hours of polls every 10 s (tokio's paused clock) against a tenant
    /// logging one event per second, lag 5 minutes: every event printed exactly once, and the
    /// ids held never exceed the window (300 s × 1/s) plus one poll's new events (10).
    #[tokio::test(start_paused = true)]
    async fn the_follow_window_stays_bounded_over_many_polls() {
        const POLLS: u32 = 2_160;
        let start = at("2026-11-29T00:00:00Z");
        let interval = Duration::from_secs(10);
        let lag = Duration::from_secs(300);
        let clock = tokio::time::Instant::now();
        let mut window = Follow::new(start, lag);
        let mut printed = std::collections::HashSet::new();
        let (mut most, mut bytes) = (0, 0);
        for _ in 0..POLLS {
            tokio::time::sleep(interval).await;
            let now = start + clock.elapsed();
            let answer = logged(start, window.from(), now);
            assert!(
                answer.len() <= 311,
                "a poll reads the lag window and one interval"
            );
            for event in &answer {
                if window.admit(event) {
                    assert!(
                        printed.insert(event.id.get().unwrap().clone()),
                        "printed twice"
                    );
                }
            }
            most = most.max(window.ids.len());
            window.prune();
            bytes = bytes.max(
                window.ids.capacity() * (size_of::<(String, OffsetDateTime)>() + 1)
                    + window.ids.keys().map(String::capacity).sum::<usize>(),
            );
        }
        // No gaps: every event logged after the start was printed (the first one, at the
        // floor itself, is not "after" it).
        let elapsed = clock.elapsed().as_secs();
        assert_eq!(elapsed, 21_600);
        assert_eq!(u64::try_from(printed.len()).unwrap(), elapsed);
        // Bounded: the lag window (301 ids, both ends included) plus one poll (10).
        assert!(most <= 311, "{most} ids held");
        assert_eq!(window.ids.len(), 301);
        eprintln!("follow window: at most {most} ids held, ~{bytes} bytes after a prune");
    }

    #[test]
    fn a_table_row_keeps_the_whole_time_action_and_event_id() {
        let mut logged = event(
            "bffde365-e99b-4d70-943e-7f80c57b23a1",
            "2026-11-29T14:03:11.0929484Z",
        );
        logged.provisioning_action = Property::Value(ProvisioningAction::StagedDelete);
        let line = fixed(row(&logged));
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cells,
            [
                "2026-11-29T14:03:11.0929484Z",
                "stagedDelete",
                "bffde365-e99b-4d70-943e-7f80c57b23a1"
            ],
            "{line}"
        );
    }

    #[test]
    fn criteria_follow_the_flags() {
        let args = LogsFilterArgs {
            job: Some("scim.1".into()),
            name: Some("Al".into()),
            action: Some(ActionArg::StagedDelete),
            status: Some(StatusArg::Skipped),
            since: Some(When::Ago(Duration::from_secs(3600))),
            ..LogsFilterArgs::default()
        };
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        assert_eq!(
            criteria(&args, now).filter_text().unwrap().unwrap(),
            "jobId eq 'scim.1' and contains(sourceIdentity/displayName,'Al') and \
             provisioningAction eq 'stagedDelete' and provisioningStatusInfo/status eq 'skipped' and \
             activityDateTime gt 2026-11-18T10:06:40Z"
        );
    }
}
