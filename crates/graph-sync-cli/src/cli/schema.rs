//! `graph-sync schema get|put|diff|apply|export|import`: arguments and examples.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Change, JobRef};

pub(super) const SCHEMA_EXAMPLES: &str = "\
Examples:
  graph-sync schema get --sp \"$SP\" --job \"$JOB\" --out schema.json
  graph-sync schema put --sp \"$SP\" --job \"$JOB\" --from schema.json
  graph-sync schema diff \"$SP:$JOB\" schema.json
  graph-sync schema apply --sp \"$SP\" --job \"$JOB\" --from schema.json
  graph-sync schema export --sp \"$DEV_SP\" --job \"$DEV_JOB\" --out app.json
  graph-sync schema import --sp \"$PROD_SP\" --job \"$PROD_JOB\" --from app.json";

const SCHEMA_DIFF_EXAMPLES: &str = "\
Each side is a file (a schema from `schema get`, or an export from `schema
export`) or a live job written SP:JOB. When either side is an export, both are
compared without job- and tenant-specific ids. The changes are those a PUT of
NEW would make to a job holding OLD; exit code 0 whether or not they differ.

Examples:
  graph-sync schema diff \"$SP:$JOB\" schema.json
  graph-sync schema diff dev.json \"$PROD_SP:$PROD_JOB\" -o json \\
      | jq '.changes[] | select(.subject == \"attributeMapping\")'";

const SCHEMA_APPLY_EXAMPLES: &str = "\
Shows what FILE changes in the job's schema, asks (on a terminal; --yes
otherwise), replaces the schema with FILE exactly as written, reads it back and
checks that the service holds what was sent (exit code 1 if not). Nothing is
sent when there is nothing to change.

Examples:
  graph-sync schema get --sp \"$SP\" --job \"$JOB\" --out schema.json
  $EDITOR schema.json
  graph-sync schema apply --sp \"$SP\" --job \"$JOB\" --from schema.json";

const SCHEMA_EXPORT_EXAMPLES: &str = "\
The export is the schema without what ties it to this job and tenant (schema id
and version, directory ids, versions and discovery times), with the job's
template id; `schema import` maps them from the job it is imported onto.

Examples:
  graph-sync schema export --sp \"$DEV_SP\" --job \"$DEV_JOB\" --out app.json
  graph-sync schema import --sp \"$PROD_SP\" --job \"$PROD_JOB\" \\
      --from app.json";

const SCHEMA_IMPORT_EXAMPLES: &str = "\
Maps the export's ids from the job's current schema, shows the changes, asks
(on a terminal; --yes otherwise), replaces the schema and verifies the read
back, as `schema apply`. An export from a job of another template is refused
unless --any-template. For another tenant, set that tenant's credentials.

Examples:
  graph-sync schema import --sp \"$PROD_SP\" --job \"$PROD_JOB\" \\
      --from app.json
  graph-sync schema import --sp \"$PROD_SP\" --job \"$PROD_JOB\" \\
      --from app.json --dry-run";

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
    /// Show what differs between two schemas: rules, object and attribute mappings,
    /// scoping filters, directories.
    #[command(after_help = SCHEMA_DIFF_EXAMPLES)]
    Diff(SchemaDiffArgs),
    /// Show the changes FILE makes, confirm, replace the schema, read it back and verify.
    #[command(after_help = SCHEMA_APPLY_EXAMPLES)]
    Apply(SchemaPutArgs),
    /// Write the schema without job- and tenant-specific ids, to copy it to another job.
    #[command(after_help = SCHEMA_EXPORT_EXAMPLES)]
    Export(SchemaGetArgs),
    /// Put an export on a job (ids mapped from its schema), with diff, confirmation and
    /// verification.
    #[command(after_help = SCHEMA_IMPORT_EXAMPLES)]
    Import(SchemaImportArgs),
}

/// `schema diff`.
#[derive(Debug, Args)]
pub(crate) struct SchemaDiffArgs {
    /// The schema before: a file, or a live job as SP:JOB.
    #[arg(value_name = "OLD")]
    pub(crate) old: String,
    /// The schema after: a file, or a live job as SP:JOB.
    #[arg(value_name = "NEW")]
    pub(crate) new: String,
}

/// `schema import`.
#[derive(Debug, Args)]
pub(crate) struct SchemaImportArgs {
    /// The job to import onto.
    #[command(flatten)]
    pub(crate) put: SchemaPutArgs,
    /// Import even when the export comes from a job of another template.
    #[arg(long)]
    pub(crate) any_template: bool,
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
