//! Shared test helpers.

use bytes::Bytes;
use graph_sync_api::transport::testing::MockTransport;
use graph_sync_api::{GraphSyncClient, RetryConfig};
use graph_sync_emulator::{Emulator, RunningEmulator};
use graph_sync_model::{
    BaseAddress, SecretKey, SecretString, Secrets, ServicePrincipalId, SyncNotificationSettings,
};
use http::{Response, StatusCode};

pub(crate) const SP: &str = "3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6";
pub(crate) const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.test-token";

/// The documented request body of `PUT …/synchronization/secrets`.
pub(crate) const DOCUMENTED_BODY: &str =
    include_str!("../../graph-sync-model/tests/fixtures/secrets-put-request.json");

pub(crate) fn sp() -> ServicePrincipalId {
    ServicePrincipalId::new(SP).unwrap()
}

/// The secrets of the documented example, built through the typed helpers.
pub(crate) fn documented_secrets() -> Secrets {
    Secrets::new()
        .with(
            SecretKey::BaseAddress,
            BaseAddress::parse("https://scim.example.com/scim/v2").unwrap(),
        )
        .unwrap()
        .with(SecretKey::SecretToken, SecretString::from("tok-1234"))
        .unwrap()
        .with(
            SecretKey::SyncNotificationSettings,
            SyncNotificationSettings::disabled(),
        )
        .unwrap()
        .with(SecretKey::SyncAll, false)
        .unwrap()
}

/// A client that tries each request once: these tests pin one request's mapping (the retry
/// policy has its own tests in `retry.rs`).
pub(crate) fn client(transport: MockTransport) -> GraphSyncClient {
    GraphSyncClient::builder()
        .transport(transport)
        .bearer_token(TOKEN)
        .retry(RetryConfig::none())
        .build()
        .unwrap()
}

pub(crate) fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response<Bytes> {
    let mut builder = Response::builder().status(StatusCode::from_u16(status).unwrap());
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Bytes::from(body.to_owned())).unwrap()
}

/// An emulator on loopback with one service principal, and a client of it with `retry`.
pub(crate) async fn start_emulator(
    retry: RetryConfig,
) -> (RunningEmulator, GraphSyncClient, ServicePrincipalId) {
    let emulator = Emulator::new();
    let sp = emulator.register_service_principal("Contoso SCIM");
    let token = emulator.issue_token();
    let running = emulator.start().await.unwrap();
    let client = emulator_client(&running, token).with_retry(retry);
    (running, client, sp.id)
}

/// A client of the emulator `running`, with `token`.
pub(crate) fn emulator_client(
    running: &graph_sync_emulator::RunningEmulator,
    token: String,
) -> GraphSyncClient {
    GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(token)
        .build()
        .unwrap()
}
