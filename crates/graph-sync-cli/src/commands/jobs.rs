//! `graph-sync jobs list|show|create|start|pause|restart|delete|status`.
//!
//! `jobs status --watch` reads the job every `--interval` until `--timeout` (or `--until`):
//! on a terminal it redraws one line in place; otherwise (a pipe, a log file, a test) it prints
//! one line per change, so the output is a readable history rather than a flood.

use std::io::IsTerminal as _;

use graph_sync_api::GraphSyncClient;
use graph_sync_api::model::{
    ServicePrincipalRef, SynchronizationJob, SynchronizationJobRestartScope,
    SynchronizationStatusCode,
};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::cli::{
    JobChange, JobRef, JobsCommand, JobsCreateArgs, RestartArgs, SpRef, StatusArgs, UntilState,
};
use crate::commands::Context;
use crate::commands::target::{
    deadline_after, job_api, job_on, resolve_sp, resolve_sp_in, sync_api,
};
use crate::exit::Failure;
use crate::interrupt;
use crate::output::{self, OutputFormat, Report, Table, to_json};

/// Runs a `jobs` subcommand.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn run(context: &Context, command: JobsCommand) -> Result<(), Failure> {
    match command {
        JobsCommand::List(args) => list(context, &context.client()?, &args).await,
        JobsCommand::Show(target) => show(context, &context.client()?, &target).await,
        JobsCommand::Create(args) => create(context, &args).await,
        JobsCommand::Start(args) => act(context, &args, Action::Start).await,
        JobsCommand::Pause(args) => act(context, &args, Action::Pause).await,
        JobsCommand::Restart(args) => restart(context, &args).await,
        JobsCommand::Delete(args) => act(context, &args, Action::Delete).await,
        JobsCommand::Status(args) => status(context, &context.client()?, &args).await,
    }
}

/// `jobs start|pause|delete`.
#[derive(Debug, Clone, Copy)]
enum Action {
    Start,
    Pause,
    Delete,
}

async fn act(context: &Context, args: &JobChange, action: Action) -> Result<(), Failure> {
    let target = &args.target;
    let sp = &resolve_sp_in(context, &target.sp).await?;
    let send = |client: GraphSyncClient| async move {
        let api = job_on(&client, sp, target);
        match action {
            Action::Start => api.start().await,
            Action::Pause => api.pause().await,
            Action::Delete => api.delete().await,
        }
    };
    if args.change.dry_run {
        return context.preview(send).await;
    }
    let (doing, done_word) = match action {
        Action::Start => ("starting", "started"),
        Action::Pause => ("pausing", "paused"),
        Action::Delete => {
            context.confirm(
                args.change.yes,
                &format!(
                    "Delete job {} of service principal {sp} (its state and progress are lost)",
                    target.job
                ),
            )?;
            ("deleting", "deleted")
        }
    };
    send(context.client()?)
        .await
        .map_err(|e| Failure::api(format!("{doing} job {}", target.job), e))?;
    context.print(&done(sp, target, done_word));
    Ok(())
}

/// The closing report of a job action, noted as a change for the Ctrl-C report.
fn done(sp: &ServicePrincipalRef, target: &JobRef, action: &str) -> Report {
    interrupt::record(format!("job {} {action}", target.job));
    Report {
        text: format!("Job {} {action}.", target.job),
        json: json!({
            "servicePrincipal": sp.to_string(),
            "job": target.job.as_str(),
            "action": action,
        }),
        tsv: None,
    }
}

async fn list(context: &Context, client: &GraphSyncClient, args: &SpRef) -> Result<(), Failure> {
    let sp = resolve_sp(client, &args.sp).await?;
    let jobs = sync_api(client, &sp)
        .jobs()
        .list()
        .await
        .map_err(|e| Failure::api(format!("listing jobs of service principal {sp}"), e))?;
    let mut table = Table::new(&["JOB", "TEMPLATE", "SCHEDULE", "STATE"]);
    for job in &jobs {
        table.row([
            job.id.get().map(ToString::to_string).unwrap_or_default(),
            job.template_id
                .get()
                .map(ToString::to_string)
                .unwrap_or_default(),
            job.schedule
                .get()
                .map(|s| s.state.to_string())
                .unwrap_or_default(),
            job.status_code().to_string(),
        ]);
    }
    context.print(&output::list_report(
        &sp,
        &table,
        format!("Service principal {sp} has no jobs; create one with `graph-sync jobs create`."),
        "jobs",
        &jobs,
    ));
    Ok(())
}

async fn show(context: &Context, client: &GraphSyncClient, target: &JobRef) -> Result<(), Failure> {
    let job = job_api(client, target)
        .await?
        .get()
        .await
        .map_err(|e| Failure::api(format!("reading job {}", target.job), e))?;
    context.print(&job_report(&job));
    Ok(())
}

