//! A canary secret value never appears in Debug or Display output, in errors, or in tracing
//! output at TRACE level, across success, service errors and transport errors.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use graph_sync_api::transport::testing::MockTransport;
use graph_sync_api::{Backoff, GraphSyncClient, RetryConfig};
use graph_sync_emulator::Emulator;
use graph_sync_model::{BaseAddress, SecretKey, SecretString, Secrets, ServicePrincipalId};

use crate::support::response;

const CANARY: &str = "CANARY-7c1f0e9b-not-for-your-eyes";

/// Every log line of this test binary, from every thread, at TRACE level.
#[derive(Clone, Default)]
pub(crate) struct Captured(pub(crate) Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber as the global default, once. A global subscriber sees
/// the spawned tasks of hyper and the emulator on every worker thread, which a thread-local
/// one would miss.
pub(crate) fn captured_logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
        captured
    })
}

fn canary_secrets() -> Secrets {
    Secrets::new()
        .with(
            SecretKey::BaseAddress,
            BaseAddress::parse(&format!("https://scim.example.com/{CANARY}")).unwrap(),
        )
        .unwrap()
        .with(SecretKey::SecretToken, SecretString::from(CANARY))
        .unwrap()
        .with(SecretKey::Password, format!("p-{CANARY}"))
        .unwrap()
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(CANARY), "{what} leaks the canary: {text}");
}

