//! The command line, as clap types: global options, commands, their arguments and the examples
//! `--help` shows.
//!
//! No argument takes a secret value. Secrets come from the `--from` file (which may point to
//! environment variables, files or standard input), and tokens from an environment variable
//! (`GRAPH_SYNC_TOKEN`, or the one `--token-env` names).

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use graph_sync_api::Cloud;
use graph_sync_api::model::{JobId, SecretKey, ServicePrincipalRef, TemplateId};

use crate::exit::{Exit, Failure};
use crate::output::OutputFormat;
use crate::secrets_file::FileFormat;

const ROOT_EXAMPLES: &str = "\
Examples:
  # See the whole workflow against the embedded emulator
  graph-sync demo

  # Save provisioning secrets from a file (values may come from env, files or stdin)
  export GRAPH_SYNC_TOKEN=\"$(az account get-access-token \\
      --resource-type ms-graph --query accessToken -o tsv)\"
  graph-sync secrets set --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 --from secrets.toml

  # Read them back (masked) as JSON
  graph-sync --output json secrets show --sp appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b

  # The whole setup from a manifest; run again, it changes nothing
  graph-sync provision --manifest app.toml

  # Follow a job; the same secrets for many apps, resumable
  graph-sync jobs status --sp \"$SP\" --job \"$JOB\" --watch
  graph-sync bulk secrets --csv apps.csv --concurrency 8

Authentication (--auth auto takes the first that is configured):
  a bearer token in GRAPH_SYNC_TOKEN (or the variable --token-env names); the AZURE_*
  variables (client secret, certificate or federated token); App Service managed identity.
  --auth managed-identity also uses IMDS. Secrets are never accepted as arguments.";

const SECRETS_EXAMPLES: &str = "\
Examples:
  graph-sync secrets set --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 --from secrets.toml
  graph-sync secrets set --sp appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b --from secrets.json --dry-run
  graph-sync secrets show --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6
  graph-sync secrets clear --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 Password";

