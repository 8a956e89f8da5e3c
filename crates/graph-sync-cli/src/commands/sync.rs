//! `graph-sync credentials validate`, `templates list|show`, `schema get|put` and
//! `provision-on-demand`: the synchronization calls around a job that are not the job itself.

use graph_sync_api::GraphSyncClient;
use graph_sync_api::model::{
    ProvisionOnDemandRequest, SynchronizationJobSubject, SynchronizationSchema,
    SynchronizationTemplate, ValidateCredentialsRequest,
};
use serde_json::json;

use crate::cli::{
    CreateJobArgs, CredentialsCommand, ProvisionOnDemandArgs, SchemaCommand, SchemaGetArgs,
    SchemaPutArgs, SpRef, TemplatesCommand, ValidateArgs, refuse_arguments,
};
use crate::commands::Context;
use crate::commands::jobs::job_api;
use crate::commands::secrets::load_secrets;
use crate::exit::Failure;
use crate::output::{self, Report, Table, to_json};

/// Runs a `credentials` subcommand.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn credentials(
    context: &Context,
    command: CredentialsCommand,
) -> Result<(), Failure> {
    match command {
        CredentialsCommand::Validate(args) => validate(context, &args).await,
    }
}

async fn validate(context: &Context, args: &ValidateArgs) -> Result<(), Failure> {
    refuse_arguments(&args.rejected)?;
    let (request, source) = match &args.from {
        Some(path) => {
            let secrets = load_secrets(path, args.format, args.allow_unknown_keys)?;
            (
                ValidateCredentialsRequest::with_credentials(secrets),
                format!("the credentials in {}", path.display()),
            )
        }
        None => (
            ValidateCredentialsRequest::saved(),
            "the saved credentials".to_owned(),
        ),
    };
    let client = context.client()?;
    let target = &args.target;
    job_api(&client, target)
        .validate_credentials(&request)
        .await
        .map_err(|e| Failure::api(format!("validating {source} for job {}", target.job), e))?;
    context.print(&Report {
        text: format!(
            "The target system accepted {source} (job {}). Nothing was saved.",
            target.job
        ),
        json: json!({
            "servicePrincipal": target.sp.to_string(),
            "job": target.job.as_str(),
            "valid": true,
            "saved": args.saved,
        }),
    });
    Ok(())
}

/// Runs a `templates` subcommand.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn templates(context: &Context, command: TemplatesCommand) -> Result<(), Failure> {
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
    let templates = client
        .service_principal(args.sp.clone())
        .synchronization()
        .templates()
        .list()
        .await
        .map_err(|e| Failure::api(format!("listing templates of {}", args.sp), e))?;
    let mut table = Table::new(&["TEMPLATE", "FACTORY", "DEFAULT", "DESCRIPTION"]);
    for template in &templates {
        table.row([
            template
                .id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            template.factory_tag.clone().unwrap_or_default(),
            if template.default { "yes" } else { "" }.to_owned(),
            template.description.clone().unwrap_or_default(),
        ]);
    }
    context.print(&output::list_report(
        &args.sp,
        &table,
        format!(
            "Service principal {} offers no synchronization templates.",
            args.sp
        ),
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
    let template = client
        .service_principal(args.sp.clone())
        .synchronization()
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
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    table.row(["Template".to_owned(), id]);
    table.row([
        "Factory".to_owned(),
        template.factory_tag.clone().unwrap_or_default(),
    ]);
    table.row([
        "Default".to_owned(),
        if template.default { "yes" } else { "no" }.to_owned(),
    ]);
    table.row([
        "Description".to_owned(),
        template.description.clone().unwrap_or_default(),
    ]);
    for entry in template.metadata.iter().flatten() {
        table.row([
            format!(
                "Metadata {}",
                entry
                    .key
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            ),
            entry.value.clone().unwrap_or_default(),
        ]);
    }
    if let Some(schema) = &template.schema {
        table.row(["Schema".to_owned(), schema_summary(schema)]);
    }
    Report {
        text: table.render(),
        json: to_json(template),
    }
}

/// `N directories, M rules (id: source → target, …)`.
fn schema_summary(schema: &SynchronizationSchema) -> String {
    let directories = schema.directories.as_ref().map_or(0, Vec::len);
    let rules: Vec<String> = schema
        .synchronization_rules
        .iter()
        .flatten()
        .map(|rule| {
            let id = rule.id.clone().unwrap_or_default();
            match &rule.name {
                Some(name) => format!("{id} ({name})"),
                None => id,
            }
        })
        .collect();
    format!(
        "{directories} directories, {} rule(s): {}",
        rules.len(),
        rules.join(", ")
    )
}

/// Runs a `schema` subcommand.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn schema(context: &Context, command: SchemaCommand) -> Result<(), Failure> {
    match command {
        SchemaCommand::Get(args) => get_schema(context, &args).await,
        SchemaCommand::Put(args) => put_schema(context, &args).await,
    }
}

