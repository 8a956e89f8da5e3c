//! The command line, as clap types: global options, commands, their arguments and the examples
//! `--help` shows.
//!
//! No argument takes a secret value. Secrets come from the `--from` file (which may point to
//! environment variables, files or standard input), and tokens from an environment variable
//! (`GRAPH_SYNC_TOKEN`, or the one `--token-env` names).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use graph_sync_api::Cloud;
use graph_sync_api::model::{SecretKey, ServicePrincipalRef};

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

Authentication:
  A bearer token is read from GRAPH_SYNC_TOKEN, or from the variable --token-env names. It is
  never accepted as an argument. The AZURE_* environment credential chain (client secret,
  certificate, workload or managed identity) is not supported yet.";

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