#[tokio::test]
async fn no_output_of_any_kind_reveals_a_secret() {
    let captured = captured_logs();

    let secrets = canary_secrets();
    let mut outputs = vec![
        ("Secrets debug", format!("{secrets:?}")),
        (
            "pair debug",
            format!("{:?}", secrets.iter().next().unwrap()),
        ),
    ];

    // Success and a service error over real HTTP, with the token itself a canary.
    let emulator = Emulator::new();
    let sp = emulator.register_service_principal("canary");
    let token = emulator.issue_token();
    let running = emulator.start().await.unwrap();
    let client = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(token)
        .build()
        .unwrap();
    client
        .service_principal(sp.id.clone())
        .synchronization()
        .secrets()
        .put(&secrets)
        .await
        .unwrap();
    let read = client
        .service_principal(sp.id.clone())
        .synchronization()
        .get()
        .await
        .unwrap();
    outputs.push(("read-back debug", format!("{read:?}")));
    outputs.push(("client debug", format!("{client:?}")));

    let bad_token = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(format!("token-{CANARY}"))
        .build()
        .unwrap();
    outputs.push(("client with canary token", format!("{bad_token:?}")));
    let unauthorized = bad_token
        .service_principal(sp.id.clone())
        .synchronization()
        .secrets()
        .put(&secrets)
        .await
        .unwrap_err();
    outputs.push(("401 display", unauthorized.to_string()));
    outputs.push(("401 debug", format!("{unauthorized:?}")));

    // A service that echoes the secret back in its error.
    let mut echo = MockTransport::new();
    echo.expect_send().returning(|_| {
        Ok(response(
            400,
            &[("content-type", "application/json")],
            &format!(r#"{{"error":{{"code":"BadRequest","message":"value '{CANARY}' is not accepted"}}}}"#),
        ))
    });
    let echoing = GraphSyncClient::builder()
        .transport(echo)
        .bearer_token("t")
        .build()
        .unwrap();
    let echoed = echoing
        .service_principal(ServicePrincipalId::new("3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6").unwrap())
        .synchronization()
        .secrets()
        .put(&secrets)
        .await
        .unwrap_err();
    let service = echoed.as_service().unwrap();
    outputs.push(("echo display", echoed.to_string()));
    outputs.push(("echo debug", format!("{echoed:?}")));
    outputs.push((
        "echo raw body",
        String::from_utf8_lossy(service.raw_body()).into_owned(),
    ));
    assert!(service.message().unwrap().contains("[REDACTED]"));

    // Invalid input that carries the canary.
    let invalid = Secrets::new().with(SecretKey::SyncAll, CANARY).unwrap_err();
    outputs.push(("invalid input", format!("{invalid} {invalid:?}")));

    // A transport failure after the server is gone.
    let root = running.graph_root();
    running.shutdown().await;
    let gone = GraphSyncClient::builder()
        .graph_root(root)
        .bearer_token(CANARY)
        .retry(
            RetryConfig::default()
                .with_max_attempts(2)
                .with_backoff(Backoff::new(
                    Duration::from_millis(1),
                    Duration::from_secs(60),
                )),
        )
        .build()
        .unwrap();
    let failed = gone
        .service_principal(sp.id)
        .synchronization()
        .secrets()
        .put(&secrets)
        .await
        .unwrap_err();
    outputs.push(("transport error", format!("{failed} {failed:?}")));

    for (what, text) in &outputs {
        assert_clean(what, text);
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("graph_request"),
        "tracing captured nothing: {logs}"
    );
    assert_clean("TRACE logs", &logs);
}

/// Client secrets, certificate keys, federated tokens, App Service headers and issued tokens
/// never appear in Debug, Display, errors or TRACE logs, on success or failure.
#[cfg(feature = "pkcs12")]
#[tokio::test]
async fn no_output_reveals_a_credential_secret_or_token() {
    use graph_sync_api::{
        ChainedTokenCredential, ClientCertificate, ClientCertificateCredential,
        ClientSecretCredential, EnvironmentCredential, ManagedIdentity, ManagedIdentityCredential,
        TokenCredential, TokenRequest, WorkloadIdentityCredential,
    };
    use graph_sync_model::ExposeSecret;

    const APP: &str = "canary-app";
    let secret = format!("secret-{CANARY}");
    let federated = format!("federated-{CANARY}");
    let header = format!("header-{CANARY}");
    let captured = captured_logs();
    let cert = crate::certs::registered();
    let key_canary = cert.key_canary();

    let emulator = Emulator::new();
    let sp = emulator.register_service_principal("canary");
    emulator.register_app_with_secret(APP, &secret);
    emulator
        .register_app_with_certificate(APP, &cert.certificate_der)
        .unwrap();
    emulator.register_app_with_federated_token(APP, &federated);
    emulator.enable_system_assigned_identity();
    let running = emulator.start().await.unwrap();
    let authority = running.base_url();
    let scope = TokenRequest::new(format!("{authority}/.default"));

    let token_file =
        std::env::temp_dir().join(format!("graph-sync-canary-{}", uuid::Uuid::new_v4()));
    std::fs::write(&token_file, &federated).unwrap();
    let good_secret = ClientSecretCredential::new("t", APP, secret.as_str())
        .unwrap()
        .authority(&authority)
        .unwrap();
    let wrong_secret = ClientSecretCredential::new("t", APP, format!("wrong-{CANARY}"))
        .unwrap()
        .authority(&authority)
        .unwrap();
    let certificate = ClientCertificate::from_pem(cert.combined_pem().as_bytes()).unwrap();
    let with_certificate = ClientCertificateCredential::new("t", APP, certificate.clone())
        .unwrap()
        .authority(&authority)
        .unwrap();
    let workload = WorkloadIdentityCredential::new("t", APP, &token_file)
        .unwrap()
        .authority(&authority)
        .unwrap();
    let app_service = ManagedIdentityCredential::app_service(
        ManagedIdentity::SystemAssigned,
        &format!("{authority}/msi/token"),
        header.as_str(),
    )
    .unwrap();
    let environment = EnvironmentCredential::from_lookup(|name| match name {
        "AZURE_TENANT_ID" => Some("t".to_owned()),
        "AZURE_CLIENT_ID" => Some(APP.to_owned()),
        "AZURE_CLIENT_SECRET" => Some(secret.clone()),
        "AZURE_AUTHORITY_HOST" => Some(authority.clone()),
        _ => None,
    })
    .unwrap();

    let mut outputs = vec![
        ("certificate", format!("{certificate:?}")),
        ("secret credential", format!("{good_secret:?}")),
        ("certificate credential", format!("{with_certificate:?}")),
        ("workload credential", format!("{workload:?}")),
        ("app service credential", format!("{app_service:?}")),
        ("environment credential", format!("{environment:?}")),
    ];
    let mut tokens = Vec::new();
    for credential in [
        &good_secret as &dyn TokenCredential,
        &with_certificate,
        &workload,
        &environment,
    ] {
        let token = credential.get_token(&scope).await.unwrap();
        outputs.push(("token debug", format!("{token:?}")));
        tokens.push(token.token.expose_secret().to_owned());
    }
    let failures = ChainedTokenCredential::new()
        .with(wrong_secret)
        .with(app_service)
        .get_token(&scope)
        .await
        .unwrap_err();
    outputs.push(("chain failure", format!("{failures} {failures:?}")));

    let client = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .credential(good_secret)
        .build()
        .unwrap();
    client
        .service_principal(sp.id.clone())
        .synchronization()
        .get()
        .await
        .unwrap();
    running.emulator().require_claims_challenge(true);
    client
        .service_principal(sp.id)
        .synchronization()
        .get()
        .await
        .unwrap();
    outputs.push(("client", format!("{client:?}")));
    std::fs::remove_file(&token_file).ok();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("requesting a token"),
        "tracing captured nothing: {logs}"
    );
    outputs.push(("TRACE logs", logs));
    for (what, text) in &outputs {
        assert_clean(what, text);
        assert!(!text.contains(&key_canary), "{what} leaks the private key");
        for token in &tokens {
            assert!(!text.contains(token.as_str()), "{what} leaks a token");
        }
    }
}