async fn create(context: &Context, args: &JobsCreateArgs) -> Result<(), Failure> {
    let (args, allow_duplicate, dry_run) = (&args.target, args.allow_duplicate, args.dry_run);
    let sp = &resolve_sp_in(context, &args.sp).await?;
    if dry_run {
        return context
            .preview(|client: GraphSyncClient| async move {
                sync_api(&client, sp)
                    .jobs()
                    .create(args.template.clone())
                    .await
            })
            .await;
    }
    let client = &context.client()?;
    if !allow_duplicate {
        let jobs = sync_api(client, sp)
            .jobs()
            .list()
            .await
            .map_err(|e| Failure::api(format!("listing jobs of {sp}"), e))?;
        if let Some(existing) = jobs
            .iter()
            .find(|job| job.template_id.get() == Some(&args.template))
        {
            let id = existing
                .id
                .get()
                .map(ToString::to_string)
                .unwrap_or_default();
            return Err(Failure::Usage(format!(
                "service principal {sp} already has job {id} from template {}; nothing was \
                 created. Use that job, or pass --allow-duplicate to create another",
                args.template
            )));
        }
    }
    let job = sync_api(client, sp)
        .jobs()
        .create(args.template.clone())
        .await
        .map_err(|e| Failure::api(format!("creating a job from template {}", args.template), e))?;
    let id = job.id.get().map(ToString::to_string).unwrap_or_default();
    interrupt::record(format!("created job {id} from template {}", args.template));
    context.print(&Report {
        text: format!("Created job {id} from template {}.", args.template),
        json: to_json(&job),
        tsv: Some(id.clone()),
    });
    Ok(())
}

async fn restart(context: &Context, args: &RestartArgs) -> Result<(), Failure> {
    let scope = match &args.scope {
        Some(text) => {
            let scope = SynchronizationJobRestartScope::parse(text);
            if let Some(unknown) = scope.unknown().next() {
                return Err(Failure::Usage(format!(
                    "--scope: unknown restart scope `{unknown}`; use Watermark, Escrows, \
                     QuarantineState, Full or ForceDeletes, comma-separated"
                )));
            }
            scope
        }
        None => SynchronizationJobRestartScope::portal_restart(),
    };
    let sp = &resolve_sp_in(context, &args.target.sp).await?;
    if args.change.dry_run {
        return context
            .preview(|client: GraphSyncClient| async move {
                job_on(&client, sp, &args.target).restart(&scope).await
            })
            .await;
    }
    // What the restart clears; Watermark and Escrows alone only make the next cycle longer.
    let scope_text = scope.to_string();
    if ["Full", "ForceDeletes", "QuarantineState"]
        .iter()
        .any(|destructive| scope_text.contains(destructive))
    {
        context.confirm(
            args.change.yes,
            &format!("Restart job {} clearing {scope_text}", args.target.job),
        )?;
    }
    job_on(&context.client()?, sp, &args.target)
        .restart(&scope)
        .await
        .map_err(|e| Failure::api(format!("restarting job {}", args.target.job), e))?;
    let mut report = done(sp, &args.target, "restarted");
    report.text = format!("Job {} restarted (cleared: {scope}).", args.target.job);
    if let Some(object) = report.json.as_object_mut() {
        object.insert("scope".to_owned(), json!(scope.to_string()));
    }
    context.print(&report);
    Ok(())
}

/// `jobs show`: the main facts as text, the whole job as JSON.
fn job_report(job: &SynchronizationJob) -> Report {
    let mut table = Table::new(&["FIELD", "VALUE"]);
    let id = job.id.get().map(ToString::to_string).unwrap_or_default();
    table.row(["Job".to_owned(), id]);
    table.row([
        "Template".to_owned(),
        job.template_id
            .get()
            .map(ToString::to_string)
            .unwrap_or_default(),
    ]);
    if let Some(schedule) = job.schedule.get() {
        table.row([
            "Schedule".to_owned(),
            format!("{} every {}", schedule.state, schedule.interval),
        ]);
    }
    for (field, value) in status_fields(job) {
        table.row([field.to_owned(), value]);
    }
    Report {
        text: table.render(),
        json: to_json(job),
        tsv: None,
    }
}