const SET_EXAMPLES: &str = "\
FILE maps secret keys to values (TOML shown; JSON takes the same shapes):

  BaseAddress = \"https://scim.example.com/scim/v2\"   # a literal
  SyncAll = false                                     # a boolean
  SecretToken = { env = \"SCIM_TOKEN\" }                # an environment variable
  # SecretToken = { file = \"token.txt\" }              # a file, relative to FILE
  # SecretToken = { stdin = true }                    # standard input (one key at most)

  [SyncNotificationSettings]
  Enabled = true
  Recipients = [\"ops@example.com\"]
  DeleteThresholdEnabled = true
  DeleteThresholdValue = 500

A value read from a file or stdin loses one trailing line ending (\\n or \\r\\n). Values are
never taken from the command line. FILE should be readable by you alone (chmod 600); a warning
is printed otherwise.

Examples:
  graph-sync secrets set --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 --from secrets.toml
  # with SecretToken = { stdin = true } in the file:
  vault read -field=token scim/app | graph-sync secrets set --sp \"$SP\" --from secrets.toml
  graph-sync secrets set --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 --from secrets.json --dry-run";

const SHOW_EXAMPLES: &str = "\
Graph returns saved values masked (\"*\"); this command lists the keys that are set.

Examples:
  graph-sync secrets show --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6
  graph-sync --output json secrets show --sp appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b";

const CLEAR_EXAMPLES: &str = "\
Each KEY is sent with an empty value, which clears it. Keys whose value is a JSON document
(SyncNotificationSettings) cannot be cleared that way: Graph rejects it, so graph-sync refuses
before sending; save a document instead (e.g. Enabled = false).

Examples:
  graph-sync secrets clear --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 Password ClientSecret
  graph-sync secrets clear --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 SecretToken --dry-run";

const EMULATOR_EXAMPLES: &str = "\
Examples:
  graph-sync emulator --port 8080
  graph-sync emulator --sp \"HR app\" --sp \"Payroll app\"

Then, in another shell, with the values it prints:
  export GRAPH_SYNC_GRAPH_URL=http://127.0.0.1:8080/v1.0 GRAPH_SYNC_TOKEN=<token>
  graph-sync secrets show --sp <id>";

const DEMO_EXAMPLES: &str = "\
Examples:
  graph-sync demo
  cargo run -p graph-sync-cli -- demo";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  graph-sync completions bash > ~/.local/share/bash-completion/completions/graph-sync
  graph-sync completions zsh > \"${fpath[1]}/_graph-sync\"
  graph-sync completions fish > ~/.config/fish/completions/graph-sync.fish
  graph-sync completions powershell >> $PROFILE";

/// `graph-sync`: set up Microsoft Entra app provisioning through the Microsoft Graph
/// synchronization API.
#[derive(Debug, Parser)]
#[command(
    name = "graph-sync",
    version,
    about = "Set up Microsoft Entra app provisioning through the Microsoft Graph synchronization API",
    after_help = root_after_help(),
    propagate_version = true
)]
pub(crate) struct Cli {
    /// Options every command takes.
    #[command(flatten, next_help_heading = "Global options")]
    pub(crate) global: GlobalOptions,
    /// The command.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The root `--help` epilogue: examples, then the exit codes.
fn root_after_help() -> String {
    format!("{ROOT_EXAMPLES}\n\n{}", Exit::help_table())
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalOptions {
    /// The national cloud to talk to.
    #[arg(long, global = true, value_enum, default_value_t = CloudName::Global, env = "GRAPH_SYNC_CLOUD")]
    pub(crate) cloud: CloudName,
    /// The Entra tenant (id or domain) to authenticate in; used by the credential chain.
    #[arg(long, global = true, value_name = "TENANT", env = "AZURE_TENANT_ID")]
    pub(crate) tenant: Option<String>,
    /// Send requests to another Graph root: a proxy, or the emulator
    /// (`http://127.0.0.1:PORT/v1.0`). Plain HTTP only on loopback.
    #[arg(long, global = true, value_name = "URL", env = "GRAPH_SYNC_GRAPH_URL")]
    pub(crate) graph_url: Option<String>,
    /// Read the bearer token from this environment variable instead of GRAPH_SYNC_TOKEN.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) token_env: Option<String>,
    /// How to authenticate: `auto` takes a token variable, then the AZURE_* variables, then
    /// App Service managed identity; IMDS managed identity only with `managed-identity`.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        env = "GRAPH_SYNC_AUTH"
    )]
    pub(crate) auth: AuthMode,
    /// How results are printed on stdout.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t)]
    pub(crate) output: OutputFormat,
    /// Trace to stderr: -v info, -vv debug, -vvv trace. Secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// `--auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum AuthMode {
    /// The first configured of: token variable, AZURE_* variables, App Service identity.
    #[default]
    Auto,
    /// A bearer token from GRAPH_SYNC_TOKEN or --token-env.
    Token,
    /// AZURE_TENANT_ID, AZURE_CLIENT_ID and a client secret, certificate or federated token.
    Environment,
    /// Managed identity (App Service, else IMDS); user-assigned when AZURE_CLIENT_ID is set.
    ManagedIdentity,
}

/// `--cloud`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CloudName {
    /// Microsoft Graph global service (graph.microsoft.com).
    Global,
    /// US Government L4 (graph.microsoft.us).
    Usgov,
    /// US Government L5, DoD (dod-graph.microsoft.us).
    UsgovDod,
    /// Microsoft Graph China, operated by 21Vianet (microsoftgraph.chinacloudapi.cn).
    China,
}

