//! A hostile loopback server against the library's error paths.
//!
//! The server is a raw HTTP/1.1 responder on `127.0.0.1:0` that answers every request with
//! bytes a test chooses: the canary secret echoed in every field and header, terminal control
//! sequences, huge messages, numbers that overflow. Each case asserts that the client did not
//! panic, that no output of any kind (Display, Debug, the error chain, every accessor, the
//! `odata` tree, the raw body, TRACE logs) holds the canary, and that every text field is
//! terminal-safe and capped. [`HOSTILE_CASES`] counts the hostile responses sent; run with
//! `--nocapture` to see the total after each test.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use graph_sync_api::redact::{MAX_FIELD_LEN, REDACTED};
use graph_sync_api::{Error, GraphSyncClient, RetryConfig, ServiceError};
use graph_sync_model::{BaseAddress, SecretKey, SecretString, Secrets, ServicePrincipalId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::canary::captured_logs;

/// The secret every case tries to leak. It holds `/`, `+`, a space and a quote so that its
/// JSON-escaped and percent-encoded forms differ from it.
const CANARY: &str = "HOSTILE-CANARY-5e2b/9+x y\"z";

/// The canary in a form that can go in a header value (no quote, no space).
const HEADER_CANARY: &str = "HOSTILE-CANARY-HEADER-71c0";

/// The bearer token of every client: a canary too.
const TOKEN_CANARY: &str = "HOSTILE-CANARY-TOKEN-0d4e9a";

/// How many hostile responses the suite has sent so far.
pub(crate) static HOSTILE_CASES: AtomicUsize = AtomicUsize::new(0);

/// A server that answers every request with `answer(request)`, one response per connection.
async fn serve(answer: impl Fn(&[u8]) -> Vec<u8> + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let answer = Arc::clone(&answer);
            tokio::spawn(async move {
                handle(stream, answer.as_ref()).await;
            });
        }
    });
    format!("http://{addr}/v1.0")
}

async fn handle(mut stream: TcpStream, answer: &(dyn Fn(&[u8]) -> Vec<u8> + Send + Sync)) {
    let mut request = Vec::new();
    let mut buffer = [0_u8; 8192];
    loop {
        let Ok(read) = stream.read(&mut buffer).await else {
            return;
        };
        if read == 0 {
            return;
        }
        request.extend_from_slice(&buffer[..read]);
        if let Some(end) = find(&request, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                break;
            }
        }
    }
    let response = answer(&request);
    let _ = stream.write_all(&response).await;
    let _ = stream.shutdown().await;
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A raw response: status line, headers (plus `content-length` and `connection: close`),
/// body.
fn raw(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    let _ = write!(
        head,
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn canary_secrets() -> Secrets {
    Secrets::new()
        .with(
            SecretKey::BaseAddress,
            BaseAddress::parse("https://scim.example.com/scim").unwrap(),
        )
        .unwrap()
        .with(SecretKey::SecretToken, SecretString::from(CANARY))
        .unwrap()
        .with(SecretKey::Password, HEADER_CANARY)
        .unwrap()
}

fn client(root: &str) -> GraphSyncClient {
    GraphSyncClient::builder()
        .graph_root(root)
        .bearer_token(TOKEN_CANARY)
        .retry(RetryConfig::none())
        .build()
        .unwrap()
}

fn sp() -> ServicePrincipalId {
    ServicePrincipalId::new("3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6").unwrap()
}

/// Every form of every canary that must never be seen.
fn forbidden() -> Vec<String> {
    let json = serde_json::Value::from(CANARY).to_string();
    let json = json.trim_matches('"').to_owned();
    vec![
        CANARY.to_owned(),
        json.clone(),
        json.replace('/', "\\/"),
        "HOSTILE-CANARY-5e2b%2F9%2Bx%20y%22z".to_owned(),
        "HOSTILE-CANARY-5e2b%2F9%2Bx+y%22z".to_owned(),
        HEADER_CANARY.to_owned(),
        TOKEN_CANARY.to_owned(),
    ]
}

/// Everything a caller can print or read out of an error.
fn every_output(error: &Error) -> Vec<(String, String)> {
    let mut outputs = vec![
        ("display".to_owned(), error.to_string()),
        ("debug".to_owned(), format!("{error:?}")),
        ("alternate debug".to_owned(), format!("{error:#?}")),
    ];
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(cause) = source {
        let _ = write!(chain, "{cause} / {cause:?} / ");
        source = cause.source();
    }
    outputs.push(("error chain".to_owned(), chain));
    if let Some(service) = error.as_service() {
        outputs.extend(service_fields(service));
    }
    outputs
}

fn service_fields(service: &ServiceError) -> Vec<(String, String)> {
    let fields = [
        ("code", service.code()),
        ("message", service.message()),
        ("inner code", service.inner_code()),
        ("request id", service.request_id()),
        ("client request id", service.client_request_id()),
        ("date", service.date()),
    ];
    let mut outputs: Vec<(String, String)> = fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.unwrap_or_default().to_owned()))
        .collect();
    outputs.push((
        "odata".to_owned(),
        format!(
            "{:?} {}",
            service.odata(),
            serde_json::to_string(&service.odata()).unwrap()
        ),
    ));
    outputs.push((
        "raw body".to_owned(),
        String::from_utf8_lossy(service.raw_body()).into_owned(),
    ));
    outputs
}

