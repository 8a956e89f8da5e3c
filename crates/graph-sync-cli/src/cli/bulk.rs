//! `graph-sync bulk secrets`: arguments and examples.

use std::path::PathBuf;

use clap::{Args, Subcommand};

pub(super) const BULK_EXAMPLES: &str = "\
Examples:
  graph-sync bulk secrets --csv apps.csv
  graph-sync bulk secrets --csv apps.csv --concurrency 16 \\
      --journal /var/tmp/apps.journal";

const BULK_SECRETS_EXAMPLES: &str = "\
The CSV file: a header `sp` then one column per secret key; one row per service
principal (object id or appId=GUID). A cell is env:NAME (an environment
variable), file:PATH (a file, relative to the CSV file, less one trailing line
ending), literal:TEXT (TEXT as is), empty (the key is not sent for that row), or
anything else as literal text:

  sp,BaseAddress,SecretToken
  3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6,https://scim.example.com/a,env:TOKEN_A
  appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b,https://scim.example/b,file:b.txt

Every cell is checked before anything is sent. A file with literal values should
be readable by you alone (chmod 600); a warning is printed otherwise.

Each service principal whose secrets were saved is appended to the journal
(default FILE.journal) at once; running the same command again skips them, so an
interrupted run resumes where it stopped and retries only failures. Delete the
journal to start over. Requests share one throttle gate: a 429 with Retry-After
pauses them all. A progress bar (rate, ETA) is drawn on stderr when it is a
terminal. Exit code 4 when some failed; each failure is listed with its
request-id.

Examples:
  TOKEN_A=... graph-sync bulk secrets --csv apps.csv
  graph-sync --output json bulk secrets --csv apps.csv --concurrency 4";

/// `graph-sync bulk …`.
#[derive(Debug, Subcommand)]
pub(crate) enum BulkCommand {
    /// Save secrets for every service principal in a CSV file.
    #[command(after_help = BULK_SECRETS_EXAMPLES)]
    Secrets(BulkSecretsArgs),
}

/// `bulk secrets`.
#[derive(Debug, Args)]
pub(crate) struct BulkSecretsArgs {
    /// The CSV file: `sp` and one column per secret key.
    #[arg(long, value_name = "FILE")]
    pub(crate) csv: PathBuf,
    /// How many service principals are saved at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) concurrency: u16,
    /// The journal of finished service principals (default: FILE.journal).
    #[arg(long, value_name = "PATH")]
    pub(crate) journal: Option<PathBuf>,
    /// Accept key columns that are not among the 45 documented ones.
    #[arg(long)]
    pub(crate) allow_unknown_keys: bool,
    /// Refuse values that break a rule graph-sync infers but the documentation does not fix
    /// (e.g. a BaseAddress that is not a URL); by default they are sent with a warning.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Print the PUT each service principal would get (secret values redacted) and send
    /// nothing; rows the journal lists as done are skipped, and the journal is not created.
    #[arg(long)]
    pub(crate) dry_run: bool,
}