impl CloudName {
    /// The cloud's endpoints.
    pub(crate) fn cloud(self) -> Cloud {
        match self {
            Self::Global => Cloud::global(),
            Self::Usgov => Cloud::us_gov_l4(),
            Self::UsgovDod => Cloud::us_gov_l5(),
            Self::China => Cloud::china(),
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Save, show and clear a service principal's provisioning secrets.
    #[command(subcommand, after_help = SECRETS_EXAMPLES)]
    Secrets(SecretsCommand),
    /// Run the local Graph synchronization emulator in the foreground until Ctrl-C.
    #[command(after_help = EMULATOR_EXAMPLES)]
    Emulator(EmulatorArgs),
    /// Walk through the provisioning workflow against the embedded emulator.
    #[command(after_help = DEMO_EXAMPLES)]
    Demo,
    /// Check credentials against the target system, without saving them.
    #[command(subcommand, after_help = CREDENTIALS_EXAMPLES)]
    Credentials(CredentialsCommand),
    /// List, create, start, pause, restart, delete and watch provisioning jobs.
    #[command(subcommand, after_help = JOBS_EXAMPLES)]
    Jobs(JobsCommand),
    /// The synchronization templates a service principal offers.
    #[command(subcommand, after_help = TEMPLATES_EXAMPLES)]
    Templates(TemplatesCommand),
    /// Read or replace a job's synchronization schema.
    #[command(subcommand, after_help = SCHEMA_EXAMPLES)]
    Schema(SchemaCommand),
    /// The whole workflow from a manifest: job, credentials, secrets, start, Active.
    #[command(after_help = PROVISION_EXAMPLES)]
    Provision(ProvisionArgs),
    /// Apply secrets to many service principals from a CSV file, resumably.
    #[command(subcommand, after_help = BULK_EXAMPLES)]
    Bulk(BulkCommand),
    /// Provision given users or groups now, outside the schedule.
    #[command(after_help = PROVISION_ON_DEMAND_EXAMPLES)]
    ProvisionOnDemand(ProvisionOnDemandArgs),
    /// Print a shell completion script on stdout.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
}

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
    /// The service principal: its object id, or appId=GUID.
    #[arg(long, value_name = "OBJECT_ID|appId=GUID")]
    pub(crate) sp: ServicePrincipalRef,
    /// The secrets file (TOML or JSON) mapping keys to values.
    #[arg(long, value_name = "FILE")]
    pub(crate) from: PathBuf,
    /// The file's syntax (default: from its extension).
    #[arg(long, value_enum)]
    pub(crate) format: Option<FileFormat>,
    /// Send keys that are not among the 45 documented ones.
    #[arg(long)]
    pub(crate) allow_unknown_keys: bool,
    /// Print the request that would be sent, values redacted, and send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Caught only to refuse it: secret values are never taken from arguments.
    #[arg(hide = true, num_args = 0.., allow_hyphen_values = true)]
    pub(crate) rejected: Vec<OsString>,
}

/// `secrets show`.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The service principal: its object id, or appId=GUID.
    #[arg(long, value_name = "OBJECT_ID|appId=GUID")]
    pub(crate) sp: ServicePrincipalRef,
    /// Caught only to refuse it without echoing it.
    #[arg(hide = true, num_args = 0.., allow_hyphen_values = true)]
    pub(crate) rejected: Vec<OsString>,
}