async fn get_schema(context: &Context, args: &SchemaGetArgs) -> Result<(), Failure> {
    let client = context.client()?;
    let target = &args.target;
    let schema = job_api(&client, target)
        .schema()
        .get()
        .await
        .map_err(|e| Failure::api(format!("reading the schema of job {}", target.job), e))?;
    let document = serde_json::to_string_pretty(&schema)
        .map_err(|e| Failure::Internal(format!("cannot write the schema as JSON: {e}")))?;
    match &args.out {
        None => println!("{document}"),
        Some(path) => {
            std::fs::write(path, format!("{document}\n"))
                .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?;
            context.print(&Report {
                text: format!(
                    "Wrote the schema of job {} to {}: {}.",
                    target.job,
                    path.display(),
                    schema_summary(&schema)
                ),
                json: json!({
                    "job": target.job.as_str(),
                    "out": path.display().to_string(),
                }),
            });
        }
    }
    Ok(())
}

async fn put_schema(context: &Context, args: &SchemaPutArgs) -> Result<(), Failure> {
    let path = &args.from;
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
    let schema: SynchronizationSchema = serde_json::from_str(&text).map_err(|e| {
        Failure::Usage(format!(
            "{} is not a synchronization schema (JSON): {e}",
            path.display()
        ))
    })?;
    let client = context.client()?;
    let target = &args.target;
    job_api(&client, target)
        .schema()
        .put(&schema)
        .await
        .map_err(|e| Failure::api(format!("replacing the schema of job {}", target.job), e))?;
    context.print(&Report {
        text: format!(
            "Replaced the schema of job {} with {}: {}.",
            target.job,
            path.display(),
            schema_summary(&schema)
        ),
        json: json!({ "job": target.job.as_str(), "replaced": true }),
    });
    Ok(())
}

/// Runs `provision-on-demand`.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn provision_on_demand(
    context: &Context,
    args: &ProvisionOnDemandArgs,
) -> Result<(), Failure> {
    let subjects = args
        .subjects
        .iter()
        .map(|(id, kind)| SynchronizationJobSubject::new(id.clone(), kind.clone()))
        .collect();
    let request = ProvisionOnDemandRequest::new(args.rule.clone(), subjects);
    let client = context.client()?;
    let target = &args.target;
    let result = job_api(&client, target)
        .provision_on_demand(&request)
        .await
        .map_err(|e| Failure::api(format!("provisioning on demand with job {}", target.job), e))?;
    let outcome = result.decode_key().ok();
    let log = result.decode_value().ok();
    let status = outcome
        .as_ref()
        .and_then(|key| key.result.clone())
        .unwrap_or_else(|| "(no result)".to_owned());
    let action = log.as_ref().and_then(|log| log.action.clone());
    context.print(&Report {
        text: format!(
            "Provisioned {} subject(s) on demand with rule {}: {status}{}.",
            args.subjects.len(),
            args.rule,
            action.map(|a| format!(" ({a})")).unwrap_or_default()
        ),
        json: json!({
            "job": target.job.as_str(),
            "result": outcome.as_ref().map(to_json),
            "log": log.as_ref().map(to_json),
        }),
    });
    Ok(())
}
