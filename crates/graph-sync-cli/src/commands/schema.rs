//! `graph-sync schema get|put|diff|apply|export|import`: read a job's synchronization schema,
//! replace it whole, compare two schemas, apply a file with a plan and a verified read-back,
//! and copy a configuration from one job to another.
//!
//! Schemas travel as [`SchemaDocument`]s: `get` writes the text Graph sent (laid out, key
//! order kept) and `put`/`apply` send a file's text as written (whitespace dropped), so a
//! schema read and put back is byte for byte what was read.

use std::path::{Path, PathBuf};

use graph_sync_api::GraphSyncClient;
use graph_sync_api::model::schema_as_code::{PortableSchema, SchemaDocument, SchemaPlan, portable};
use graph_sync_api::model::{JobId, SynchronizationSchema};
use serde_json::json;

use crate::cli::{
    Change, JobRef, SchemaCommand, SchemaDiffArgs, SchemaGetArgs, SchemaImportArgs, SchemaPutArgs,
    parse_sp_arg,
};
use crate::commands::Context;
use crate::commands::reports::{plan_table, schema_summary};
use crate::commands::target::{job_api, job_on, resolve_sp_in};
use crate::exit::Failure;
use crate::interrupt;
use crate::limits::{SCHEMA_CAP, read_file_capped};
use crate::output::{self, OutputFormat, Report, to_json, write_stdout};

/// Runs a `schema` subcommand.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn run(context: &Context, command: SchemaCommand) -> Result<(), Failure> {
    match command {
        SchemaCommand::Get(args) => get_schema(context, &args).await,
        SchemaCommand::Put(args) => put_schema(context, &args).await,
        SchemaCommand::Diff(args) => diff(context, &args).await,
        SchemaCommand::Apply(args) => apply(context, &args).await,
        SchemaCommand::Export(args) => export(context, &args).await,
        SchemaCommand::Import(args) => import(context, &args).await,
    }
}

async fn read_document(
    client: &GraphSyncClient,
    target: &JobRef,
) -> Result<SchemaDocument, Failure> {
    job_api(client, target)
        .await?
        .schema()
        .get_document()
        .await
        .map_err(|e| Failure::api(format!("reading the schema of job {}", target.job), e))
}

/// Writes `text` (and a final newline) to `out`, or prints it on stdout without `out`.
fn write_out(out: Option<&Path>, text: &str) -> Result<(), Failure> {
    match out {
        None => {
            write_stdout(&format!("{text}\n"));
            Ok(())
        }
        Some(path) => std::fs::write(path, format!("{text}\n"))
            .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display()))),
    }
}

async fn get_schema(context: &Context, args: &SchemaGetArgs) -> Result<(), Failure> {
    let client = context.client()?;
    let target = &args.target;
    let document = read_document(&client, target).await?;
    write_out(args.out.as_deref(), &document.pretty())?;
    if let Some(path) = &args.out {
        context.print(&Report {
            text: format!(
                "Wrote the schema of job {} to {}: {}.",
                target.job,
                path.display(),
                schema_summary(document.schema())
            ),
            json: json!({
                "job": target.job.as_str(),
                "out": path.display().to_string(),
            }),
            tsv: None,
        });
    }
    Ok(())
}

/// Reads a schema file (a schema as `schema get` writes it, or any schema JSON).
fn read_schema_file(path: &Path) -> Result<SchemaDocument, Failure> {
    let bytes = read_file_capped(path, SCHEMA_CAP)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
    if PortableSchema::is_export(&bytes) {
        return Err(Failure::Usage(format!(
            "{} is a schema export: put it on a job with `schema import`, which maps its ids",
            path.display()
        )));
    }
    SchemaDocument::from_json(&bytes).map_err(|e| {
        Failure::Usage(format!(
            "{} is not a synchronization schema (JSON): {e}",
            path.display()
        ))
    })
}

