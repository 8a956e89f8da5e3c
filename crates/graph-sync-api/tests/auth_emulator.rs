//! Every credential over real HTTP on loopback against the emulator's token and
//! managed-identity endpoints, then against its protected Graph endpoints.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use graph_sync_api::{
    AuthErrorKind, ChainedTokenCredential, ClientSecretCredential, Cloud, EnvironmentCredential,
    Error, GraphSyncClient, ManagedIdentity, ManagedIdentityCredential, TokenCredential,
    TokenRequest, WorkloadIdentityCredential,
};
#[cfg(feature = "pkcs12")]
use graph_sync_api::{ClientCertificate, ClientCertificateCredential};
use graph_sync_emulator::{Emulator, RunningEmulator};
use graph_sync_model::ServicePrincipalId;

#[cfg(feature = "pkcs12")]
use crate::certs;
use crate::support::documented_secrets;

const TENANT: &str = "contoso.onmicrosoft.com";
const APP: &str = "11111111-2222-3333-4444-555555555555";
const SECRET: &str = "app-secret-8f3a";

struct Setup {
    running: RunningEmulator,
    sp: ServicePrincipalId,
}

impl Setup {
    async fn start() -> Self {
        let emulator = Emulator::new();
        let sp = emulator.register_service_principal("Contoso SCIM").id;
        emulator.register_app_with_secret(APP, SECRET);
        let running = emulator.start().await.unwrap();
        Self { running, sp }
    }

    fn emulator(&self) -> &Emulator {
        self.running.emulator()
    }

    fn authority(&self) -> String {
        self.running.base_url()
    }

    fn scope(&self) -> String {
        format!("{}/.default", self.running.base_url())
    }

    fn client(&self, credential: impl TokenCredential + 'static) -> GraphSyncClient {
        GraphSyncClient::builder()
            .graph_root(self.running.graph_root())
            .credential(credential)
            .build()
            .unwrap()
    }

    async fn put(&self, client: &GraphSyncClient) -> Result<(), Error> {
        client
            .service_principal(self.sp.clone())
            .synchronization()
            .secrets()
            .put(&documented_secrets())
            .await
    }

    fn secret_credential(&self, secret: &str) -> ClientSecretCredential {
        ClientSecretCredential::new(TENANT, APP, secret)
            .unwrap()
            .authority(&self.authority())
            .unwrap()
    }

    fn graph_statuses(&self) -> Vec<u16> {
        self.emulator()
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/v1.0/"))
            .map(|r| r.status)
            .collect()
    }
}

fn auth_error(error: Error) -> graph_sync_api::AuthError {
    match error {
        Error::Auth(auth) => auth,
        other => panic!("expected an auth error, got {other:?}"),
    }
}

/// A file in the temp directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(contents: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!("graph-sync-test-{}", uuid::Uuid::new_v4()));
        std::fs::write(&path, contents).unwrap();
        Self(path)
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

#[tokio::test]
async fn client_secret_gets_one_token_for_many_calls() {
    let setup = Setup::start().await;
    let client = setup.client(setup.secret_credential(SECRET));
    for _ in 0..3 {
        setup.put(&client).await.unwrap();
    }
    assert_eq!(setup.emulator().token_requests(), 1);
    assert_eq!(setup.graph_statuses(), [204, 204, 204]);
}

#[tokio::test]
async fn a_wrong_secret_is_explained_with_aadsts_code_and_ids() {
    let setup = Setup::start().await;
    let client = setup.client(setup.secret_credential("wrong-secret-4411"));
    let error = auth_error(setup.put(&client).await.unwrap_err());
    assert_eq!(error.kind(), AuthErrorKind::Rejected);
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.error_code(), Some("invalid_client"));
    assert_eq!(error.aadsts_code(), Some("AADSTS7000215"));
    assert!(
        error
            .description()
            .unwrap()
            .starts_with("AADSTS7000215: Invalid client secret")
    );
    assert!(error.correlation_id().is_some_and(|id| !id.is_empty()));
    assert!(error.trace_id().is_some_and(|id| !id.is_empty()));
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("wrong-secret-4411"), "{shown}");
    assert!(setup.graph_statuses().is_empty(), "nothing reaches Graph");
}

