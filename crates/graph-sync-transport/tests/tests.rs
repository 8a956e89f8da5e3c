//! Integration tests: the real [`ReqwestTransport`] against a raw HTTP/1.1 server on loopback.
//!
//! The server (in `support`) is scripted per connection: answer with given bytes, hang, close
//! without answering, or answer a TLS client hello with plain HTTP. Tests synchronize on the
//! channel through which it reports each request it read, never on sleeps, and every server
//! task ends by the end of its test. Nothing here touches the network beyond `127.0.0.1`.
#![cfg(feature = "reqwest")]

mod support;

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use graph_sync_transport::http::{self, Method, StatusCode, Version, header};
use graph_sync_transport::{
    Bytes, Delivery, Request, ReqwestTransport, Transport, TransportError, TransportErrorKind,
};
use support::{Behavior, TestServer, chunked_response, refused_port, response};

/// The size cap used by the size tests.
const CAP: usize = 1000;

fn transport() -> ReqwestTransport {
    ReqwestTransport::builder()
        .timeout(Duration::from_secs(5))
        .max_response_bytes(CAP)
        .build()
        .expect("transport builds")
}

fn get(url: &str) -> Request {
    http::Request::builder()
        .uri(url)
        .body(Bytes::new())
        .expect("valid request")
}

/// Sends one request that must fail, and returns the error.
async fn send_err(transport: &ReqwestTransport, request: Request) -> TransportError {
    match transport.send(request).await {
        Ok(response) => panic!("expected an error, got {}", response.status()),
        Err(error) => error,
    }
}

/// Every message an error can print: `Display` and `Debug` of it and of each source.
fn everything_printed(error: &TransportError) -> String {
    let mut out = format!("{error}\n{error:?}\n{error:#?}\n");
    let mut source = error.source();
    while let Some(inner) = source {
        out.push_str(&format!("{inner}\n{inner:?}\n"));
        source = inner.source();
    }
    out
}

#[tokio::test]
async fn round_trip_keeps_request_and_response_intact() {
    let body_out: &[u8] = &[0, 1, 2, 0xff, b'\r', b'\n', b'x'];
    let body_back: &[u8] = b"{\"value\":[]}\x00\xfe";
    let mut server = TestServer::start(vec![Behavior::Respond(response(
        "201 Created",
        &[
            ("Content-Type", "application/json"),
            ("X-Multi", "first"),
            ("X-Multi", "second"),
            ("request-id", "abc-123"),
        ],
        body_back,
    ))])
    .await;
    let path_and_query = "/v1.0/servicePrincipals/sp-1/synchronization/jobs?$filter=a%20eq%201&b=c";
    let request = http::Request::builder()
        .method(Method::PATCH)
        .uri(server.url(path_and_query))
        .header(header::AUTHORIZATION, "Bearer t0k3n")
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header("x-repeat", "one")
        .header("x-repeat", "two")
        .body(Bytes::from_static(body_out))
        .unwrap();

    let response = transport().send(request).await.unwrap();
    let seen = server.next_request().await;

    assert_eq!(seen.method, "PATCH");
    assert_eq!(seen.target, path_and_query);
    assert_eq!(seen.version, "HTTP/1.1");
    assert_eq!(seen.header_values("authorization"), ["Bearer t0k3n"]);
    assert_eq!(
        seen.header_values("content-type"),
        ["application/octet-stream"]
    );
    assert_eq!(seen.header_values("x-repeat"), ["one", "two"]);
    assert_eq!(
        seen.header_values("content-length"),
        [body_out.len().to_string()]
    );
    assert_eq!(
        seen.header_values("host"),
        [server.url("").trim_start_matches("http://")]
    );
    // No decompression is negotiated.
    assert!(seen.header_values("accept-encoding").is_empty());
    assert_eq!(seen.body, body_out);

    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(response.headers()["request-id"], "abc-123");
    let multi: Vec<_> = response.headers().get_all("x-multi").iter().collect();
    assert_eq!(multi, ["first", "second"]);
    assert_eq!(
        response.headers()[header::CONTENT_LENGTH],
        body_back.len().to_string().as_str()
    );
    assert_eq!(response.body().as_ref(), body_back);
    server.finish().await;
}

