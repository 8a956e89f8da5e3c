//! The whole stack: typed call → pipeline → `ReqwestTransport` → loopback HTTP →
//! graph-sync-emulator, and back.

use bytes::Bytes;
use graph_sync_api::transport::{ReqwestTransport, Transport};
use graph_sync_api::{Error, GraphSyncClient, RetryConfig, ServiceError};
use graph_sync_emulator::{Emulator, RunningEmulator};
use graph_sync_model::{
    ExposeSecret, SecretKey, SecretString, Secrets, ServicePrincipalId, ServicePrincipalRef,
};

use crate::support::{documented_secrets, start_emulator};

async fn start() -> (RunningEmulator, GraphSyncClient, ServicePrincipalId) {
    start_emulator(RetryConfig::default()).await
}

#[tokio::test]
async fn put_secrets_then_read_them_back_masked() {
    let (running, client, sp) = start().await;
    let secrets = client
        .service_principal(sp.clone())
        .synchronization()
        .secrets();
    secrets.put(&documented_secrets()).await.unwrap();

    let stored = running.emulator().stored_secrets(&sp).unwrap();
    let stored: Vec<(String, String)> = stored
        .iter()
        .map(|pair| {
            (
                pair.key().to_string(),
                pair.value().expose_secret().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        stored,
        [
            ("BaseAddress", "https://scim.example.com/scim/v2"),
            ("SecretToken", "tok-1234"),
            (
                "SyncNotificationSettings",
                r#"{"Enabled":false,"DeleteThresholdEnabled":false}"#
            ),
            ("SyncAll", "false"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );

    let read = secrets.get().await.unwrap();
    assert_eq!(
        read.keys().map(SecretKey::as_str).collect::<Vec<_>>(),
        [
            "BaseAddress",
            "SecretToken",
            "SyncNotificationSettings",
            "SyncAll"
        ]
    );
    assert!(read.iter().all(|pair| pair.is_masked()));

    // What was read back cannot be written back.
    let error = secrets.put(&read).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    let log = running.emulator().requests();
    assert_eq!(
        log.iter()
            .map(|r| (r.method.as_str(), r.status))
            .collect::<Vec<_>>(),
        [("PUT", 204), ("GET", 200)]
    );
    assert!(log.iter().all(|r| r.client_request_id.is_some()));
}

#[tokio::test]
async fn the_app_id_form_reaches_the_same_service_principal() {
    let emulator = Emulator::new();
    let registered = emulator.register_service_principal("by appId");
    let token = emulator.issue_token();
    let running = emulator.start().await.unwrap();
    let client = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(token)
        .build()
        .unwrap();
    let reference = ServicePrincipalRef::AppId(registered.app_id.clone());
    client
        .service_principal(reference)
        .synchronization()
        .secrets()
        .put(&Secrets::new().with(SecretKey::SyncAll, true).unwrap())
        .await
        .unwrap();
    let stored = running.emulator().stored_secrets(&registered.id).unwrap();
    assert_eq!(
        stored.get(&SecretKey::SyncAll).unwrap().expose_secret(),
        "true"
    );
}

#[tokio::test]
async fn service_errors_carry_what_support_needs() {
    let (running, client, _) = start().await;
    let unknown = ServicePrincipalId::new("00000000-0000-0000-0000-00000000dead").unwrap();
    let error = client
        .service_principal(unknown)
        .synchronization()
        .secrets()
        .put(&documented_secrets())
        .await
        .unwrap_err();
    let service = error.as_service().unwrap();
    assert!(service.is_not_found());
    assert_eq!(service.code(), Some("Request_ResourceNotFound"));
    assert!(
        service
            .request_id()
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok())
    );
    assert!(service.date().is_some());
    let logged = running.emulator().requests().pop().unwrap();
    assert_eq!(
        service.client_request_id(),
        logged.client_request_id.as_deref()
    );
    assert_eq!(logged.status, 404);
}

#[tokio::test]
async fn a_revoked_token_is_a_401_with_a_graph_error() {
    let emulator = Emulator::new();
    let sp = emulator.register_service_principal("revoked");
    let token = emulator.issue_token();
    emulator.revoke_token(&token);
    let running = emulator.start().await.unwrap();
    let client = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(token)
        .build()
        .unwrap();
    let error = client
        .service_principal(sp.id)
        .synchronization()
        .secrets()
        .put(&documented_secrets())
        .await
        .unwrap_err();
    let service = error.as_service().unwrap();
    assert!(service.is_unauthorized());
    assert_eq!(service.code(), Some("InvalidAuthenticationToken"));
}

/// The emulator answers an empty `SyncNotificationSettings` the way the service does, with
/// the real error nested as JSON in `message`; the client unpacks it. The client itself
/// never sends such a body, so this one goes out raw.
#[tokio::test]
async fn nested_error_documents_from_the_emulator_are_unpacked() {
    let emulator = Emulator::new();
    let sp = emulator.register_service_principal("nested");
    let token = emulator.issue_token();
    let running = emulator.start().await.unwrap();
    let request = http::Request::put(format!(
        "{}/servicePrincipals/{}/synchronization/secrets",
        running.graph_root(),
        sp.id
    ))
    .header("authorization", format!("Bearer {token}"))
    .header("content-type", "application/json")
    .body(Bytes::from_static(
        br#"{"value":[{"key":"SyncNotificationSettings","value":""}]}"#,
    ))
    .unwrap();
    let response = ReqwestTransport::new().send(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let (status, headers) = (parts.status, parts.headers);
    let error = ServiceError::from_response(status, &headers, body, None);
    assert_eq!(error.status().as_u16(), 400);
    assert_eq!(error.code(), Some("UnknownError"));
    assert_eq!(error.inner_code(), Some("InvalidNotificationSettings"));
    assert!(
        error
            .message()
            .is_none_or(|m| !m.trim_start().starts_with('{')),
        "{error}"
    );
    assert!(!error.to_string().contains('{'), "{error}");

    // The typed call refuses the same input before sending it.
    let client = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(token)
        .build()
        .unwrap();
    let mut clear = Secrets::new();
    let refused = clear
        .clear(SecretKey::SyncNotificationSettings)
        .unwrap_err();
    assert!(
        refused.to_string().contains("cannot be cleared"),
        "{refused}"
    );
    clear.clear(SecretKey::SecretToken).unwrap();
    client
        .service_principal(sp.id.clone())
        .synchronization()
        .secrets()
        .put(&clear)
        .await
        .unwrap();
    assert_eq!(running.emulator().requests().len(), 2);
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_that_never_reached_the_server() {
    let (running, client, sp) = start().await;
    let root = running.graph_root();
    running.shutdown().await;
    let _ = client; // the old client points at the closed port
    let client = GraphSyncClient::builder()
        .graph_root(root)
        .bearer_token(SecretString::from("t"))
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    let error = client
        .service_principal(sp)
        .synchronization()
        .secrets()
        .put(&documented_secrets())
        .await
        .unwrap_err();
    match error {
        Error::Transport(error) => assert!(!error.may_have_reached_server(), "{error:?}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn https_to_the_emulator_works_once_its_authority_is_trusted() {
    let emulator = Emulator::new();
    let sp = emulator.register_service_principal("Contoso SCIM").id;
    let token = emulator.issue_token();
    let running = emulator.start_tls().await.unwrap();
    assert!(running.graph_root().starts_with("https://127.0.0.1:"));
    let ca = running.ca_certificate_pem().unwrap().to_owned();

    let trusting = ReqwestTransport::builder()
        .add_root_certificates_pem(ca)
        .build()
        .unwrap();
    let client = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(token.clone())
        .transport(trusting)
        .build()
        .unwrap();
    let secrets = client
        .service_principal(sp.clone())
        .synchronization()
        .secrets();
    secrets.put(&documented_secrets()).await.unwrap();
    assert_eq!(running.emulator().stored_secrets(&sp).unwrap().len(), 4);

    // Without the development authority the handshake fails: nothing was sent.
    let untrusting = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(token)
        .build()
        .unwrap()
        .with_retry(RetryConfig::none());
    let error = untrusting
        .service_principal(sp.clone())
        .synchronization()
        .secrets()
        .put(&documented_secrets())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    running.shutdown().await;
}
