//! `graph-sync provision --manifest FILE`: the whole provisioning workflow in one command.
//!
//! The manifest (TOML) names a service principal, a synchronization template and the
//! secrets; the command then, printing each step as it happens:
//!
//! 1. finds the service principal's job made from that template, or creates one;
//! 2. reads the saved secret keys and decides whether anything needs saving;
//! 3. validates the manifest's credentials against the target system (`validateCredentials`);
//! 4. saves the secrets;
//! 5. starts the job (unless `start = false`);
//! 6. waits, polling with a bounded time, until the job is `Active`.
//!
//! **Idempotence.** A setup is *finished* when the job exists, is `Active` (or `start =
//! false`), and the keys saved on the service principal are exactly the manifest's keys.
//! Values cannot be compared: Graph returns every saved value masked. So a finished setup is
//! left alone and the command says so; after rotating a value in the manifest, pass
//! `--force-secrets` to validate and re-send the secrets anyway.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use graph_sync_api::model::{
    JobId, SecretKey, Secrets, ServicePrincipalRef, SynchronizationJob, SynchronizationStatusCode,
    TemplateId, ValidateCredentialsRequest,
};
use graph_sync_api::{GraphSyncClient, JobApi};
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use crate::cli::{ProvisionArgs, parse_duration, parse_sp};
use crate::commands::Context;
use crate::commands::target::{deadline_after, secrets_api, sync_api};
use crate::exit::Failure;
use crate::interrupt;
use crate::output::{OutputFormat, Report};
use crate::secrets_file::{
    ParseOptions, SecretsFile, SecretsTable, advise, line_column, read_secrets_file,
    resolve_secrets,
};

/// How long `provision` waits for `Active` unless the manifest says otherwise.
const DEFAULT_WAIT: Duration = Duration::from_secs(5 * 60);
/// How often it reads the job while waiting.
const DEFAULT_POLL: Duration = Duration::from_secs(5);

/// The manifest, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    service_principal: String,
    template: String,
    #[serde(default = "yes")]
    start: bool,
    #[serde(default)]
    wait_active_timeout: Option<String>,
    #[serde(default)]
    poll_interval: Option<String>,
    #[serde(default)]
    allow_unknown_keys: bool,
    secrets: SecretsTable,
}

fn yes() -> bool {
    true
}

/// A checked manifest: everything parsed, the secrets read.
#[derive(Debug)]
struct Manifest {
    sp: ServicePrincipalRef,
    template: TemplateId,
    start: bool,
    wait: Duration,
    poll: Duration,
    secrets: Secrets,
}

impl Manifest {
    /// Reads, parses and checks the manifest, and resolves its secrets.
    fn load(path: &Path) -> Result<Self, Failure> {
        let bad = |message: String| Failure::Usage(format!("{}: {message}", path.display()));
        let text = read_secrets_file(path)?;
        let raw: RawManifest = toml::from_str(&text).map_err(|e| {
            // The message only, never the line, which may hold a literal secret.
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_column(&text, span.start));
            bad(format!(
                "line {line}, column {column}: {}",
                e.message().trim_end()
            ))
        })?;
        drop(text);
        let sp = parse_sp(&raw.service_principal).map_err(|e| {
            bad(format!(
                "service_principal: {e} (an object id, or appId=GUID)"
            ))
        })?;
        let template = TemplateId::new(raw.template).map_err(|e| bad(format!("template: {e}")))?;
        let duration = |field: &str, text: Option<String>, default: Duration| match text {
            Some(text) => parse_duration(&text).map_err(|e| bad(format!("{field}: {e}"))),
            None => Ok(default),
        };
        let wait = duration("wait_active_timeout", raw.wait_active_timeout, DEFAULT_WAIT)?;
        let poll = duration("poll_interval", raw.poll_interval, DEFAULT_POLL)?;
        let options = ParseOptions {
            allow_unknown_keys: raw.allow_unknown_keys,
        };
        let file = SecretsFile::from_table(raw.secrets, options)
            .map_err(|e| bad(format!("[secrets]: {e}")))?;
        let secrets = resolve_secrets(file, path)?;
        Ok(Self {
            sp,
            template,
            start: raw.start,
            wait,
            poll,
            secrets,
        })
    }
}

/// Prints steps as they happen: on stdout for people, on stderr with `--output json` (stdout
/// then holds only the final JSON document).
struct Steps {
    format: OutputFormat,
    done: Vec<serde_json::Value>,
}

impl Steps {
    fn say(&mut self, step: &str, outcome: &str, changed: bool) {
        let line = format!("  {step:<22} {outcome}");
        match self.format {
            OutputFormat::Table => println!("{line}"),
            OutputFormat::Json | OutputFormat::Ndjson | OutputFormat::Tsv => eprintln!("{line}"),
        }
        if changed && !outcome.starts_with("would ") {
            interrupt::record(format!("{step}: {outcome}"));
        }
        self.done
            .push(json!({ "step": step, "outcome": outcome, "changed": changed }));
    }

