//! The demo's steps, one function each, in the order [`Step::ALL`](super::Step::ALL) runs
//! them. Each prints what it does and leaves what later steps need in [`Demo`].

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use graph_sync_api::model::{
    ApplicationTemplateId, InstantiateRequest, SecretKey, SecretString, Secrets,
    ServicePrincipalId, ServicePrincipalRef, SynchronizationJob, SynchronizationStatusCode,
    ValidateCredentialsRequest,
};
use graph_sync_api::model::{ProvisionOnDemandRequest, SynchronizationJobSubject};
use graph_sync_api::{JobApi, LogFilter, LogQuery, TextMatch, Visibility, wait_until_visible};
use graph_sync_emulator::{SourceObject, TargetSystem};

use super::Demo;
use crate::commands::reports::masked_report;
use crate::dry_run::{self, CapturingTransport};
use crate::exit::{Exit, Failure};
use crate::output::{self, OutputFormat};
use crate::secrets_file::{FileFormat, ParseOptions, SecretsFile, Sources};

/// The secrets file the demo saves, as a user would write it.
const MANIFEST: &str = r#"BaseAddress = "https://scim.example.com/scim/v2"
SecretToken = { stdin = true }
SyncAll = false

[SyncNotificationSettings]
Enabled = true
Recipients = ["ops@example.com"]
DeleteThresholdEnabled = true
DeleteThresholdValue = 500
"#;

/// What the demo feeds as standard input for `SecretToken` (it never reads the real one).
const DEMO_SCIM_TOKEN: &str = "demo-scim-bearer-token\n";

/// The Entra gallery's "non-gallery application" template.
const NON_GALLERY_APPLICATION_TEMPLATE: &str = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";

/// The SCIM endpoint the demo provisions to (the manifest's `BaseAddress`).
const SCIM_BASE_ADDRESS: &str = "https://scim.example.com/scim/v2";

/// How many reads of the new service principal answer 404 (directory replication).
const REPLICATION_LAG_READS: u32 = 2;

/// A service principal id the emulator does not know, for the typed error.
const UNKNOWN_SERVICE_PRINCIPAL: &str = "00000000-0000-4000-8000-000000000404";

/// [`Step::InstantiateApplication`](super::Step::InstantiateApplication).
pub(super) async fn instantiate_application(demo: &mut Demo) -> Result<(), Failure> {
    let emulator = demo.running.emulator();
    // Directory replication: the new service principal answers 404 to its first
    // reads; the client waits (bounded) until it is seen.
    emulator.set_replication_lag(REPLICATION_LAG_READS);
    let template = ApplicationTemplateId::new(NON_GALLERY_APPLICATION_TEMPLATE)
        .map_err(|e| Failure::Internal(e.to_string()))?;
    let created = demo
        .client
        .application_template(template)
        .instantiate(&InstantiateRequest::new("Demo SCIM app"))
        .await
        .map_err(|e| Failure::api("instantiating the application", e))?;
    let id = created
        .service_principal
        .get()
        .and_then(|sp| sp.id.get().cloned())
        .ok_or_else(|| Failure::Internal("instantiate returned no service principal".to_owned()))?;
    let id = ServicePrincipalId::new(id).map_err(|e| Failure::Internal(e.to_string()))?;
    let reads = std::sync::atomic::AtomicU32::new(0);
    let client = demo.client.clone();
    let sp_ref = ServicePrincipalRef::from(id.clone());
    let visibility = Visibility::default()
        .with_consecutive(1)
        .with_interval(Duration::from_millis(10))
        .with_timeout(Duration::from_secs(10));
    let found = wait_until_visible(visibility, || {
        reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let api = client.service_principal(sp_ref.clone());
        async move { api.get().await }
    })
    .await
    .map_err(|e| Failure::api("waiting for the service principal", e))?;
    let reads = reads.load(std::sync::atomic::Ordering::Relaxed);
    say(&format!(
        "POST /applicationTemplates/{NON_GALLERY_APPLICATION_TEMPLATE}/instantiate\n\
         Created {:?}\n  service principal: {id}\n  appId:             {}\n\
         Visible after {reads} read(s): the first {} answered 404 while the \
         directory replicated.",
        found.display_name.unwrap_or_default(),
        found.app_id.unwrap_or_default(),
        reads.saturating_sub(1)
    ));
    // The SCIM endpoint the emulated service provisions to, and its token.
    emulator.set_target_system(
        &id,
        TargetSystem::new(SCIM_BASE_ADDRESS, DEMO_SCIM_TOKEN.trim_end()),
    );
    demo.sp = Some(id);
    Ok(())
}

