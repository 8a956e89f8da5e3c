//! `graph-sync secrets set|show|clear`.

use std::io::{IsTerminal as _, Read as _};
use std::path::Path;
use std::sync::Arc;

use graph_sync_api::GraphSyncClient;
use graph_sync_api::model::{SecretKey, Secrets, ServicePrincipalRef};
use serde_json::json;
use zeroize::Zeroizing;

use crate::cli::{ClearArgs, SecretsCommand, SetArgs, ShowArgs, refuse_arguments};
use crate::commands::Context;
use crate::dry_run::{self, CapturingTransport};
use crate::exit::Failure;
use crate::output::{Report, Table};
use crate::secrets_file::{
    FileFormat, ParseOptions, SecretsFile, Sources, parse_key_argument, permission_warning,
};

/// Runs a `secrets` subcommand.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn run(context: &Context, command: SecretsCommand) -> Result<(), Failure> {
    match command {
        SecretsCommand::Set(args) => set(context, &args).await,
        SecretsCommand::Show(args) => show(context, &args).await,
        SecretsCommand::Clear(args) => clear(context, &args).await,
    }
}

/// Reads and resolves the secrets file of `secrets set`, printing warnings on stderr.
fn load_secrets_file(args: &SetArgs) -> Result<Secrets, Failure> {
    load_secrets(&args.from, args.format, args.allow_unknown_keys)
}

/// Reads and resolves a secrets file (TOML or JSON; `format` defaults to the extension's),
/// printing warnings on stderr: the one loader every command that takes secrets uses.
///
/// # Errors
///
/// [`Failure::Usage`] for an unreadable or malformed file, an unknown key (unless
/// `allow_unknown_keys`), or a value that cannot be resolved.
pub(crate) fn load_secrets(
    path: &Path,
    format: Option<FileFormat>,
    allow_unknown_keys: bool,
) -> Result<Secrets, Failure> {
    let format = match format.or_else(|| FileFormat::from_path(path)) {
        Some(format) => format,
        None => {
            return Err(Failure::Usage(format!(
                "cannot tell the format of {} from its extension; name it .toml or .json, or \
                 pass --format toml|json",
                path.display()
            )));
        }
    };
    let text = read_secrets_file(path)?;
    let options = ParseOptions { allow_unknown_keys };
    let file = SecretsFile::parse(&text, format, options)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    drop(text);
    resolve_secrets(file, path)
}

/// Reads the values of a parsed secrets file (from the environment, files relative to
/// `path`'s directory, standard input), printing warnings on stderr. Errors name `path`.
///
/// # Errors
///
/// [`Failure::Usage`] for a value that cannot be read or held by its key.
pub(crate) fn resolve_secrets(file: SecretsFile, path: &Path) -> Result<Secrets, Failure> {
    let env = |name: &str| std::env::var_os(name);
    let mut stdin = read_stdin;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let resolved = file
        .resolve(&mut Sources {
            env: &env,
            stdin: &mut stdin,
            base_dir,
        })
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    for warning in resolved.warnings {
        eprintln!("{warning}");
    }
    Ok(resolved.secrets)
}

/// A secrets-bearing file's text, with a warning on stderr if others can read it.
///
/// # Errors
///
/// [`Failure::Usage`] for an unreadable or non-UTF-8 file.
pub(crate) fn read_secrets_file(path: &Path) -> Result<Zeroizing<String>, Failure> {
    let text = std::fs::read(path)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
    let text = Zeroizing::new(text);
    if let Some(warning) = permission_warning(path) {
        eprintln!("{warning}");
    }
    match std::str::from_utf8(&text) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(Failure::Usage(format!(
            "{} is not UTF-8 text",
            path.display()
        ))),
    }
}

/// All of standard input, refusing a terminal (a secret typed there would be echoed, and the
/// command would seem to hang).
fn read_stdin() -> std::io::Result<Vec<u8>> {
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(std::io::Error::other(
            "is a terminal; pipe the value in instead, e.g. `… --from FILE < token.txt`",
        ));
    }
    let mut bytes = Vec::new();
    stdin.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `secrets set`.
