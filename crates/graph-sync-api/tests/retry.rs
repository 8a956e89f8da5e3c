//! The retry policy through the client, against `RecordingTransport`, on tokio's paused clock:
//! every rule, with the waits measured exactly.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use graph_sync_api::transport::testing::RecordingTransport;
use graph_sync_api::transport::{Delivery, TransportError, TransportErrorKind};
use graph_sync_api::{
    AccessToken, AuthError, Bulk, CLIENT_REQUEST_ID, ConsistencyConfig, Error, GaveUp,
    GraphSyncClient, RETRY_ATTEMPT, RetryConfig, ThrottleGate, TokenCredential, TokenRequest,
    Visibility, wait_until_visible,
};
use graph_sync_model::{SecretKey, SecretString, Secrets};
use http::header::AUTHORIZATION;
use tokio::time::Instant;

use crate::support::{documented_secrets, response, sp};

/// Hands out `token-1`, `token-2`, … each living 400 ms, so that a token cached before a
/// retry's wait has expired when the next attempt starts and each attempt's token can be
/// told apart.
#[derive(Debug, Default)]
struct CountingCredential {
    issued: AtomicU32,
}

#[async_trait]
impl TokenCredential for CountingCredential {
    async fn get_token(&self, _request: &TokenRequest) -> Result<AccessToken, AuthError> {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(AccessToken::new(
            SecretString::from(format!("token-{n}")),
            Some(Instant::now() + Duration::from_millis(400)),
        ))
    }
}

fn setup(retry: RetryConfig) -> (GraphSyncClient, Arc<RecordingTransport>) {
    let transport = Arc::new(RecordingTransport::new());
    let client = GraphSyncClient::builder()
        .shared_transport(transport.clone())
        .credential(CountingCredential::default())
        .retry(retry.with_jitter_seed(42))
        .build()
        .unwrap();
    (client, transport)
}

fn default_setup() -> (GraphSyncClient, Arc<RecordingTransport>) {
    setup(RetryConfig::default())
}

fn status(transport: &RecordingTransport, code: u16, headers: &[(&str, &str)]) {
    transport.push_response(response(code, headers, ""));
}

fn ok(transport: &RecordingTransport) {
    status(transport, 204, &[]);
}

fn transport_error(transport: &RecordingTransport, kind: TransportErrorKind, delivery: Delivery) {
    transport.push_error(TransportError::new(kind, delivery));
}

async fn put(client: &GraphSyncClient) -> Result<(), Error> {
    client
        .service_principal(sp())
        .synchronization()
        .secrets()
        .put(&documented_secrets())
        .await
}

fn header(request: &http::Request<bytes::Bytes>, name: &http::HeaderName) -> Option<String> {
    request
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test(start_paused = true)]
async fn each_retryable_status_is_retried_after_its_retry_after() {
    for code in [429, 503, 504] {
        let (client, transport) = default_setup();
        status(&transport, code, &[("retry-after", "3")]);
        ok(&transport);
        let start = Instant::now();
        put(&client).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(3), "{code}");
        assert_eq!(transport.request_count(), 2, "{code}");
    }
}

#[tokio::test(start_paused = true)]
async fn other_statuses_are_not_retried() {
    // 401 is left out: the token stage answers it with one fresh token and one resend
    // (see the authentication tests), which is not a retry of the policy.
    for code in [400, 403, 404, 409, 500, 502] {
        let (client, transport) = default_setup();
        status(&transport, code, &[]);
        let error = put(&client).await.unwrap_err();
        assert_eq!(error.status().unwrap().as_u16(), code);
        assert!(matches!(error, Error::Service(_)), "{code}: {error:?}");
        assert_eq!(transport.request_count(), 1, "{code}");
    }
}

