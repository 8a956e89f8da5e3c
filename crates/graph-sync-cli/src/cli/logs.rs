//! `graph-sync logs`, `logs show`, `logs summary`: arguments and examples.

use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};

use super::values::parse_duration;

pub(super) const LOGS_EXAMPLES: &str = "\
The provisioning logs (GET /auditLogs/provisioning): one event per object the
service processed, newest first. Filters are joined with `and` and, like the
service's, case-sensitive. --since and --until take a time (RFC 3339) or a
duration back from now (2h, 30m). Needs AuditLog.Read.All and
Directory.Read.All; not available in the China cloud.

Examples:
  # Why did this user not provision?
  graph-sync logs --source-id 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f
  graph-sync logs show 75b5b0ae-9fc5-8d0e-e0a9-7a6a4728de56

  # Failures of one job in the last day, every page
  graph-sync logs --job \"$JOB\" --status failure --since 24h --all

  # Follow new events as they come (NDJSON for scripts)
  graph-sync logs --job \"$JOB\" --follow
  graph-sync -o ndjson logs --follow --interval 30s | jq .provisioningAction

  # Per cycle: start, end, changes, users, action x status
  graph-sync logs summary --job \"$JOB\" --since 7d";

const SHOW_EXAMPLES: &str = "\
Examples:
  graph-sync logs show 75b5b0ae-9fc5-8d0e-e0a9-7a6a4728de56
  graph-sync -o json logs show \"$EVENT\"";

const SUMMARY_EXAMPLES: &str = "\
The statistics MSIdentityTools' Get-MsIdProvisioningLogStatistics
-SummarizeByCycleId computes: per cycle, the first and last activity, distinct
changes and users, and counts per action and status.

Examples:
  graph-sync logs summary --job \"$JOB\"
  graph-sync -o json logs summary --sp \"$SP\" --since 24h";

/// `graph-sync logs …`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct LogsArgs {
    /// `show` or `summary`; without one, the events are listed.
    #[command(subcommand)]
    pub(crate) command: Option<LogsCommand>,
    /// The listing.
    #[command(flatten)]
    pub(crate) list: LogsListArgs,
}

/// `logs show`, `logs summary`.
#[derive(Debug, Subcommand)]
pub(crate) enum LogsCommand {
    /// One event, step by step: import, scoping, matching, processing, export.
    #[command(after_help = SHOW_EXAMPLES)]
    Show(LogsShowArgs),
    /// Per cycle: start, end, changes, users, counts per action and status.
    #[command(after_help = SUMMARY_EXAMPLES)]
    Summary(Box<LogsSummaryArgs>),
}

/// `logs show`.
#[derive(Debug, Args)]
pub(crate) struct LogsShowArgs {
    /// The event's id (the EVENT column of `logs`).
    pub(crate) id: String,
}

/// `logs summary`.
#[derive(Debug, Args)]
pub(crate) struct LogsSummaryArgs {
    /// Which events.
    #[command(flatten)]
    pub(crate) filter: LogsFilterArgs,
}