fn assert_no_canary(case: &str, outputs: &[(String, String)]) {
    for (what, text) in outputs {
        for form in forbidden() {
            assert!(
                !text.contains(&form),
                "{case}: {what} leaks {form:?}: {}",
                text.chars().take(2000).collect::<String>()
            );
        }
    }
}

/// Text fields are terminal-safe and capped.
fn assert_printable(case: &str, error: &Error) {
    let display = error.to_string();
    assert!(
        !display.chars().any(char::is_control),
        "{case}: Display holds control characters: {display:?}"
    );
    if let Some(service) = error.as_service() {
        for (what, text) in service_fields(service).into_iter().take(6) {
            assert!(!text.chars().any(char::is_control), "{case}: {what}");
            assert!(
                text.len() <= MAX_FIELD_LEN + 40,
                "{case}: {what} is not capped"
            );
        }
    }
}

/// Sends a secrets PUT (which carries the canary) to a server answering `response`, and
/// returns the error after the common checks.
async fn put_against(case: &str, response: Vec<u8>) -> Error {
    count(1);
    let root = serve(move |_| response.clone()).await;
    let error = client(&root)
        .service_principal(sp())
        .synchronization()
        .secrets()
        .put(&canary_secrets())
        .await
        .unwrap_err();
    assert_no_canary(case, &every_output(&error));
    assert_printable(case, &error);
    error
}

/// Counts `cases` hostile responses and prints the running total.
fn count(cases: usize) {
    let total = HOSTILE_CASES.fetch_add(cases, Ordering::Relaxed) + cases;
    eprintln!("hostile cases so far: {total}");
}

