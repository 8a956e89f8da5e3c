//! `graph-sync schema get|put`: read a job's synchronization schema, or replace it whole.

use graph_sync_api::GraphSyncClient;
use graph_sync_api::model::SynchronizationSchema;
use serde_json::json;

use crate::cli::{SchemaCommand, SchemaGetArgs, SchemaPutArgs};
use crate::commands::Context;
use crate::commands::reports::schema_summary;
use crate::commands::target::{job_api, job_on, resolve_sp_in};
use crate::exit::Failure;
use crate::interrupt;
use crate::limits::{SCHEMA_CAP, read_file_capped};
use crate::output::Report;

/// Runs a `schema` subcommand.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn run(context: &Context, command: SchemaCommand) -> Result<(), Failure> {
    match command {
        SchemaCommand::Get(args) => get_schema(context, &args).await,
        SchemaCommand::Put(args) => put_schema(context, &args).await,
    }
}

async fn get_schema(context: &Context, args: &SchemaGetArgs) -> Result<(), Failure> {
    let client = context.client()?;
    let target = &args.target;
    let schema = job_api(&client, target)
        .await?
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
                tsv: None,
            });
        }
    }
    Ok(())
}

async fn put_schema(context: &Context, args: &SchemaPutArgs) -> Result<(), Failure> {
    let path = &args.from;
    let bytes = read_file_capped(path, SCHEMA_CAP)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
    let schema: SynchronizationSchema = serde_json::from_slice(&bytes).map_err(|e| {
        Failure::Usage(format!(
            "{} is not a synchronization schema (JSON): {e}",
            path.display()
        ))
    })?;
    let target = &args.target;
    if args.change.dry_run {
        let sp = resolve_sp_in(context, &target.sp).await?;
        return context
            .preview(|client: GraphSyncClient| async move {
                job_on(&client, &sp, target).schema().put(&schema).await
            })
            .await;
    }
    context.confirm(
        args.change.yes,
        &format!(
            "Replace the whole schema of job {} with {} (what it leaves out is gone)",
            target.job,
            path.display()
        ),
    )?;
    let client = context.client()?;
    job_api(&client, target)
        .await?
        .schema()
        .put(&schema)
        .await
        .map_err(|e| Failure::api(format!("replacing the schema of job {}", target.job), e))?;
    interrupt::record(format!("replaced the schema of job {}", target.job));
    context.print(&Report {
        text: format!(
            "Replaced the schema of job {} with {}: {}.",
            target.job,
            path.display(),
            schema_summary(&schema)
        ),
        json: json!({ "job": target.job.as_str(), "replaced": true }),
        tsv: None,
    });
    Ok(())
}
