//! The identity endpoints over HTTP: Entra-shaped token answers and errors, the managed
//! identity endpoints, and how protected endpoints treat issued tokens.

use std::time::Duration;

use graph_sync_emulator::{Emulator, RunningEmulator};
use reqwest::StatusCode;
use serde_json::Value;

const APP: &str = "a0a0a0a0-1111-2222-3333-444444444444";
const SECRET: &str = "identity-secret-5521";

async fn start() -> (RunningEmulator, reqwest::Client, String) {
    let emulator = Emulator::new();
    let sp = emulator.register_service_principal("identity");
    emulator.register_app_with_secret(APP, SECRET);
    let running = emulator.start().await.unwrap();
    let protected = format!(
        "{}/servicePrincipals/{}/synchronization",
        running.graph_root(),
        sp.id
    );
    (running, super::client(), protected)
}

async fn json(response: reqwest::Response) -> Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

async fn get_with_header(
    client: &reqwest::Client,
    url: &str,
    name: &str,
    value: &str,
) -> reqwest::Response {
    client.get(url).header(name, value).send().await.unwrap()
}

async fn get_with(client: &reqwest::Client, url: &str, token: &str) -> reqwest::Response {
    get_with_header(client, url, "authorization", &format!("Bearer {token}")).await
}

async fn token_request(
    running: &RunningEmulator,
    client: &reqwest::Client,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let body: String = form
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.replace(':', "%3A")
                    .replace('/', "%2F")
                    .replace('{', "%7B")
                    .replace('}', "%7D")
                    .replace('"', "%22")
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    let response = client
        .post(format!("{}/contoso/oauth2/v2.0/token", running.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("client-request-id", "corr-123")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, json(response).await)
}

fn grant<'a>(secret: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", APP),
        ("client_secret", secret),
        ("scope", scope),
    ]
}

#[tokio::test]
async fn the_token_endpoint_answers_like_entra() {
    let (running, client, protected) = start().await;
    let scope = format!("{}/.default", running.base_url());
    let (status, body) = token_request(&running, &client, &grant(SECRET, &scope)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    let token = body["access_token"].as_str().unwrap().to_owned();
    let answer = get_with(&client, &protected, &token).await;
    assert_eq!(answer.status(), StatusCode::OK);

    let (status, body) = token_request(&running, &client, &grant("wrong-secret-9", &scope)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_codes"], serde_json::json!([7000215]));
    assert_eq!(body["correlation_id"], "corr-123");
    assert!(body["trace_id"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with("AADSTS7000215: Invalid client secret provided."),
        "{description}"
    );
    assert!(description.contains("Correlation ID: corr-123"));
    assert!(!body.to_string().contains("wrong-secret-9"));
    assert_eq!(running.emulator().token_requests(), 2);

    let (status, body) = token_request(&running, &client, &[("grant_type", "password")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn issued_tokens_expire_on_the_emulators_clock_and_claims_are_challenged() {
    let (running, client, protected) = start().await;
    let emulator = running.emulator();
    // Frozen: only advance_clock moves it, however long the machine takes between requests.
    emulator.freeze_clock();
    emulator.set_token_lifetime(Duration::from_secs(600));
    let scope = format!("{}/.default", running.base_url());
    let (_, body) = token_request(&running, &client, &grant(SECRET, &scope)).await;
    assert_eq!(body["expires_in"], 600);
    let token = body["access_token"].as_str().unwrap().to_owned();
    emulator.advance_clock(Duration::from_secs(599));
    let answer = get_with(&client, &protected, &token).await;
    assert_eq!(answer.status(), StatusCode::OK);
    emulator.advance_clock(Duration::from_secs(1));
    let answer = get_with(&client, &protected, &token).await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let body: Value = json(answer).await;
    assert_eq!(
        body["error"]["message"],
        "Lifetime validation failed, the token is expired."
    );

    emulator.require_claims_challenge(true);
    let (_, body) = token_request(&running, &client, &grant(SECRET, &scope)).await;
    let plain = body["access_token"].as_str().unwrap().to_owned();
    let answer = get_with(&client, &protected, &plain).await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let challenge = answer.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.contains("error=\"insufficient_claims\""),
        "{challenge}"
    );
    assert!(challenge.contains("claims=\""), "{challenge}");
    let mut with_claims = grant(SECRET, &scope);
    with_claims.push(("claims", r#"{"access_token":{}}"#));
    let (status, body) = token_request(&running, &client, &with_claims).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer = get_with(&client, &protected, body["access_token"].as_str().unwrap()).await;
    assert_eq!(answer.status(), StatusCode::OK);
}

#[tokio::test]
async fn managed_identity_endpoints_check_their_headers_and_identities() {
    let (running, client, _) = start().await;
    let emulator = running.emulator();
    let imds = format!(
        "{}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fgraph.microsoft.com",
        running.base_url()
    );
    let answer = client.get(&imds).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body: Value = json(answer).await;
    assert_eq!(
        body["error_description"],
        "Required metadata header not specified"
    );

    let answer = get_with_header(&client, &imds, "Metadata", "true").await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "no identity yet");
    emulator.enable_system_assigned_identity();
    let answer = get_with_header(&client, &imds, "Metadata", "true").await;
    assert_eq!(answer.status(), StatusCode::OK);
    let body: Value = json(answer).await;
    assert_eq!(body["expires_in"], "3599");
    assert_eq!(body["resource"], "https://graph.microsoft.com");

    let app_service = format!(
        "{}/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fgraph.microsoft.com&client_id=ua-1",
        running.base_url()
    );
    let header = emulator.app_service_identity_header();
    let answer = get_with_header(&client, &app_service, "X-IDENTITY-HEADER", "nope").await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let answer = get_with_header(&client, &app_service, "X-IDENTITY-HEADER", &header).await;
    assert_eq!(
        answer.status(),
        StatusCode::BAD_REQUEST,
        "ua-1 is not assigned yet"
    );
    emulator.add_user_assigned_identity("UA-1");
    let answer = get_with_header(&client, &app_service, "X-IDENTITY-HEADER", &header).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let body: Value = json(answer).await;
    assert!(body["expires_on"].as_str().unwrap().parse::<u64>().is_ok());
    assert!(body.get("expires_in").is_none());
    assert_eq!(emulator.token_requests(), 6);
    // The request log keeps the paths, never the header.
    assert!(!format!("{:?}", emulator.requests()).contains(&header));
}
