//! The provisioning demo against the embedded emulator: register a service principal, save
//! its provisioning secrets with a typed call over real HTTP, and read them back masked.
//!
//! Run it with `cargo run -p graph-sync-api --example put_secrets`.

#![allow(clippy::print_stdout, reason = "a demo reports to the terminal")]

use graph_sync_api::{Error, GraphSyncClient};
use graph_sync_emulator::Emulator;
use graph_sync_model::{
    BaseAddress, ExposeSecret, SecretKey, SecretString, Secrets, SyncNotificationSettings,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::new();
    let app = emulator.register_service_principal("Contoso SCIM app");
    let token = emulator.issue_token();
    let running = emulator.start().await?;
    println!("1. emulator listening at {}", running.graph_root());
    println!("   service principal {} (appId {})", app.id, app.app_id);

    let client = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(token)
        .user_agent("graph-sync-demo")
        .build()?;

    let secrets = Secrets::new()
        .with(
            SecretKey::BaseAddress,
            BaseAddress::parse("https://scim.contoso.example/scim/v2")?,
        )?
        .with(
            SecretKey::SecretToken,
            SecretString::from("demo-scim-bearer-token"),
        )?
        .with(
            SecretKey::SyncNotificationSettings,
            SyncNotificationSettings::email("identity-ops@contoso.example")
                .with_delete_threshold(500),
        )?
        .with(SecretKey::SyncAll, false)?;
    println!(
        "2. PUT …/servicePrincipals/{}/synchronization/secrets with {} keys: {}",
        app.id,
        secrets.len(),
        key_list(&secrets)
    );
    let api = client
        .service_principal(app.id.clone())
        .synchronization()
        .secrets();
    api.put(&secrets).await?;
    println!("   204 No Content");

    let read_back = api.get().await?;
    println!("3. GET …/synchronization returns the keys with their values masked:");
    for pair in &read_back {
        println!(
            "   {:<26} {}",
            pair.key().as_str(),
            pair.value().expose_secret()
        );
    }

    match api.put(&read_back).await {
        Err(Error::InvalidInput(refused)) => {
            println!("4. sending them back is refused before any request: {refused}")
        }
        other => return Err(format!("a masked read-back must be refused, got {other:?}").into()),
    }

    let missing =
        graph_sync_model::ServicePrincipalId::new("00000000-0000-0000-0000-000000000000")?;
    match client
        .service_principal(missing)
        .synchronization()
        .secrets()
        .put(&secrets)
        .await
    {
        Err(Error::Service(error)) => {
            println!("5. an unknown service principal gives a typed error: {error}")
        }
        other => return Err(format!("expected a 404, got {other:?}").into()),
    }

    running.shutdown().await;
    println!(
        "done: {} requests reached the emulator",
        emulator.requests().len()
    );
    Ok(())
}

fn key_list(secrets: &Secrets) -> String {
    secrets
        .keys()
        .map(SecretKey::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