#[cfg(feature = "pkcs12")]
#[tokio::test]
async fn certificate_from_pem_and_pkcs12() {
    let setup = Setup::start().await;
    let cert = certs::registered();
    setup
        .emulator()
        .register_app_with_certificate(APP, cert.certificate_pem.as_bytes())
        .unwrap();
    let from_pem = ClientCertificate::from_pem(cert.combined_pem().as_bytes()).unwrap();
    let from_parts =
        ClientCertificate::from_pem_parts(cert.certificate_pem.as_bytes(), cert.key_pem.as_bytes())
            .unwrap();
    let from_pkcs12 = ClientCertificate::from_pkcs12(&cert.pkcs12("pfx-pass"), "pfx-pass").unwrap();
    for certificate in [from_pem, from_parts, from_pkcs12] {
        assert_eq!(
            certificate.certificate_der(),
            cert.certificate_der.as_slice()
        );
        let credential = ClientCertificateCredential::new(TENANT, APP, certificate)
            .unwrap()
            .authority(&setup.authority())
            .unwrap();
        setup.put(&setup.client(credential)).await.unwrap();
    }
    assert_eq!(setup.emulator().token_requests(), 3);
    assert!(ClientCertificate::from_pkcs12(&cert.pkcs12("pfx-pass"), "wrong").is_err());
    let mismatched = ClientCertificate::from_pem_parts(
        cert.certificate_pem.as_bytes(),
        certs::unregistered().key_pem.as_bytes(),
    )
    .unwrap_err();
    assert!(
        mismatched.to_string().contains("does not belong"),
        "{mismatched}"
    );
}

#[cfg(feature = "pkcs12")]
#[test]
fn pkcs12_archives_of_every_common_encryption_are_read() {
    use p12_keystore::{EncryptionAlgorithm, MacAlgorithm};
    let cert = certs::registered();
    for (encryption, mac) in [
        (
            EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
            MacAlgorithm::HmacSha256,
        ),
        (
            EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
            MacAlgorithm::HmacSha1,
        ),
        (
            EncryptionAlgorithm::PbeWithShaAnd40BitRc4Cbc,
            MacAlgorithm::HmacSha1,
        ),
    ] {
        let what = format!("{encryption:?}/{mac:?}");
        let archive = cert.pkcs12_with("pfx-pass", encryption, mac);
        let read = ClientCertificate::from_pkcs12(&archive, "pfx-pass").expect(&what);
        assert_eq!(
            read.certificate_der(),
            cert.certificate_der.as_slice(),
            "{what}"
        );
        let wrong = ClientCertificate::from_pkcs12(&archive, "wrong").unwrap_err();
        assert!(
            wrong.to_string().contains("wrong password"),
            "{what}: {wrong}"
        );
        let truncated = ClientCertificate::from_pkcs12(&archive[..archive.len() / 2], "pfx-pass");
        assert!(truncated.is_err(), "{what}");
    }
}

