//! `graph-sync secrets set|show|clear`: arguments and examples.

use std::path::PathBuf;

use super::values::{SpArg, parse_sp_arg};
use clap::{Args, Subcommand};

use crate::secrets_file::FileFormat;

pub(super) const SECRETS_EXAMPLES: &str = "\
Examples:
  graph-sync secrets set --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 \\
      --from secrets.toml
  graph-sync secrets set --sp appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b \\
      --from secrets.json --dry-run
  graph-sync secrets show --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6
  graph-sync secrets clear --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 Password";

const SET_EXAMPLES: &str = "\
FILE maps secret keys to values (TOML shown; JSON takes the same shapes):

  BaseAddress = \"https://scim.example.com/scim/v2\"   # a literal
  SyncAll = false                                     # a boolean
  SecretToken = { env = \"SCIM_TOKEN\" }                # an environment variable
  # SecretToken = { file = \"token.txt\" }              # a file, relative to FILE
  # SecretToken = { stdin = true }    # standard input (one key at most)

  [SyncNotificationSettings]
  Enabled = true
  Recipients = [\"ops@example.com\"]
  DeleteThresholdEnabled = true
  DeleteThresholdValue = 500

A value read from a file or stdin loses one trailing line ending (\\n or \\r\\n).
Values are never taken from the command line. FILE should be readable by you
alone (chmod 600); a warning is printed otherwise.

Examples:
  graph-sync secrets set --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 \\
      --from secrets.toml
  # with SecretToken = { stdin = true } in the file:
  vault read -field=token scim/app | graph-sync secrets set --sp \"$SP\" \\
      --from secrets.toml
  graph-sync secrets set --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 \\
      --from secrets.json --dry-run";

const SHOW_EXAMPLES: &str = "\
Graph returns saved values masked (\"*\"); this command lists the keys that are
set.

Examples:
  graph-sync secrets show --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6
  graph-sync --output json secrets show \\
      --sp appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b";

const CLEAR_EXAMPLES: &str = "\
Each KEY is sent with an empty value, which clears it. Keys whose value is a
JSON document (SyncNotificationSettings) cannot be cleared that way: Graph
rejects it, so graph-sync refuses before sending; save a document instead (e.g.
Enabled = false).

Examples:
  graph-sync secrets clear \\
      --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 Password ClientSecret
  graph-sync secrets clear \\
      --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 SecretToken --dry-run";

/// `graph-sync secrets …`.
#[derive(Debug, Subcommand)]
pub(crate) enum SecretsCommand {
    /// Save secrets from a TOML or JSON file (PUT …/synchronization/secrets).
    #[command(after_help = SET_EXAMPLES)]
    Set(SetArgs),
    /// List the keys that are set; Graph returns the values masked.
    #[command(after_help = SHOW_EXAMPLES)]
    Show(ShowArgs),
    /// Clear keys by saving them with an empty value.
    #[command(after_help = CLEAR_EXAMPLES)]
    Clear(ClearArgs),
}

/// `secrets set`.
#[derive(Debug, Args)]
pub(crate) struct SetArgs {
    /// The service principal: its object id, appId=GUID, or name:DISPLAY NAME (looked up;
    /// exactly one must match).
    #[arg(long, value_name = "OBJECT_ID|appId=GUID|name:NAME", value_parser = parse_sp_arg)]
    pub(crate) sp: SpArg,
    /// The secrets file (TOML or JSON) mapping keys to values.
    #[arg(long, value_name = "FILE")]
    pub(crate) from: PathBuf,
    /// The file's syntax (default: from its extension).
    #[arg(long, value_enum)]
    pub(crate) format: Option<FileFormat>,
    /// Send keys that are not among the 45 documented ones.
    #[arg(long)]
    pub(crate) allow_unknown_keys: bool,
    /// Refuse values that break a rule graph-sync infers but the documentation does not fix
    /// (e.g. a BaseAddress that is not a URL); by default they are sent with a warning.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Print the request that would be sent, values redacted, and send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// `secrets show`.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The service principal: its object id, appId=GUID, or name:DISPLAY NAME (looked up;
    /// exactly one must match).
    #[arg(long, value_name = "OBJECT_ID|appId=GUID|name:NAME", value_parser = parse_sp_arg)]
    pub(crate) sp: SpArg,
}

/// `secrets clear`.
#[derive(Debug, Args)]
pub(crate) struct ClearArgs {
    /// The service principal: its object id, appId=GUID, or name:DISPLAY NAME (looked up;
    /// exactly one must match).
    #[arg(long, value_name = "OBJECT_ID|appId=GUID|name:NAME", value_parser = parse_sp_arg)]
    pub(crate) sp: SpArg,
    /// The keys to clear.
    #[arg(value_name = "KEY", required = true)]
    pub(crate) keys: Vec<String>,
    /// Clear keys that are not among the 45 documented ones.
    #[arg(long)]
    pub(crate) allow_unknown_keys: bool,
    /// Print the request that would be sent and send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Clear without asking (needed when not on a terminal).
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
}
