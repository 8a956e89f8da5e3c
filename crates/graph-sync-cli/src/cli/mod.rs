//! The command line, as clap types: global options, commands, their arguments and the examples
//! `--help` shows, one file per command group; [`guard`] refuses secrets on the command line
//! and [`values`] parses durations and subjects.
//!
//! No argument takes a secret value. Secrets come from the `--from` file (which may point to
//! environment variables, files or standard input), and tokens from an environment variable
//! (`GRAPH_SYNC_TOKEN`, or the one `--token-env` names).

mod bulk;
mod credentials;
mod expression;
mod global;
mod guard;
mod jobs;
mod logs;
mod provision;
mod schema;
mod secrets;
mod targets;
mod templates;
mod tools;
mod values;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub(crate) use bulk::{BulkCommand, BulkSecretsArgs};
pub(crate) use credentials::{CredentialsCommand, ValidateArgs};
pub(crate) use expression::{ExpressionCommand, ExpressionTestArgs, JobArgs};
pub(crate) use global::{AuthMode, CloudName, GlobalOptions};
pub(crate) use guard::{clap_message, refuse_secret_arguments};
pub(crate) use jobs::{
    CreateJobArgs, JobsCommand, JobsCreateArgs, RestartArgs, StatusArgs, UntilState,
};
pub(crate) use logs::{
    ActionArg, LogsArgs, LogsCommand, LogsFilterArgs, LogsListArgs, StatusArg, When,
};
pub(crate) use provision::{ProvisionArgs, ProvisionOnDemandArgs};
pub(crate) use schema::{
    SchemaCommand, SchemaDiffArgs, SchemaGetArgs, SchemaImportArgs, SchemaPutArgs,
};
pub(crate) use secrets::{ClearArgs, SecretsCommand, SetArgs, ShowArgs};
pub(crate) use targets::{Change, JobChange, JobRef, SpRef};
pub(crate) use templates::TemplatesCommand;
pub(crate) use tools::{CompletionsArgs, EmulatorArgs};
pub(crate) use values::{MAX_DURATION, SpArg, parse_duration, parse_sp, parse_sp_arg};

use crate::cli::bulk::BULK_EXAMPLES;
use crate::cli::credentials::CREDENTIALS_EXAMPLES;
use crate::cli::expression::EXPRESSION_EXAMPLES;
use crate::cli::jobs::JOBS_EXAMPLES;
use crate::cli::logs::LOGS_EXAMPLES;
use crate::cli::provision::{PROVISION_EXAMPLES, PROVISION_ON_DEMAND_EXAMPLES};
use crate::cli::schema::SCHEMA_EXAMPLES;
use crate::cli::secrets::SECRETS_EXAMPLES;
use crate::cli::templates::TEMPLATES_EXAMPLES;
use crate::cli::tools::{COMPLETIONS_EXAMPLES, DEMO_EXAMPLES, EMULATOR_EXAMPLES};
use crate::exit::Exit;

const ROOT_EXAMPLES: &str = "\
Examples:
  # See the whole workflow against the embedded emulator
  graph-sync demo

  # Save provisioning secrets from a file (values from env, files or stdin)
  export GRAPH_SYNC_TOKEN=\"$(az account get-access-token \\
      --resource-type ms-graph --query accessToken -o tsv)\"
  graph-sync secrets set --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 \\
      --from secrets.toml

  # Read them back (masked) as JSON
  graph-sync --output json secrets show \\
      --sp appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b

  # The whole setup from a manifest; run again, it changes nothing
  graph-sync provision --manifest app.toml

  # Follow a job; the same secrets for many apps, resumable
  graph-sync jobs status --sp \"$SP\" --job \"$JOB\" --watch
  graph-sync bulk secrets --csv apps.csv --concurrency 8

Authentication (--auth auto takes the first that is configured):
  a bearer token in GRAPH_SYNC_TOKEN (or the variable --token-env names); the
  AZURE_* variables (client secret, certificate or federated token); App Service
  managed identity; the Azure CLI's login (az account get-access-token, when az
  is on PATH). --auth managed-identity also uses IMDS. Secrets are never
  accepted as arguments.";

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
    /// Read, compare, replace, export and import a job's synchronization schema.
    #[command(subcommand, after_help = SCHEMA_EXAMPLES)]
    Schema(SchemaCommand),
    /// Test attribute-mapping expressions on a test object; list the mapping functions.
    #[command(subcommand, after_help = EXPRESSION_EXAMPLES)]
    Expression(ExpressionCommand),
    /// The whole workflow from a manifest: job, credentials, secrets, start, Active.
    #[command(after_help = PROVISION_EXAMPLES)]
    Provision(ProvisionArgs),
    /// Apply secrets to many service principals from a CSV file, resumably.
    #[command(subcommand, after_help = BULK_EXAMPLES)]
    Bulk(BulkCommand),
    /// Provision given users or groups now, outside the schedule.
    #[command(after_help = PROVISION_ON_DEMAND_EXAMPLES)]
    ProvisionOnDemand(ProvisionOnDemandArgs),
    /// The provisioning logs: list, follow, show one event step by step, summarize cycles.
    #[command(after_help = LOGS_EXAMPLES)]
    Logs(Box<LogsArgs>),
    /// Print a shell completion script on stdout.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
}

/// Parses the command line, with the matches (to tell where each value came from). An
/// option's environment variable that is set but empty
/// (`GRAPH_SYNC_CA_FILE=`) counts as unset, as shells and CI systems write "no value"; an
/// empty value on the command line is still refused by the option's own parser.
///
/// # Errors
///
/// clap's error (including `--help` and `--version`, which are not failures).
pub(crate) fn parse(args: Vec<std::ffi::OsString>) -> Result<(Cli, clap::ArgMatches), clap::Error> {
    let mut command = Cli::command();
    let empty: Vec<clap::Id> = command
        .get_arguments()
        .filter(|arg| {
            arg.get_env()
                .and_then(std::env::var_os)
                .is_some_and(|value| value.is_empty())
        })
        .map(|arg| arg.get_id().clone())
        .collect();
    for id in empty {
        command = command.mut_arg(id, |arg| arg.env(None));
    }
    let matches = command.try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches).map(|cli| (cli, matches))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Help text (examples, notes) fits 80 columns, so no example wraps mid-command and
    /// pasting its first line never runs half a command (a PUT without its --dry-run).
    #[test]
    fn help_text_fits_80_columns() {
        fn check(command: &clap::Command, path: &str) {
            let path = format!("{path} {}", command.get_name());
            let help = command
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            for line in help.lines() {
                assert!(
                    line.chars().count() <= 80,
                    "{path} --help: a line of {} columns: {line}",
                    line.chars().count()
                );
            }
            for sub in command.get_subcommands() {
                check(sub, &path);
            }
        }
        check(&Cli::command(), "");
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
}