/// [`Step::ListTemplates`](super::Step::ListTemplates).
pub(super) async fn list_templates(demo: &mut Demo) -> Result<(), Failure> {
    let templates = demo
        .sync()?
        .templates()
        .list()
        .await
        .map_err(|e| Failure::api("listing templates", e))?;
    for template in &templates {
        say(&format!(
            "{}  ({}) {}",
            template
                .id
                .get()
                .map(ToString::to_string)
                .unwrap_or_default(),
            template.factory_tag.clone().unwrap_or_default(),
            template.description.clone().unwrap_or_default()
        ));
    }
    demo.template = templates.into_iter().find_map(|t| t.id.into_option());
    Ok(())
}

/// [`Step::CreateJob`](super::Step::CreateJob).
pub(super) async fn create_job(demo: &mut Demo) -> Result<(), Failure> {
    let template = demo
        .template
        .clone()
        .ok_or_else(|| Failure::Internal("the service principal has no template".to_owned()))?;
    let job = demo
        .sync()?
        .jobs()
        .create(template.clone())
        .await
        .map_err(|e| Failure::api("creating the job", e))?;
    say(&format!(
        "Created job {} from template {template}: {}",
        job.id.get().map(ToString::to_string).unwrap_or_default(),
        job.status_code()
    ));
    demo.job = job.id.into_option();
    Ok(())
}

/// [`Step::ValidateCredentials`](super::Step::ValidateCredentials).
pub(super) async fn validate_credentials(demo: &mut Demo) -> Result<(), Failure> {
    let secrets = manifest_secrets()?;
    demo.job_api()?
        .validate_credentials(&ValidateCredentialsRequest::with_credentials(secrets))
        .await
        .map_err(|e| Failure::api("validating credentials", e))?;
    say("The target system accepted BaseAddress and SecretToken (204 No Content).");
    Ok(())
}

/// [`Step::StartUntilActive`](super::Step::StartUntilActive).
pub(super) async fn start_until_active(demo: &mut Demo) -> Result<(), Failure> {
    let api = demo.job_api()?;
    api.start()
        .await
        .map_err(|e| Failure::api("starting the job", e))?;
    let job = poll_job(&api, SynchronizationStatusCode::Active).await?;
    say(&format!("Job status: {}", job_summary(&job)));
    Ok(())
}

/// [`Step::BreakSecrets`](super::Step::BreakSecrets).
pub(super) async fn break_secrets(demo: &mut Demo) -> Result<(), Failure> {
    let broken = Secrets::new()
        .with(
            SecretKey::SecretToken,
            SecretString::from("a-revoked-token"),
        )
        .map_err(|e| Failure::Internal(e.to_string()))?;
    demo.sync()?
        .secrets()
        .put(&broken)
        .await
        .map_err(|e| Failure::api("saving a wrong token", e))?;
    say("Saved SecretToken = <a revoked token>. The next cycle fails to authenticate:");
    let job = poll_job(&demo.job_api()?, SynchronizationStatusCode::Quarantine).await?;
    say(&format!("Job status: {}", job_summary(&job)));
    say(
        "`graph-sync jobs status --watch` shows the same; fix the secrets and run `graph-sync jobs restart`.",
    );
    Ok(())
}

/// The user the demo provisions on demand.
const DEMO_USER: &str = "9bb0f679-a7a3-4b26-9b2a-2a53ea15f1ce";

/// The `scim` template's user rule (its schema's `synchronizationRules[0].id`).
const USER_RULE: &str = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8";