#[tokio::test]
async fn credentials_sent_to_validate_or_exchange_never_leak() {
    let captured = captured_logs();
    let secrets = canary_secrets();
    let request = graph_sync_model::ValidateCredentialsRequest::with_credentials(secrets.clone());
    let mut outputs = vec![("validate request debug", format!("{request:?}"))];

    // A service that echoes the credentials in its error, for both operations.
    let mut echo = MockTransport::new();
    echo.expect_send().times(2).returning(|_| {
        Ok(response(
            400,
            &[("content-type", "application/json")],
            &format!(
                r#"{{"error":{{"code":"BadRequest","message":"token '{CANARY}' rejected"}}}}"#
            ),
        ))
    });
    let client = GraphSyncClient::builder()
        .transport(echo)
        .bearer_token("t")
        .build()
        .unwrap();
    let sync = client
        .service_principal(ServicePrincipalId::new("3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6").unwrap())
        .synchronization();
    let validate = sync
        .job(graph_sync_model::JobId::new("scim.1").unwrap())
        .validate_credentials(&request)
        .await
        .unwrap_err();
    let exchange = sync.acquire_access_token(&secrets).await.unwrap_err();
    for error in [&validate, &exchange] {
        assert!(
            error
                .as_service()
                .unwrap()
                .message()
                .unwrap()
                .contains("[REDACTED]")
        );
        outputs.push(("echoed error", format!("{error} {error:?}")));
        outputs.push((
            "echoed raw body",
            String::from_utf8_lossy(error.as_service().unwrap().raw_body()).into_owned(),
        ));
    }

    // Over real HTTP: the emulator rejects the canary credentials against its target.
    let emulator = Emulator::new();
    let sp = emulator.register_service_principal("canary");
    emulator.add_template(&sp.id, Emulator::scim_template());
    emulator.set_target_system(
        &sp.id,
        graph_sync_emulator::TargetSystem::new("https://scim.example.com/other", "right"),
    );
    let token = emulator.issue_token();
    let running = emulator.start().await.unwrap();
    let client = crate::support::emulator_client(&running, token);
    let sync = client.service_principal(sp.id.clone()).synchronization();
    let job = sync
        .jobs()
        .create(graph_sync_model::TemplateId::new("scim").unwrap())
        .await
        .unwrap();
    outputs.push((
        "target debug",
        format!("{:?}", graph_sync_emulator::TargetSystem::new("u", CANARY)),
    ));
    let rejected = sync
        .job(job.id.into_option().unwrap())
        .validate_credentials(&request)
        .await
        .unwrap_err();
    outputs.push(("rejected", format!("{rejected} {rejected:?}")));
    outputs.push(("emulator debug", format!("{:?}", running.emulator())));

    for (what, text) in &outputs {
        assert_clean(what, text);
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_clean("TRACE logs", &logs);
}
