//! `graph-sync credentials validate`: arguments and examples.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::JobRef;
use crate::secrets_file::FileFormat;

pub(super) const CREDENTIALS_EXAMPLES: &str = "\
Examples:
  graph-sync credentials validate --sp \"$SP\" --job \"$JOB\" --from secrets.toml
  graph-sync credentials validate --sp \"$SP\" --job \"$JOB\" --saved";

const VALIDATE_EXAMPLES: &str = "\
With --from, the credentials in FILE (same format as `secrets set`) are checked
and not saved; with --saved, the credentials already saved on the service
principal are checked.

Examples:
  graph-sync credentials validate --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 \\
      --job scim.0a1b2c3d4e5f --from secrets.toml
  graph-sync credentials validate \\
      --sp appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b \\
      --job scim.0a1b2c3d4e5f --saved";

/// `graph-sync credentials …`.
#[derive(Debug, Subcommand)]
pub(crate) enum CredentialsCommand {
    /// Check credentials from a file, or the saved ones, against the target system.
    #[command(after_help = VALIDATE_EXAMPLES)]
    Validate(ValidateArgs),
}

/// `credentials validate`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["from", "saved"]))]
pub(crate) struct ValidateArgs {
    /// The service principal and job.
    #[command(flatten)]
    pub(crate) target: JobRef,
    /// A secrets file (TOML or JSON, as for `secrets set`) with the credentials to check.
    #[arg(long, value_name = "FILE")]
    pub(crate) from: Option<PathBuf>,
    /// Check the credentials already saved on the service principal.
    #[arg(long)]
    pub(crate) saved: bool,
    /// The file's syntax (default: from its extension).
    #[arg(long, value_enum, requires = "from")]
    pub(crate) format: Option<FileFormat>,
    /// Accept keys that are not among the 45 documented ones.
    #[arg(long)]
    pub(crate) allow_unknown_keys: bool,
    /// Refuse values that break a rule graph-sync infers but the documentation does not fix
    /// (e.g. a BaseAddress that is not a URL); by default they are sent with a warning.
    #[arg(long, requires = "from")]
    pub(crate) strict: bool,
}
