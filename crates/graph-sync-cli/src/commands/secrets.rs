//! `graph-sync secrets set|show|clear`.

use std::sync::Arc;

use graph_sync_api::model::{SecretKey, Secrets, ServicePrincipalRef};
use serde_json::json;

use crate::cli::{ClearArgs, SecretsCommand, SetArgs, ShowArgs};
use crate::commands::Context;
use crate::commands::reports::masked_report;
use crate::commands::target::secrets_api;
use crate::dry_run::{self, CapturingTransport};
use crate::exit::Failure;
use crate::interrupt;
use crate::output::{Report, Table};
use crate::secrets_file::{ParseOptions, load_secrets, parse_key_position};

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

/// `secrets set`.
async fn set(context: &Context, args: &SetArgs) -> Result<(), Failure> {
    let secrets = load_secrets(&args.from, args.format, args.allow_unknown_keys)?;
    put(context, &args.sp, &secrets, args.dry_run, "saved").await
}

/// `secrets clear`.
async fn clear(context: &Context, args: &ClearArgs) -> Result<(), Failure> {
    let options = ParseOptions {
        allow_unknown_keys: args.allow_unknown_keys,
    };
    let mut secrets = Secrets::new();
    for (index, name) in args.keys.iter().enumerate() {
        let key = parse_key_position(index.saturating_add(1), name, options)
            .map_err(|e| Failure::Usage(e.to_string()))?;
        secrets
            .clear(key)
            .map_err(|e| Failure::Usage(e.to_string()))?;
    }
    if !args.dry_run {
        let keys: Vec<&str> = secrets.keys().map(SecretKey::as_str).collect();
        context.confirm(
            args.yes,
            &format!("Clear {} of service principal {}", keys.join(", "), args.sp),
        )?;
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

    interrupt::record(format!(
        "{action} {} secret(s) for service principal {sp}",
        secrets.len()
    ));
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
        tsv: None,
    });
    Ok(())
}

/// `secrets show`.
async fn show(context: &Context, args: &ShowArgs) -> Result<(), Failure> {
    let client = context.client()?;
    let sp = &args.sp;
    let secrets = secrets_api(&client, sp)
        .get()
        .await
        .map_err(|e| Failure::api(format!("reading secrets of service principal {sp}"), e))?;
    context.print(&masked_report(sp, &secrets));
    Ok(())
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
