//! `graph-sync demo`: the README's main job. It starts the embedded emulator on loopback and
//! walks through what the client does, over real HTTP, printing each step.
//!
//! The steps are the variants of [`Step`], run in the order of [`Step::ALL`]; a new step
//! (templates, jobs, credential validation, start) is one variant, one title and one arm.

use std::io::Write as _;
use std::sync::Arc;
use std::time::Instant;

use graph_sync_api::model::{SecretString, Secrets, ServicePrincipalId, ServicePrincipalRef};
use graph_sync_api::{GraphSyncClient, StaticTokenCredential};
use graph_sync_emulator::{Emulator, RunningEmulator, ServicePrincipal};

use crate::commands::Context;
use crate::commands::secrets::masked_report;
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

/// A service principal id the emulator does not know, for the typed error.
const UNKNOWN_SERVICE_PRINCIPAL: &str = "00000000-0000-4000-8000-000000000404";

/// One step of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    RegisterServicePrincipal,
    PreviewRequest,
    SaveSecrets,
    ReadBackMasked,
    RefuseMaskedWriteBack,
    TypedServiceError,
}

impl Step {
    /// The steps, in the order they run.
    const ALL: [Self; 6] = [
        Self::RegisterServicePrincipal,
        Self::PreviewRequest,
        Self::SaveSecrets,
        Self::ReadBackMasked,
        Self::RefuseMaskedWriteBack,
        Self::TypedServiceError,
    ];

    /// What the step shows, as its heading.
    fn title(self) -> &'static str {
        match self {
            Self::RegisterServicePrincipal => "Register a service principal in the emulator",
            Self::PreviewRequest => "Preview the request with --dry-run (values redacted)",
            Self::SaveSecrets => "Save the provisioning secrets (PUT …/synchronization/secrets)",
            Self::ReadBackMasked => "Read them back: Graph returns every value masked",
            Self::RefuseMaskedWriteBack => {
                "Try to save the masked read-back: refused before sending"
            }
            Self::TypedServiceError => {
                "A typed service error: a service principal Graph does not know"
            }
        }
    }

    /// Runs the step, printing what happens.
    async fn run(self, demo: &mut Demo) -> Result<(), Failure> {
        match self {
            Self::RegisterServicePrincipal => {
                let sp = demo
                    .running
                    .emulator()
                    .register_service_principal("Demo SCIM app");
                say(&format!(
                    "Registered {:?}\n  object id: {}\n  appId:     {}",
                    sp.display_name, sp.id, sp.app_id
                ));
                demo.sp = Some(sp);
            }
            Self::PreviewRequest => {
                say(&format!(
                    "The secrets file (secrets.toml):\n\n{}",
                    indent(MANIFEST)
                ));
                println!();
                let secrets = manifest_secrets()?;
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
                let received = demo.running.emulator().requests().len();
                say(&format!(
                    "Requests the emulator received so far: {received}"
                ));
            }
            Self::SaveSecrets => {
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
                if let Some(id) = demo.sp.as_ref().map(|sp| sp.id.clone()) {
                    let stored = demo
                        .running
                        .emulator()
                        .stored_secrets(&id)
                        .map_or(0, |stored| stored.len());
                    say(&format!(
                        "The emulator now holds {stored} secret(s) for it."
                    ));
                }
            }
            Self::ReadBackMasked => {
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
            }
            Self::RefuseMaskedWriteBack => {
                let read = demo.read_back.take().ok_or_else(|| {
                    Failure::Internal("the demo has no read-back to send".to_owned())
                })?;
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
            }
            Self::TypedServiceError => {
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
            }
        }
        Ok(())
    }
}

/// The demo's state, shared by its steps.
struct Demo {
    context: Context,
    running: RunningEmulator,
    token: SecretString,
    client: GraphSyncClient,
    sp: Option<ServicePrincipal>,
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
            .map(|sp| ServicePrincipalRef::from(sp.id.clone()))
            .ok_or_else(|| Failure::Internal("no service principal registered yet".to_owned()))
    }
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
        "Next: run `graph-sync emulator` and point `graph-sync secrets set --from FILE` at it."
    );
    Ok(())
}
