//! Integration tests of graph-sync-emulator: a real HTTP client (reqwest) against an emulator
//! served on loopback, checking status codes, bodies and headers as Graph answers them, the
//! merge semantics of a secrets PUT, the request log, and that a secret value never leaves the
//! emulator except through `Emulator::stored_secrets`.

#![allow(
    clippy::unwrap_used,
    reason = "a test that meets an unexpected error should fail loudly"
)]

mod binary;
mod control;
mod directory;
mod round_trip;
mod strict;
mod sync;

use std::future::IntoFuture;
use std::io;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use graph_sync_emulator::{Emulator, RunningEmulator, ServicePrincipal};
use graph_sync_model::{AppId, ExposeSecret, SecretKey, Secrets, ServicePrincipalId};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const SP_ID: &str = "5f0c4c16-2a7e-4f8f-9a1b-6d2e3c4b5a69";
const APP_ID: &str = "0a1b2c3d-4e5f-4061-8a7b-9c8d7e6f5a4b";
const OTHER_GUID: &str = "99999999-9999-4999-8999-999999999999";

/// An emulator with one service principal (fixed ids) and one token, and a client.
struct Harness {
    running: RunningEmulator,
    client: reqwest::Client,
    principal: ServicePrincipal,
    token: String,
}

/// A response, fully read.
#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap().to_owned()
    }

    fn error_message(&self) -> String {
        self.json()["error"]["message"].as_str().unwrap().to_owned()
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }

    /// Asserts a Graph error: status, code, and a complete `innerError`.
    fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.error_code(), code);
        assert!(
            self.header("content-type").starts_with("application/json"),
            "{:?}",
            self.headers
        );
        let inner = &self.json()["error"]["innerError"];
        assert_eq!(inner["request-id"], self.header("request-id"));
        assert_eq!(inner["client-request-id"], self.header("client-request-id"));
        let date = inner["date"].as_str().unwrap();
        assert_eq!(date.len(), "2026-11-22T10:00:00".len(), "{date}");
        assert_eq!(&date[10..11], "T");
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn fixed_principal() -> ServicePrincipal {
    ServicePrincipal::new(
        ServicePrincipalId::new(SP_ID).unwrap(),
        AppId::new(APP_ID).unwrap(),
        "Fixed SCIM app",
    )
}

async fn harness() -> Harness {
    let emulator = Emulator::new();
    let principal = fixed_principal();
    emulator.insert_service_principal(principal.clone());
    let token = emulator.issue_token();
    let running = emulator.start().await.unwrap();
    Harness {
        running,
        client: client(),
        principal,
        token,
    }
}

impl Harness {
    fn emulator(&self) -> &Emulator {
        self.running.emulator()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.graph_root())
    }

    fn secrets_url(&self) -> String {
        self.url(&format!(
            "/servicePrincipals/{SP_ID}/synchronization/secrets"
        ))
    }

    fn sync_url(&self) -> String {
        self.url(&format!("/servicePrincipals/{SP_ID}/synchronization"))
    }

    /// A request with the harness's bearer token.
    fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, url)
            .header("authorization", format!("Bearer {}", self.token))
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.unwrap();
        Reply {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.bytes().await.unwrap().to_vec(),
        }
    }

    async fn put_json(&self, url: &str, body: &str) -> Reply {
        self.send(
            self.request(Method::PUT, url)
                .header("content-type", "application/json")
                .body(body.to_owned()),
        )
        .await
    }

    async fn put_secrets(&self, body: &str) -> Reply {
        self.put_json(&self.secrets_url(), body).await
    }

    async fn get(&self, url: &str) -> Reply {
        self.send(self.request(Method::GET, url)).await
    }

    fn stored(&self) -> Vec<(String, String)> {
        listing(&self.emulator().stored_secrets(&self.principal.id).unwrap())
    }
}

fn listing(secrets: &Secrets) -> Vec<(String, String)> {
    secrets
        .iter()
        .map(|pair| {
            (
                pair.key().to_string(),
                pair.value().expose_secret().to_owned(),
            )
        })
        .collect()
}

fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Success paths
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn put_secrets_answers_204_without_a_body_and_stores_them() {
    let h = harness().await;
    let reply = h
        .put_secrets(
            r#"{"value":[
                {"key":"BaseAddress","value":"https://scim.example.com/scim"},
                {"key":"SecretToken","value":"token-1"},
                {"key":"SyncNotificationSettings","value":"{\"Enabled\":false,\"DeleteThresholdEnabled\":false}"},
                {"key":"SyncAll","value":"false"}
            ]}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(reply.body.is_empty());
    assert_eq!(
        h.stored(),
        pairs(&[
            ("BaseAddress", "https://scim.example.com/scim"),
            ("SecretToken", "token-1"),
            (
                "SyncNotificationSettings",
                r#"{"Enabled":false,"DeleteThresholdEnabled":false}"#
            ),
            ("SyncAll", "false"),
        ])
    );
}

#[tokio::test]
async fn a_put_merges_keeps_first_insertion_order_and_empty_values_clear_keys() {
    let h = harness().await;
    let first = h
        .put_secrets(
            r#"{"value":[{"key":"BaseAddress","value":"https://a.example.com"},{"key":"SecretToken","value":"t1"},{"key":"UserName","value":"u"}]}"#,
        )
        .await;
    assert_eq!(first.status, StatusCode::NO_CONTENT);
    let second = h
        .put_secrets(
            r#"{"value":[{"key":"Password","value":"p"},{"key":"BaseAddress","value":"https://b.example.com"},{"key":"UserName","value":""},{"key":"Domain","value":""}]}"#,
        )
        .await;
    assert_eq!(second.status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.stored(),
        pairs(&[
            ("BaseAddress", "https://b.example.com"),
            ("SecretToken", "t1"),
            ("Password", "p"),
        ])
    );
    // An empty collection changes nothing.
    assert_eq!(
        h.put_secrets(r#"{"value":[]}"#).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(h.stored().len(), 3);
}

#[tokio::test]
async fn get_synchronization_returns_every_value_masked() {
    let h = harness().await;
    let empty = h.get(&h.sync_url()).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.json()["secrets"], Value::Array(Vec::new()));

    h.put_secrets(
        r#"{"value":[{"key":"BaseAddress","value":"https://scim.example.com"},{"key":"SecretToken","value":"t1"}]}"#,
    )
    .await;
    let reply = h.get(&h.sync_url()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("content-type").starts_with("application/json"));
    let body = reply.json();
    assert_eq!(
        body["@odata.context"],
        format!(
            "{}/$metadata#servicePrincipals('{SP_ID}')/synchronization/$entity",
            h.running.graph_root()
        )
    );
    assert_eq!(body["id"], SP_ID);
    assert_eq!(
        body["secrets"],
        serde_json::json!([
            {"key": "BaseAddress", "value": "*"},
            {"key": "SecretToken", "value": "*"},
        ])
    );
    // The body reads as the model's synchronization resource, values masked.
    let model: graph_sync_model::Synchronization = serde_json::from_slice(&reply.body).unwrap();
    assert!(
        model
            .secrets
            .get()
            .unwrap()
            .is_masked(&SecretKey::SecretToken)
    );
    assert_eq!(model.id.as_deref(), Some(SP_ID));
}

#[tokio::test]
async fn the_app_id_alternate_key_works_plain_and_percent_encoded() {
    let h = harness().await;
    for (n, segment) in [
        format!("servicePrincipals(appId='{APP_ID}')"),
        format!("servicePrincipals(appId=%27{APP_ID}%27)"),
        format!("servicePrincipals%28appId%3D%27{APP_ID}%27%29"),
    ]
    .into_iter()
    .enumerate()
    {
        let reply = h
            .put_json(
                &h.url(&format!("/{segment}/synchronization/secrets")),
                &format!(r#"{{"value":[{{"key":"SecretToken","value":"via-app-id-{n}"}}]}}"#),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{segment}");
        assert_eq!(
            h.stored(),
            pairs(&[("SecretToken", &format!("via-app-id-{n}"))])
        );

        let got = h.get(&h.url(&format!("/{segment}/synchronization"))).await;
        assert_eq!(got.status, StatusCode::OK, "{segment}");
        assert_eq!(got.json()["id"], SP_ID);
    }
}

#[tokio::test]
async fn ids_are_matched_ignoring_case_and_registered_principals_get_fresh_guids() {
    let h = harness().await;
    let upper = h.url(&format!(
        "/servicePrincipals/{}/synchronization",
        SP_ID.to_uppercase()
    ));
    assert_eq!(h.get(&upper).await.status, StatusCode::OK);

    let a = h.emulator().register_service_principal("A");
    let b = h.emulator().register_service_principal("B");
    assert_ne!(a.id, b.id);
    assert_ne!(a.app_id, b.app_id);
    assert_ne!(a.id.as_str(), a.app_id.as_str());
    assert_eq!(a.display_name, "A");
    let url = h.url(&format!("/servicePrincipals/{}/synchronization", b.id));
    assert_eq!(h.get(&url).await.status, StatusCode::OK);
    assert!(h.emulator().stored_secrets(&a.id).unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

const CHALLENGE: &str = "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"";

#[tokio::test]
async fn a_missing_or_empty_token_is_401_access_token_is_empty() {
    let h = harness().await;
    let body = r#"{"value":[{"key":"SecretToken","value":"t"}]}"#;
    let without = h
        .send(
            h.client
                .put(h.secrets_url())
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
    let empty = h
        .send(
            h.client
                .get(h.sync_url())
                .header("authorization", "Bearer "),
        )
        .await;
    for reply in [without, empty] {
        reply.assert_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken");
        assert_eq!(reply.error_message(), "Access token is empty.");
        assert_eq!(reply.header("www-authenticate"), CHALLENGE);
    }
    assert!(h.stored().is_empty());
}

#[tokio::test]
async fn unknown_and_revoked_tokens_are_401() {
    let h = harness().await;
    let unknown = h
        .send(
            h.client
                .get(h.sync_url())
                .header("authorization", "Bearer not-a-token-we-issued"),
        )
        .await;
    unknown.assert_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken");
    assert_eq!(
        unknown.error_message(),
        "Access token validation failure. Invalid audience."
    );
    assert_eq!(unknown.header("www-authenticate"), CHALLENGE);

    assert_eq!(h.get(&h.sync_url()).await.status, StatusCode::OK);
    h.emulator().revoke_token(&h.token);
    let revoked = h.get(&h.sync_url()).await;
    revoked.assert_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken");
    assert_eq!(revoked.header("www-authenticate"), CHALLENGE);

    let put = h
        .put_secrets(r#"{"value":[{"key":"SecretToken","value":"t"}]}"#)
        .await;
    put.assert_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken");
    assert!(h.stored().is_empty());
}

#[tokio::test]
async fn authentication_is_checked_before_the_id() {
    let h = harness().await;
    let reply = h
        .send(
            h.client
                .get(h.url("/servicePrincipals/not-a-guid/synchronization")),
        )
        .await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken");
}

// ---------------------------------------------------------------------------------------------
// Addressing errors
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_malformed_id_is_400_invalid_object_identifier() {
    let h = harness().await;
    let body = r#"{"value":[{"key":"SecretToken","value":"t"}]}"#;
    let put = h
        .put_json(
            &h.url("/servicePrincipals/not-a-guid/synchronization/secrets"),
            body,
        )
        .await;
    put.assert_error(StatusCode::BAD_REQUEST, "Request_BadRequest");
    assert_eq!(
        put.error_message(),
        "Invalid object identifier 'not-a-guid'."
    );

    let get = h
        .get(&h.url("/servicePrincipals(appId='nope')/synchronization"))
        .await;
    get.assert_error(StatusCode::BAD_REQUEST, "Request_BadRequest");
    assert_eq!(get.error_message(), "Invalid object identifier 'nope'.");
}

#[tokio::test]
async fn an_unknown_service_principal_is_404() {
    let h = harness().await;
    let put = h
        .put_json(
            &h.url(&format!(
                "/servicePrincipals/{OTHER_GUID}/synchronization/secrets"
            )),
            r#"{"value":[{"key":"SecretToken","value":"t"}]}"#,
        )
        .await;
    put.assert_error(StatusCode::NOT_FOUND, "Request_ResourceNotFound");
    assert_eq!(
        put.error_message(),
        format!(
            "Resource '{OTHER_GUID}' does not exist or one of its queried reference-property \
             objects are not present."
        )
    );

    let get = h
        .get(&h.url(&format!(
            "/servicePrincipals(appId='{OTHER_GUID}')/synchronization"
        )))
        .await;
    get.assert_error(StatusCode::NOT_FOUND, "Request_ResourceNotFound");
    // An object id is not an appId, nor the other way round.
    let swapped = h
        .get(&h.url(&format!("/servicePrincipals/{APP_ID}/synchronization")))
        .await;
    swapped.assert_error(StatusCode::NOT_FOUND, "Request_ResourceNotFound");
}

// ---------------------------------------------------------------------------------------------
// Body errors
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let h = harness().await;
    let body = r#"{"value":[{"key":"SecretToken","value":"t"}]}"#;
    let text = h
        .send(
            h.request(Method::PUT, &h.secrets_url())
                .header("content-type", "text/plain")
                .body(body),
        )
        .await;
    text.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaType");
    assert!(text.error_message().contains("text/plain"));

    let missing = h
        .send(h.request(Method::PUT, &h.secrets_url()).body(body))
        .await;
    missing.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaType");

    let with_charset = h
        .send(
            h.request(Method::PUT, &h.secrets_url())
                .header("content-type", "application/json; charset=utf-8")
                .body(body),
        )
        .await;
    assert_eq!(with_charset.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn an_empty_payload_is_400_with_graphs_message() {
    let h = harness().await;
    for body in ["", "  \r\n"] {
        let reply = h.put_secrets(body).await;
        reply.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
        assert_eq!(
            reply.error_message(),
            "Empty Payload. JSON content expected."
        );
    }
    // Also without a Content-Type, as the PowerShell cmdlet of docs-contrib#1133 sent it.
    let bare = h.send(h.request(Method::PUT, &h.secrets_url())).await;
    bare.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    assert_eq!(
        bare.error_message(),
        "Empty Payload. JSON content expected."
    );
}

#[tokio::test]
async fn wrong_shapes_are_400_bad_request_naming_the_problem() {
    let h = harness().await;
    let cases = [
        (
            r#"{"credentials":[{"key":"SecretToken","value":"t"}]}"#,
            "unknown property `credentials`",
        ),
        (r#"[{"key":"SecretToken","value":"t"}]"#, "bare array"),
        (
            r#"{"value":[{"key":"SecretToken","value":"a"},{"key":"SecretToken","value":"b"}]}"#,
            "`SecretToken` appears more than once",
        ),
        (
            r#"{"value":[{"key":"SecretToken","value":"t"}"#,
            "not valid JSON",
        ),
        (
            r#"{"value":[{"key":"SecretToken","value":5}]}"#,
            "must be a string, found a number",
        ),
        (
            r#"{"value":[{"key":"SecretToken"}]}"#,
            "missing field `value`",
        ),
        (r#"{}"#, "missing field `value`"),
    ];
    for (body, expected) in cases {
        let reply = h.put_secrets(body).await;
        reply.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
        let message = reply.error_message();
        assert!(message.contains(expected), "{body}: {message}");
    }
    assert!(h.stored().is_empty());
}

#[tokio::test]
async fn an_undocumented_key_is_400_and_nothing_of_the_put_is_stored() {
    let h = harness().await;
    let reply = h
        .put_secrets(
            r#"{"value":[{"key":"SecretToken","value":"t"},{"key":"FutureKey","value":"x"}]}"#,
        )
        .await;
    reply.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    assert_eq!(
        reply.error_message(),
        "Requested value 'FutureKey' was not found."
    );
    // A documented key spelled in another case is not the documented key.
    let lower = h
        .put_secrets(r#"{"value":[{"key":"secrettoken","value":"t"}]}"#)
        .await;
    assert_eq!(
        lower.error_message(),
        "Requested value 'secrettoken' was not found."
    );
    assert!(h.stored().is_empty());
}

#[tokio::test]
async fn invalid_notification_settings_are_400_double_encoded() {
    let h = harness().await;
    h.put_secrets(
        r#"{"value":[{"key":"SyncNotificationSettings","value":"{\"Enabled\":false}"}]}"#,
    )
    .await;
    for value in [
        "",
        "not json",
        "{\\\"Enabled\\\":",
        "{\\\"Enabled\\\":\\\"yes\\\"}",
    ] {
        let reply = h
            .put_secrets(&format!(
                r#"{{"value":[{{"key":"SecretToken","value":"t"}},{{"key":"SyncNotificationSettings","value":"{value}"}}]}}"#
            ))
            .await;
        reply.assert_error(StatusCode::BAD_REQUEST, "UnknownError");
        let message = reply.error_message();
        assert!(message.starts_with("{\r\n  \"error\":{\r\n"), "{message:?}");
        let inner: Value = serde_json::from_str(&message).unwrap();
        assert_eq!(inner["error"]["code"], "InvalidNotificationSettings");
        // The model reads the envelope; the real error is inside `message`.
        let outer = graph_sync_model::ODataError::from_slice(&reply.body).unwrap();
        assert_eq!(outer.error.code.as_deref(), Some("UnknownError"));
    }
    // Nothing changed: the earlier document is still stored, SecretToken was not added.
    assert_eq!(
        h.stored(),
        pairs(&[("SyncNotificationSettings", r#"{"Enabled":false}"#)])
    );
    // `{}` is a valid document (the service accepts it).
    assert_eq!(
        h.put_secrets(r#"{"value":[{"key":"SyncNotificationSettings","value":"{}"}]}"#)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

// ---------------------------------------------------------------------------------------------
// Unimplemented routes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_segments_are_400_and_unlisted_methods_405_as_graph_answers() {
    let h = harness().await;
    let segment = |name: &str| format!("Resource not found for the segment '{name}'.");
    let cases = [
        (Method::GET, h.url("/users"), segment("users")),
        (
            Method::GET,
            h.url(&format!(
                "/servicePrincipals/{SP_ID}/synchronization/secrets/$count"
            )),
            segment("$count"),
        ),
        (
            // Only the start of a route (…/directories/{id}/discover): its last segment.
            Method::GET,
            format!("{}/jobs/j/schema/directories", h.sync_url()),
            segment("directories"),
        ),
        (
            Method::GET,
            h.url("/users(appId='x')/synchronization"),
            segment("users(appId='x')"),
        ),
        (
            Method::GET,
            format!(
                "{}/beta/servicePrincipals/{SP_ID}/synchronization",
                h.running.base_url()
            ),
            segment("beta"),
        ),
    ];
    for (method, url, message) in cases {
        // Without a token too: routing comes first.
        let reply = h.send(h.client.request(method.clone(), &url)).await;
        reply.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
        assert_eq!(reply.error_message(), message, "{method} {url}");
    }
    for (method, url) in [
        (Method::POST, h.secrets_url()),
        (Method::GET, h.secrets_url()),
        (Method::DELETE, h.sync_url()),
        (Method::TRACE, h.sync_url()),
        (Method::PATCH, format!("{}/jobs/j", h.sync_url())),
    ] {
        let reply = h.send(h.request(method.clone(), &url)).await;
        reply.assert_error(StatusCode::METHOD_NOT_ALLOWED, "Request_BadRequest");
        assert_eq!(
            reply.error_message(),
            "Specified HTTP method is not allowed for the request target.",
            "{method} {url}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Headers and the request log
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_response_has_request_id_client_request_id_and_date() {
    let h = harness().await;
    let echoed = h
        .send(
            h.request(Method::GET, &h.sync_url())
                .header("client-request-id", "c0ffee00-0000-4000-8000-000000000001"),
        )
        .await;
    assert_eq!(echoed.status, StatusCode::OK);
    assert_eq!(
        echoed.header("client-request-id"),
        "c0ffee00-0000-4000-8000-000000000001"
    );

    let fresh = h.put_secrets(r#"{"value":[]}"#).await;
    assert_eq!(fresh.status, StatusCode::NO_CONTENT);
    for reply in [&echoed, &fresh] {
        let request_id = reply.header("request-id");
        assert_eq!(
            uuid::Uuid::parse_str(request_id).unwrap().get_version_num(),
            4
        );
        httpdate::parse_http_date(reply.header("date")).unwrap();
    }
    assert_ne!(echoed.header("request-id"), fresh.header("request-id"));
    // Without a client-request-id, Graph answers with the request-id in its place.
    assert_eq!(
        fresh.header("client-request-id"),
        fresh.header("request-id")
    );

    let error = h
        .send(
            h.client
                .get(h.sync_url())
                .header("client-request-id", "mine-1"),
        )
        .await;
    error.assert_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken");
    assert_eq!(
        error.json()["error"]["innerError"]["client-request-id"],
        "mine-1"
    );
    assert!(error.json()["error"]["innerError"]["date"].is_string());
}

#[tokio::test]
async fn the_request_log_records_method_path_status_and_client_request_id() {
    let h = harness().await;
    assert!(h.emulator().requests().is_empty());
    h.send(
        h.request(Method::PUT, &h.secrets_url())
            .header("content-type", "application/json")
            .header("client-request-id", "log-1")
            .body(r#"{"value":[{"key":"SecretToken","value":"t"}]}"#),
    )
    .await;
    h.get(&format!("{}?$select=id", h.sync_url())).await;
    h.send(h.client.get(h.url("/users"))).await;

    let log = h.emulator().requests();
    assert_eq!(log.len(), 3);
    let summary: Vec<(&str, &str, u16, Option<&str>)> = log
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.path.as_str(),
                r.status,
                r.client_request_id.as_deref(),
            )
        })
        .collect();
    let secrets_path = format!("/v1.0/servicePrincipals/{SP_ID}/synchronization/secrets");
    let select_path = format!("/v1.0/servicePrincipals/{SP_ID}/synchronization?$select=id");
    assert_eq!(
        summary,
        [
            ("PUT", secrets_path.as_str(), 204, Some("log-1")),
            ("GET", select_path.as_str(), 200, None),
            ("GET", "/v1.0/users", 400, None),
        ]
    );
    assert!(!format!("{log:?}").contains(&h.token));
}

// ---------------------------------------------------------------------------------------------
// Secrets never leak
// ---------------------------------------------------------------------------------------------

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Installs, once per test binary, a global TRACE-level subscriber writing into memory.
/// Global rather than thread-local so that events of the server's tasks are captured
/// whatever thread runs them.
fn capture_tracing() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber).unwrap();
            captured
        })
        .clone()
}

#[tokio::test]
async fn a_secret_value_never_appears_in_responses_the_log_or_tracing() {
    const CANARY: &str = "CANARY-4b1d-s3cr3t";
    let captured = capture_tracing();
    let h = harness().await;

    let bodies = [
        // Accepted.
        format!(
            r#"{{"value":[{{"key":"SecretToken","value":"{CANARY}"}},{{"key":"BaseAddress","value":"https://{CANARY}.example.com/scim?token={CANARY}"}},{{"key":"Password","value":"{CANARY}"}}]}}"#
        ),
        // Rejected in every way a body can be.
        format!(
            r#"{{"value":[{{"key":"SecretToken","value":"{CANARY}"}},{{"key":"FutureKey","value":"{CANARY}"}}]}}"#
        ),
        format!(r#"{{"value":[{{"key":"SyncNotificationSettings","value":"{{{CANARY}"}}]}}"#),
        format!(
            r#"{{"value":[{{"key":"Password","value":"{CANARY}"}},{{"key":"Password","value":"{CANARY}"}}]}}"#
        ),
        format!(r#"{{"value":"{CANARY}"}}"#),
        format!(r#"{{"value":["{CANARY}"]}}"#),
        format!(r#"{{"value":[{{"key":"SecretToken","value":["{CANARY}"]}}]}}"#),
        format!(r#"{{"value":[{{"key":"SecretToken","value":"{CANARY}"#),
        format!(r#"{{"credentials":[{{"key":"SecretToken","value":"{CANARY}"}}]}}"#),
    ];
    let mut replies = Vec::new();
    for body in &bodies {
        replies.push(h.put_secrets(body).await);
    }
    replies.push(
        h.send(
            h.request(Method::PUT, &h.secrets_url())
                .header("content-type", "text/plain")
                .body(bodies[0].clone()),
        )
        .await,
    );
    replies.push(
        h.send(
            h.client
                .put(h.secrets_url())
                .header("content-type", "application/json")
                .body(bodies[0].clone()),
        )
        .await,
    );
    replies.push(h.get(&h.sync_url()).await);

    // Positive controls: the secret was stored, and the capture sees the emulator's events.
    assert_eq!(replies[0].status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.emulator()
            .stored_secrets(&h.principal.id)
            .unwrap()
            .get(&SecretKey::SecretToken)
            .unwrap()
            .expose_secret(),
        CANARY
    );
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses,
        [204, 400, 400, 400, 400, 400, 400, 400, 400, 415, 401, 200]
    );
    let logged = captured.text();
    for reply in &replies {
        assert!(
            logged.contains(reply.header("request-id")),
            "request {} not in the captured trace",
            reply.header("request-id")
        );
    }

    for reply in &replies {
        let body = String::from_utf8_lossy(&reply.body);
        assert!(!body.contains(CANARY), "body leaks: {body}");
        for (name, value) in &reply.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            assert!(!value.contains(CANARY), "header {name} leaks: {value}");
        }
    }
    let log = format!("{:?}", h.emulator().requests());
    assert!(!log.contains(CANARY), "request log leaks: {log}");
    assert!(!logged.contains(CANARY), "tracing leaks: {logged}");
    assert!(!logged.contains(&h.token), "tracing leaks the bearer token");
    assert!(!format!("{:?}", h.emulator()).contains(&h.token));
    assert!(
        !format!(
            "{:?}",
            h.emulator().stored_secrets(&h.principal.id).unwrap()
        )
        .contains(CANARY)
    );
}

// ---------------------------------------------------------------------------------------------
// Serving
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn urls_point_at_the_bound_loopback_address() {
    let h = harness().await;
    let addr = h.running.addr();
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    assert_eq!(
        h.running.base_url(),
        format!("http://127.0.0.1:{}", addr.port())
    );
    assert_eq!(
        h.running.graph_root(),
        format!("{}/v1.0", h.running.base_url())
    );
}

#[tokio::test]
async fn shutdown_is_graceful_and_frees_the_port() {
    let h = harness().await;
    // A kept-alive connection from an earlier request must not hold the shutdown up.
    assert_eq!(h.get(&h.sync_url()).await.status, StatusCode::OK);
    let emulator = h.emulator().clone();
    let addr = h.running.addr();
    h.running.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    // The state outlives the server, and the port can be served again.
    let again = emulator.start_on(addr).await.unwrap();
    assert_eq!(again.addr(), addr);
    let reply = h
        .client
        .get(format!(
            "{}/servicePrincipals/{SP_ID}/synchronization",
            again.graph_root()
        ))
        .header("authorization", format!("Bearer {}", h.token))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    again.shutdown().await;
}

#[tokio::test]
async fn the_router_can_be_embedded_in_another_server() {
    let emulator = Emulator::new();
    emulator.insert_service_principal(fixed_principal());
    let token = emulator.issue_token();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(axum::serve(listener, emulator.router()).into_future());

    let reply = client()
        .get(format!(
            "http://{addr}/v1.0/servicePrincipals/{SP_ID}/synchronization"
        ))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(emulator.requests().len(), 1);
    server.abort();
}
mod identity;
mod state;
mod tenant;