/// `secrets clear`.
#[derive(Debug, Args)]
pub(crate) struct ClearArgs {
    /// The service principal: its object id, or appId=GUID.
    #[arg(long, value_name = "OBJECT_ID|appId=GUID")]
    pub(crate) sp: ServicePrincipalRef,
    /// The keys to clear.
    #[arg(value_name = "KEY", required = true)]
    pub(crate) keys: Vec<String>,
    /// Clear keys that are not among the 45 documented ones.
    #[arg(long)]
    pub(crate) allow_unknown_keys: bool,
    /// Print the request that would be sent and send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// `emulator`.
#[derive(Debug, Args)]
pub(crate) struct EmulatorArgs {
    /// Listen on 127.0.0.1:PORT (0: an ephemeral port).
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,
    /// Register a service principal with this display name (repeatable).
    #[arg(long = "sp", value_name = "NAME", default_value = "Demo SCIM app")]
    pub(crate) service_principals: Vec<String>,
}

/// `completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}

const CREDENTIALS_EXAMPLES: &str = "\
Examples:
  graph-sync credentials validate --sp \"$SP\" --job \"$JOB\" --from secrets.toml
  graph-sync credentials validate --sp \"$SP\" --job \"$JOB\" --saved";

const VALIDATE_EXAMPLES: &str = "\
With --from, the credentials in FILE (same format as `secrets set`) are checked and not saved;
with --saved, the credentials already saved on the service principal are checked.

Examples:
  graph-sync credentials validate --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 \\
      --job scim.0a1b2c3d4e5f --from secrets.toml
  graph-sync credentials validate --sp appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b \\
      --job scim.0a1b2c3d4e5f --saved";

const JOBS_EXAMPLES: &str = "\
Examples:
  graph-sync jobs list --sp \"$SP\"
  graph-sync jobs create --sp \"$SP\" --template scim
  graph-sync jobs start --sp \"$SP\" --job \"$JOB\"
  graph-sync jobs status --sp \"$SP\" --job \"$JOB\" --watch
  graph-sync jobs restart --sp \"$SP\" --job \"$JOB\" --scope Watermark,QuarantineState";

const JOBS_LIST_EXAMPLES: &str = "\
Examples:
  graph-sync jobs list --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6
  graph-sync --output json jobs list --sp appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b";

const JOBS_SHOW_EXAMPLES: &str = "\
Examples:
  graph-sync jobs show --sp \"$SP\" --job scim.0a1b2c3d4e5f
  graph-sync --output json jobs show --sp \"$SP\" --job scim.0a1b2c3d4e5f";

const JOBS_CREATE_EXAMPLES: &str = "\
The template id comes from `graph-sync templates list`.

Examples:
  graph-sync jobs create --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 --template scim";

const JOBS_START_EXAMPLES: &str = "\
Starting a quarantined job clears the quarantine and runs it; an active job is left alone.

Examples:
  graph-sync jobs start --sp \"$SP\" --job scim.0a1b2c3d4e5f";

const JOBS_PAUSE_EXAMPLES: &str = "\
Examples:
  graph-sync jobs pause --sp \"$SP\" --job scim.0a1b2c3d4e5f";

const JOBS_RESTART_EXAMPLES: &str = "\
SCOPE is a comma-separated list of: Watermark, Escrows, QuarantineState, Full (ForceDeletes
needs care). The default is what the Entra admin center's restart clears.

Examples:
  graph-sync jobs restart --sp \"$SP\" --job scim.0a1b2c3d4e5f
  graph-sync jobs restart --sp \"$SP\" --job scim.0a1b2c3d4e5f --scope QuarantineState";

const JOBS_DELETE_EXAMPLES: &str = "\
Examples:
  graph-sync jobs delete --sp \"$SP\" --job scim.0a1b2c3d4e5f";

const JOBS_STATUS_EXAMPLES: &str = "\
Shows the state, progress, last execution and quarantine reason. With --watch the status is
read every --interval: on a terminal the line is refreshed in place; otherwise one line is
printed per change (one JSON object per line with --output json). --watch ends after
--timeout, or as soon as the job reaches --until.

Durations: 500ms, 5s, 2m, 1h (a bare number is seconds).

Examples:
  graph-sync jobs status --sp \"$SP\" --job scim.0a1b2c3d4e5f
  graph-sync jobs status --sp \"$SP\" --job scim.0a1b2c3d4e5f --watch --interval 10s
  graph-sync jobs status --sp \"$SP\" --job scim.0a1b2c3d4e5f --watch --until active --timeout 5m";

const TEMPLATES_EXAMPLES: &str = "\
Examples:
  graph-sync templates list --sp \"$SP\"
  graph-sync templates show --sp \"$SP\" --template scim";