/// State, progress, last execution and quarantine, as (field, text) pairs.
fn status_fields(job: &SynchronizationJob) -> Vec<(&'static str, String)> {
    let mut fields = vec![("State", job.status_code().to_string())];
    let Some(status) = job.status.get() else {
        return fields;
    };
    if let Some(progress) = status.progress.get().and_then(|p| p.last()) {
        fields.push((
            "Progress",
            format!(
                "{}/{} {}",
                progress.completed_units,
                progress.total_units,
                progress.units.as_deref().unwrap_or("units")
            ),
        ));
    }
    if let Some(last) = status.last_execution.get() {
        let mut text = format!("{} at {}", last.state, last.time_ended);
        if let Some(message) = last.error.get().and_then(|e| e.message.as_deref()) {
            text.push_str(&format!(": {message}"));
        }
        fields.push(("Last execution", text));
    }
    if let Some(quarantine) = status.quarantine.get() {
        let mut text = quarantine.reason.to_string();
        if let Some(error) = quarantine.error.get() {
            if let Some(code) = error.code.get() {
                text.push_str(&format!(" ({code})"));
            }
            if let Some(message) = error.message.get() {
                text.push_str(&format!(": {message}"));
            }
        }
        fields.push(("Quarantine", text));
    }
    fields
}

/// One line: `State: Active | Last execution: …`, each value sanitized (no control
/// sequence or line break from the service reaches the terminal).
fn status_line(job: &SynchronizationJob) -> String {
    status_fields(job)
        .into_iter()
        .map(|(field, value)| format!("{field}: {}", graph_sync_api::redact::sanitize(&value)))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The status part of a job, as JSON.
fn status_json(target: &JobRef, job: &SynchronizationJob) -> Value {
    json!({
        "job": target.job.as_str(),
        "state": job.status_code().to_string(),
        "status": job.status.get().map(to_json),
    })
}

/// Whether `job` is in the `--until` state.
fn reached(until: UntilState, job: &SynchronizationJob) -> bool {
    let code = job.status_code();
    match until {
        UntilState::Active => code == SynchronizationStatusCode::Active,
        UntilState::Quarantine => code == SynchronizationStatusCode::Quarantine,
        UntilState::Paused => code == SynchronizationStatusCode::Paused,
        UntilState::Settled => !matches!(
            code,
            SynchronizationStatusCode::NotConfigured | SynchronizationStatusCode::NotRun
        ),
    }
}

async fn status(
    context: &Context,
    client: &GraphSyncClient,
    args: &StatusArgs,
) -> Result<(), Failure> {
    let api = job_api(client, &args.target).await?;
    let read = || async {
        api.get()
            .await
            .map_err(|e| Failure::api(format!("reading job {}", args.target.job), e))
    };
    if !args.watch {
        let job = read().await?;
        let mut table = Table::new(&["FIELD", "VALUE"]);
        for (field, value) in status_fields(&job) {
            table.row([field.to_owned(), value]);
        }
        context.print(&Report {
            text: table.render(),
            json: status_json(&args.target, &job),
            tsv: None,
        });
        return Ok(());
    }
    let in_place = std::io::stdout().is_terminal() && context.format() == OutputFormat::Table;
    let deadline = deadline_after(args.timeout);
    let mut last: Option<String> = None;
    loop {
        let job = read().await?;
        let line = match context.format() {
            OutputFormat::Table => status_line(&job),
            OutputFormat::Json | OutputFormat::Ndjson => {
                serde_json::to_string(&status_json(&args.target, &job)).unwrap_or_default()
            }
            OutputFormat::Tsv => output::tsv(&status_json(&args.target, &job)),
        };
        if in_place {
            // Carriage return and "erase line": the status is redrawn where it was. It is cut
            // to the terminal's width (read again each time: it may be resized), because a
            // wrapped line would leave its first rows behind at every redraw.
            let shown = match console::Term::stdout().size_checked() {
                Some((_, columns)) => {
                    console::truncate_str(&line, usize::from(columns).saturating_sub(1), "…")
                }
                None => std::borrow::Cow::Borrowed(line.as_str()),
            };
            output::write_stdout(&format!("\r\x1b[2K{shown}"));
        } else if last.as_deref() != Some(line.as_str()) {
            output::write_stdout(&format!("{line}\n"));
        }
        last = Some(line);
        if args.until.is_some_and(|until| reached(until, &job)) {
            if in_place {
                output::write_stdout("\n");
            }
            return Ok(());
        }
        let now = Instant::now();
        if now >= deadline {
            if in_place {
                output::write_stdout("\n");
            }
            return match args.until {
                Some(until) => Err(Failure::NotReached(format!(
                    "job {} did not reach {} within {:?}",
                    args.target.job,
                    until_name(until),
                    args.timeout
                ))),
                None => Ok(()),
            };
        }
        tokio::time::sleep(args.interval.min(deadline - now)).await;
    }
}

fn until_name(until: UntilState) -> &'static str {
    match until {
        UntilState::Active => "Active",
        UntilState::Quarantine => "Quarantine",
        UntilState::Paused => "Paused",
        UntilState::Settled => "a settled state",
    }
}
