//! `graph-sync schema get|put`: arguments and examples.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Change, JobRef};

pub(super) const SCHEMA_EXAMPLES: &str = "\
Examples:
  graph-sync schema get --sp \"$SP\" --job \"$JOB\" --out schema.json
  graph-sync schema put --sp \"$SP\" --job \"$JOB\" --from schema.json";

const SCHEMA_GET_EXAMPLES: &str = "\
Without --out the schema (JSON) is printed on stdout.

Examples:
  graph-sync schema get --sp \"$SP\" --job scim.0a1b2c3d4e5f --out schema.json
  graph-sync schema get --sp \"$SP\" --job scim.0a1b2c3d4e5f \\
      | jq '.synchronizationRules[].id'";

const SCHEMA_PUT_EXAMPLES: &str = "\
This is a FULL REPLACE: the job's schema becomes exactly FILE. Start from
`schema get`, edit, then put it back; anything left out of FILE is gone from the
job.

Examples:
  graph-sync schema get --sp \"$SP\" --job scim.0a1b2c3d4e5f --out schema.json
  $EDITOR schema.json
  graph-sync schema put --sp \"$SP\" --job scim.0a1b2c3d4e5f --from schema.json";

/// `graph-sync schema …`.
#[derive(Debug, Subcommand)]
pub(crate) enum SchemaCommand {
    /// Read a job's schema (JSON), to stdout or a file.
    #[command(after_help = SCHEMA_GET_EXAMPLES)]
    Get(SchemaGetArgs),
    /// Replace a job's schema with a JSON file. A full replace: what FILE leaves out is gone.
    #[command(after_help = SCHEMA_PUT_EXAMPLES)]
    Put(SchemaPutArgs),
}

/// `schema get`.
#[derive(Debug, Args)]
pub(crate) struct SchemaGetArgs {
    /// The service principal and job.
    #[command(flatten)]
    pub(crate) target: JobRef,
    /// Write the schema to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

/// `schema put`.
#[derive(Debug, Args)]
pub(crate) struct SchemaPutArgs {
    /// The service principal and job.
    #[command(flatten)]
    pub(crate) target: JobRef,
    /// The whole new schema, as JSON (e.g. edited output of `schema get`).
    #[arg(long, value_name = "FILE")]
    pub(crate) from: PathBuf,
    /// Dry run and confirmation.
    #[command(flatten)]
    pub(crate) change: Change,
}