async fn put_schema(context: &Context, args: &SchemaPutArgs) -> Result<(), Failure> {
    let path = &args.from;
    let document = read_schema_file(path)?;
    let target = &args.target;
    if args.change.dry_run {
        let sp = resolve_sp_in(context, &target.sp).await?;
        return context
            .preview(|client: GraphSyncClient| async move {
                job_on(&client, &sp, target)
                    .schema()
                    .put_document(&document)
                    .await
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
        .put_document(&document)
        .await
        .map_err(|e| Failure::api(format!("replacing the schema of job {}", target.job), e))?;
    interrupt::record(format!("replaced the schema of job {}", target.job));
    context.print(&Report {
        text: format!(
            "Replaced the schema of job {} with {}: {}.",
            target.job,
            path.display(),
            schema_summary(document.schema())
        ),
        json: json!({ "job": target.job.as_str(), "replaced": true }),
        tsv: None,
    });
    Ok(())
}

/// One side of `schema diff`: a file or a live job.
enum Side {
    File(PathBuf),
    Job(JobRef),
}

impl Side {
    /// A path that exists is a file; otherwise `SP:JOB` is a job.
    fn parse(text: &str) -> Result<Self, Failure> {
        let path = PathBuf::from(text);
        if path.exists() {
            return Ok(Self::File(path));
        }
        let not_either = || {
            Failure::Usage(format!(
                "{text:?} is neither a file nor a job written SP:JOB (e.g. \
                 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6:scim.0a1b2c3d4e5f)"
            ))
        };
        // A job id has no `:`, a display name (`name:My App`) may.
        let (sp, job) = text.rsplit_once(':').ok_or_else(not_either)?;
        let sp = parse_sp_arg(sp).map_err(|e| Failure::Usage(format!("{text:?}: {e}")))?;
        let job = JobId::try_from(job.to_owned())
            .map_err(|e| Failure::Usage(format!("{text:?}: {e}")))?;
        Ok(Self::Job(JobRef { sp, job }))
    }

    /// The schema, and whether it is an export (compared without ids).
    async fn load(
        &self,
        context: &Context,
        client: &mut Option<GraphSyncClient>,
    ) -> Result<(SynchronizationSchema, bool), Failure> {
        match self {
            Self::File(path) => {
                let bytes = read_file_capped(path, SCHEMA_CAP)
                    .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
                if PortableSchema::is_export(&bytes) {
                    let export = PortableSchema::from_json(&bytes)
                        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
                    return Ok((export.schema, true));
                }
                let document = SchemaDocument::from_json(&bytes).map_err(|e| {
                    Failure::Usage(format!(
                        "{} is not a synchronization schema or export (JSON): {e}",
                        path.display()
                    ))
                })?;
                Ok((document.schema().clone(), false))
            }
            Self::Job(target) => {
                if client.is_none() {
                    *client = Some(context.client()?);
                }
                let Some(client) = client.as_ref() else {
                    return Err(Failure::Internal("no client".to_owned()));
                };
                Ok((read_document(client, target).await?.schema().clone(), false))
            }
        }
    }
}

async fn diff(context: &Context, args: &SchemaDiffArgs) -> Result<(), Failure> {
    let (old, new) = (Side::parse(&args.old)?, Side::parse(&args.new)?);
    let mut client = None;
    let (old_schema, old_export) = old.load(context, &mut client).await?;
    let (new_schema, new_export) = new.load(context, &mut client).await?;
    let plan = if old_export || new_export {
        SchemaPlan::between(&portable(&old_schema), &portable(&new_schema))
    } else {
        SchemaPlan::between(&old_schema, &new_schema)
    };
    let text = if plan.is_empty() {
        format!("No differences between {} and {}.", args.old, args.new)
    } else {
        format!(
            "{} from {} to {}:\n{}",
            counts_line(&plan),
            args.old,
            args.new,
            plan_table(&plan)
        )
    };
    let mut json = to_json(&plan);
    if let Some(object) = json.as_object_mut() {
        object.insert("old".to_owned(), args.old.clone().into());
        object.insert("new".to_owned(), args.new.clone().into());
    }
    context.print(&Report {
        text,
        tsv: output::items_tsv(&json, "changes"),
        json,
    });
    Ok(())
}

/// `N change(s): a added, r removed, c changed`.
fn counts_line(plan: &SchemaPlan) -> String {
    let (added, removed, changed) = plan.counts();
    format!(
        "{} change(s): {added} added, {removed} removed, {changed} changed",
        plan.changes.len()
    )
}

async fn apply(context: &Context, args: &SchemaPutArgs) -> Result<(), Failure> {
    let document = read_schema_file(&args.from)?;
    let client = context.client()?;
    let current = read_document(&client, &args.target).await?;
    let from = args.from.display().to_string();
    apply_document(
        context,
        &client,
        &args.target,
        &current,
        &document,
        &from,
        &args.change,
    )
    .await
}

/// The plan from the job's `current` schema to `document`, confirmed, applied and verified.
async fn apply_document(
    context: &Context,
    client: &GraphSyncClient,
    target: &JobRef,
    current: &SchemaDocument,
    document: &SchemaDocument,
    from: &str,
    change: &Change,
) -> Result<(), Failure> {
    let job = target.job.as_str();
    let plan = SchemaPlan::between(current.schema(), document.schema()).without_annotations();
    if plan.is_empty() {
        context.print(&Report {
            text: format!("Job {job} already holds {from}: nothing to apply."),
            json: json!({
                "job": job, "from": from, "changes": [], "applied": false, "verified": null,
            }),
            tsv: None,
        });
        return Ok(());
    }
    if context.format() == OutputFormat::Table {
        write_stdout(&format!(
            "{} to the schema of job {job}:\n{}\n",
            counts_line(&plan),
            plan_table(&plan)
        ));
    }
    if change.dry_run {
        let sp = resolve_sp_in(context, &target.sp).await?;
        return context
            .preview(|client: GraphSyncClient| async move {
                job_on(&client, &sp, target)
                    .schema()
                    .put_document(document)
                    .await
            })
            .await;
    }
    context.confirm(
        change.yes,
        &format!(
            "Apply these {} change(s) to the schema of job {job} (a full replace by {from})",
            plan.changes.len()
        ),
    )?;
    let (_, differences) = job_api(client, target)
        .await?
        .schema()
        .put_and_verify(document)
        .await
        .map_err(|e| Failure::api(format!("applying {from} to job {job}"), e))?;
    interrupt::record(format!("replaced the schema of job {job}"));
    if !differences.is_empty() {
        if context.format() == OutputFormat::Table {
            write_stdout(&format!(
                "The service holds something else than was sent:\n{}\n",
                plan_table(&differences)
            ));
        }
        return Err(Failure::NotReached(format!(
            "applied {from} to job {job}, but the schema read back differs from what was sent \
             in {} place(s)",
            differences.changes.len()
        )));
    }
    let mut json = to_json(&plan);
    if let Some(object) = json.as_object_mut() {
        object.insert("job".to_owned(), job.into());
        object.insert("from".to_owned(), from.into());
        object.insert("applied".to_owned(), true.into());
        object.insert("verified".to_owned(), true.into());
    }
    context.print(&Report {
        text: format!(
            "Applied {from} to job {job}: {}. Read back: the service holds what was sent.",
            counts_line(&plan)
        ),
        json,
        tsv: None,
    });
    Ok(())
}

async fn export(context: &Context, args: &SchemaGetArgs) -> Result<(), Failure> {
    let client = context.client()?;
    let target = &args.target;
    let job = job_api(&client, target)
        .await?
        .get()
        .await
        .map_err(|e| Failure::api(format!("reading job {}", target.job), e))?;
    let document = read_document(&client, target).await?;
    let template = job.template_id.get().map(|t| t.as_str().to_owned());
    let export = PortableSchema::export(document.schema(), template);
    let text = serde_json::to_string_pretty(&export)
        .map_err(|e| Failure::Internal(format!("cannot write the export as JSON: {e}")))?;
    write_out(args.out.as_deref(), &text)?;
    if let Some(path) = &args.out {
        context.print(&Report {
            text: format!(
                "Exported the schema of job {} to {} (no job or tenant ids): {}.",
                target.job,
                path.display(),
                schema_summary(&export.schema)
            ),
            json: json!({
                "job": target.job.as_str(),
                "out": path.display().to_string(),
                "templateId": export.template_id,
            }),
            tsv: None,
        });
    }
    Ok(())
}

async fn import(context: &Context, args: &SchemaImportArgs) -> Result<(), Failure> {
    let path = &args.put.from;
    let bytes = read_file_capped(path, SCHEMA_CAP)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
    let export = PortableSchema::from_json(&bytes).map_err(|e| {
        Failure::Usage(format!(
            "{}: {e}; write one with `schema export` (a plain schema goes on with `schema \
             apply`)",
            path.display()
        ))
    })?;
    let target = &args.put.target;
    let client = context.client()?;
    let job = job_api(&client, target)
        .await?
        .get()
        .await
        .map_err(|e| Failure::api(format!("reading job {}", target.job), e))?;
    let theirs = job.template_id.get().map(|t| t.as_str().to_owned());
    if let (Some(exported), Some(here)) = (&export.template_id, &theirs)
        && exported != here
        && !args.any_template
    {
        return Err(Failure::Usage(format!(
            "{} was exported from a job of template {exported}, and job {} is of template \
             {here}: their rules and directories differ. Pass --any-template to import anyway",
            path.display(),
            target.job
        )));
    }
    let current = read_document(&client, target).await?;
    let schema = export
        .onto(current.schema())
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    let document = SchemaDocument::from_schema(&schema)
        .map_err(|e| Failure::Internal(format!("cannot write the schema as JSON: {e}")))?;
    let from = path.display().to_string();
    apply_document(
        context,
        &client,
        target,
        &current,
        &document,
        &from,
        &args.put.change,
    )
    .await
}
