//! The retry policy end to end: the real `ReqwestTransport` over loopback against the
//! emulator's throttle and faults. Most use a little real time (the waits are milliseconds);
//! the throttle test runs on tokio's paused clock, which the emulator's buckets share.

use std::time::Duration;

use graph_sync_api::{Backoff, Bulk, GraphSyncClient, RetryConfig};
use graph_sync_emulator::{Fault, ThrottleConfig};
use graph_sync_model::{SecretKey, Secrets, ServicePrincipalId};

use crate::support::{documented_secrets, start_emulator};

fn quick() -> RetryConfig {
    RetryConfig::default().with_backoff(Backoff::new(
        Duration::from_millis(5),
        Duration::from_millis(20),
    ))
}

fn secrets_path(sp: &ServicePrincipalId) -> String {
    format!("/v1.0/servicePrincipals/{sp}/synchronization/secrets")
}

#[tokio::test]
async fn every_fault_is_survived_by_an_idempotent_put() {
    let (running, client, sp) = start_emulator(quick()).await;
    let emulator = running.emulator();
    emulator.script_faults([
        Fault::ServiceUnavailable(Some(Duration::from_millis(10))),
        Fault::ServiceUnavailable(None),
        Fault::GatewayTimeout,
        Fault::ResetBeforeRead,
        Fault::ResetAfterRead,
        Fault::TruncatedBody,
        Fault::Slow(Duration::from_millis(10)),
    ]);
    client
        .service_principal(sp.clone())
        .synchronization()
        .secrets()
        .put(&documented_secrets())
        .await
        .unwrap();
    let log = emulator.requests();
    let faults: Vec<_> = log.iter().map(|r| r.fault).collect();
    assert_eq!(
        faults,
        [
            Some(Fault::ServiceUnavailable(Some(Duration::from_millis(10)))),
            Some(Fault::ServiceUnavailable(None)),
            Some(Fault::GatewayTimeout),
            Some(Fault::ResetBeforeRead),
            Some(Fault::ResetAfterRead),
            Some(Fault::TruncatedBody),
            Some(Fault::Slow(Duration::from_millis(10))),
        ]
    );
    // One request: one client-request-id on all seven attempts.
    assert!(
        log.iter()
            .all(|r| r.client_request_id == log[0].client_request_id)
    );
    // Applied by the reset-after-read, the truncated and the slow attempt: a PUT may be.
    assert_eq!(emulator.handled_count("PUT", &secrets_path(&sp)), 3);
    assert_eq!(emulator.stored_secrets(&sp).unwrap().len(), 4);
}

#[tokio::test]
async fn a_truncated_read_is_read_again() {
    let (running, client, sp) = start_emulator(quick()).await;
    let sync = client.service_principal(sp).synchronization();
    running.emulator().script_faults([Fault::TruncatedBody]);
    sync.get().await.unwrap();
    assert_eq!(running.emulator().requests().len(), 2);
}

#[tokio::test]
async fn a_reset_is_reported_as_maybe_sent_when_retries_are_off() {
    let (running, client, sp) = start_emulator(RetryConfig::none()).await;
    running.emulator().script_faults([Fault::ResetAfterRead]);
    let error = client
        .service_principal(sp.clone())
        .synchronization()
        .secrets()
        .put(&documented_secrets())
        .await
        .unwrap_err();
    match error {
        graph_sync_api::Error::Transport(transport) => {
            assert!(transport.may_have_reached_server(), "{transport:?}");
        }
        other => panic!("{other:?}"),
    }
    // It was applied, though the client could not know.
    assert_eq!(
        running.emulator().handled_count("PUT", &secrets_path(&sp)),
        1
    );
}

// On tokio's paused clock, which the emulator's token buckets read too: the bucket refills
// only while every task waits on a timer (the client's Retry-After sleeps), never during a
// burst of requests, however loaded the machine is. Loopback I/O completes in the kernel
// before the runtime looks for work, so the paused clock never jumps past a pending answer.
#[tokio::test(start_paused = true)]
async fn the_throttle_answers_429_with_a_fractional_retry_after_and_bulk_finishes() {
    let (running, client, sp) = start_emulator(RetryConfig::default()).await;
    let emulator = running.emulator();
    // 50 requests per second, bursts of 5: Retry-After is 0.1 s when the bucket is empty.
    emulator.set_throttle(Some(ThrottleConfig::new(50.0, 5)));
    let secrets = Secrets::new().with(SecretKey::SyncAll, false).unwrap();
    let start = tokio::time::Instant::now();
    let results = Bulk::new(&client)
        .with_concurrency(8)
        .run((0..20).map(|_| {
            let (sp, secrets) = (sp.clone(), secrets.clone());
            move |client: GraphSyncClient| async move {
                client
                    .service_principal(sp)
                    .synchronization()
                    .secrets()
                    .put(&secrets)
                    .await
            }
        }))
        .await;
    assert!(results.iter().all(Result::is_ok));
    let log = emulator.requests();
    assert_eq!(log.iter().filter(|r| r.reached_handler).count(), 20);
    // The first 8 arrive at one instant: 5 are admitted, 3 are throttled.
    let throttled = log.iter().filter(|r| r.throttled()).count();
    assert!(throttled >= 3, "{throttled} requests throttled");
    // 20 requests at 50 per second after a burst of 5 take at least 15 × 20 ms, and the
    // fractional Retry-After (0.1 s, not rounded up to 1 s) keeps the whole run short.
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_throttled_client_does_not_slow_another() {
    let (running, client, sp) = start_emulator(RetryConfig::none()).await;
    let emulator = running.emulator();
    emulator.set_throttle(Some(ThrottleConfig::new(0.1, 1)));
    let sync = client.service_principal(sp.clone()).synchronization();
    sync.get().await.unwrap();
    let error = sync.get().await.unwrap_err();
    let service = error.as_service().unwrap();
    assert!(service.is_throttled());
    // Graph's documented 429 body.
    assert_eq!(service.code(), Some("TooManyRequests"));
    assert_eq!(service.inner_code(), Some("429"));
    assert_eq!(service.message(), Some("Please retry again later."));
    // Retry-After: the bucket refills in 10 s.
    let wait = error.as_service().unwrap().retry_after().unwrap();
    assert!(
        wait > Duration::from_secs(9) && wait <= Duration::from_secs(10),
        "{wait:?}"
    );
    let other = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(emulator.issue_token())
        .build()
        .unwrap();
    other
        .service_principal(sp)
        .synchronization()
        .get()
        .await
        .unwrap();
}
