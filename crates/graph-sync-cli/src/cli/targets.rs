//! The service principal (and job) a command addresses, shared by every command's arguments.

use super::values::{SpArg, parse_sp_arg};
use clap::Args;
use graph_sync_api::model::JobId;

/// The service principal and job most commands address.
#[derive(Debug, Clone, Args)]
pub(crate) struct JobRef {
    /// The service principal: its object id, appId=GUID, or name:DISPLAY NAME (looked up;
    /// exactly one must match).
    #[arg(long, value_name = "OBJECT_ID|appId=GUID|name:NAME", value_parser = parse_sp_arg)]
    pub(crate) sp: SpArg,
    /// The job id (from `jobs list`).
    #[arg(long, value_name = "JOB")]
    pub(crate) job: JobId,
}

/// Just the service principal.
#[derive(Debug, Clone, Args)]
pub(crate) struct SpRef {
    /// The service principal: its object id, appId=GUID, or name:DISPLAY NAME (looked up;
    /// exactly one must match).
    #[arg(long, value_name = "OBJECT_ID|appId=GUID|name:NAME", value_parser = parse_sp_arg)]
    pub(crate) sp: SpArg,
}

/// `--dry-run` and `--yes`, for a command that changes something.
#[derive(Debug, Clone, Args)]
pub(crate) struct Change {
    /// Print the exact request(s), secret values redacted, and send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Do it without asking. A destructive command asks on a terminal and needs --yes
    /// otherwise.
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
}

/// A job, for a command that changes it.
#[derive(Debug, Clone, Args)]
pub(crate) struct JobChange {
    /// The service principal and job.
    #[command(flatten)]
    pub(crate) target: JobRef,
    /// Dry run and confirmation.
    #[command(flatten)]
    pub(crate) change: Change,
}