fn json_escaped(text: &str) -> String {
    let quoted = serde_json::Value::from(text).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

/// The canary spelt with a `\u` escape for every character: only decoding reveals it.
fn unicode_escaped(text: &str) -> String {
    text.encode_utf16().fold(String::new(), |mut out, unit| {
        let _ = write!(out, "\\u{unit:04x}");
        out
    })
}

#[tokio::test]
async fn the_canary_echoed_in_any_field_or_header_is_redacted() {
    let logs = captured_logs();
    let c = json_escaped(CANARY);
    let u = unicode_escaped(CANARY);
    let slash = c.replace('/', "\\/");
    let percent = "HOSTILE-CANARY-5e2b%2F9%2Bx%20y%22z";
    let nested = json_escaped(&format!(
        r#"{{"error":{{"code":"{c}","message":"nested {c}"}}}}"#
    ));
    let t = TOKEN_CANARY;
    let h = HEADER_CANARY;
    let bodies = [
        (
            "error.code",
            format!(r#"{{"error":{{"code":"{c}","message":"m"}}}}"#),
        ),
        (
            "error.message",
            format!(r#"{{"error":{{"code":"X","message":"bad {c}"}}}}"#),
        ),
        (
            "inner codes",
            format!(
                r#"{{"error":{{"code":"X","innerError":{{"code":"{c}","innerError":{{"code":"{c}"}}}}}}}}"#
            ),
        ),
        (
            "nested document code",
            format!(r#"{{"error":{{"code":"X","message":"{nested}"}}}}"#),
        ),
        (
            "inner ids and date",
            format!(
                r#"{{"error":{{"code":"X","innerError":{{"request-id":"{c}","client-request-id":"{c}","date":"{c}"}}}}}}"#
            ),
        ),
        (
            "details, target and unknown properties",
            format!(
                r#"{{"error":{{"code":"X","target":"{c}","details":[{{"code":"{c}","message":"{c}","target":"{c}"}}],"extra":{{"{c}":["{c}"]}}}}}}"#
            ),
        ),
        (
            "unicode-escaped",
            format!(r#"{{"error":{{"code":"{u}","message":"{u}"}}}}"#),
        ),
        (
            "slash-escaped",
            format!(r#"{{"error":{{"code":"X","message":"{slash}"}}}}"#),
        ),
        (
            "percent-encoded",
            format!(r#"{{"error":{{"code":"X","message":"{percent}"}}}}"#),
        ),
        (
            "the token",
            format!(r#"{{"error":{{"code":"{t}","message":"Bearer {t}"}}}}"#),
        ),
        (
            "the other secret",
            format!(r#"{{"error":{{"code":"{h}","message":"{h}"}}}}"#),
        ),
        ("not JSON", format!("<html>{CANARY} {t} {h}</html>")),
        (
            "truncated JSON",
            format!(r#"{{"error":{{"code":"{c}","message":"{t}"#),
        ),
    ];
    for (case, body) in bodies {
        for status in ["400 Bad Request", "500 Internal Server Error"] {
            let error = put_against(
                case,
                raw(
                    status,
                    &[("content-type", "application/json")],
                    body.as_bytes(),
                ),
            )
            .await;
            let service = error.as_service().expect("a service error");
            if case != "not JSON" && case != "truncated JSON" {
                assert!(service.odata().is_some(), "{case}: the body still parses");
            }
        }
    }
    let headers = [
        ("request-id", h),
        ("client-request-id", h),
        ("date", h),
        ("content-type", h),
        ("retry-after", h),
        ("request-id", t),
        ("x-ms-ags-diagnostic", t),
    ];
    for (name, value) in headers {
        let error = put_against(
            name,
            raw(
                "400 Bad Request",
                &[(name, value)],
                br#"{"error":{"code":"X"}}"#,
            ),
        )
        .await;
        let service = error.as_service().unwrap();
        if name == "request-id" {
            assert_eq!(service.request_id(), Some(REDACTED));
        }
    }
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert_no_canary("TRACE logs", &[("logs".to_owned(), logs)]);
}

#[tokio::test]
async fn control_sequences_and_huge_fields_are_neither_printed_nor_kept_whole() {
    let esc = json_escaped("\x1b]0;pwned\x07\x1b[2J\x1b[31mred\r\u{9b}1mfake\nline\u{202e}");
    let huge = "A".repeat(10 * 1024 * 1024);
    let cases = [
        (
            "control sequences",
            format!(
                r#"{{"error":{{"code":"{esc}","message":"{esc}","innerError":{{"request-id":"{esc}"}}}}}}"#
            ),
        ),
        (
            "a 10 MiB message",
            format!(r#"{{"error":{{"code":"X","message":"{huge}"}}}}"#),
        ),
        (
            "a 10 MiB code",
            format!(r#"{{"error":{{"code":"{huge}"}}}}"#),
        ),
    ];
    for (case, body) in cases {
        let error = put_against(case, raw("400 Bad Request", &[], body.as_bytes())).await;
        let display = error.to_string();
        assert!(
            !display.contains('\u{1b}') && !display.contains('\r'),
            "{case}"
        );
        assert!(
            display.len() < 3 * MAX_FIELD_LEN,
            "{case}: {} bytes",
            display.len()
        );
        if case.contains("10 MiB") {
            assert!(display.contains("bytes more)"), "{case}");
        }
    }
    // C1 controls are legal header bytes (obs-text); they are stripped.
    let error = put_against(
        "C1 controls in headers",
        raw(
            "400 Bad Request",
            &[("request-id", "a\u{9b}31mb"), ("date", "\u{9d}0;x\u{9c}")],
            b"{}",
        ),
    )
    .await;
    let service = error.as_service().unwrap();
    assert_eq!(service.request_id(), Some("ab"));
    assert_eq!(service.date(), Some(""));
    // ESC is not: the response is unreadable, a transport error.
    count(1);
    let root = serve(|_| raw("400 Bad Request", &[("request-id", "a\u{1b}[31mb")], b"{}")).await;
    let error = client(&root)
        .service_principal(sp())
        .synchronization()
        .get()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn overflowing_numbers_in_retry_after_give_errors_not_panics() {
    for value in [
        "18446744073709551616",
        "18446744073709551615",
        "-1",
        "1e308",
        "NaN",
        "inf",
        "99999999999999999999999999999.5",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "",
    ] {
        let error = put_against(
            "retry-after",
            raw("429 Too Many Requests", &[("retry-after", value)], b"{}"),
        )
        .await;
        assert!(error.as_service().is_some(), "{value}");
    }
}

/// A token endpoint (Entra-style and App Service managed identity) that echoes the client
/// secret and the identity header in every field, or answers with lifetimes that overflow.
#[tokio::test]
async fn hostile_token_endpoints_give_errors_without_the_secret() {
    use graph_sync_api::{
        ClientSecretCredential, ManagedIdentity, ManagedIdentityCredential, TokenCredential,
        TokenRequest,
    };

    let secret = format!("client-secret-{HEADER_CANARY}");
    let c = json_escaped(&secret);
    let u = unicode_escaped(&secret);
    let refusals = [
        format!(
            r#"{{"error":"{c}","error_description":"AADSTS7000215: {c}","error_codes":[18446744073709551616],"correlation_id":"{c}","trace_id":"{u}"}}"#
        ),
        format!(r#"{{"error":{{"code":"{c}","message":"{u}"}}}}"#),
        format!("{secret}\u{1b}[2J"),
    ];
    let lifetimes = [
        r#"{"access_token":"t","expires_in":18446744073709551615}"#,
        r#"{"access_token":"t","expires_in":"18446744073709551615"}"#,
        r#"{"access_token":"t","expires_in":-1}"#,
        r#"{"access_token":"t","expires_in":1e400}"#,
        r#"{"access_token":"t","expires_on":"18446744073709551615"}"#,
        r#"{"access_token":"t","expires_on":0}"#,
    ];
    let mut answers: Vec<(String, Vec<u8>)> = refusals
        .iter()
        .map(|body| {
            (
                "refusal".to_owned(),
                raw("401 Unauthorized", &[], body.as_bytes()),
            )
        })
        .collect();
    answers.extend(
        lifetimes
            .iter()
            .map(|body| ((*body).to_owned(), raw("200 OK", &[], body.as_bytes()))),
    );
    for (case, answer) in answers {
        count(2);
        let root = serve(move |_| answer.clone()).await;
        let authority = root.trim_end_matches("/v1.0").to_owned();
        let entra = ClientSecretCredential::new("tenant", "app", secret.as_str())
            .unwrap()
            .authority(&authority)
            .unwrap();
        let app_service = ManagedIdentityCredential::app_service(
            ManagedIdentity::SystemAssigned,
            &format!("{authority}/msi/token"),
            secret.as_str(),
        )
        .unwrap();
        let request = TokenRequest::new("https://graph.microsoft.com/.default");
        for credential in [&entra as &dyn TokenCredential, &app_service] {
            match credential.get_token(&request).await {
                Ok(token) => {
                    let expires = token.expires_at.expect("an expiry");
                    assert!(
                        expires <= tokio::time::Instant::now() + graph_sync_api::MAX_TOKEN_LIFETIME,
                        "{case}"
                    );
                }
                Err(error) => {
                    let mut text = format!("{error} {error:?}");
                    for field in [
                        error.error_code(),
                        error.description(),
                        error.correlation_id(),
                        error.trace_id(),
                        error.aadsts_code(),
                    ] {
                        text.push_str(field.unwrap_or_default());
                    }
                    assert!(!text.contains(&secret), "{case}: {text}");
                    assert!(!text.contains('\u{1b}'), "{case}: {text}");
                }
            }
        }
    }
}

/// A page of more items than a page may hold (`MAX_PAGE_ITEMS`) is refused as it is decoded,
/// by `collect` and by the stream alike (the issue's 15 MiB page of small jobs made `jobs
/// list` hold 400,000 decoded jobs).
#[tokio::test]
async fn a_page_of_more_items_than_a_page_may_hold_is_refused() {
    use futures_util::StreamExt;

    count(2);
    let items = vec!["{}"; graph_sync_api::MAX_PAGE_ITEMS + 1].join(",");
    let page = format!(r#"{{"value":[{items}]}}"#);
    let root = serve(move |_| {
        raw(
            "200 OK",
            &[("content-type", "application/json")],
            page.as_bytes(),
        )
    })
    .await;
    let jobs = client(&root)
        .service_principal(sp())
        .synchronization()
        .jobs();
    let refused = |error: &Error| {
        assert!(matches!(error, Error::Decode(_)), "{error:?}");
        let cause = std::error::Error::source(error).map(ToString::to_string);
        assert!(
            cause
                .as_deref()
                .unwrap_or_default()
                .contains("more than 10,000 items"),
            "{cause:?}"
        );
    };
    refused(&jobs.list().await.unwrap_err());
    let streamed: Vec<_> = jobs.list_stream().collect().await;
    assert_eq!(streamed.len(), 1, "only the error");
    refused(streamed[0].as_ref().unwrap_err());
}

/// Pages within the page bound that together hold more than `MAX_COLLECTED_ITEMS` end
/// `collect` with an error; the same list streams whole.
#[tokio::test]
async fn a_list_longer_than_a_collected_list_may_be_is_streamed() {
    use futures_util::StreamExt;

    count(1);
    let per_page = graph_sync_api::MAX_PAGE_ITEMS;
    let pages = graph_sync_api::MAX_COLLECTED_ITEMS / per_page + 1;
    let items = vec!["{}"; per_page].join(",");
    let root = Arc::new(std::sync::OnceLock::<String>::new());
    let base = Arc::clone(&root);
    let url = serve(move |request| {
        let head = String::from_utf8_lossy(request);
        let page: usize = head
            .split("skiptoken=")
            .nth(1)
            .and_then(|rest| rest.split([' ', '&']).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let next = if page < pages {
            format!(
                r#","@odata.nextLink":"{}/servicePrincipals/{}/synchronization/jobs?$skiptoken={}""#,
                base.get().unwrap(),
                sp(),
                page + 1
            )
        } else {
            String::new()
        };
        let body = format!(r#"{{"value":[{items}]{next}}}"#);
        raw(
            "200 OK",
            &[("content-type", "application/json")],
            body.as_bytes(),
        )
    })
    .await;
    root.set(url.clone()).unwrap();
    let jobs = client(&url)
        .service_principal(sp())
        .synchronization()
        .jobs();
    let error = jobs.list().await.unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    let cause = std::error::Error::source(&error).map(ToString::to_string);
    assert!(
        cause
            .as_deref()
            .unwrap_or_default()
            .contains("(100,000): stream it"),
        "{cause:?}"
    );
    let streamed = jobs
        .list_stream()
        .fold(0_usize, |n, item| async move {
            assert!(item.is_ok(), "{item:?}");
            n + 1
        })
        .await;
    assert_eq!(streamed, pages * per_page);
}
