//! The api layer alone, against `MockTransport`: exact requests, status mapping, and input
//! that is refused before anything is sent.

use std::sync::{Arc, Mutex};

use graph_sync_api::transport::testing::MockTransport;
use graph_sync_api::transport::{Delivery, TransportError, TransportErrorKind};
use graph_sync_api::{Error, GraphSyncClient, InvalidInputKind};
use graph_sync_model::{
    AppId, SecretKey, Secrets, SecretsError, ServicePrincipalId, Synchronization,
};
use http::{Method, Request};

use crate::support::{DOCUMENTED_BODY, SP, TOKEN, client, documented_secrets, response, sp};

/// A mock that answers once with `answer` and keeps the request it saw.
fn capturing(
    answer: http::Response<bytes::Bytes>,
) -> (MockTransport, Arc<Mutex<Option<Request<bytes::Bytes>>>>) {
    let seen = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&seen);
    let mut transport = MockTransport::new();
    let mut answer = Some(answer);
    transport.expect_send().times(1).returning(move |request| {
        *sink.lock().unwrap() = Some(request);
        Ok(answer.take().expect("one answer"))
    });
    (transport, seen)
}

#[tokio::test]
async fn put_sends_the_documented_request() {
    let (transport, seen) = capturing(response(204, &[], ""));
    client(transport)
        .service_principal(sp())
        .synchronization()
        .secrets()
        .put(&documented_secrets())
        .await
        .unwrap();

    let request = seen.lock().unwrap().take().unwrap();
    assert_eq!(request.method(), Method::PUT);
    assert_eq!(
        request.uri().to_string(),
        format!("https://graph.microsoft.com/v1.0/servicePrincipals/{SP}/synchronization/secrets")
    );
    let headers = request.headers();
    let authorization = &headers["authorization"];
    assert_eq!(authorization.to_str().unwrap(), format!("Bearer {TOKEN}"));
    assert!(authorization.is_sensitive());
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["accept"], "application/json");
    assert!(
        headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("graph-sync/0.1")
    );
    let client_request_id = headers["client-request-id"].to_str().unwrap();
    assert!(
        uuid::Uuid::parse_str(client_request_id).is_ok(),
        "{client_request_id}"
    );
    assert_eq!(
        request.body().as_ref(),
        DOCUMENTED_BODY.trim_end().as_bytes()
    );
}

#[tokio::test]
async fn put_addresses_a_service_principal_by_app_id() {
    let (transport, seen) = capturing(response(204, &[], ""));
    let app_id = AppId::new("00000000-1111-2222-3333-444444444444").unwrap();
    client(transport)
        .service_principal(app_id)
        .synchronization()
        .secrets()
        .put(&documented_secrets())
        .await
        .unwrap();
    let request = seen.lock().unwrap().take().unwrap();
    assert_eq!(
        request.uri().path(),
        "/v1.0/servicePrincipals(appId='00000000-1111-2222-3333-444444444444')/synchronization/secrets"
    );
}

#[tokio::test]
async fn every_2xx_is_success_even_with_a_body() {
    for (status, body) in [(204, ""), (200, DOCUMENTED_BODY), (202, "not json at all")] {
        let (transport, _) = capturing(response(
            status,
            &[("content-type", "application/json")],
            body,
        ));
        let result = client(transport)
            .service_principal(sp())
            .synchronization()
            .secrets()
            .put(&documented_secrets())
            .await;
        assert!(result.is_ok(), "{status}: {result:?}");
    }
}

#[tokio::test]
async fn every_request_gets_its_own_client_request_id_and_a_custom_user_agent() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let mut transport = MockTransport::new();
    transport.expect_send().times(2).returning(move |request| {
        sink.lock().unwrap().push(request);
        Ok(response(204, &[], ""))
    });
    let client = GraphSyncClient::builder()
        .transport(transport)
        .bearer_token(TOKEN)
        .user_agent("provisioner/2.1")
        .build()
        .unwrap();
    let secrets = client.service_principal(sp()).synchronization().secrets();
    secrets.put(&documented_secrets()).await.unwrap();
    secrets.put(&documented_secrets()).await.unwrap();
    let requests = seen.lock().unwrap();
    assert_ne!(
        requests[0].headers()["client-request-id"],
        requests[1].headers()["client-request-id"]
    );
    assert_eq!(
        requests[0].headers()["user-agent"],
        format!("provisioner/2.1 graph-sync/{}", env!("CARGO_PKG_VERSION")).as_str()
    );
}

struct Expected {
    status: u16,
    code: &'static str,
    inner_code: Option<&'static str>,
    message: &'static str,
}