#[cfg(feature = "pkcs12")]
#[tokio::test]
async fn a_wrong_certificate_and_an_expired_assertion_are_refused() {
    let setup = Setup::start().await;
    setup
        .emulator()
        .register_app_with_certificate(APP, &certs::registered().certificate_der)
        .unwrap();
    let stranger =
        ClientCertificate::from_pem(certs::unregistered().combined_pem().as_bytes()).unwrap();
    let credential = ClientCertificateCredential::new(TENANT, APP, stranger)
        .unwrap()
        .authority(&setup.authority())
        .unwrap();
    let error = credential
        .get_token(&TokenRequest::new(setup.scope()))
        .await
        .unwrap_err();
    assert_eq!(error.aadsts_code(), Some("AADSTS700027"), "{error}");

    let registered =
        ClientCertificate::from_pem(certs::registered().combined_pem().as_bytes()).unwrap();
    let credential = ClientCertificateCredential::new(TENANT, APP, registered)
        .unwrap()
        .authority(&setup.authority())
        .unwrap();
    // The emulator's clock runs ten minutes ahead: the five-minute assertion is expired.
    setup.emulator().advance_clock(Duration::from_secs(600));
    let error = credential
        .get_token(&TokenRequest::new(setup.scope()))
        .await
        .unwrap_err();
    assert_eq!(error.aadsts_code(), Some("AADSTS700024"), "{error}");
}

#[tokio::test]
async fn workload_identity_rereads_the_token_file_at_every_request() {
    let setup = Setup::start().await;
    setup
        .emulator()
        .register_app_with_federated_token(APP, "federated-1");
    let file = TempFile::new(b"federated-1\n");
    let credential = WorkloadIdentityCredential::new(TENANT, APP, &file.0)
        .unwrap()
        .authority(&setup.authority())
        .unwrap();
    let request = TokenRequest::new(setup.scope());
    credential.get_token(&request).await.unwrap();
    std::fs::write(&file.0, "federated-2").unwrap();
    let error = credential.get_token(&request).await.unwrap_err();
    assert_eq!(error.kind(), AuthErrorKind::Rejected, "{error}");
    setup
        .emulator()
        .register_app_with_federated_token(APP, "federated-2");
    credential.get_token(&request).await.unwrap();
    setup.put(&setup.client(credential)).await.unwrap();

    let missing = WorkloadIdentityCredential::new(TENANT, APP, "/nonexistent/graph-sync-token")
        .unwrap()
        .get_token(&request)
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), AuthErrorKind::Configuration);
}

#[tokio::test]
async fn managed_identity_through_imds_and_app_service() {
    let setup = Setup::start().await;
    let imds = format!("{}/metadata/identity/oauth2/token", setup.authority());
    let system = ManagedIdentityCredential::imds(ManagedIdentity::SystemAssigned)
        .unwrap()
        .imds_endpoint(&imds)
        .unwrap();
    let request = TokenRequest::new(setup.scope());
    let error = system.get_token(&request).await.unwrap_err();
    assert_eq!(error.description(), Some("Identity not found"));
    setup.emulator().enable_system_assigned_identity();
    setup.put(&setup.client(system)).await.unwrap();

    setup
        .emulator()
        .add_user_assigned_identity("user-assigned-1");
    let user = ManagedIdentityCredential::imds(ManagedIdentity::ClientId("user-assigned-1".into()))
        .unwrap()
        .imds_endpoint(&imds)
        .unwrap();
    setup.put(&setup.client(user)).await.unwrap();

    let header = setup.emulator().app_service_identity_header();
    let endpoint = format!("{}/msi/token", setup.authority());
    let lookup = |name: &str| match name {
        "IDENTITY_ENDPOINT" => Some(endpoint.clone()),
        "IDENTITY_HEADER" => Some(header.clone()),
        _ => None,
    };
    let app_service =
        ManagedIdentityCredential::from_lookup(ManagedIdentity::SystemAssigned, lookup).unwrap();
    setup.put(&setup.client(app_service)).await.unwrap();

    let wrong = ManagedIdentityCredential::app_service(
        ManagedIdentity::SystemAssigned,
        &endpoint,
        "wrong-header",
    )
    .unwrap();
    let error = wrong.get_token(&request).await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.error_code(), Some("UnauthorizedRequest"));
    assert_eq!(setup.emulator().token_requests(), 5);
}

fn lookup<'m>(map: &'m HashMap<&'static str, String>) -> impl Fn(&str) -> Option<String> + 'm {
    |name| map.get(name).cloned()
}