const TEMPLATES_LIST_EXAMPLES: &str = "\
Examples:
  graph-sync templates list --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6";

const TEMPLATES_SHOW_EXAMPLES: &str = "\
Examples:
  graph-sync templates show --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 --template scim
  graph-sync --output json templates show --sp \"$SP\" --template scim";

const SCHEMA_EXAMPLES: &str = "\
Examples:
  graph-sync schema get --sp \"$SP\" --job \"$JOB\" --out schema.json
  graph-sync schema put --sp \"$SP\" --job \"$JOB\" --from schema.json";

const SCHEMA_GET_EXAMPLES: &str = "\
Without --out the schema (JSON) is printed on stdout.

Examples:
  graph-sync schema get --sp \"$SP\" --job scim.0a1b2c3d4e5f --out schema.json
  graph-sync schema get --sp \"$SP\" --job scim.0a1b2c3d4e5f | jq '.synchronizationRules[].id'";

const SCHEMA_PUT_EXAMPLES: &str = "\
This is a FULL REPLACE: the job's schema becomes exactly FILE. Start from `schema get`, edit,
then put it back; anything left out of FILE is gone from the job.

Examples:
  graph-sync schema get --sp \"$SP\" --job scim.0a1b2c3d4e5f --out schema.json
  $EDITOR schema.json
  graph-sync schema put --sp \"$SP\" --job scim.0a1b2c3d4e5f --from schema.json";

const PROVISION_ON_DEMAND_EXAMPLES: &str = "\
RULE is a synchronization rule id from the job's schema (`schema get`). Each --subject is an
object id, optionally followed by :TYPE (default User), e.g. a group: GUID:Group.
The service allows 5 requests per 10 seconds per job.

Examples:
  graph-sync provision-on-demand --sp \"$SP\" --job scim.0a1b2c3d4e5f \\
      --rule 03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8 --subject 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f
  graph-sync provision-on-demand --sp \"$SP\" --job \"$JOB\" --rule \"$RULE\" \\
      --subject 2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901:Group";

const PROVISION_EXAMPLES: &str = "\
The manifest (TOML):

  service_principal = \"3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6\"   # or \"appId=GUID\"
  template = \"scim\"                  # a template id from `templates list`
  start = true                       # default true
  wait_active_timeout = \"5m\"         # how long to wait for Active (default 5m)
  poll_interval = \"5s\"               # how often to read the job meanwhile (default 5s)

  [secrets]                          # the same values as a `secrets set` file
  BaseAddress = \"https://scim.example.com/scim/v2\"
  SecretToken = { env = \"SCIM_TOKEN\" }

Steps, each printed as it happens: find the job made from the template (or create it),
validate the credentials, save the secrets, start, wait until Active.

Running it again changes nothing when the setup is finished: the job exists, is Active
(unless start = false) and the saved secret keys are the manifest's keys. Values cannot be
compared, because Graph returns them masked: after rotating a value, pass --force-secrets.

Examples:
  SCIM_TOKEN=\"$(vault read -field=token scim/app)\" graph-sync provision --manifest app.toml
  graph-sync provision --manifest app.toml --force-secrets
  graph-sync --output json provision --manifest app.toml";

const BULK_EXAMPLES: &str = "\
Examples:
  graph-sync bulk secrets --csv apps.csv
  graph-sync bulk secrets --csv apps.csv --concurrency 16 --journal /var/tmp/apps.journal";

const BULK_SECRETS_EXAMPLES: &str = "\
The CSV file: a header `sp` then one column per secret key; one row per service principal
(object id or appId=GUID). A cell is env:NAME (an environment variable), file:PATH (a file,
relative to the CSV file, less one trailing line ending), literal:TEXT (TEXT as is), empty
(the key is not sent for that row), or anything else as literal text:

  sp,BaseAddress,SecretToken
  3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6,https://scim.example.com/a,env:TOKEN_A
  appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b,https://scim.example.com/b,file:tokens/b.txt

Every cell is checked before anything is sent. A file with literal values should be readable
by you alone (chmod 600); a warning is printed otherwise.

Each service principal whose secrets were saved is appended to the journal (default
FILE.journal) at once; running the same command again skips them, so an interrupted run
resumes where it stopped and retries only failures. Delete the journal to start over.
Requests share one throttle gate: a 429 with Retry-After pauses them all. A progress bar
(rate, ETA) is drawn on stderr when it is a terminal. Exit code 4 when some failed; each
failure is listed with its request-id.

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
    /// Caught only to refuse it: secret values are never taken from arguments.
    #[arg(hide = true, num_args = 0.., allow_hyphen_values = true)]
    pub(crate) rejected: Vec<OsString>,
}