/// The filters, each a documented `$filter` criterion.
#[derive(Debug, Args, Default, Clone)]
pub(crate) struct LogsFilterArgs {
    /// The job (`jobId eq`).
    #[arg(long, value_name = "JOB")]
    pub(crate) job: Option<String>,
    /// One cycle of the job (`cycleId eq`).
    #[arg(long, value_name = "ID")]
    pub(crate) cycle: Option<String>,
    /// One change (`changeId eq`).
    #[arg(long, value_name = "ID")]
    pub(crate) change: Option<String>,
    /// The service principal's object id (`servicePrincipal/id eq`).
    #[arg(long, value_name = "ID")]
    pub(crate) sp: Option<String>,
    /// The object's id in the source, e.g. the user's object id (`sourceIdentity/id eq`).
    #[arg(long, value_name = "ID")]
    pub(crate) source_id: Option<String>,
    /// The object's id in the target (`targetIdentity/id eq`).
    #[arg(long, value_name = "ID")]
    pub(crate) target_id: Option<String>,
    /// Part of the source object's display name (`contains(sourceIdentity/displayName, …)`).
    #[arg(long, value_name = "TEXT")]
    pub(crate) name: Option<String>,
    /// What was done (`provisioningAction eq`).
    #[arg(long, value_enum)]
    pub(crate) action: Option<ActionArg>,
    /// How it ended (`provisioningStatusInfo/status eq`).
    #[arg(long, value_enum)]
    pub(crate) status: Option<StatusArg>,
    /// Only events after this time or duration ago (`activityDateTime gt`).
    #[arg(long, value_name = "TIME|DURATION", value_parser = parse_when)]
    pub(crate) since: Option<When>,
    /// Only events before this time or duration ago (`activityDateTime lt`).
    #[arg(long, value_name = "TIME|DURATION", value_parser = parse_when)]
    pub(crate) until: Option<When>,
}

/// `logs` (the listing).
#[derive(Debug, Args, Default)]
pub(crate) struct LogsListArgs {
    /// Which events.
    #[command(flatten)]
    pub(crate) filter: LogsFilterArgs,
    /// Print at most this many events (default 50, unless --all or --follow).
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub(crate) max: Option<u64>,
    /// Print every matching event, page after page.
    #[arg(long)]
    pub(crate) all: bool,
    /// Oldest first (default: newest first, the service's order).
    #[arg(long)]
    pub(crate) oldest_first: bool,
    /// Keep polling for new events (oldest first, each printed once) until Ctrl-C,
    /// --timeout or --max.
    #[arg(long, conflicts_with_all = ["all", "oldest_first"])]
    pub(crate) follow: bool,
    /// How often --follow polls.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration, requires = "follow")]
    pub(crate) interval: Duration,
    /// How long --follow runs at most (default: until Ctrl-C or --max).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "follow")]
    pub(crate) timeout: Option<Duration>,
    /// How late an event may appear in the logs after it happened: --follow reads this far
    /// back on every poll and prints each event once.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration, requires = "follow")]
    pub(crate) lag: Duration,
}

/// `--action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ActionArg {
    /// `create`.
    Create,
    /// `update`.
    Update,
    /// `delete`.
    Delete,
    /// `disable`.
    Disable,
    /// `stagedDelete`.
    #[value(name = "staged-delete")]
    StagedDelete,
    /// `other` (e.g. skipped before an action was chosen).
    Other,
}

/// `--status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatusArg {
    /// `success`.
    Success,
    /// `failure`.
    Failure,
    /// `skipped`.
    Skipped,
    /// `warning`.
    Warning,
}

/// A point in time given on the command line: a timestamp, or a duration back from now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum When {
    /// An RFC 3339 timestamp.
    At(graph_sync_api::model::Timestamp),
    /// This long before the command runs.
    Ago(Duration),
}

/// Reads `--since`/`--until`: `2026-11-29T10:00:00Z` or `2h`.
fn parse_when(text: &str) -> Result<When, String> {
    if let Ok(duration) = parse_duration(text) {
        return Ok(When::Ago(duration));
    }
    match graph_sync_api::model::Timestamp::parse(text.trim()) {
        Ok(at) if at.value().is_some() => Ok(When::At(at)),
        _ => Err(format!(
            "{text:?} is neither a time (RFC 3339, e.g. 2026-11-29T10:00:00Z) nor a duration (e.g. 2h)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_timestamps_or_durations_back() {
        assert_eq!(
            parse_when("90m").unwrap(),
            When::Ago(Duration::from_secs(5400))
        );
        assert!(matches!(
            parse_when("2026-11-29T10:00:00+01:00").unwrap(),
            When::At(_)
        ));
        assert!(parse_when("yesterday").is_err());
        assert!(parse_when("0001-01-01T00:00:00Z").is_err());
    }
}
