//! `graph-sync demo`: the README's main job. It starts the embedded emulator on loopback and
//! walks through what the client does, over real HTTP, printing each step.
//!
//! The steps are the variants of [`Step`], run in the order of [`Step::ALL`]: instantiate an
//! application (waiting out directory replication), list its templates, create a job, preview
//! and validate and save the secrets, start the job until it is `Active`, then break the
//! secrets and show the `Quarantine` with its reason, and why a user then does not provision
//! (the provisioning logs' failing step). A new step is one variant, one title and
//! one arm. Waits poll every 10 ms for at most 10 s, so the demo takes a fraction of a second.

mod steps;

use std::sync::Arc;
use std::time::Instant;

use graph_sync_api::model::{
    JobId, SecretString, Secrets, ServicePrincipalId, ServicePrincipalRef, TemplateId,
};
use graph_sync_api::{GraphSyncClient, JobApi, StaticTokenCredential};
use graph_sync_emulator::{Emulator, RunningEmulator};

use crate::commands::Context;
use crate::exit::Failure;

/// One step of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    InstantiateApplication,
    ListTemplates,
    CreateJob,
    PreviewRequest,
    ValidateCredentials,
    SaveSecrets,
    ReadBackMasked,
    RefuseMaskedWriteBack,
    StartUntilActive,
    BreakSecrets,
    WhyNotProvisioned,
    TypedServiceError,
}

impl Step {
    /// The steps, in the order they run.
    const ALL: [Self; 12] = [
        Self::InstantiateApplication,
        Self::ListTemplates,
        Self::CreateJob,
        Self::PreviewRequest,
        Self::ValidateCredentials,
        Self::SaveSecrets,
        Self::ReadBackMasked,
        Self::RefuseMaskedWriteBack,
        Self::StartUntilActive,
        Self::BreakSecrets,
        Self::WhyNotProvisioned,
        Self::TypedServiceError,
    ];

    /// What the step shows, as its heading.
    fn title(self) -> &'static str {
        match self {
            Self::InstantiateApplication => {
                "Instantiate a non-gallery application and wait until it is visible"
            }
            Self::ListTemplates => "List its synchronization templates",
            Self::CreateJob => "Create a provisioning job from the template",
            Self::PreviewRequest => "Preview the request with --dry-run (values redacted)",
            Self::ValidateCredentials => {
                "Validate the credentials against the target system (nothing saved)"
            }
            Self::SaveSecrets => "Save the provisioning secrets (PUT …/synchronization/secrets)",
            Self::ReadBackMasked => "Read them back: Graph returns every value masked",
            Self::RefuseMaskedWriteBack => {
                "Try to save the masked read-back: refused before sending"
            }
            Self::StartUntilActive => "Start the job and wait until it is Active",
            Self::BreakSecrets => {
                "Break the secrets (a wrong token): the job goes into Quarantine, with the reason"
            }
            Self::WhyNotProvisioned => {
                "Why did a user not provision? Provision on demand, then read the provisioning logs"
            }
            Self::TypedServiceError => {
                "A typed service error: a service principal Graph does not know"
            }
        }
    }

    /// Runs the step, printing what happens.
    async fn run(self, demo: &mut Demo) -> Result<(), Failure> {
        match self {
            Self::InstantiateApplication => steps::instantiate_application(demo).await,
            Self::ListTemplates => steps::list_templates(demo).await,
            Self::CreateJob => steps::create_job(demo).await,
            Self::ValidateCredentials => steps::validate_credentials(demo).await,
            Self::StartUntilActive => steps::start_until_active(demo).await,
            Self::BreakSecrets => steps::break_secrets(demo).await,
            Self::WhyNotProvisioned => steps::why_not_provisioned(demo).await,
            Self::PreviewRequest => steps::preview_request(demo).await,
            Self::SaveSecrets => steps::save_secrets(demo).await,
            Self::ReadBackMasked => steps::read_back_masked(demo).await,
            Self::RefuseMaskedWriteBack => steps::refuse_masked_write_back(demo).await,
            Self::TypedServiceError => steps::typed_service_error(demo).await,
        }
    }
}

/// The demo's state, shared by its steps.
struct Demo {
    context: Context,
    running: RunningEmulator,
    token: SecretString,
    client: GraphSyncClient,
    sp: Option<ServicePrincipalId>,
    template: Option<TemplateId>,
    job: Option<JobId>,
    read_back: Option<Secrets>,
}

impl Demo {
    /// A client for the emulator, through the CLI's own client set-up.
    fn client_with(
        &self,
        transport: Option<Arc<dyn graph_sync_api::transport::Transport>>,
    ) -> Result<GraphSyncClient, Failure> {
        self.context.client_with(
            Arc::new(StaticTokenCredential::new(self.token.clone())),
            transport,
        )
    }

    fn sp_ref(&self) -> Result<ServicePrincipalRef, Failure> {
        self.sp
            .as_ref()
            .map(|id| ServicePrincipalRef::from(id.clone()))
            .ok_or_else(|| Failure::Internal("no service principal created yet".to_owned()))
    }

    fn sync(&self) -> Result<graph_sync_api::SynchronizationApi, Failure> {
        Ok(self
            .client
            .service_principal(self.sp_ref()?)
            .synchronization())
    }

    fn job_api(&self) -> Result<JobApi, Failure> {
        let job = self
            .job
            .clone()
            .ok_or_else(|| Failure::Internal("no job created yet".to_owned()))?;
        Ok(self.sync()?.job(job))
    }
}

/// Runs the demo.
///
/// # Errors
///
/// [`Failure`] if the emulator cannot start or a step does not behave as shown.
pub(crate) async fn run(context: &Context) -> Result<(), Failure> {
    let started = Instant::now();
    let emulator = Emulator::new();
    let token = SecretString::from(emulator.issue_token());
    let running = emulator
        .start()
        .await
        .map_err(|e| Failure::Internal(format!("cannot start the emulator: {e}")))?;
    println!("graph-sync demo: the provisioning workflow against the embedded emulator");
    println!("Emulator: {} (loopback, in memory)\n", running.graph_root());

    let mut demo_context = context.clone();
    demo_context.global.graph_url = Some(running.graph_root());
    let client =
        demo_context.client_with(Arc::new(StaticTokenCredential::new(token.clone())), None)?;
    let mut demo = Demo {
        context: demo_context,
        running,
        token,
        client,
        sp: None,
        template: None,
        job: None,
        read_back: None,
    };
    for (index, step) in Step::ALL.into_iter().enumerate() {
        println!("[{}/{}] {}", index + 1, Step::ALL.len(), step.title());
        step.run(&mut demo).await?;
        println!();
    }
    let requests = demo.running.emulator().requests().len();
    demo.running.shutdown().await;
    println!(
        "Done: {} steps, {requests} HTTP requests to the emulator, in {:.2} s.",
        Step::ALL.len(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "Next: run `graph-sync emulator` and point `graph-sync provision --manifest FILE` at it."
    );
    Ok(())
}
