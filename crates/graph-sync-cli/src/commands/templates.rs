//! `graph-sync templates list|show`: the synchronization templates a service principal offers.

use graph_sync_api::GraphSyncClient;
use graph_sync_api::model::SynchronizationTemplate;

use crate::cli::{CreateJobArgs, SpRef, TemplatesCommand};
use crate::commands::Context;
use crate::commands::reports::schema_summary;
use crate::commands::target::{resolve_sp, sync_api};
use crate::exit::Failure;
use crate::output::{self, Report, Table, to_json};

/// Runs a `templates` subcommand.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn run(context: &Context, command: TemplatesCommand) -> Result<(), Failure> {
    let client = context.client()?;
    match command {
        TemplatesCommand::List(args) => list_templates(context, &client, &args).await,
        TemplatesCommand::Show(args) => show_template(context, &client, &args).await,
    }
}

async fn list_templates(
    context: &Context,
    client: &GraphSyncClient,
    args: &SpRef,
) -> Result<(), Failure> {
    let sp = resolve_sp(client, &args.sp).await?;
    let templates = sync_api(client, &sp)
        .templates()
        .list()
        .await
        .map_err(|e| Failure::api(format!("listing templates of {sp}"), e))?;
    let mut table = Table::new(&["TEMPLATE", "FACTORY", "DEFAULT", "DESCRIPTION"]);
    for template in &templates {
        table.row([
            template
                .id
                .get()
                .map(ToString::to_string)
                .unwrap_or_default(),
            template.factory_tag.clone().unwrap_or_default(),
            if template.default.get() == Some(&true) {
                "yes"
            } else {
                ""
            }
            .to_owned(),
            template.description.clone().unwrap_or_default(),
        ]);
    }
    context.print(&output::list_report(
        &sp,
        &table,
        format!("Service principal {sp} offers no synchronization templates."),
        "templates",
        &templates,
    ));
    Ok(())
}

async fn show_template(
    context: &Context,
    client: &GraphSyncClient,
    args: &CreateJobArgs,
) -> Result<(), Failure> {
    let sp = resolve_sp(client, &args.sp).await?;
    let template = sync_api(client, &sp)
        .template(args.template.clone())
        .get()
        .await
        .map_err(|e| Failure::api(format!("reading template {}", args.template), e))?;
    context.print(&template_report(&template));
    Ok(())
}

fn template_report(template: &SynchronizationTemplate) -> Report {
    let mut table = Table::new(&["FIELD", "VALUE"]);
    let id = template
        .id
        .get()
        .map(ToString::to_string)
        .unwrap_or_default();
    table.row(["Template".to_owned(), id]);
    table.row([
        "Factory".to_owned(),
        template.factory_tag.clone().unwrap_or_default(),
    ]);
    table.row([
        "Default".to_owned(),
        if template.default.get() == Some(&true) {
            "yes"
        } else {
            "no"
        }
        .to_owned(),
    ]);
    table.row([
        "Description".to_owned(),
        template.description.clone().unwrap_or_default(),
    ]);
    for entry in template.metadata.iter().flatten() {
        table.row([
            format!(
                "Metadata {}",
                entry.key.get().map(ToString::to_string).unwrap_or_default()
            ),
            entry.value.clone().unwrap_or_default(),
        ]);
    }
    if let Some(schema) = template.schema.get() {
        table.row(["Schema".to_owned(), schema_summary(schema)]);
    }
    Report {
        text: table.render(),
        json: to_json(template),
        tsv: None,
    }
}
