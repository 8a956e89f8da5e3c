//! The tenant file over HTTP: what it declares is there (apps that get tokens, granted roles
//! that open some operations and not others, service principals with their target systems and
//! jobs), a missing role answers Graph's `403 Authorization_RequestDenied`, its `[emulator]`
//! table is the flags' settings, and moving the clock through the control API refills the
//! throttle's buckets.

use graph_sync_emulator::{Emulator, Flags, RunningEmulator, Settings, SourceObject, TenantFile};
use reqwest::StatusCode;
use serde_json::Value;

const READER: &str = "11111111-1111-4111-8111-111111111111";
const WRITER: &str = "33333333-3333-4333-8333-333333333333";
const SP: &str = "22222222-2222-4222-8222-222222222222";

const TENANT: &str = r#"
[emulator]
throttle = "20/5"
faults = 0.05
seed = 7
fault_kinds = ["503", "reset"]

[[application]]
display_name = "Reader"
client_id = "11111111-1111-4111-8111-111111111111"
client_secrets = ["reader-secret-9182"]
roles = ["Synchronization.Read.All"]

[[application]]
client_id = "33333333-3333-4333-8333-333333333333"
client_secrets = ["writer-secret-7731"]

[[managed_identity]]
roles = []

[[service_principal]]
display_name = "HR app"
id = "22222222-2222-4222-8222-222222222222"
app_id = "44444444-4444-4444-8444-444444444444"
target = { base_address = "https://hr.example.com/scim", secret_token = "hr-token-1" }
jobs = ["scim"]
"#;

async fn start() -> (RunningEmulator, TenantFile) {
    let tenant = TenantFile::parse(TENANT, std::path::Path::new(".")).unwrap();
    let emulator = Emulator::new();
    let principals = emulator.load_tenant(&tenant);
    assert_eq!(principals.len(), 1);
    assert_eq!(principals[0].id.as_str(), SP);
    (emulator.start().await.unwrap(), tenant)
}