#[tokio::test]
async fn a_request_with_extensions_is_sent_the_same() {
    // Extensions take reqwest's own conversion, the other path to the wire.
    #[derive(Clone)]
    struct Marker;
    let mut server = TestServer::start(vec![Behavior::Respond(response(
        "204 No Content",
        &[],
        b"",
    ))])
    .await;
    let path_and_query = "/v1.0/servicePrincipals(appId='a%20b')/synchronization?$select=id";
    let request = http::Request::builder()
        .method(Method::PUT)
        .uri(server.url(path_and_query))
        .header(header::AUTHORIZATION, "Bearer t0k3n")
        .extension(Marker)
        .body(Bytes::from_static(b"{}"))
        .unwrap();

    let response = transport().send(request).await.unwrap();
    let seen = server.next_request().await;

    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.target, path_and_query);
    assert_eq!(seen.header_values("authorization"), ["Bearer t0k3n"]);
    assert_eq!(seen.body, b"{}");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    server.finish().await;
}

/// A request with `method` and an empty body, as sent on the wire.
async fn empty_body_request_as_seen(method: Method, headers: &[(&str, &str)]) -> support::Captured {
    let mut server = TestServer::start(vec![Behavior::Respond(response(
        "204 No Content",
        &[],
        b"",
    ))])
    .await;
    let mut request = http::Request::builder()
        .method(method)
        .uri(server.url("/jobs/j/start"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = transport()
        .send(request.body(Bytes::new()).expect("valid request"))
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let seen = server.next_request().await;
    server.finish().await;
    seen
}

#[tokio::test]
async fn body_less_post_put_patch_carry_content_length_zero_on_the_wire() {
    for method in [Method::POST, Method::PUT, Method::PATCH] {
        let seen = empty_body_request_as_seen(method.clone(), &[]).await;
        assert_eq!(seen.method, method.as_str());
        assert_eq!(seen.header_values("content-length"), ["0"], "{method}");
        assert!(
            seen.header_values("transfer-encoding").is_empty(),
            "{method}"
        );
        assert!(seen.body.is_empty());
    }
}

#[tokio::test]
async fn other_methods_and_stated_framing_are_left_alone() {
    for method in [Method::GET, Method::DELETE, Method::HEAD] {
        let seen = empty_body_request_as_seen(method.clone(), &[]).await;
        assert!(seen.header_values("content-length").is_empty(), "{method}");
    }
    // A length the caller set is not repeated.
    let seen = empty_body_request_as_seen(Method::POST, &[("content-length", "0")]).await;
    assert_eq!(seen.header_values("content-length"), ["0"]);
}

#[tokio::test]
async fn error_statuses_are_responses() {
    let mut server = TestServer::start(vec![
        Behavior::Respond(response("404 Not Found", &[], b"missing")),
        Behavior::Respond(response("500 Internal Server Error", &[], b"boom")),
    ])
    .await;
    let transport = transport();
    let not_found = transport.send(get(&server.url("/a"))).await.unwrap();
    let failed = transport.send(get(&server.url("/b"))).await.unwrap();
    assert_eq!(not_found.status(), StatusCode::NOT_FOUND);
    assert_eq!(not_found.body().as_ref(), b"missing");
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.body().as_ref(), b"boom");
    assert_eq!(server.next_request().await.target, "/a");
    assert_eq!(server.next_request().await.target, "/b");
    server.finish().await;
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let mut server = TestServer::start(vec![Behavior::Respond(response(
        "302 Found",
        &[("Location", "http://127.0.0.1:1/elsewhere")],
        b"",
    ))])
    .await;
    let response = transport().send(get(&server.url("/start"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()[header::LOCATION],
        "http://127.0.0.1:1/elsewhere"
    );
    assert_eq!(server.next_request().await.target, "/start");
    server.finish().await;
}

#[tokio::test]
async fn connection_refused_is_connect_not_sent() {
    let port = refused_port().await;
    let error = send_err(&transport(), get(&format!("http://127.0.0.1:{port}/"))).await;
    assert_eq!(error.kind(), TransportErrorKind::Connect);
    assert_eq!(error.delivery(), Delivery::NotSent);
    assert!(!error.may_have_reached_server());
}

#[tokio::test]
async fn unanswered_request_times_out_maybe_sent() {
    let mut server = TestServer::start(vec![Behavior::Hang]).await;
    let transport = ReqwestTransport::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = send_err(&transport, get(&server.url("/slow"))).await;
    let elapsed = started.elapsed();
    assert_eq!(error.kind(), TransportErrorKind::Timeout);
    assert_eq!(error.delivery(), Delivery::MaybeSent);
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    // The server did read the request: "maybe sent" is the truth.
    assert_eq!(server.next_request().await.target, "/slow");
    server.finish().await;
}

#[tokio::test]
async fn a_server_silent_after_the_request_fails_it_after_the_read_timeout() {
    let mut server = TestServer::start(vec![Behavior::Hang]).await;
    let transport = ReqwestTransport::builder()
        .timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = send_err(&transport, get(&server.url("/silent"))).await;
    assert_eq!(error.kind(), TransportErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the read timeout ended it"
    );
    assert_eq!(server.next_request().await.target, "/silent");
    server.finish().await;
}

#[tokio::test]
async fn responses_that_are_not_http_are_protocol_errors_never_worth_retrying() {
    let too_many: String = (0..200).map(|i| format!("x-h{i}: v\r\n")).collect();
    let answers = [
        b"HTTP/1.1 200 OK\r\nno colon here\r\ncontent-length: 0\r\n\r\n".to_vec(),
        format!("HTTP/1.1 200 OK\r\n{too_many}content-length: 0\r\n\r\n").into_bytes(),
        b"HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n".to_vec(),
        b"HTTP/1.1 2000 OK\r\ncontent-length: 0\r\n\r\n".to_vec(),
    ];
    let mut server =
        TestServer::start(answers.iter().cloned().map(Behavior::Respond).collect()).await;
    let transport = transport();
    for answer in &answers {
        let error = send_err(&transport, get(&server.url("/bad"))).await;
        assert_eq!(
            error.kind(),
            TransportErrorKind::Protocol,
            "{}: {error:?}",
            String::from_utf8_lossy(&answer[..40])
        );
        assert!(error.kind().is_permanent());
        server.next_request().await;
    }
    server.finish().await;
}

#[tokio::test]
async fn body_over_cap_with_content_length_is_rejected() {
    let mut server = TestServer::start(vec![Behavior::Respond(response(
        "200 OK",
        &[],
        &[b'a'; CAP + 1],
    ))])
    .await;
    let error = send_err(&transport(), get(&server.url("/big"))).await;
    assert_eq!(error.kind(), TransportErrorKind::TooLarge);
    assert!(error.kind().is_permanent());
    assert_eq!(error.delivery(), Delivery::MaybeSent);
    assert_eq!(
        error.to_string(),
        format!("response body over the size cap: response body exceeds {CAP} bytes")
    );
    server.next_request().await;
    server.finish().await;
}

#[tokio::test]
async fn chunked_body_over_cap_is_rejected() {
    let chunk = [b'b'; 300];
    let mut server =
        TestServer::start(vec![Behavior::Respond(chunked_response(&[&chunk[..]; 4]))]).await;
    let error = send_err(&transport(), get(&server.url("/stream"))).await;
    assert_eq!(error.kind(), TransportErrorKind::TooLarge);
    assert_eq!(error.delivery(), Delivery::MaybeSent);
    assert_eq!(
        error.to_string(),
        format!("response body over the size cap: response body exceeds {CAP} bytes")
    );
    server.next_request().await;
    server.finish().await;
}

#[tokio::test]
async fn body_exactly_at_cap_is_accepted() {
    let half = [b'c'; CAP / 2];
    let mut server = TestServer::start(vec![
        Behavior::Respond(response("200 OK", &[], &[b'c'; CAP])),
        Behavior::Respond(chunked_response(&[&half, &half])),
    ])
    .await;
    let transport = transport();
    let with_length = transport.send(get(&server.url("/exact"))).await.unwrap();
    let chunked = transport
        .send(get(&server.url("/exact-chunked")))
        .await
        .unwrap();
    assert_eq!(with_length.body().as_ref(), [b'c'; CAP]);
    assert_eq!(chunked.body().as_ref(), [b'c'; CAP]);
    server.next_request().await;
    server.next_request().await;
    server.finish().await;
}

#[tokio::test]
async fn head_response_is_not_held_to_its_content_length() {
    // A HEAD response announces the length of a body it does not carry.
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        CAP * 10
    );
    let mut server = TestServer::start(vec![Behavior::Respond(head.into_bytes())]).await;
    let request = http::Request::builder()
        .method(Method::HEAD)
        .uri(server.url("/h"))
        .body(Bytes::new())
        .unwrap();
    let response = transport().send(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.body().is_empty());
    assert_eq!(server.next_request().await.method, "HEAD");
    server.finish().await;
}

#[tokio::test]
async fn connection_closed_without_answer_is_io_maybe_sent() {
    let mut server = TestServer::start(vec![Behavior::Close]).await;
    let error = send_err(&transport(), get(&server.url("/dropped"))).await;
    // hyper: "connection closed before message completed" (IncompleteMessage).
    assert_eq!(error.kind(), TransportErrorKind::Io);
    assert_eq!(error.delivery(), Delivery::MaybeSent);
    assert_eq!(server.next_request().await.target, "/dropped");
    server.finish().await;
}

#[tokio::test]
async fn tls_to_a_plain_http_server_is_tls_not_sent() {
    let server = TestServer::start(vec![Behavior::PlainHttpTo400]).await;
    let error = send_err(&transport(), get(&server.https_url("/secure"))).await;
    // rustls: "received corrupt message of type InvalidContentType";
    // OpenSSL: "ssl3_get_record:wrong version number".
    assert_eq!(
        error.kind(),
        TransportErrorKind::Tls,
        "{}",
        everything_printed(&error)
    );
    assert_eq!(error.delivery(), Delivery::NotSent);
    server.finish().await;
}

#[tokio::test]
async fn errors_never_print_the_url_query() {
    const QUERY: &str = "/p?token=SECRETCANARY";
    let transport = transport();
    let mut errors = Vec::new();

    let port = refused_port().await;
    errors.push(send_err(&transport, get(&format!("http://127.0.0.1:{port}{QUERY}"))).await);

    let mut server = TestServer::start(vec![
        Behavior::Close,
        Behavior::Respond(response("200 OK", &[], &[b'a'; CAP + 1])),
        Behavior::Respond(chunked_response(&[&[b'a'; CAP], b"a"])),
    ])
    .await;
    for _ in 0..3 {
        errors.push(send_err(&transport, get(&server.url(QUERY))).await);
        server.next_request().await;
    }
    server.finish().await;

    let tls = TestServer::start(vec![Behavior::PlainHttpTo400]).await;
    errors.push(send_err(&transport, get(&tls.https_url(QUERY))).await);
    tls.finish().await;

    let kinds: Vec<_> = errors.iter().map(TransportError::kind).collect();
    use TransportErrorKind as K;
    assert_eq!(kinds, [K::Connect, K::Io, K::TooLarge, K::TooLarge, K::Tls]);
    for error in &errors {
        let printed = everything_printed(error);
        assert!(!printed.contains("SECRETCANARY"), "{printed}");
        assert!(!printed.contains("token="), "{printed}");
    }
}

#[tokio::test]
async fn relative_uri_is_an_invalid_request_not_sent() {
    let error = send_err(&transport(), get("/no-host?token=SECRETCANARY")).await;
    assert_eq!(error.kind(), TransportErrorKind::Request);
    assert_eq!(error.delivery(), Delivery::NotSent);
    assert!(!everything_printed(&error).contains("SECRETCANARY"));
}

#[tokio::test]
async fn shared_transport_serves_concurrent_requests() {
    let mut server = TestServer::start(vec![
        Behavior::Respond(response("200 OK", &[], b"one")),
        Behavior::Respond(response("200 OK", &[], b"two")),
    ])
    .await;
    let shared: Arc<dyn Transport> = Arc::new(transport());
    let (first, second) = tokio::join!(
        shared.send(get(&server.url("/1"))),
        shared.send(get(&server.url("/2"))),
    );
    let mut bodies = [first.unwrap().into_body(), second.unwrap().into_body()];
    bodies.sort();
    assert_eq!(
        bodies,
        [Bytes::from_static(b"one"), Bytes::from_static(b"two")]
    );
    server.next_request().await;
    server.next_request().await;
    server.finish().await;
}
