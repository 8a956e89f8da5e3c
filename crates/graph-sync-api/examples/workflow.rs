//! The whole provisioning workflow against the embedded emulator, step by step: instantiate a
//! non-gallery application, wait for its service principal, create a job from its `scim`
//! template, validate and save credentials, start the job and watch it become `Active`, edit
//! its schema, provision a user on demand, push HR data by bulk upload, then see what a
//! broken secret does (quarantine) and recover with a restart.
//!
//! Run it with `cargo run -p graph-sync-api --example workflow`.

#![allow(clippy::print_stdout, reason = "a demo reports to the terminal")]

use graph_sync_api::{ApplicationTemplateApi, GraphSyncClient};
use graph_sync_emulator::{Emulator, TargetSystem};
use graph_sync_model::{
    ApplicationTemplateId, BaseAddress, BulkRequest, InstantiateRequest, ProvisionOnDemandRequest,
    SecretKey, SecretString, Secrets, ServicePrincipalId, SyncNotificationSettings,
    SynchronizationJobRestartScope, SynchronizationJobSubject, ValidateCredentialsRequest,
};
use serde_json::json;

const SCIM_URL: &str = "https://scim.contoso.example/scim/v2";

fn secrets(token: &str) -> Result<Secrets, Box<dyn std::error::Error>> {
    Ok(Secrets::new()
        .with(SecretKey::BaseAddress, BaseAddress::parse(SCIM_URL)?)?
        .with(SecretKey::SecretToken, SecretString::from(token.to_owned()))?
        .with(
            SecretKey::SyncNotificationSettings,
            SyncNotificationSettings::disabled(),
        )?
        .with(SecretKey::SyncAll, false)?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::new();
    emulator.set_replication_lag(2);
    let token = emulator.issue_token();
    let running = emulator.start().await?;
    let client = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(token)
        .build()?;
    println!("emulator at {}", running.graph_root());

    // 1. Instantiate the non-gallery application.
    let created = client
        .application_template(ApplicationTemplateId::new(
            ApplicationTemplateApi::NON_GALLERY,
        )?)
        .instantiate(&InstantiateRequest::new("Contoso SCIM"))
        .await?;
    let sp = ServicePrincipalId::new(
        created
            .service_principal
            .into_option()
            .and_then(|sp| sp.id.into_option())
            .ok_or("no service principal id")?,
    )?;
    println!("1. instantiated; service principal {sp}");

    // 2. Wait until the service principal is readable (bounded).
    let mut reads = 0;
    while client.service_principal(sp.clone()).get().await.is_err() {
        reads += 1;
        if reads == 20 {
            return Err("the service principal never appeared".into());
        }
    }
    println!("2. service principal readable after {reads} misses");
    running
        .emulator()
        .set_target_system(&sp, TargetSystem::new(SCIM_URL, "the-real-token"));

    // 3. Create a job from the application's template.
    let sync = client.service_principal(sp.clone()).synchronization();
    let template = sync.templates().list().await?.remove(0);
    let template_id = template.id.into_option().ok_or("template without id")?;
    let job = sync.jobs().create(template_id).await?;
    let job = sync.job(job.id.into_option().ok_or("job without id")?);
    println!(
        "3. job {} created: {}",
        job.id(),
        job.get().await?.status_code()
    );

    // 4. Validate credentials, then save them.
    let wrong = job
        .validate_credentials(&ValidateCredentialsRequest::with_credentials(secrets(
            "a-wrong-token",
        )?))
        .await;
    println!("4. a wrong token is refused: {}", wrong.is_err());
    job.validate_credentials(&ValidateCredentialsRequest::with_credentials(secrets(
        "the-real-token",
    )?))
    .await?;
    sync.secrets().put(&secrets("the-real-token")?).await?;
    println!("   the right one is accepted and saved");

    // 5. Start the job and watch its status.
    job.start().await?;
    println!("5. started: {}", job.get().await?.status_code());

    // 6. Read the schema and try an expression.
    let schema = job.schema();
    let rules = schema
        .get()
        .await?
        .synchronization_rules
        .unwrap_or_default();
    let rule_id = rules
        .first()
        .and_then(|r| r.id.get().cloned())
        .ok_or("no rule")?;
    let parsed = schema
        .parse_expression(&graph_sync_model::ParseExpressionRequest::new(
            "Join(\" \", [givenName], [surname])",
        ))
        .await?;
    println!(
        "6. rule {rule_id}; expression parses: {}",
        parsed.parsing_succeeded
    );

    // 7. Provision one user now.
    let result = job
        .provision_on_demand(&ProvisionOnDemandRequest::new(
            rule_id,
            vec![SynchronizationJobSubject::new(
                "9bb0f679-a7a3-4b26-9b2a-2a53ea15f1ce",
                "User",
            )],
        ))
        .await?;
    println!(
        "7. provisioned on demand: {:?}",
        result.decode_key()?.result
    );

    // 8. Push HR data by bulk upload.
    let accepted = job
        .bulk_upload(&BulkRequest::new().with_user(
            "701984",
            json!({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"701984","userName":"bjensen"}),
        ))
        .await?;
    println!("8. bulk upload accepted; logs at {:?}", accepted.location);

    // 9. The target's token changes: the next cycle quarantines the job.
    sync.secrets()
        .put(&Secrets::new().with(SecretKey::SecretToken, "rotated-away")?)
        .await?;
    let status = job.get().await?.status.unwrap_or_default();
    println!(
        "9. status {} because {:?}",
        status.code,
        status
            .quarantine
            .into_option()
            .and_then(|q| q.error.into_option())
            .and_then(|e| e.message.into_option())
    );

    // 10. Save the right token and restart, clearing the quarantine.
    sync.secrets().put(&secrets("the-real-token")?).await?;
    job.restart(&SynchronizationJobRestartScope::portal_restart())
        .await?;
    println!("10. restarted: {}", job.get().await?.status_code());

    running.shutdown().await;
    Ok(())
}
