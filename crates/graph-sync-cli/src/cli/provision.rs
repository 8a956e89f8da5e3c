//! `graph-sync provision` and `provision-on-demand`: arguments and examples.

use std::path::PathBuf;

use clap::Args;

use super::JobRef;
use super::values::parse_subject;

pub(super) const PROVISION_ON_DEMAND_EXAMPLES: &str = "\
RULE is a synchronization rule id from the job's schema (`schema get`). Each
--subject is an object id, optionally followed by :TYPE (default User), e.g. a
group: GUID:Group. The service allows 5 requests per 10 seconds per job.

Examples:
  graph-sync provision-on-demand --sp \"$SP\" --job scim.0a1b2c3d4e5f \\
      --rule 03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8 \\
      --subject 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f
  graph-sync provision-on-demand --sp \"$SP\" --job \"$JOB\" --rule \"$RULE\" \\
      --subject 2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901:Group";

pub(super) const PROVISION_EXAMPLES: &str = "\
The manifest (TOML):

  service_principal = \"3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6\"   # or \"appId=GUID\"
  template = \"scim\"                  # a template id from `templates list`
  start = true                       # default true
  wait_active_timeout = \"5m\"         # how long to wait for Active (default 5m)
  poll_interval = \"5s\"               # how often to read the job (default 5s)

  [secrets]                          # the same values as a `secrets set` file
  BaseAddress = \"https://scim.example.com/scim/v2\"
  SecretToken = { env = \"SCIM_TOKEN\" }

Steps, each printed as it happens: find the job made from the template (or
create it), validate the credentials, save the secrets, start, wait until
Active.

Running it again changes nothing when the setup is finished: the job exists, is
Active (unless start = false) and every key the manifest names is saved. Saved
keys the manifest does not name are reported and kept (--prune clears them).
Values cannot be compared, because Graph returns them masked: after rotating a
value, pass --force-secrets. --dry-run reads the current state and prints the
plan without changing anything.

Examples:
  SCIM_TOKEN=\"$(vault read -field=token scim/app)\" graph-sync provision \\
      --manifest app.toml
  graph-sync provision --manifest app.toml --dry-run
  graph-sync provision --manifest app.toml --force-secrets
  graph-sync provision --manifest app.toml --prune
  graph-sync --output json provision --manifest app.toml";

/// `provision`.
#[derive(Debug, Args)]
pub(crate) struct ProvisionArgs {
    /// The manifest (TOML): service principal, template, secrets, options.
    #[arg(long, value_name = "FILE")]
    pub(crate) manifest: PathBuf,
    /// Validate and save the secrets even when the saved keys already match the manifest.
    #[arg(long)]
    pub(crate) force_secrets: bool,
    /// Clear the saved secret keys the manifest does not name (by default they are reported
    /// and kept).
    #[arg(long)]
    pub(crate) prune: bool,
    /// Refuse values that break a rule graph-sync infers but the documentation does not fix
    /// (e.g. a BaseAddress that is not a URL); by default they are sent with a warning.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Read the current state and print the plan; change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// `provision-on-demand`.
#[derive(Debug, Args)]
pub(crate) struct ProvisionOnDemandArgs {
    /// The service principal and job.
    #[command(flatten)]
    pub(crate) target: JobRef,
    /// The synchronization rule id (from the schema's synchronizationRules).
    #[arg(long, value_name = "ID")]
    pub(crate) rule: String,
    /// An object to provision: OBJECT_ID or OBJECT_ID:TYPE (TYPE defaults to User).
    #[arg(long = "subject", value_name = "OBJECT_ID[:TYPE]", required = true, value_parser = parse_subject)]
    pub(crate) subjects: Vec<(String, String)>,
    /// Print the request that would be sent and send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}