    fn changed(&self) -> bool {
        self.done.iter().any(|step| step["changed"] == true)
    }
}

/// Runs `provision`.
///
/// # Errors
///
/// [`Failure::Usage`] for a bad manifest (before anything is sent), the API's failures, and
/// [`Failure::NotReached`] when the job does not become `Active` in time.
pub(crate) async fn run(context: &Context, args: &ProvisionArgs) -> Result<(), Failure> {
    let manifest = Manifest::load(&args.manifest)?;
    advise(
        &manifest.secrets,
        args.strict,
        &format!("{} [secrets]", args.manifest.display()),
    )?;
    let client = context.client()?;
    let mut steps = Steps {
        format: context.format(),
        done: Vec::new(),
    };
    let sp = &manifest.sp;
    let header = format!(
        "Provisioning service principal {sp} from template {} ({}):",
        manifest.template,
        args.manifest.display()
    );
    match context.format() {
        OutputFormat::Table => println!("{header}"),
        OutputFormat::Json | OutputFormat::Ndjson | OutputFormat::Tsv => eprintln!("{header}"),
    }

    // 1. The job.
    let found = find_or_create_job(&client, &manifest, args.dry_run, &mut steps).await?;
    let job_id = found.as_ref().map(|(id, _)| id.clone());
    let state_before = found
        .as_ref()
        .map_or(SynchronizationStatusCode::NotConfigured, |(_, job)| {
            job.status_code()
        });
    let active = state_before == SynchronizationStatusCode::Active;

    // 2. Which keys are missing, which are extra?
    let saved = secrets_api(&client, sp)
        .get()
        .await
        .map_err(|e| Failure::api(format!("reading the saved secrets of {sp}"), e))?;
    let wanted: BTreeSet<&str> = manifest.secrets.keys().map(SecretKey::as_str).collect();
    let have: BTreeSet<&str> = saved.keys().map(SecretKey::as_str).collect();
    let missing: Vec<&str> = wanted.difference(&have).copied().collect();
    let extra: Vec<SecretKey> = saved
        .keys()
        .filter(|key| !wanted.contains(key.as_str()))
        .cloned()
        .collect();
    let send_secrets = args.force_secrets || !missing.is_empty() || (manifest.start && !active);
    let keys: Vec<&str> = wanted.iter().copied().collect();
    if !send_secrets {
        steps.say(
            "secrets",
            "unchanged: every key the manifest names is saved (values are masked by Graph and \
             cannot be compared; --force-secrets re-sends them)",
            false,
        );
    } else if args.dry_run {
        steps.say(
            "save secrets",
            &format!(
                "would validate, then save {} key(s): {}",
                keys.len(),
                keys.join(", ")
            ),
            true,
        );
    } else {
        // 3. Validate, then 4. save (the job exists: not a dry run).
        let Some(job_id) = &job_id else {
            return Err(Failure::Internal("no job to validate with".to_owned()));
        };
        let api = sync_api(&client, sp).job(job_id.clone());
        api.validate_credentials(&ValidateCredentialsRequest::with_credentials(
            manifest.secrets.clone(),
        ))
        .await
        .map_err(|e| Failure::api("validating the manifest's credentials", e))?;
        steps.say(
            "validate credentials",
            "accepted by the target system",
            false,
        );
        secrets_api(&client, sp)
            .put(&manifest.secrets)
            .await
            .map_err(|e| Failure::api(format!("saving secrets for {sp}"), e))?;
        steps.say(
            "save secrets",
            &format!("saved {} key(s): {}", keys.len(), keys.join(", ")),
            true,
        );
    }
    settle_extra_keys(&client, sp, &extra, args, &mut steps).await?;

    // 5. Start, 6. wait for Active.
    let mut state = state_before.clone();
    if !manifest.start {
        steps.say("start", "skipped: start = false in the manifest", false);
    } else if active && !send_secrets {
        steps.say("start", "unchanged: the job is already Active", false);
    } else if args.dry_run {
        steps.say(
            "start",
            "would start the job and wait until it is Active",
            true,
        );
    } else if let Some(job_id) = &job_id {
        let api = sync_api(&client, sp).job(job_id.clone());
        api.start()
            .await
            .map_err(|e| Failure::api(format!("starting job {job_id}"), e))?;
        steps.say("start", "started", true);
        let job = wait_active(&api, &manifest).await?;
        state = job.status_code();
        steps.say("wait until Active", "Active", false);
    }

    let changed = steps.changed();
    let job_text = job_id
        .as_ref()
        .map_or_else(|| "(to be created)".to_owned(), ToString::to_string);
    let text = if args.dry_run {
        if changed {
            format!(
                "Dry run: nothing was changed; the steps above marked \"would\" are the plan for job {job_text}."
            )
        } else {
            format!("Dry run: nothing to change; job {job_text} is {state}.")
        }
    } else if changed {
        format!("Done: job {job_text} is {state}.")
    } else {
        format!(
            "Nothing to change: job {job_text} is {state} and every key the manifest names is saved."
        )
    };
    context.print(&Report {
        text,
        json: json!({
            "servicePrincipal": sp.to_string(),
            "job": job_id.as_ref().map(JobId::as_str),
            "state": state.to_string(),
            "changed": changed && !args.dry_run,
            "dryRun": args.dry_run,
            "extraKeys": extra.iter().map(SecretKey::as_str).collect::<Vec<_>>(),
            "steps": steps.done,
        }),
        tsv: None,
    });
    Ok(())
}