async fn token(running: &RunningEmulator, client_id: &str, secret: &str) -> String {
    let answer: Value = super::client()
        .post(format!("{}/common/oauth2/v2.0/token", running.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={client_id}&client_secret={secret}\
             &scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|bytes| serde_json::from_slice(&bytes).unwrap())
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn granted_roles_open_what_they_grant_and_a_missing_role_is_graphs_403() {
    let (running, _) = start().await;
    let client = super::client();
    let sync = format!(
        "{}/servicePrincipals/{SP}/synchronization",
        running.graph_root()
    );
    let reader = token(&running, READER, "reader-secret-9182").await;
    let writer = token(&running, WRITER, "writer-secret-7731").await;

    // Synchronization.Read.All reads jobs (the file's one job is there)...
    let jobs = client
        .get(format!("{sync}/jobs"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(jobs.status(), StatusCode::OK);
    let jobs: Value = serde_json::from_slice(&jobs.bytes().await.unwrap()).unwrap();
    assert_eq!(jobs["value"].as_array().unwrap().len(), 1);

    // ...but cannot write secrets: Graph's body, and nothing stored.
    let body = r#"{"value":[{"key":"SecretToken","value":"hr-token-1"}]}"#;
    let denied = client
        .put(format!("{sync}/secrets"))
        .bearer_auth(&reader)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let error: Value = serde_json::from_slice(&denied.bytes().await.unwrap()).unwrap();
    assert_eq!(error["error"]["code"], "Authorization_RequestDenied");
    assert_eq!(
        error["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
    assert!(error["error"]["innerError"]["request-id"].is_string());

    // The default roles write; the declared target system checks the credentials.
    let stored = client
        .put(format!("{sync}/secrets"))
        .bearer_auth(&writer)
        .header("content-type", "application/json")
        .body(r#"{"value":[{"key":"BaseAddress","value":"https://hr.example.com/scim"},{"key":"SecretToken","value":"wrong"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::NO_CONTENT);
    let validated = client
        .post(format!("{sync}/jobs/validateCredentials"))
        .bearer_auth(&writer)
        .header("content-type", "application/json")
        .body(r#"{"useSavedCredentials":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(validated.status(), StatusCode::BAD_REQUEST, "wrong token");
    let fixed = client
        .put(format!("{sync}/secrets"))
        .bearer_auth(&writer)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(fixed.status(), StatusCode::NO_CONTENT);
    let validated = client
        .post(format!("{sync}/jobs/validateCredentials"))
        .bearer_auth(&writer)
        .header("content-type", "application/json")
        .body(r#"{"useSavedCredentials":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        validated.status(),
        StatusCode::NO_CONTENT,
        "the file's target"
    );
    running.shutdown().await;
}

#[tokio::test]
async fn a_managed_identity_granted_no_roles_is_denied_everything() {
    let (running, _) = start().await;
    let client = super::client();
    let answer: Value = client
        .get(format!(
            "{}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fgraph.microsoft.com",
            running.base_url()
        ))
        .header("Metadata", "true")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|bytes| serde_json::from_slice(&bytes).unwrap())
        .unwrap();
    let token = answer["access_token"].as_str().unwrap();
    let jobs = client
        .get(format!(
            "{}/servicePrincipals/{SP}/synchronization/jobs",
            running.graph_root()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(jobs.status(), StatusCode::FORBIDDEN);
    running.shutdown().await;
}

#[test]
fn the_emulator_table_is_read_by_the_flags_parser_and_flags_win() {
    let tenant = TenantFile::parse(TENANT, std::path::Path::new(".")).unwrap();
    let settings = tenant.settings_with(&Flags::default()).unwrap();
    let mut flags = Flags::default();
    flags.throttle = Some("20/5".to_owned());
    flags.faults = Some("0.05".to_owned());
    flags.seed = Some("7".to_owned());
    flags.fault_kinds = Some("503,reset".to_owned());
    assert_eq!(settings, Settings::from_flags(&flags).unwrap());

    let mut given = Flags::default();
    given.throttle = Some("1/1".to_owned());
    let overridden = tenant.settings_with(&given).unwrap();
    assert_eq!(overridden.throttle.map(|t| t.rate()), Some(1.0));
    assert_eq!(overridden.faults, settings.faults);

    let bad = TenantFile::parse("[emulator]\nseed = 3\n", std::path::Path::new(".")).unwrap();
    let message = bad.settings_with(&Flags::default()).unwrap_err();
    assert!(message.contains("--seed applies to --faults"), "{message}");
    assert!(
        tenant
            .describe()
            .contains("1 service principal(s) (1 with their own target system), 1 job(s)")
    );
}

#[test]
fn assigned_users_and_groups_are_what_a_cycle_imports() {
    let tenant = TenantFile::parse(
        r#"
[[service_principal]]
display_name = "Contoso app"
id = "22222222-2222-4222-8222-222222222222"

[[service_principal.assigned]]
id = "7D3F6E1A-2B4C-4D5E-8F90-A1B2C3D4E5F6"
attributes = { displayName = "Megan Bowen", userPrincipalName = "MeganB@contoso.com" }

[[service_principal.assigned]]
id = "8e4a7f2b-3c5d-4e6f-9a01-b2c3d4e5f607"
type = "Group"
"#,
        std::path::Path::new("."),
    )
    .unwrap();
    assert!(
        tenant.describe().contains("2 assigned user(s)/group(s)"),
        "{}",
        tenant.describe()
    );
    let emulator = Emulator::new();
    let principals = emulator.load_tenant(&tenant);
    let assigned = emulator.assigned(&principals[0].id);
    let megan = SourceObject::user("7d3f6e1a-2b4c-4d5e-8f90-a1b2c3d4e5f6")
        .with("displayName", "Megan Bowen")
        .with("userPrincipalName", "MeganB@contoso.com");
    assert_eq!(assigned.len(), 2);
    assert_eq!(assigned[0], megan);
    assert_eq!(assigned[1].type_name, "Group");
    assert_eq!(
        assigned[1].attributes.get("objectId").map(String::as_str),
        Some("8e4a7f2b-3c5d-4e6f-9a01-b2c3d4e5f607")
    );
}

#[test]
fn a_bad_tenant_file_is_an_error_naming_the_line() {
    let folder = std::path::Path::new(".");
    let cases = [
        (
            "[[application]]\nclient_id = \"x\"\n",
            2,
            "client_id must be a GUID",
        ),
        ("[[application]]\nclient_id = 5\n", 2, "invalid type"),
        ("\n\n[[applicaton]]\n", 3, "unknown field `applicaton`"),
        (
            "[[application]]\nclient_id = \"11111111-1111-4111-8111-111111111111\"\nroles = [\"Synchronization.ReadWrite.Al\"]\n",
            3,
            "is not an application permission",
        ),
        (
            "[[application]]\nclient_id = \"11111111-1111-4111-8111-111111111111\"\ncertificates = [\"missing.pem\"]\n",
            3,
            "cannot read the certificate",
        ),
        (
            "[[service_principal]]\ndisplay_name = \"a\"\njobs = [\"gallery\"]\n",
            3,
            "unknown synchronization template",
        ),
        (
            "[[service_principal]]\ndisplay_name = \"a\"\n[[service_principal.assigned]]\nid = \"megan\"\n",
            4,
            "id must be a GUID",
        ),
        (
            "[[service_principal]]\ndisplay_name = \"a\"\n[[service_principal.assigned]]\nid = \"7d3f6e1a-2b4c-4d5e-8f90-a1b2c3d4e5f6\"\nattributes = { accountEnabled = true }\n",
            5,
            "invalid type",
        ),
        ("[emulator]\nthrottle = {}\n", 2, ""),
        ("not toml at all", 1, ""),
    ];
    for (text, line, message) in cases {
        let error = TenantFile::parse(text, folder).unwrap_err();
        assert_eq!(error.line(), Some(line), "{text}: {error}");
        assert!(error.message().contains(message), "{text}: {error}");
        assert!(
            error.to_string().contains(&format!("tenant file:{line}:")),
            "{error}"
        );
    }
    let missing = TenantFile::read(std::path::Path::new("/nonexistent/tenant.toml")).unwrap_err();
    assert!(
        missing
            .to_string()
            .starts_with("/nonexistent/tenant.toml: cannot read")
    );
}

#[tokio::test]
async fn moving_the_clock_refills_the_throttles_buckets() {
    let emulator = Emulator::new();
    let sp = emulator.register_service_principal("throttled");
    let token = emulator.issue_token();
    let mut flags = Flags::default();
    flags.throttle = Some("0.001/1".to_owned());
    emulator.configure(&Settings::from_flags(&flags).unwrap());
    let running = emulator.start().await.unwrap();
    let client = super::client();
    let url = format!(
        "{}/servicePrincipals/{}/synchronization",
        running.graph_root(),
        sp.id
    );
    let get = || client.get(&url).bearer_auth(&token).send();
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);
    assert_eq!(get().await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    // One token per 1000 s: only the clock can refill it within a test.
    let moved = client
        .post(format!("{}/_emulator/clock", running.base_url()))
        .bearer_auth(running.emulator().admin_token())
        .header("content-type", "application/json")
        .body(r#"{"advance_seconds": 1000}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);
    assert_eq!(get().await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    running.shutdown().await;
}
