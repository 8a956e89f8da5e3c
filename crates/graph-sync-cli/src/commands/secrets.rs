//! `graph-sync secrets set|show|clear`.

use std::sync::Arc;

use graph_sync_api::model::{SecretKey, Secrets, ServicePrincipalRef};
use serde_json::json;

use crate::cli::{ClearArgs, SecretsCommand, SetArgs, ShowArgs};
use crate::commands::Context;
use crate::commands::reports::masked_report;
use crate::commands::target::{resolve_sp, resolve_sp_in, secrets_api};
use crate::dry_run::{self, CapturingTransport};
use crate::exit::Failure;
use crate::interrupt;
use crate::output::{Report, Table};
use crate::secrets_file::{ParseOptions, advise, load_secrets, parse_key_position};

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
    advise(&secrets, args.strict, &args.from.display().to_string())?;
    let sp = resolve_sp_in(context, &args.sp).await?;
    put(context, &sp, &secrets, args.dry_run, "saved", &[]).await
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
    let sp = resolve_sp_in(context, &args.sp).await?;
    let mut not_set = Vec::new();
    if !args.dry_run {
        let keys: Vec<&str> = secrets.keys().map(SecretKey::as_str).collect();
        context.confirm(
            args.yes,
            &format!("Clear {} of service principal {sp}", keys.join(", ")),
        )?;
        // Which of the keys are set: Graph lists the saved keys (values masked). Where it
        // cannot say, every named key is cleared and the report does not guess.
        let client = context.client()?;
        match secrets_api(&client, &sp).get().await {
            Ok(saved) => {
                let requested: Vec<SecretKey> = secrets.keys().cloned().collect();
                for key in requested {
                    if !saved.contains_key(&key) {
                        secrets.remove(&key);
                        not_set.push(key);
                    }
                }
            }
            Err(error) => tracing::info!(
                %error,
                "cannot read which keys are saved; clearing every named key"
            ),
        }
        if secrets.is_empty() {
            return nothing_to_clear(context, &sp, &not_set);
        }
    }
    put(context, &sp, &secrets, args.dry_run, "cleared", &not_set).await
}

/// The report when none of the keys to clear was set: nothing is sent.
fn nothing_to_clear(
    context: &Context,
    sp: &ServicePrincipalRef,
    not_set: &[SecretKey],
) -> Result<(), Failure> {
    let keys: Vec<&str> = not_set.iter().map(SecretKey::as_str).collect();
    context.print(&Report {
        text: format!(
            "Nothing to clear on service principal {sp}: {} {} not set. Nothing was sent.",
            keys.join(", "),
            if keys.len() == 1 { "was" } else { "were" }
        ),
        json: json!({ "servicePrincipal": sp.to_string(), "cleared": [], "notSet": keys }),
        tsv: None,
    });
    Ok(())
}

/// Sends (or, for a dry run, prints) one PUT of `secrets` and reports the keys, and those of
/// `not_set` (keys to clear that were not set, so not sent).
async fn put(
    context: &Context,
    sp: &ServicePrincipalRef,
    secrets: &Secrets,
    dry_run: bool,
    action: &str,
    not_set: &[SecretKey],
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
    for key in not_set {
        table.row([key.as_str().to_owned(), "was not set".to_owned()]);
    }
    let keys: Vec<&str> = secrets.keys().map(SecretKey::as_str).collect();
    let not_set: Vec<&str> = not_set.iter().map(SecretKey::as_str).collect();
    let mut json = json!({ "servicePrincipal": sp.to_string(), action: keys });
    if !not_set.is_empty() {
        json["notSet"] = json!(not_set);
    }
    context.print(&Report {
        // The table, then one closing line that says what changed on the service.
        text: format!(
            "{}\n{} {} secret(s) for service principal {sp}.",
            table.render(),
            capitalise(action),
            secrets.len(),
        ),
        json,
        tsv: None,
    });
    Ok(())
}

/// `secrets show`.
async fn show(context: &Context, args: &ShowArgs) -> Result<(), Failure> {
    let client = context.client()?;
    let sp = &resolve_sp(&client, &args.sp).await?;
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