/// `provision`.
#[derive(Debug, Args)]
pub(crate) struct ProvisionArgs {
    /// The manifest (TOML): service principal, template, secrets, options.
    #[arg(long, value_name = "FILE")]
    pub(crate) manifest: PathBuf,
    /// Validate and save the secrets even when the saved keys already match the manifest.
    #[arg(long)]
    pub(crate) force_secrets: bool,
    /// Caught only to refuse it: secret values are never taken from arguments.
    #[arg(hide = true, num_args = 0.., allow_hyphen_values = true)]
    pub(crate) rejected: Vec<OsString>,
}

/// `graph-sync credentials …`.
#[derive(Debug, Subcommand)]
pub(crate) enum CredentialsCommand {
    /// Check credentials from a file, or the saved ones, against the target system.
    #[command(after_help = VALIDATE_EXAMPLES)]
    Validate(ValidateArgs),
}

/// The service principal and job most commands address.
#[derive(Debug, Clone, Args)]
pub(crate) struct JobRef {
    /// The service principal: its object id, or appId=GUID.
    #[arg(long, value_name = "OBJECT_ID|appId=GUID")]
    pub(crate) sp: ServicePrincipalRef,
    /// The job id (from `jobs list`).
    #[arg(long, value_name = "JOB")]
    pub(crate) job: JobId,
}

/// Just the service principal.
#[derive(Debug, Clone, Args)]
pub(crate) struct SpRef {
    /// The service principal: its object id, or appId=GUID.
    #[arg(long, value_name = "OBJECT_ID|appId=GUID")]
    pub(crate) sp: ServicePrincipalRef,
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
    /// Caught only to refuse it: secret values are never taken from arguments.
    #[arg(hide = true, num_args = 0.., allow_hyphen_values = true)]
    pub(crate) rejected: Vec<OsString>,
}

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
    Create(CreateJobArgs),
    /// Start a job (or resume a paused one).
    #[command(after_help = JOBS_START_EXAMPLES)]
    Start(JobRef),
    /// Pause a job: it keeps its state and stops running.
    #[command(after_help = JOBS_PAUSE_EXAMPLES)]
    Pause(JobRef),
    /// Restart a job, clearing what --scope names.
    #[command(after_help = JOBS_RESTART_EXAMPLES)]
    Restart(RestartArgs),
    /// Delete a job.
    #[command(after_help = JOBS_DELETE_EXAMPLES)]
    Delete(JobRef),
    /// A job's state, progress, last execution and quarantine reason; --watch to follow it.
    #[command(after_help = JOBS_STATUS_EXAMPLES)]
    Status(StatusArgs),
}

/// `jobs create`.
#[derive(Debug, Args)]
pub(crate) struct CreateJobArgs {
    /// The service principal: its object id, or appId=GUID.
    #[arg(long, value_name = "OBJECT_ID|appId=GUID")]
    pub(crate) sp: ServicePrincipalRef,
    /// The synchronization template id (from `templates list`).
    #[arg(long, value_name = "ID")]
    pub(crate) template: TemplateId,
}