/// Saved keys the manifest does not name: reported and kept, or with `--prune` cleared (an
/// empty value removes a key; `SyncNotificationSettings` cannot be cleared that way and is
/// kept with a note).
async fn settle_extra_keys(
    client: &GraphSyncClient,
    sp: &ServicePrincipalRef,
    extra: &[SecretKey],
    args: &ProvisionArgs,
    steps: &mut Steps,
) -> Result<(), Failure> {
    if extra.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = extra.iter().map(SecretKey::as_str).collect();
    if !args.prune {
        steps.say(
            "extra keys",
            &format!(
                "kept {} saved key(s) the manifest does not name: {} (--prune clears them)",
                names.len(),
                names.join(", ")
            ),
            false,
        );
        return Ok(());
    }
    let mut clear = Secrets::new();
    let mut kept = Vec::new();
    for key in extra {
        if *key == SecretKey::SyncNotificationSettings {
            kept.push(key.as_str());
        } else {
            clear
                .clear(key.clone())
                .map_err(|e| Failure::Internal(e.to_string()))?;
        }
    }
    let cleared: Vec<&str> = clear.keys().map(SecretKey::as_str).collect();
    if !cleared.is_empty() {
        if args.dry_run {
            steps.say(
                "prune",
                &format!("would clear {}", cleared.join(", ")),
                true,
            );
        } else {
            secrets_api(client, sp)
                .put(&clear)
                .await
                .map_err(|e| Failure::api(format!("clearing extra keys of {sp}"), e))?;
            steps.say("prune", &format!("cleared {}", cleared.join(", ")), true);
        }
    }
    if !kept.is_empty() {
        steps.say(
            "prune",
            &format!(
                "kept {}: it cannot be cleared with an empty value (save Enabled = false instead)",
                kept.join(", ")
            ),
            false,
        );
    }
    Ok(())
}

/// The service principal's job from the manifest's template, created if there is none.
async fn find_or_create_job(
    client: &GraphSyncClient,
    manifest: &Manifest,
    dry_run: bool,
    steps: &mut Steps,
) -> Result<Option<(JobId, SynchronizationJob)>, Failure> {
    let jobs_api = client
        .service_principal(manifest.sp.clone())
        .synchronization()
        .jobs();
    let jobs = jobs_api
        .list()
        .await
        .map_err(|e| Failure::api(format!("listing the jobs of {}", manifest.sp), e))?;
    let existing = jobs
        .into_iter()
        .find(|job| job.template_id.get() == Some(&manifest.template));
    if let Some((id, job)) = existing.and_then(|job| job.id.get().cloned().map(|id| (id, job))) {
        steps.say("job", &format!("found {id} ({})", job.status_code()), false);
        return Ok(Some((id, job)));
    }
    if dry_run {
        steps.say(
            "job",
            &format!("would create a job from template {}", manifest.template),
            true,
        );
        return Ok(None);
    }
    let job = jobs_api
        .create(manifest.template.clone())
        .await
        .map_err(|e| Failure::api(format!("creating a job from {}", manifest.template), e))?;
    let id = job.id.get().cloned().ok_or_else(|| {
        Failure::Internal("the service created a job but did not say its id".to_owned())
    })?;
    steps.say("job", &format!("created {id}"), true);
    Ok(Some((id, job)))
}

/// Polls the job until it is `Active`; a quarantine or the manifest's timeout ends the wait
/// with an error that says why.
async fn wait_active(api: &JobApi, manifest: &Manifest) -> Result<SynchronizationJob, Failure> {
    let deadline = deadline_after(manifest.wait);
    loop {
        let job = api
            .get()
            .await
            .map_err(|e| Failure::api("reading the job's status", e))?;
        match job.status_code() {
            SynchronizationStatusCode::Active => return Ok(job),
            SynchronizationStatusCode::Quarantine => {
                let reason = job
                    .status
                    .get()
                    .and_then(|s| s.quarantine.get())
                    .map(|q| {
                        let message = q.error.get().and_then(|e| e.message.get().cloned());
                        format!("{}: {}", q.reason, message.unwrap_or_default())
                    })
                    .unwrap_or_default();
                return Err(Failure::NotReached(format!(
                    "the job went into quarantine instead of Active ({reason}); see \
                     `graph-sync jobs status`"
                )));
            }
            _ => {}
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Failure::NotReached(format!(
                "the job is {} and not Active after {:?} (wait_active_timeout)",
                job.status_code(),
                manifest.wait
            )));
        }
        tokio::time::sleep(manifest.poll.min(deadline - now)).await;
    }
}