/// [`Step::WhyNotProvisioned`](super::Step::WhyNotProvisioned).
pub(super) async fn why_not_provisioned(demo: &mut Demo) -> Result<(), Failure> {
    let sp = demo
        .sp
        .clone()
        .ok_or_else(|| Failure::Internal("no service principal created yet".to_owned()))?;
    demo.running.emulator().assign(
        &sp,
        SourceObject::user(DEMO_USER)
            .with("displayName", "Alex Wilber")
            .with("userPrincipalName", "alex@contoso.com"),
    );
    let request = ProvisionOnDemandRequest::new(
        USER_RULE,
        vec![SynchronizationJobSubject::new(DEMO_USER, "User")],
    );
    let result = demo
        .job_api()?
        .provision_on_demand(&request)
        .await
        .map_err(|e| Failure::api("provisioning on demand", e))?;
    let outcome = result
        .decode_key()
        .ok()
        .and_then(|key| key.result.into_option())
        .unwrap_or_default();
    say(&format!(
        "provision-on-demand --subject {DEMO_USER}: {outcome}"
    ));
    let query = LogQuery::new().filter(LogFilter::SourceIdentityId(TextMatch::equals(DEMO_USER)));
    let mut events = demo.client.provisioning_logs().list(&query);
    let event = events
        .next()
        .await
        .ok_or_else(|| Failure::Internal("the provisioning logs hold no event".to_owned()))?
        .map_err(|e| Failure::api("reading the provisioning logs", e))?;
    say(&format!(
        "graph-sync logs --source-id {DEMO_USER}: {} {} {}",
        event
            .provisioning_action
            .get()
            .map(ToString::to_string)
            .unwrap_or_default(),
        event.status().map(ToString::to_string).unwrap_or_default(),
        event
            .source_identity
            .get()
            .and_then(|s| s.display_name.get().cloned())
            .unwrap_or_default()
    ));
    if let Some(step) = event.failed_step() {
        say(&format!(
            "Failing step: {} {} ({})",
            step.provisioning_step_type
                .get()
                .map(ToString::to_string)
                .unwrap_or_default(),
            step.name.as_deref().unwrap_or_default(),
            step.description.as_deref().unwrap_or_default()
        ));
    }
    if let Some(error) = event.error() {
        say(&format!(
            "Error {}: {}
What to do: {}",
            error.error_code.as_deref().unwrap_or_default(),
            error.reason.as_deref().unwrap_or_default(),
            error.recommended_action.as_deref().unwrap_or_default()
        ));
    }
    say(&format!(
        "`graph-sync logs show {}` prints every step with its details; `graph-sync logs summary` counts each cycle.",
        event.id.as_deref().unwrap_or_default()
    ));
    Ok(())
}

/// [`Step::PreviewRequest`](super::Step::PreviewRequest).
pub(super) async fn preview_request(demo: &mut Demo) -> Result<(), Failure> {
    say(&format!(
        "The secrets file (secrets.toml):\n\n{}",
        indent(MANIFEST)
    ));
    println!();
    let secrets = manifest_secrets()?;
    let before = demo.running.emulator().requests().len();
    let transport = CapturingTransport::default();
    let client = demo.client_with(Some(Arc::new(transport.clone())))?;
    client
        .service_principal(demo.sp_ref()?)
        .synchronization()
        .secrets()
        .put(&secrets)
        .await
        .map_err(|e| Failure::api("previewing the request", e))?;
    for request in transport.take() {
        say(&output::render(
            OutputFormat::Table,
            &dry_run::report(&request),
        ));
    }
    let received = demo.running.emulator().requests().len() - before;
    say(&format!(
        "Requests the emulator received from the preview: {received}"
    ));
    Ok(())
}

/// [`Step::SaveSecrets`](super::Step::SaveSecrets).
pub(super) async fn save_secrets(demo: &mut Demo) -> Result<(), Failure> {
    let secrets = manifest_secrets()?;
    let sp = demo.sp_ref()?;
    demo.client
        .service_principal(sp.clone())
        .synchronization()
        .secrets()
        .put(&secrets)
        .await
        .map_err(|e| Failure::api("saving secrets", e))?;
    let keys: Vec<&str> = secrets.keys().map(|key| key.as_str()).collect();
    say(&format!(
        "Graph answered 204 No Content. Saved: {}\n\
         (SecretToken came from {{ stdin = true }}; the demo supplied it in memory.)",
        keys.join(", ")
    ));
    if let Some(id) = demo.sp.clone() {
        let stored = demo
            .running
            .emulator()
            .stored_secrets(&id)
            .map_or(0, |stored| stored.len());
        say(&format!(
            "The emulator now holds {stored} secret(s) for it."
        ));
    }
    Ok(())
}

/// [`Step::ReadBackMasked`](super::Step::ReadBackMasked).
pub(super) async fn read_back_masked(demo: &mut Demo) -> Result<(), Failure> {
    let sp = demo.sp_ref()?;
    let read = demo
        .client
        .service_principal(sp.clone())
        .synchronization()
        .secrets()
        .get()
        .await
        .map_err(|e| Failure::api("reading secrets back", e))?;
    say(&masked_report(&sp, &read).text);
    demo.read_back = Some(read);
    Ok(())
}