#[tokio::test(start_paused = true)]
async fn fractional_duplicated_and_date_retry_after_are_honoured_exactly() {
    let cases: [(&[(&str, &str)], Duration); 3] = [
        (&[("retry-after", "2.128")], Duration::from_millis(2128)),
        (&[("retry-after", "4, 4")], Duration::from_secs(4)),
        (
            &[
                ("retry-after", "Sun, 22 Nov 2026 10:00:30 GMT"),
                ("date", "Sun, 22 Nov 2026 10:00:00 GMT"),
            ],
            Duration::from_secs(30),
        ),
    ];
    for (headers, wait) in cases {
        let (client, transport) = default_setup();
        status(&transport, 429, headers);
        ok(&transport);
        let start = Instant::now();
        put(&client).await.unwrap();
        assert_eq!(start.elapsed(), wait, "{headers:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_past_the_cap_fails_at_once_and_is_never_shortened() {
    let (client, transport) =
        setup(RetryConfig::default().with_max_retry_after(Duration::from_secs(180)));
    status(&transport, 429, &[("retry-after", "600")]);
    let start = Instant::now();
    let error = put(&client).await.unwrap_err();
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(transport.request_count(), 1);
    let retry = error.as_retry().unwrap();
    assert_eq!(retry.reason(), GaveUp::RetryAfterTooLong);
    assert_eq!(retry.retry_after(), Some(Duration::from_secs(600)));
    assert_eq!(error.status().unwrap().as_u16(), 429);
    assert!(
        error.to_string().contains("Retry-After 600.000 s"),
        "{error}"
    );

    // At the cap exactly, the full wait is taken.
    let (client, transport) =
        setup(RetryConfig::default().with_max_retry_after(Duration::from_secs(180)));
    status(&transport, 429, &[("retry-after", "180")]);
    ok(&transport);
    let start = Instant::now();
    put(&client).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(180));
}

#[tokio::test(start_paused = true)]
async fn backoff_without_retry_after_is_jittered_within_the_doubling_ceiling() {
    let (client, transport) = setup(RetryConfig::default().with_max_attempts(6));
    for _ in 0..5 {
        status(&transport, 503, &[]);
    }
    ok(&transport);
    let start = Instant::now();
    let mut last = start;
    let mut waits = Vec::new();
    let task = tokio::spawn({
        let client = client.clone();
        async move { put(&client).await }
    });
    // Observe each attempt's instant by polling the request count.
    let mut seen = 1;
    while seen < 6 {
        tokio::time::sleep(Duration::from_millis(1)).await;
        let count = transport.request_count();
        if count > seen {
            seen = count;
            waits.push(Instant::now() - last);
            last = Instant::now();
        }
    }
    task.await.unwrap().unwrap();
    for (retry, wait) in waits.iter().enumerate() {
        let ceiling = Duration::from_secs(1 << retry);
        assert!(
            *wait <= ceiling + Duration::from_millis(1),
            "retry {retry}: {wait:?}"
        );
    }
    // Full jitter: the waits are not simply the ceilings.
    assert!(
        waits
            .iter()
            .enumerate()
            .any(|(r, w)| *w + Duration::from_millis(2) < Duration::from_secs(1 << r))
    );
}

#[tokio::test(start_paused = true)]
async fn the_attempt_limit_stops_retries() {
    let (client, transport) = setup(RetryConfig::default().with_max_attempts(3));
    // Faults spend attempts (throttled answers do not: see the retry module's tests).
    for _ in 0..5 {
        status(&transport, 504, &[("retry-after", "1")]);
    }
    let error = put(&client).await.unwrap_err();
    assert_eq!(transport.request_count(), 3);
    let retry = error.as_retry().unwrap();
    assert_eq!((retry.reason(), retry.attempts()), (GaveUp::Attempts, 3));
    assert_eq!(retry.elapsed(), Duration::from_secs(2));
    assert_eq!(error.status().unwrap().as_u16(), 504);
}

#[tokio::test(start_paused = true)]
async fn the_time_limit_stops_retries_before_a_wait_that_would_pass_it() {
    let (client, transport) =
        setup(RetryConfig::default().with_max_elapsed(Duration::from_secs(10)));
    for _ in 0..5 {
        status(&transport, 429, &[("retry-after", "4")]);
    }
    let start = Instant::now();
    let error = put(&client).await.unwrap_err();
    // Waits of 4 s at 0 and 4 s; the third (8 s + 4 s > 10 s) is not started.
    assert_eq!(transport.request_count(), 3);
    assert_eq!(start.elapsed(), Duration::from_secs(8));
    assert_eq!(error.as_retry().unwrap().reason(), GaveUp::Elapsed);
}

#[tokio::test(start_paused = true)]
async fn put_is_repeated_after_a_connection_loss_and_a_timeout() {
    let (client, transport) = default_setup();
    transport_error(&transport, TransportErrorKind::Io, Delivery::MaybeSent);
    transport_error(&transport, TransportErrorKind::Timeout, Delivery::MaybeSent);
    transport_error(&transport, TransportErrorKind::Connect, Delivery::NotSent);
    ok(&transport);
    put(&client).await.unwrap();
    assert_eq!(transport.request_count(), 4);
}

#[tokio::test(start_paused = true)]
async fn invalid_requests_and_tls_failures_are_not_retried() {
    for kind in [
        TransportErrorKind::Request,
        TransportErrorKind::Tls,
        TransportErrorKind::TooLarge,
        TransportErrorKind::Protocol,
    ] {
        let (client, transport) = default_setup();
        transport_error(&transport, kind, Delivery::NotSent);
        let error = put(&client).await.unwrap_err();
        assert!(matches!(error, Error::Transport(_)), "{error:?}");
        assert_eq!(transport.request_count(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn every_attempt_has_the_same_client_request_id_a_retry_attempt_and_a_fresh_token() {
    let (client, transport) = default_setup();
    status(&transport, 429, &[("retry-after", "0.5")]);
    status(&transport, 503, &[("retry-after", "1")]);
    ok(&transport);
    put(&client).await.unwrap();
    let requests = transport.requests();
    assert_eq!(requests.len(), 3);
    let ids: Vec<_> = requests
        .iter()
        .map(|r| header(r, &CLIENT_REQUEST_ID))
        .collect();
    assert!(ids[0].is_some());
    assert!(ids.iter().all(|id| *id == ids[0]));
    let attempts: Vec<_> = requests.iter().map(|r| header(r, &RETRY_ATTEMPT)).collect();
    assert_eq!(attempts, [None, Some("1".to_owned()), Some("2".to_owned())]);
    let tokens: Vec<_> = requests
        .iter()
        .map(|r| header(r, &AUTHORIZATION).unwrap())
        .collect();
    assert_eq!(
        tokens,
        ["Bearer token-1", "Bearer token-2", "Bearer token-3"]
    );
    // Two requests get two ids.
    ok(&transport);
    put(&client).await.unwrap();
    assert_ne!(
        header(&transport.last_request().unwrap(), &CLIENT_REQUEST_ID),
        ids[0]
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_future_cancels_the_wait() {
    let (client, transport) = default_setup();
    status(&transport, 429, &[("retry-after", "60")]);
    ok(&transport);
    let timed_out = tokio::time::timeout(Duration::from_secs(1), put(&client)).await;
    assert!(timed_out.is_err());
    tokio::time::advance(Duration::from_secs(120)).await;
    tokio::task::yield_now().await;
    assert_eq!(transport.request_count(), 1);
    assert_eq!(transport.remaining(), 1);
}

#[tokio::test(start_paused = true)]
async fn per_request_override_leaves_the_client_default_alone() {
    let (client, transport) = setup(RetryConfig::default().with_max_attempts(4));
    assert_eq!(client.retry_config().max_attempts(), 4);
    let once = client.with_retry(RetryConfig::none());
    assert_eq!(once.retry_config().max_attempts(), 1);
    status(&transport, 503, &[("retry-after", "1")]);
    let error = put(&once).await.unwrap_err();
    // Tried once: the error is the attempt's own.
    assert!(
        matches!(&error, Error::Service(s) if s.status().as_u16() == 503),
        "{error:?}"
    );
    assert_eq!(transport.request_count(), 1);

    status(&transport, 503, &[("retry-after", "1")]);
    status(&transport, 503, &[("retry-after", "1")]);
    ok(&transport);
    put(&client).await.unwrap();
    assert_eq!(transport.request_count(), 4);
    assert_eq!(client.retry_config().max_attempts(), 4);
}

fn error_body(code: &str) -> String {
    format!(r#"{{"error":{{"code":"{code}","message":"not yet"}}}}"#)
}

#[tokio::test(start_paused = true)]
async fn consistency_answers_are_retried_only_when_asked_for_and_for_a_bounded_time() {
    // Off by default.
    let (client, transport) = default_setup();
    status(&transport, 404, &[]);
    assert_eq!(
        put(&client).await.unwrap_err().status().unwrap().as_u16(),
        404
    );
    assert_eq!(transport.request_count(), 1);

    // On for this request: 404, 403, 409 and 400 NoBackingApplicationObject are retried.
    let consistent = client.with_consistency(Some(ConsistencyConfig::default()));
    assert!(client.consistency_config().is_none());
    status(&transport, 404, &[]);
    status(&transport, 403, &[]);
    status(&transport, 409, &[]);
    transport.push_response(response(
        400,
        &[],
        &error_body("NoBackingApplicationObject"),
    ));
    ok(&transport);
    put(&consistent).await.unwrap();
    assert_eq!(transport.request_count(), 6);

    // Another 400 is not a consistency answer.
    transport.push_response(response(400, &[], &error_body("BadRequest")));
    assert_eq!(
        put(&consistent)
            .await
            .unwrap_err()
            .status()
            .unwrap()
            .as_u16(),
        400
    );
    assert_eq!(transport.request_count(), 7);

    // Bounded: after max_elapsed the 404 is returned.
    let short = client.with_consistency(Some(
        ConsistencyConfig::default().with_max_elapsed(Duration::from_secs(20)),
    ));
    for _ in 0..100 {
        status(&transport, 404, &[]);
    }
    let start = Instant::now();
    let error = put(&short).await.unwrap_err();
    assert!(error.as_service().unwrap().is_not_found());
    assert!(start.elapsed() <= Duration::from_secs(20));
    assert!(transport.request_count() - 7 >= 3);
}

#[tokio::test(start_paused = true)]
async fn wait_until_visible_needs_n_consecutive_reads() {
    let (client, transport) = default_setup();
    let get = || async { client.service_principal(sp()).synchronization().get().await };
    let found = r#"{"id":"x","secrets":[]}"#;
    // ok, 404 (resets), then five oks.
    transport.push_response(response(200, &[], found));
    status(&transport, 404, &[]);
    for _ in 0..5 {
        transport.push_response(response(200, &[], found));
    }
    let start = Instant::now();
    let visibility = Visibility::default().with_interval(Duration::from_secs(1));
    wait_until_visible(visibility.clone(), get).await.unwrap();
    assert_eq!(transport.request_count(), 7);
    assert_eq!(start.elapsed(), Duration::from_secs(6));

    // Another error ends the wait at once.
    status(&transport, 400, &[]);
    let error = wait_until_visible(visibility.clone(), get)
        .await
        .unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 400);

    // A timeout gives NotVisible with the last read's error.
    for _ in 0..20 {
        status(&transport, 404, &[]);
    }
    let error = wait_until_visible(visibility.with_timeout(Duration::from_secs(5)), get)
        .await
        .unwrap_err();
    let retry = error.as_retry().unwrap();
    assert_eq!(retry.reason(), GaveUp::NotVisible);
    assert_eq!(retry.attempts(), 6);
    assert!(error.as_service().unwrap().is_not_found());
}

#[tokio::test(start_paused = true)]
async fn a_throttled_request_pauses_its_peers_at_the_shared_gate() {
    let transport = Arc::new(RecordingTransport::new());
    let gate = ThrottleGate::new();
    let make = || {
        GraphSyncClient::builder()
            .shared_transport(transport.clone())
            .bearer_token("t")
            .throttle_gate(gate.clone())
            .build()
            .unwrap()
    };
    let (first, second) = (make(), make());
    status(&transport, 429, &[("retry-after", "5")]);
    ok(&transport);
    ok(&transport);
    let start = Instant::now();
    let first_task = tokio::spawn(async move { put(&first).await });
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(transport.request_count(), 1);
    assert!(gate.closed_until().is_some());
    // The peer starts while the gate is closed: it waits, it does not send.
    let second_task = tokio::spawn(async move { put(&second).await.map(|()| Instant::now()) });
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(transport.request_count(), 1);
    first_task.await.unwrap().unwrap();
    let sent_at = second_task.await.unwrap().unwrap();
    assert_eq!(sent_at - start, Duration::from_secs(5));
    assert_eq!(transport.request_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn bulk_runs_everything_with_a_limit_and_returns_results_in_order() {
    let transport = Arc::new(RecordingTransport::new());
    let client = GraphSyncClient::builder()
        .shared_transport(transport.clone())
        .bearer_token("t")
        .build()
        .unwrap();
    // The first answer throttles: every other operation waits for it, none is lost.
    status(&transport, 429, &[("retry-after", "2")]);
    for i in 0..10 {
        if i == 3 {
            status(&transport, 400, &[]);
        } else {
            ok(&transport);
        }
    }
    let in_flight = Arc::new(AtomicU32::new(0));
    let peak = Arc::new(AtomicU32::new(0));
    let secrets = Secrets::new().with(SecretKey::SyncAll, false).unwrap();
    let start = Instant::now();
    let bulk = Bulk::new(&client).with_concurrency(3);
    assert!(bulk.client().throttle_gate().is_some());
    let results = bulk
        .run((0..10).map(|i| {
            let (in_flight, peak, secrets) = (in_flight.clone(), peak.clone(), secrets.clone());
            move |client: GraphSyncClient| async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                let result = client
                    .service_principal(sp())
                    .synchronization()
                    .secrets()
                    .put(&secrets)
                    .await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                result.map(|()| i)
            }
        }))
        .await;
    assert_eq!(results.len(), 10);
    assert_eq!(peak.load(Ordering::SeqCst), 3);
    assert_eq!(transport.request_count(), 11);
    assert!(start.elapsed() >= Duration::from_secs(2));
    let failures = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(failures, 1);
    for (i, result) in results.iter().enumerate() {
        if let Ok(value) = result {
            assert_eq!(*value, i);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn bulk_for_each_hands_results_over_as_they_end_and_draws_operations_lazily() {
    let transport = Arc::new(RecordingTransport::new());
    let client = GraphSyncClient::builder()
        .shared_transport(transport.clone())
        .bearer_token("t")
        .build()
        .unwrap();
    for _ in 0..6 {
        ok(&transport);
    }
    let drawn = Arc::new(AtomicU32::new(0));
    let secrets = Secrets::new().with(SecretKey::SyncAll, false).unwrap();
    let mut seen = Vec::new();
    let operations = (0..6u64).map(|i| {
        drawn.fetch_add(1, Ordering::SeqCst);
        let secrets = secrets.clone();
        move |client: GraphSyncClient| async move {
            // Results come in the order operations end: 1 (at 20 ms), 0 (50), 3 (50 + 10),
            // 2 (20 + 45), 5 (65 + 5), 4 (60 + 30).
            let delay = [50, 20, 45, 10, 30, 5][i as usize];
            tokio::time::sleep(Duration::from_millis(delay)).await;
            client
                .service_principal(sp())
                .synchronization()
                .secrets()
                .put(&secrets)
                .await
                .map(|()| i)
        }
    });
    let started = Bulk::new(&client)
        .with_concurrency(2)
        .for_each(operations, |index, result| {
            // No more than the concurrency (plus the one being started) drawn ahead.
            assert!(drawn.load(Ordering::SeqCst) as usize <= index + 3);
            seen.push((index, result.unwrap()));
        })
        .await;
    assert_eq!(started, 6);
    assert_eq!(
        seen.iter().map(|(index, _)| *index).collect::<Vec<_>>(),
        [1, 0, 3, 2, 5, 4]
    );
    assert!(seen.iter().all(|(index, value)| *index as u64 == *value));
}