/// `jobs restart`.
#[derive(Debug, Args)]
pub(crate) struct RestartArgs {
    /// The service principal and job.
    #[command(flatten)]
    pub(crate) target: JobRef,
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

/// `graph-sync templates …`.
#[derive(Debug, Subcommand)]
pub(crate) enum TemplatesCommand {
    /// List the synchronization templates of a service principal.
    #[command(after_help = TEMPLATES_LIST_EXAMPLES)]
    List(SpRef),
    /// Show one template: factory, description, metadata, schema summary.
    #[command(after_help = TEMPLATES_SHOW_EXAMPLES)]
    Show(CreateJobArgs),
}

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
}

/// Parses `OBJECT_ID[:TYPE]`.
fn parse_subject(text: &str) -> Result<(String, String), String> {
    let (id, kind) = text.split_once(':').unwrap_or((text, "User"));
    if id.trim().is_empty() {
        return Err("an empty object id".to_owned());
    }
    if kind.trim().is_empty() {
        return Err(format!(
            "an empty type after `{id}:`; use e.g. {id}:User or {id}:Group"
        ));
    }
    Ok((id.trim().to_owned(), kind.trim().to_owned()))
}

/// Parses a duration: `500ms`, `5s`, `2m`, `1h`, or a bare number of seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; use e.g. 500ms, 5s, 2m, 1h"))?;
    let duration = match unit {
        "ms" => Duration::from_millis(number),
        "" | "s" => Duration::from_secs(number),
        "m" => Duration::from_secs(number.saturating_mul(60)),
        "h" => Duration::from_secs(number.saturating_mul(3600)),
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}`; use ms, s, m or h"
            ));
        }
    };
    if duration.is_zero() {
        return Err("a duration must be more than zero".to_owned());
    }
    Ok(duration)
}

/// Option names that would carry a secret if graph-sync had them (it has none).
const SECRET_OPTIONS: [&str; 7] = [
    "token",
    "access-token",
    "secret",
    "client-secret",
    "secret-token",
    "password",
    "value",
];

/// Refuses, before clap sees them (clap's errors quote the argument), the command-line
/// arguments that try to pass a secret: `KEY=VALUE` or `--KEY[=VALUE]` for a documented secret
/// key, and `--token`, `--secret`, `--password` and the like. The message names the key,
/// never the value.
///
/// # Errors
///
/// [`Failure::Usage`] for the first such argument.
pub(crate) fn refuse_secret_arguments(args: &[OsString]) -> Result<(), Failure> {
    for arg in args.iter().skip(1) {
        let Some(text) = arg.to_str() else { continue };
        if text == "--" {
            break;
        }
        let (name, has_value) = match text.split_once('=') {
            Some((name, _)) => (name, true),
            None => (text, false),
        };
        let is_option = name.starts_with("--");
        let bare = name.trim_start_matches('-');
        let is_secret_key = SecretKey::parse(bare).is_ok_and(|key| {
            !matches!(key, SecretKey::Other(_)) || key.documented_spelling().is_some()
        });
        let is_secret_option = is_option
            && SECRET_OPTIONS
                .iter()
                .any(|option| bare.eq_ignore_ascii_case(option));
        if (is_secret_key && (has_value || is_option)) || is_secret_option {
            return refuse_arguments(&[OsString::from(text)]);
        }
    }
    Ok(())
}

/// Refuses leftover arguments (the hidden `rejected` positional of a command): the only way
/// one ends up there is an attempt to pass a value on the command line. The message names the
/// key, never the value.
///
/// # Errors
///
/// [`Failure::Usage`] when `rejected` is not empty.
pub(crate) fn refuse_arguments(rejected: &[OsString]) -> Result<(), Failure> {
    let Some(first) = rejected.first() else {
        return Ok(());
    };
    let text = first.to_string_lossy();
    let what = match text.split_once('=') {
        Some((key, _)) => format!("an argument that looks like `{key}=…`"),
        None if text.starts_with('-') => format!("an unexpected option `{text}`"),
        None => "an unexpected argument".to_owned(),
    };
    Err(Failure::Usage(format!(
        "{what}: secret values are never accepted as command-line arguments, where process \
         listings and shell history keep them. Put the key in the --from file as a literal, \
         {{ env = \"NAME\" }}, {{ file = \"PATH\" }} or {{ stdin = true }}; pass the bearer \
         token in GRAPH_SYNC_TOKEN or the variable --token-env names"
    )))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_examples_in_its_help() {
        fn check(command: &clap::Command, path: &str) {
            let path = format!("{path} {}", command.get_name());
            let help = command
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(help.contains("Examples:"), "{path} --help has no examples");
            for sub in command.get_subcommands() {
                if sub.get_name() != "help" {
                    check(sub, &path);
                }
            }
        }
        check(&Cli::command(), "");
    }

    #[test]
    fn durations_and_subjects_parse_or_say_why() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("0s").unwrap_err().contains("more than zero"));
        assert!(
            parse_duration("5d")
                .unwrap_err()
                .contains("unknown unit `d`")
        );
        assert!(
            parse_duration("soon")
                .unwrap_err()
                .contains("not a duration")
        );
        assert_eq!(
            parse_subject("abc"),
            Ok(("abc".to_owned(), "User".to_owned()))
        );
        assert_eq!(
            parse_subject("abc:Group"),
            Ok(("abc".to_owned(), "Group".to_owned()))
        );
        assert!(parse_subject("abc:").unwrap_err().contains("empty type"));
        assert!(
            parse_subject(":User")
                .unwrap_err()
                .contains("empty object id")
        );
    }

    fn refused(args: &[&str]) -> Option<String> {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        refuse_secret_arguments(&args).err().map(|e| e.to_string())
    }

    #[test]
    fn secrets_on_the_command_line_are_refused_without_echo() {
        for args in [
            &["graph-sync", "secrets", "set", "SecretToken=CANARY"][..],
            &["graph-sync", "--SecretToken=CANARY", "secrets"],
            &["graph-sync", "secrets", "set", "--secrettoken", "CANARY"],
            &["graph-sync", "--token", "CANARY", "secrets", "show"],
            &["graph-sync", "secrets", "set", "--client-secret=CANARY"],
        ] {
            let message = refused(args).unwrap_or_else(|| panic!("{args:?} was accepted"));
            assert!(!message.contains("CANARY"), "{message}");
            assert!(message.contains("never accepted"), "{message}");
        }
        for args in [
            &["graph-sync", "secrets", "clear", "--sp", "x", "SecretToken"][..],
            &[
                "graph-sync",
                "--token-env",
                "MY_TOKEN",
                "secrets",
                "show",
                "--sp",
                "appId=x",
            ],
            &["graph-sync", "--graph-url=http://127.0.0.1:1/v1.0", "demo"],
            &[
                "graph-sync",
                "secrets",
                "set",
                "--from",
                "secrets.toml",
                "--",
                "SecretToken=x",
            ],
        ] {
            assert_eq!(refused(args), None, "{args:?}");
        }
        let message = refuse_arguments(&[OsString::from("Foo=CANARY")]).unwrap_err();
        assert!(message.to_string().contains("`Foo=…`"));
        assert!(!message.to_string().contains("CANARY"));
    }

    #[test]
    fn no_option_takes_a_secret() {
        fn check(command: &clap::Command) {
            for arg in command.get_arguments() {
                let name = arg.get_id().as_str().to_ascii_lowercase();
                assert!(
                    !["token", "secret", "password", "value"].contains(&name.as_str()),
                    "option {name} looks like it takes a secret"
                );
            }
            for sub in command.get_subcommands() {
                check(sub);
            }
        }
        check(&Cli::command());
    }
}