#[tokio::test]
async fn environment_builds_each_credential_with_azure_identity_precedence() {
    let setup = Setup::start().await;
    setup
        .emulator()
        .register_app_with_federated_token(APP, "federated-env");
    let token_file = TempFile::new(b"federated-env");
    let base = HashMap::from([
        ("AZURE_TENANT_ID", TENANT.to_owned()),
        ("AZURE_CLIENT_ID", APP.to_owned()),
        ("AZURE_AUTHORITY_HOST", setup.authority()),
    ]);
    let with = |extra: &[(&'static str, String)]| {
        let mut map = base.clone();
        map.extend(extra.iter().cloned());
        map
    };
    #[cfg_attr(
        not(feature = "pkcs12"),
        expect(unused_mut, reason = "the certificate cases need the feature")
    )]
    let mut cases = vec![
        (
            with(&[
                ("AZURE_CLIENT_SECRET", SECRET.to_owned()),
                ("AZURE_CLIENT_CERTIFICATE_PATH", "/unused.pem".to_owned()),
                ("AZURE_FEDERATED_TOKEN_FILE", token_file.path()),
            ]),
            "ClientSecretCredential",
        ),
        (
            with(&[("AZURE_FEDERATED_TOKEN_FILE", token_file.path())]),
            "WorkloadIdentityCredential",
        ),
    ];
    // Kept alive until the credentials have read them.
    #[cfg(feature = "pkcs12")]
    let (_pem, _pfx) = {
        let cert = certs::registered();
        setup
            .emulator()
            .register_app_with_certificate(APP, &cert.certificate_der)
            .unwrap();
        let pem = TempFile::new(cert.combined_pem().as_bytes());
        let pfx = TempFile::new(&cert.pkcs12("env-pass"));
        cases.push((
            with(&[
                ("AZURE_CLIENT_CERTIFICATE_PATH", pem.path()),
                ("AZURE_FEDERATED_TOKEN_FILE", token_file.path()),
            ]),
            "ClientCertificateCredential",
        ));
        cases.push((
            with(&[
                ("AZURE_CLIENT_CERTIFICATE_PATH", pfx.path()),
                ("AZURE_CLIENT_CERTIFICATE_PASSWORD", "env-pass".to_owned()),
            ]),
            "ClientCertificateCredential",
        ));
        (pem, pfx)
    };
    let expected = cases.len();
    for (map, chosen) in cases {
        let credential = EnvironmentCredential::from_lookup(lookup(&map)).unwrap();
        assert_eq!(credential.chosen(), chosen);
        setup.put(&setup.client(credential)).await.unwrap();
    }
    assert_eq!(setup.emulator().token_requests(), expected);
}

#[test]
fn environment_errors_list_exactly_the_missing_variables() {
    type Variables = &'static [(&'static str, &'static str)];
    let cases: [(Variables, &[&str]); 4] = [
        (
            &[],
            &[
                "AZURE_TENANT_ID",
                "AZURE_CLIENT_ID",
                "AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE",
            ],
        ),
        (
            &[("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_SECRET", "s")],
            &["AZURE_CLIENT_ID"],
        ),
        (
            &[
                ("AZURE_TENANT_ID", "t"),
                ("AZURE_CLIENT_ID", "c"),
                ("AZURE_CLIENT_SECRET", ""),
            ],
            &["AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE"],
        ),
        (
            &[
                ("AZURE_CLIENT_ID", "c"),
                ("AZURE_FEDERATED_TOKEN_FILE", "/f"),
            ],
            &["AZURE_TENANT_ID"],
        ),
    ];
    for (set, missing) in cases {
        let map: HashMap<&str, String> = set.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        let error = EnvironmentCredential::from_lookup(|name| map.get(name).cloned()).unwrap_err();
        assert_eq!(error.kind(), AuthErrorKind::Configuration);
        assert_eq!(error.missing(), missing, "{set:?}");
        for name in missing {
            assert!(error.to_string().contains(name), "{error}");
        }
    }
    let unreadable = EnvironmentCredential::from_lookup(|name| match name {
        "AZURE_TENANT_ID" | "AZURE_CLIENT_ID" => Some("x".to_owned()),
        "AZURE_CLIENT_CERTIFICATE_PATH" => Some("/nonexistent/cert.pem".to_owned()),
        _ => None,
    })
    .unwrap_err();
    assert!(
        unreadable.to_string().contains("/nonexistent/cert.pem"),
        "{unreadable}"
    );
}

