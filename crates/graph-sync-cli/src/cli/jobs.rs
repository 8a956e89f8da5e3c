//! `graph-sync jobs …`: arguments and examples.

use std::time::Duration;

use super::values::{SpArg, parse_sp_arg};
use clap::{Args, Subcommand, ValueEnum};
use graph_sync_api::model::TemplateId;

use super::values::parse_duration;
use super::{Change, JobChange, JobRef, SpRef};

pub(super) const JOBS_EXAMPLES: &str = "\
Examples:
  graph-sync jobs list --sp \"$SP\"
  graph-sync jobs create --sp \"$SP\" --template scim
  graph-sync jobs start --sp \"$SP\" --job \"$JOB\"
  graph-sync jobs status --sp \"$SP\" --job \"$JOB\" --watch
  graph-sync jobs restart --sp \"$SP\" --job \"$JOB\" \\
      --scope Watermark,QuarantineState";

const JOBS_LIST_EXAMPLES: &str = "\
Examples:
  graph-sync jobs list --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6
  graph-sync --output json jobs list \\
      --sp appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b";

const JOBS_SHOW_EXAMPLES: &str = "\
Examples:
  graph-sync jobs show --sp \"$SP\" --job scim.0a1b2c3d4e5f
  graph-sync --output json jobs show --sp \"$SP\" --job scim.0a1b2c3d4e5f";

const JOBS_CREATE_EXAMPLES: &str = "\
The template id comes from `graph-sync templates list`. A service principal that
already has a job from the template is refused (exit 2) unless
--allow-duplicate. With -o tsv only the new job's id is printed.

Examples:
  graph-sync jobs create --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 \\
      --template scim
  JOB=$(graph-sync jobs create --sp \"$SP\" --template scim -o tsv)";

const JOBS_START_EXAMPLES: &str = "\
Starting a quarantined job clears the quarantine and runs it; an active job is
left alone.

Examples:
  graph-sync jobs start --sp \"$SP\" --job scim.0a1b2c3d4e5f";

const JOBS_PAUSE_EXAMPLES: &str = "\
Examples:
  graph-sync jobs pause --sp \"$SP\" --job scim.0a1b2c3d4e5f";

const JOBS_RESTART_EXAMPLES: &str = "\
SCOPE is a comma-separated list of: Watermark, Escrows, QuarantineState, Full
(ForceDeletes needs care). The default is what the Entra admin center's restart
clears.

Examples:
  graph-sync jobs restart --sp \"$SP\" --job scim.0a1b2c3d4e5f
  graph-sync jobs restart --sp \"$SP\" --job scim.0a1b2c3d4e5f \\
      --scope QuarantineState";

const JOBS_DELETE_EXAMPLES: &str = "\
Examples:
  graph-sync jobs delete --sp \"$SP\" --job scim.0a1b2c3d4e5f";

const JOBS_STATUS_EXAMPLES: &str = "\
Shows the state, progress, last execution and quarantine reason. With --watch
the status is read every --interval: on a terminal the line is refreshed in
place; otherwise one line is printed per change (one JSON object per line with
--output json). --watch ends after --timeout, or as soon as the job reaches
--until.

Durations: 500ms, 5s, 2m, 1h (a bare number is seconds).

Examples:
  graph-sync jobs status --sp \"$SP\" --job scim.0a1b2c3d4e5f
  graph-sync jobs status --sp \"$SP\" --job scim.0a1b2c3d4e5f --watch \\
      --interval 10s
  graph-sync jobs status --sp \"$SP\" --job scim.0a1b2c3d4e5f --watch \\
      --until active --timeout 5m";

/// `graph-sync jobs …`.
#[derive(Debug, Subcommand)]
pub(crate) enum JobsCommand {
    /// List the service principal's jobs with their state.
    #[command(after_help = JOBS_LIST_EXAMPLES)]
    List(SpRef),
    /// Show one job: template, schedule, state, last execution, quarantine.
    #[command(after_help = JOBS_SHOW_EXAMPLES)]
    Show(JobRef),
    /// Create a job from a synchronization template.
    #[command(after_help = JOBS_CREATE_EXAMPLES)]
    Create(JobsCreateArgs),
    /// Start a job (or resume a paused one).
    #[command(after_help = JOBS_START_EXAMPLES)]
    Start(JobChange),
    /// Pause a job: it keeps its state and stops running.
    #[command(after_help = JOBS_PAUSE_EXAMPLES)]
    Pause(JobChange),
    /// Restart a job, clearing what --scope names.
    #[command(after_help = JOBS_RESTART_EXAMPLES)]
    Restart(RestartArgs),
    /// Delete a job.
    #[command(after_help = JOBS_DELETE_EXAMPLES)]
    Delete(JobChange),
    /// A job's state, progress, last execution and quarantine reason; --watch to follow it.
    #[command(after_help = JOBS_STATUS_EXAMPLES)]
    Status(StatusArgs),
}

/// `jobs create`.
#[derive(Debug, Args)]
pub(crate) struct CreateJobArgs {
    /// The service principal: its object id, appId=GUID, or name:DISPLAY NAME (looked up;
    /// exactly one must match).
    #[arg(long, value_name = "OBJECT_ID|appId=GUID|name:NAME", value_parser = parse_sp_arg)]
    pub(crate) sp: SpArg,
    /// The synchronization template id (from `templates list`).
    #[arg(long, value_name = "ID")]
    pub(crate) template: TemplateId,
}

/// `jobs create`.
#[derive(Debug, Args)]
pub(crate) struct JobsCreateArgs {
    /// The service principal and template.
    #[command(flatten)]
    pub(crate) target: CreateJobArgs,
    /// Create a job even when the service principal already has one from this template.
    #[arg(long)]
    pub(crate) allow_duplicate: bool,
    /// Print the request that would be sent and send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// `jobs restart`.
#[derive(Debug, Args)]
pub(crate) struct RestartArgs {
    /// The service principal and job.
    #[command(flatten)]
    pub(crate) target: JobRef,
    /// Dry run and confirmation.
    #[command(flatten)]
    pub(crate) change: Change,
    /// What to clear, comma-separated (default: Watermark, Escrows, QuarantineState).
    #[arg(long, value_name = "SCOPE")]
    pub(crate) scope: Option<String>,
}

/// `jobs status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// The service principal and job.
    #[command(flatten)]
    pub(crate) target: JobRef,
    /// Keep reading the status until --timeout (or --until).
    #[arg(long)]
    pub(crate) watch: bool,
    /// How often --watch reads the status.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration, requires = "watch")]
    pub(crate) interval: Duration,
    /// How long --watch runs at most.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration, requires = "watch")]
    pub(crate) timeout: Duration,
    /// Stop --watch as soon as the job is in this state (exit 1 if --timeout comes first).
    #[arg(long, value_enum, requires = "watch")]
    pub(crate) until: Option<UntilState>,
}

/// `jobs status --until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum UntilState {
    /// Running normally.
    Active,
    /// Quarantined.
    Quarantine,
    /// Paused.
    Paused,
    /// Anything but NotConfigured or NotRun: the job has settled.
    Settled,
}