#[tokio::test]
async fn non_2xx_answers_become_typed_service_errors() {
    let cases = [
        (
            include_str!("fixtures/error-400-notification-settings.json"),
            Expected {
                status: 400,
                code: "UnknownError",
                inner_code: Some("InvalidNotificationSettings"),
                message: "The notification settings are not valid JSON.",
            },
        ),
        (
            include_str!("fixtures/error-401.json"),
            Expected {
                status: 401,
                code: "InvalidAuthenticationToken",
                inner_code: None,
                message: "Access token has expired or is not yet valid.",
            },
        ),
        (
            include_str!("fixtures/error-403.json"),
            Expected {
                status: 403,
                code: "Authorization_RequestDenied",
                inner_code: None,
                message: "Insufficient privileges to complete the operation.",
            },
        ),
        (
            include_str!("fixtures/error-404.json"),
            Expected {
                status: 404,
                code: "Request_ResourceNotFound",
                inner_code: None,
                message: "Resource '3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6' does not exist or one of its queried reference-property objects are not present.",
            },
        ),
        (
            include_str!("fixtures/error-409.json"),
            Expected {
                status: 409,
                code: "Conflict",
                inner_code: Some("SynchronizationConflict"),
                message: "Another operation on this synchronization is in progress.",
            },
        ),
        (
            include_str!("fixtures/error-429.json"),
            Expected {
                status: 429,
                code: "TooManyRequests",
                inner_code: Some("429"),
                message: "Please retry again later.",
            },
        ),
        (
            include_str!("fixtures/error-500.json"),
            Expected {
                status: 500,
                code: "generalException",
                inner_code: Some("SyncFabricUnavailable"),
                message: "An unexpected error occurred.",
            },
        ),
    ];
    for (body, expected) in cases {
        let odata: serde_json::Value = serde_json::from_str(body).unwrap();
        let inner = &odata["error"]["innerError"];
        let (transport, _) = capturing(response(
            expected.status,
            &[
                ("content-type", "application/json"),
                ("retry-after", "2.128"),
                ("date", "Sun, 22 Nov 2026 10:00:00 GMT"),
            ],
            body,
        ));
        let error = client(transport)
            .service_principal(sp())
            .synchronization()
            .secrets()
            .put(&documented_secrets())
            .await
            .unwrap_err();
        let service = error.as_service().unwrap_or_else(|| panic!("{error:?}"));
        assert_eq!(service.status().as_u16(), expected.status);
        assert_eq!(service.code(), Some(expected.code));
        assert_eq!(service.inner_code(), expected.inner_code);
        assert_eq!(service.message(), Some(expected.message));
        assert_eq!(service.request_id(), inner["request-id"].as_str());
        if let Some(sent_back) = inner["client-request-id"].as_str() {
            assert_eq!(service.client_request_id(), Some(sent_back));
        } else {
            // Not echoed: the id this client sent is kept.
            assert!(uuid::Uuid::parse_str(service.client_request_id().unwrap()).is_ok());
        }
        assert_eq!(service.date(), Some("Sun, 22 Nov 2026 10:00:00 GMT"));
        assert_eq!(
            service.retry_after(),
            Some(std::time::Duration::from_millis(2128))
        );
        assert_eq!(service.raw_body().as_ref(), body.as_bytes());
        assert_eq!(service.is_throttled(), expected.status == 429);
        assert_eq!(service.is_not_found(), expected.status == 404);
        assert!(error.to_string().contains(expected.code), "{error}");
        assert!(error.to_string().contains(expected.message), "{error}");
    }
}

/// A client whose transport must never be called.
fn silent_client() -> GraphSyncClient {
    let mut transport = MockTransport::new();
    transport.expect_send().never();
    client(transport)
}

