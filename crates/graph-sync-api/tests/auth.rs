//! The token stage alone, against `MockTransport` and mock credentials: the token cache's
//! single flight through the client, `401` handling, claims challenges, what goes to token
//! endpoints, and clouds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use graph_sync_api::transport::testing::MockTransport;
use graph_sync_api::{
    AccessToken, AuthError, ClientSecretCredential, Cloud, Error, GraphSyncClient,
    MockTokenCredential, TokenCredential, TokenRequest,
};
use graph_sync_model::SecretString;
use http::Request;
use tokio::time::Instant;

use crate::support::{documented_secrets, response, sp};

/// A credential that takes a second (of paused time) to answer and counts its calls.
#[derive(Debug, Default)]
struct SlowCounting {
    calls: AtomicUsize,
}

#[async_trait]
impl TokenCredential for SlowCounting {
    async fn get_token(&self, _request: &TokenRequest) -> Result<AccessToken, AuthError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok(AccessToken::new(
            SecretString::from(format!("token-{n}")),
            Some(Instant::now() + Duration::from_secs(3600)),
        ))
    }
}

fn authorization(request: &Request<bytes::Bytes>) -> String {
    request.headers()["authorization"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(start_paused = true)]
async fn a_thousand_concurrent_calls_on_a_cold_cache_make_one_token_request() {
    let credential = Arc::new(SlowCounting::default());
    let mut transport = MockTransport::new();
    transport
        .expect_send()
        .times(1000)
        .withf(|request| authorization(request) == "Bearer token-1")
        .returning(|_| Ok(response(204, &[], "")));
    let client = GraphSyncClient::builder()
        .transport(transport)
        .shared_credential(credential.clone())
        .build()
        .unwrap();
    let secrets = documented_secrets();
    let calls = (0..1000).map(|_| {
        let client = client.clone();
        let secrets = secrets.clone();
        tokio::spawn(async move {
            client
                .service_principal(sp())
                .synchronization()
                .secrets()
                .put(&secrets)
                .await
        })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    let token_requests = credential.calls.load(Ordering::SeqCst);
    println!("token requests for 1,000 concurrent calls on a cold cache: {token_requests}");
    assert_eq!(token_requests, 1);
}

/// A mock credential giving `first`, then `second`, each valid an hour, counting calls.
fn two_tokens(calls: Arc<AtomicUsize>) -> MockTokenCredential {
    let mut credential = MockTokenCredential::new();
    credential.expect_get_token().returning(move |request| {
        assert!(request.claims.is_none());
        let n = calls.fetch_add(1, Ordering::SeqCst);
        let text = if n == 0 { "first" } else { "second" };
        Ok(AccessToken::new(
            SecretString::from(text),
            Some(Instant::now() + Duration::from_secs(3600)),
        ))
    });
    credential
}

async fn put(client: &GraphSyncClient) -> Result<(), Error> {
    client
        .service_principal(sp())
        .synchronization()
        .secrets()
        .put(&documented_secrets())
        .await
}

#[tokio::test]
async fn a_401_gets_one_fresh_token_and_one_resend() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let mut transport = MockTransport::new();
    transport.expect_send().times(2).returning(move |request| {
        let mut seen = sink.lock().unwrap();
        seen.push((
            authorization(&request),
            request.headers()["client-request-id"]
                .to_str()
                .unwrap()
                .to_owned(),
        ));
        Ok(if seen.len() == 1 {
            response(
                401,
                &[],
                r#"{"error":{"code":"InvalidAuthenticationToken","message":"expired"}}"#,
            )
        } else {
            response(204, &[], "")
        })
    });
    let client = GraphSyncClient::builder()
        .transport(transport)
        .credential(two_tokens(Arc::clone(&calls)))
        .build()
        .unwrap();
    put(&client).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].0, "Bearer first");
    assert_eq!(seen[1].0, "Bearer second");
    assert_eq!(
        seen[0].1, seen[1].1,
        "one client-request-id for the request"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_second_401_is_the_answer_not_a_loop() {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut transport = MockTransport::new();
    transport.expect_send().times(2).returning(|_| {
        Ok(response(
            401,
            &[],
            r#"{"error":{"code":"InvalidAuthenticationToken","message":"no"}}"#,
        ))
    });
    let client = GraphSyncClient::builder()
        .transport(transport)
        .credential(two_tokens(Arc::clone(&calls)))
        .build()
        .unwrap();
    let error = put(&client).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_static_token_rejected_is_not_resent() {
    let mut transport = MockTransport::new();
    transport
        .expect_send()
        .times(1)
        .returning(|_| Ok(response(401, &[], "")));
    let client = GraphSyncClient::builder()
        .transport(transport)
        .bearer_token("static")
        .build()
        .unwrap();
    assert_eq!(
        put(&client).await.unwrap_err().status().map(|s| s.as_u16()),
        Some(401)
    );
}

const CAE_CHALLENGE: &str = "Bearer realm=\"\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzAwMDAwMDAwIn19fQ==\"";
const CAE_CLAIMS: &str = r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#;

#[tokio::test]
async fn a_claims_challenge_gets_a_token_with_the_claims_then_one_resend() {
    let mut credential = MockTokenCredential::new();
    credential
        .expect_get_token()
        .withf(|request| request.claims.is_none())
        .times(1)
        .returning(|_| Ok(AccessToken::new(SecretString::from("plain"), None)));
    credential
        .expect_get_token()
        .withf(|request| request.claims.as_deref() == Some(CAE_CLAIMS))
        .times(1)
        .returning(|_| Ok(AccessToken::new(SecretString::from("with-claims"), None)));
    let mut transport = MockTransport::new();
    transport
        .expect_send()
        .times(1)
        .withf(|request| authorization(request) == "Bearer plain")
        .returning(|_| Ok(response(401, &[("www-authenticate", CAE_CHALLENGE)], "")));
    transport
        .expect_send()
        .times(2)
        .withf(|request| authorization(request) == "Bearer with-claims")
        .returning(|_| Ok(response(204, &[], "")));
    let client = GraphSyncClient::builder()
        .transport(transport)
        .credential(credential)
        .build()
        .unwrap();
    put(&client).await.unwrap();
    // The claims token is cached for the scope: the next call uses it at once.
    put(&client).await.unwrap();
}

#[tokio::test]
async fn token_requests_go_to_the_clouds_authority_without_a_graph_token() {
    for (cloud, token_url, scope) in [
        (
            Cloud::global(),
            "https://login.microsoftonline.com/contoso/oauth2/v2.0/token",
            "https://graph.microsoft.com/.default",
        ),
        (
            Cloud::us_gov_l4(),
            "https://login.microsoftonline.us/contoso/oauth2/v2.0/token",
            "https://graph.microsoft.us/.default",
        ),
        (
            Cloud::us_gov_l5(),
            "https://login.microsoftonline.us/contoso/oauth2/v2.0/token",
            "https://dod-graph.microsoft.us/.default",
        ),
        (
            Cloud::china(),
            "https://login.chinacloudapi.cn/contoso/oauth2/v2.0/token",
            "https://microsoftgraph.chinacloudapi.cn/.default",
        ),
    ] {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let mut transport = MockTransport::new();
        transport.expect_send().times(2).returning(move |request| {
            let mut seen = sink.lock().unwrap();
            seen.push(request);
            Ok(if seen.len() == 1 {
                response(
                    200,
                    &[],
                    r#"{"token_type":"Bearer","expires_in":3599,"access_token":"graph-token"}"#,
                )
            } else {
                response(204, &[], "")
            })
        });
        let transport: Arc<dyn graph_sync_api::transport::Transport> = Arc::new(transport);
        let credential = ClientSecretCredential::new("contoso", "app-id", "app-secret")
            .unwrap()
            .cloud(cloud.clone())
            .transport(Arc::clone(&transport));
        let client = GraphSyncClient::builder()
            .cloud(cloud.clone())
            .shared_transport(transport)
            .credential(credential)
            .build()
            .unwrap();
        put(&client).await.unwrap();
        let seen = seen.lock().unwrap();
        let token_request = &seen[0];
        assert_eq!(token_request.uri().to_string(), token_url);
        assert!(token_request.headers().get("authorization").is_none());
        let form: Vec<(String, String)> = url::form_urlencoded::parse(token_request.body())
            .into_owned()
            .collect();
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(field("grant_type"), Some("client_credentials"));
        assert_eq!(field("client_id"), Some("app-id"));
        assert_eq!(field("client_secret"), Some("app-secret"));
        assert_eq!(field("scope"), Some(scope));
        let graph_request = &seen[1];
        assert_eq!(graph_request.uri().host(), cloud.graph_root().host_str());
        assert_eq!(authorization(graph_request), "Bearer graph-token");
    }
}