#[tokio::test]
async fn a_chain_uses_the_first_that_works_and_reports_every_failure() {
    let setup = Setup::start().await;
    let imds = format!("{}/metadata/identity/oauth2/token", setup.authority());
    let managed = ManagedIdentityCredential::imds(ManagedIdentity::SystemAssigned)
        .unwrap()
        .imds_endpoint(&imds)
        .unwrap();
    let failing = ChainedTokenCredential::new()
        .with(setup.secret_credential("wrong-secret-7"))
        .with(managed);
    let request = TokenRequest::new(setup.scope());
    let error = failing.get_token(&request).await.unwrap_err();
    assert_eq!(error.kind(), AuthErrorKind::Chain);
    let failures = error.failures();
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0].aadsts_code(), Some("AADSTS7000215"));
    assert_eq!(failures[1].description(), Some("Identity not found"));
    let shown = error.to_string();
    assert!(
        shown.contains("ClientSecretCredential") && shown.contains("ManagedIdentityCredential"),
        "{shown}"
    );

    let working = failing.with(setup.secret_credential(SECRET));
    setup.put(&setup.client(working)).await.unwrap();
}

#[tokio::test]
async fn an_expired_token_refused_by_graph_is_refreshed_once_and_resent() {
    let setup = Setup::start().await;
    let client = setup.client(setup.secret_credential(SECRET));
    setup.put(&client).await.unwrap();
    // Graph's clock says the token is over; the client's cache still thinks it fresh.
    setup.emulator().advance_clock(Duration::from_secs(3600));
    setup.put(&client).await.unwrap();
    assert_eq!(setup.graph_statuses(), [204, 401, 204]);
    assert_eq!(setup.emulator().token_requests(), 2);
}

#[tokio::test]
async fn a_claims_challenge_is_answered_with_a_claims_token() {
    let setup = Setup::start().await;
    let client = setup.client(setup.secret_credential(SECRET));
    setup.emulator().require_claims_challenge(true);
    setup.put(&client).await.unwrap();
    setup.put(&client).await.unwrap();
    assert_eq!(setup.graph_statuses(), [401, 204, 204]);
    assert_eq!(setup.emulator().token_requests(), 2);
}

#[tokio::test]
async fn a_static_token_cannot_answer_a_claims_challenge() {
    let setup = Setup::start().await;
    let client = GraphSyncClient::builder()
        .graph_root(setup.running.graph_root())
        .bearer_token(setup.emulator().issue_token())
        .build()
        .unwrap();
    setup.emulator().require_claims_challenge(true);
    let error = setup.put(&client).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(setup.graph_statuses(), [401]);
}

#[tokio::test]
async fn credentials_share_the_clients_transport_when_given_it() {
    let setup = Setup::start().await;
    let transport: Arc<dyn graph_sync_api::transport::Transport> = Arc::new(
        graph_sync_api::transport::ReqwestTransport::builder()
            .build()
            .unwrap(),
    );
    let cloud = Cloud::custom("emulator", &setup.running.graph_root(), &setup.authority()).unwrap();
    let credential = ClientSecretCredential::new(TENANT, APP, SECRET)
        .unwrap()
        .cloud(cloud.clone())
        .transport(Arc::clone(&transport));
    let client = GraphSyncClient::builder()
        .cloud(cloud)
        .shared_transport(transport)
        .credential(credential)
        .build()
        .unwrap();
    setup.put(&client).await.unwrap();
}