fn assert_secrets_input(error: &Error, expected: &SecretsError) {
    match error {
        Error::InvalidInput(input) => {
            assert_eq!(input.kind(), &InvalidInputKind::Secrets(expected.clone()))
        }
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let client = silent_client();
    let secrets = client.service_principal(sp()).synchronization().secrets();

    let error = secrets.put(&Secrets::new()).await.unwrap_err();
    assert_secrets_input(&error, &SecretsError::Empty);
    assert!(
        error
            .to_string()
            .starts_with("invalid input: no secrets given")
    );

    // A masked collection, as read back from Graph.
    let read_back: Synchronization = serde_json::from_str(include_str!(
        "../../graph-sync-model/tests/fixtures/synchronization-get.json"
    ))
    .unwrap();
    let error = secrets
        .put(read_back.secrets.get().unwrap())
        .await
        .unwrap_err();
    assert_secrets_input(
        &error,
        &SecretsError::Masked {
            key: SecretKey::BaseAddress,
        },
    );

    // A value its key cannot hold, in a collection deserialized from a file.
    let from_file: Secrets =
        serde_json::from_str(r#"{"value":[{"key":"SyncAll","value":"maybe"}]}"#).unwrap();
    let error = secrets.put(&from_file).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("secret `SyncAll` must be \"true\" or \"false\""),
        "{error}"
    );

    // A documented key in the wrong case.
    let miscased: Secrets =
        serde_json::from_str(r#"{"value":[{"key":"secretToken","value":"t"}]}"#).unwrap();
    let error = secrets.put(&miscased).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the documented spelling is `SecretToken`"),
        "{error}"
    );
}

#[test]
fn duplicate_keys_and_malformed_ids_are_input_errors_with_the_api_error_type() {
    fn build() -> Result<Secrets, Error> {
        Ok(Secrets::new()
            .with(SecretKey::SecretToken, "a")?
            .with(SecretKey::SecretToken, "b")?)
    }
    assert_secrets_input(
        &build().unwrap_err(),
        &SecretsError::DuplicateKey {
            key: SecretKey::SecretToken,
        },
    );

    fn id() -> Result<ServicePrincipalId, Error> {
        Ok(ServicePrincipalId::new("not-a-guid")?)
    }
    let error = id().unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(input) if matches!(input.kind(), InvalidInputKind::Id(_)))
    );
    assert_eq!(
        error.to_string(),
        "invalid input: service principal id must be a GUID like 00000000-0000-0000-0000-000000000000, got \"not-a-guid\""
    );
}

#[tokio::test]
async fn transport_failures_keep_their_kind_and_delivery() {
    let mut transport = MockTransport::new();
    transport.expect_send().times(1).returning(|_| {
        Err(TransportError::new(
            TransportErrorKind::Connect,
            Delivery::NotSent,
        ))
    });
    let error = client(transport)
        .service_principal(sp())
        .synchronization()
        .secrets()
        .put(&documented_secrets())
        .await
        .unwrap_err();
    match error {
        Error::Transport(error) => {
            assert_eq!(error.kind(), TransportErrorKind::Connect);
            assert!(!error.may_have_reached_server());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn get_decodes_masked_secrets_and_rejects_hostile_bodies_without_panicking() {
    let (transport, seen) = capturing(response(
        200,
        &[("content-type", "application/json")],
        include_str!("../../graph-sync-model/tests/fixtures/synchronization-get.json"),
    ));
    let read = client(transport)
        .service_principal(sp())
        .synchronization()
        .secrets()
        .get()
        .await
        .unwrap();
    assert_eq!(read.len(), 4);
    assert!(read.is_masked(&SecretKey::SecretToken));
    let request = seen.lock().unwrap().take().unwrap();
    assert_eq!(request.method(), Method::GET);
    assert_eq!(
        request.uri().path(),
        format!("/v1.0/servicePrincipals/{SP}/synchronization")
    );
    assert!(request.headers().get("content-type").is_none());

    let deep = format!("{{\"x\":{}", "[".repeat(100_000));
    for hostile in [
        "",
        "{",
        "null",
        "{\"secrets\":7}",
        "{\"secrets\":[{\"key\":\"SyncAll\",\"value\":\"*\"},{\"key\":\"SyncAll\",\"value\":\"*\"}]}",
        "{\"secrets\":[{\"key\":\"\",\"value\":\"*\"}]}",
        deep.as_str(),
    ] {
        let (transport, _) = capturing(response(200, &[], hostile));
        let error = client(transport)
            .service_principal(sp())
            .synchronization()
            .get()
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::Decode(_)),
            "{hostile:.20}: {error:?}"
        );
    }
}

#[test]
fn the_builder_refuses_unsafe_or_incomplete_configuration() {
    let no_credential = GraphSyncClient::builder()
        .transport(MockTransport::new())
        .build()
        .unwrap_err();
    assert!(
        no_credential.to_string().contains("no credential"),
        "{no_credential}"
    );

    for root in [
        "http://graph.example.com/v1.0",
        "https://graph.example.com/v1.0?x=1",
        "not a url",
    ] {
        let error = GraphSyncClient::builder()
            .transport(MockTransport::new())
            .bearer_token(TOKEN)
            .graph_root(root)
            .build()
            .unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{root}: {error:?}");
    }
    let local = GraphSyncClient::builder()
        .transport(MockTransport::new())
        .bearer_token(TOKEN)
        .graph_root("http://127.0.0.1:9/v1.0")
        .build()
        .unwrap();
    assert_eq!(local.cloud().scope(), "http://127.0.0.1:9/.default");
    assert!(!format!("{local:?}").contains(TOKEN));
}