async fn set(context: &Context, args: &SetArgs) -> Result<(), Failure> {
    refuse_arguments(&args.rejected)?;
    let secrets = load_secrets_file(args)?;
    put(context, &args.sp, &secrets, args.dry_run, "saved").await
}

/// `secrets clear`.
async fn clear(context: &Context, args: &ClearArgs) -> Result<(), Failure> {
    let options = ParseOptions {
        allow_unknown_keys: args.allow_unknown_keys,
    };
    let with_values: Vec<std::ffi::OsString> = args
        .keys
        .iter()
        .filter(|name| name.contains('='))
        .map(Into::into)
        .collect();
    refuse_arguments(&with_values)?;
    let mut secrets = Secrets::new();
    for name in &args.keys {
        let key = parse_key_argument(name, options).map_err(|e| Failure::Usage(e.to_string()))?;
        secrets
            .clear(key)
            .map_err(|e| Failure::Usage(e.to_string()))?;
    }
    put(context, &args.sp, &secrets, args.dry_run, "cleared").await
}

/// Sends (or, for a dry run, prints) one PUT of `secrets` and reports the keys.
async fn put(
    context: &Context,
    sp: &ServicePrincipalRef,
    secrets: &Secrets,
    dry_run: bool,
    action: &str,
) -> Result<(), Failure> {
    let what = format!("saving secrets for service principal {sp}");
    if dry_run {
        let transport = CapturingTransport::default();
        let client = context.dry_run_client(Arc::new(transport.clone()))?;
        secrets_api(&client, sp)
            .put(secrets)
            .await
            .map_err(|e| Failure::api(what, e))?;
        for request in transport.take() {
            context.print(&dry_run::report(&request));
        }
        return Ok(());
    }
    let client = context.client()?;
    secrets_api(&client, sp)
        .put(secrets)
        .await
        .map_err(|e| Failure::api(what, e))?;

    let mut table = Table::new(&["KEY", "ACTION"]);
    for key in secrets.keys() {
        table.row([key.as_str().to_owned(), action.to_owned()]);
    }
    let keys: Vec<&str> = secrets.keys().map(SecretKey::as_str).collect();
    context.print(&Report {
        text: format!(
            "{} {} secret(s) for service principal {sp}:\n{}",
            capitalise(action),
            secrets.len(),
            table.render()
        ),
        json: json!({ "servicePrincipal": sp.to_string(), action: keys }),
    });
    Ok(())
}

/// `secrets show`.
async fn show(context: &Context, args: &ShowArgs) -> Result<(), Failure> {
    refuse_arguments(&args.rejected)?;
    let client = context.client()?;
    let sp = &args.sp;
    let secrets = secrets_api(&client, sp)
        .get()
        .await
        .map_err(|e| Failure::api(format!("reading secrets of service principal {sp}"), e))?;
    context.print(&masked_report(sp, &secrets));
    Ok(())
}

/// The keys of a read-back, never a value: masked ones say so, any other says "set".
pub(crate) fn masked_report(sp: &ServicePrincipalRef, secrets: &Secrets) -> Report {
    let mut table = Table::new(&["KEY", "VALUE"]);
    let mut items = Vec::new();
    for key in secrets.keys() {
        let masked = secrets.is_masked(key);
        table.row([
            key.as_str().to_owned(),
            if masked {
                "* (masked by Graph)"
            } else {
                "(set)"
            }
            .to_owned(),
        ]);
        items.push(json!({ "key": key.as_str(), "masked": masked }));
    }
    let text = if secrets.is_empty() {
        format!("Service principal {sp} has no secrets saved.")
    } else {
        format!(
            "Service principal {sp} has {} secret(s) saved:\n{}",
            secrets.len(),
            table.render()
        )
    };
    Report {
        text,
        json: json!({ "servicePrincipal": sp.to_string(), "secrets": items }),
    }
}

fn secrets_api(client: &GraphSyncClient, sp: &ServicePrincipalRef) -> graph_sync_api::SecretsApi {
    client
        .service_principal(sp.clone())
        .synchronization()
        .secrets()
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