/// [`Step::RefuseMaskedWriteBack`](super::Step::RefuseMaskedWriteBack).
pub(super) async fn refuse_masked_write_back(demo: &mut Demo) -> Result<(), Failure> {
    let read = demo
        .read_back
        .take()
        .ok_or_else(|| Failure::Internal("the demo has no read-back to send".to_owned()))?;
    let before = demo.running.emulator().requests().len();
    let result = demo
        .client
        .service_principal(demo.sp_ref()?)
        .synchronization()
        .secrets()
        .put(&read)
        .await;
    let after = demo.running.emulator().requests().len();
    match result {
        Err(error @ graph_sync_api::Error::InvalidInput(_)) => say(&format!(
            "Refused: {error}\nRequests sent: {} (graph-sync would exit with {})",
            after - before,
            Exit::Usage.code()
        )),
        Err(error) => return Err(Failure::api("sending masked values", error)),
        Ok(()) => {
            return Err(Failure::Internal(
                "the client sent masked values back; it must refuse".to_owned(),
            ));
        }
    }
    Ok(())
}

/// [`Step::TypedServiceError`](super::Step::TypedServiceError).
pub(super) async fn typed_service_error(demo: &mut Demo) -> Result<(), Failure> {
    let unknown = ServicePrincipalId::new(UNKNOWN_SERVICE_PRINCIPAL)
        .map_err(|e| Failure::Internal(e.to_string()))?;
    let secrets = manifest_secrets()?;
    let result = demo
        .client
        .service_principal(unknown)
        .synchronization()
        .secrets()
        .put(&secrets)
        .await;
    match result {
        Err(error) if error.as_service().is_some() => {
            let failure = Failure::api("saving secrets", error);
            say(&format!(
                "{}\n(graph-sync would exit with {})",
                failure.report(OutputFormat::Table),
                failure.exit().code()
            ));
        }
        Err(error) => return Err(Failure::api("saving secrets", error)),
        Ok(()) => {
            return Err(Failure::Internal(
                "the emulator accepted an unknown service principal".to_owned(),
            ));
        }
    }
    Ok(())
}

/// Reads the job until it is in `state`, every 10 ms for at most 10 s.
async fn poll_job(
    api: &JobApi,
    state: SynchronizationStatusCode,
) -> Result<SynchronizationJob, Failure> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let job = api
            .get()
            .await
            .map_err(|e| Failure::api("reading the job", e))?;
        if job.status_code() == state {
            return Ok(job);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(Failure::NotReached(format!(
                "the job is {} and not {state} after 10 s",
                job.status_code()
            )));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// State, last execution and quarantine reason on a few lines.
fn job_summary(job: &SynchronizationJob) -> String {
    let mut text = job.status_code().to_string();
    if let Some(status) = job.status.get() {
        if let Some(last) = status.last_execution.get() {
            text.push_str(&format!("\n  last execution: {}", last.state));
        }
        if let Some(quarantine) = status.quarantine.get() {
            text.push_str(&format!("\n  quarantine reason: {}", quarantine.reason));
            if let Some(error) = quarantine.error.get() {
                text.push_str(&format!(
                    "\n  error: {}: {}",
                    error.code.as_deref().unwrap_or_default(),
                    error.message.as_deref().unwrap_or_default()
                ));
            }
        }
    }
    text
}

/// The manifest's secrets, resolved with the demo's in-memory standard input.
fn manifest_secrets() -> Result<Secrets, Failure> {
    let file = SecretsFile::parse(MANIFEST, FileFormat::Toml, ParseOptions::default())
        .map_err(|e| Failure::Internal(format!("the demo's manifest: {e}")))?;
    let no_env = |_: &str| None;
    let mut stdin = || Ok(DEMO_SCIM_TOKEN.as_bytes().to_vec());
    let resolved = file
        .resolve(&mut Sources {
            env: &no_env,
            stdin: &mut stdin,
            base_dir: std::path::PathBuf::new(),
        })
        .map_err(|e| Failure::Internal(format!("the demo's manifest: {e}")))?;
    Ok(resolved.secrets)
}

/// Prints a block of text and flushes, so each step shows as it happens.
fn say(text: &str) {
    println!("{}", indent(text));
    let _ = std::io::stdout().flush();
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("    {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
