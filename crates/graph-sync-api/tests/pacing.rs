//! Pacing under a throttle, on tokio's paused clock: `Bulk` against a transport that throttles
//! like Graph and the emulator (a token bucket of rate R and burst R/10; `429` with the
//! fractional `Retry-After` the bucket needs to refill). The gate must learn the rate, space its
//! waiters, lose nothing, and stay near the ideal N / R with few `429`s once it has learned.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use graph_sync_api::transport::{Request, Response, Transport, TransportError};
use graph_sync_api::{Bulk, GraphSyncClient, ThrottleGate};
use tokio::time::Instant;

use crate::support::{documented_secrets, response, sp};

/// What the modelled service saw: when each request arrived and whether it was throttled.
#[derive(Debug)]
struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    updated: Instant,
    log: Vec<(Instant, bool)>,
}

/// A service throttled by one token bucket, answering after `latency` (a throttled request
/// after `throttled_latency`: refusing is quicker than storing).
#[derive(Debug)]
struct ThrottledService {
    bucket: Mutex<Bucket>,
    latency: Duration,
    throttled_latency: Duration,
}

impl ThrottledService {
    fn new(rate: f64, latency: Duration) -> Arc<Self> {
        Self::with_latencies(rate, latency, latency)
    }

    fn with_latencies(rate: f64, latency: Duration, throttled_latency: Duration) -> Arc<Self> {
        let burst = (rate / 10.0).max(1.0);
        Arc::new(Self {
            bucket: Mutex::new(Bucket {
                rate,
                burst,
                tokens: burst,
                updated: Instant::now(),
                log: Vec::new(),
            }),
            latency,
            throttled_latency,
        })
    }

    /// Takes a token, or gives the time the bucket needs to refill.
    fn admit(&self) -> Result<(), Duration> {
        let mut bucket = self.bucket.lock().unwrap();
        let now = Instant::now();
        let refill = now.duration_since(bucket.updated).as_secs_f64() * bucket.rate;
        bucket.tokens = (bucket.tokens + refill).min(bucket.burst);
        bucket.updated = now;
        let admitted = bucket.tokens >= 1.0;
        bucket.log.push((now, !admitted));
        if admitted {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (bucket.burst - bucket.tokens) / bucket.rate,
            ))
        }
    }

    fn log(&self) -> Vec<(Instant, bool)> {
        self.bucket.lock().unwrap().log.clone()
    }
}

#[async_trait]
impl Transport for ThrottledService {
    async fn send(&self, _request: Request) -> Result<Response, TransportError> {
        let half = self.latency.min(self.throttled_latency) / 2;
        tokio::time::sleep(half).await;
        let admitted = self.admit();
        let rest = if admitted.is_ok() {
            self.latency
        } else {
            self.throttled_latency
        };
        tokio::time::sleep(rest.saturating_sub(half)).await;
        Ok(match admitted {
            Ok(()) => response(204, &[], ""),
            Err(wait) => {
                let retry_after = format!("{:.3}", wait.as_secs_f64() + 0.0005);
                response(
                    429,
                    &[("retry-after", &retry_after)],
                    r#"{"error":{"code":"TooManyRequests","message":"Please retry again later."}}"#,
                )
            }
        })
    }
}

/// What one bulk run under the throttle gave.
struct Run {
    wall: Duration,
    failures: usize,
    log: Vec<(Instant, bool)>,
    start: Instant,
    gate: ThrottleGate,
}

async fn run(rate: f64, concurrency: usize, operations: usize) -> Run {
    run_against(
        ThrottledService::new(rate, Duration::from_millis(2)),
        concurrency,
        operations,
    )
    .await
}

async fn run_against(service: Arc<ThrottledService>, concurrency: usize, operations: usize) -> Run {
    let client = GraphSyncClient::builder()
        .shared_transport(service.clone())
        .bearer_token("t")
        .build()
        .unwrap();
    let secrets = Arc::new(documented_secrets());
    let bulk = Bulk::new(&client).with_concurrency(concurrency);
    let gate = bulk.client().throttle_gate().unwrap();
    let start = Instant::now();
    let results = bulk
        .run((0..operations).map(|_| {
            let secrets = Arc::clone(&secrets);
            move |client: GraphSyncClient| async move {
                client
                    .service_principal(sp())
                    .synchronization()
                    .secrets()
                    .put(&secrets)
                    .await
            }
        }))
        .await;
    Run {
        wall: start.elapsed(),
        failures: results.iter().filter(|result| result.is_err()).count(),
        log: service.log(),
        start,
        gate,
    }
}

impl Run {
    /// `429`s per operation after the first `learning` of the run.
    fn throttled_per_op_after(&self, learning: Duration, operations: usize) -> f64 {
        let late = self
            .log
            .iter()
            .filter(|(at, throttled)| *throttled && *at >= self.start + learning)
            .count();
        late as f64 / operations as f64
    }

    /// The most requests that reached the service within any `span`, after `from`.
    fn densest(&self, span: Duration, from: Duration) -> usize {
        let times: Vec<Instant> = self
            .log
            .iter()
            .map(|(at, _)| *at)
            .filter(|at| *at >= self.start + from)
            .collect();
        let mut most = 0;
        let mut first = 0;
        for (last, at) in times.iter().enumerate() {
            while *at - times[first] > span {
                first += 1;
            }
            most = most.max(last + 1 - first);
        }
        most
    }
}

#[tokio::test(start_paused = true)]
async fn bulk_learns_the_rate_and_meets_the_goals_in_every_cell() {
    for (rate, concurrency) in [(50.0, 16), (50.0, 256), (200.0, 64), (500.0, 256)] {
        let operations = ((rate * 10.0) as usize).max(2_000);
        let run = run(rate, concurrency, operations).await;
        let ideal = operations as f64 / rate;
        let ratio = run.wall.as_secs_f64() / ideal;
        let per_op = run.throttled_per_op_after(Duration::from_secs(2), operations);
        let cell = format!("R={rate} C={concurrency}: wall/ideal {ratio:.3}, 429s/op {per_op:.4}");
        assert_eq!(run.failures, 0, "{cell}");
        assert!(ratio <= 1.05, "{cell}");
        assert!(per_op <= 0.05, "{cell}");
        // The learned rate is the service's, give or take the cubic probe.
        let learned = run.gate.rate().unwrap();
        assert!(
            learned > 0.8 * rate && learned < 1.5 * rate,
            "{cell}: {learned}"
        );
    }
}

/// Over real HTTP the first answers of a wide herd are its `429`s (refusing is quick) while its
/// admitted requests are still on their way: the rate must not be judged from those alone.
#[tokio::test(start_paused = true)]
async fn a_wide_herd_with_slow_answers_still_learns_the_whole_rate() {
    for (rate, concurrency) in [(200.0, 256), (500.0, 256), (2000.0, 256), (500.0, 64)] {
        let operations = ((rate * 10.0) as usize).max(2_000);
        let service = ThrottledService::with_latencies(
            rate,
            Duration::from_millis(40),
            Duration::from_millis(2),
        );
        let run = run_against(service, concurrency, operations).await;
        let ideal = operations as f64 / rate;
        let ratio = run.wall.as_secs_f64() / ideal;
        let per_op = run.throttled_per_op_after(Duration::from_secs(2), operations);
        let cell = format!("R={rate} C={concurrency}: wall/ideal {ratio:.3}, 429s/op {per_op:.4}");
        eprintln!("{cell}");
        assert_eq!(run.failures, 0, "{cell}");
        assert!(ratio <= 1.05, "{cell}");
        assert!(per_op <= 0.05, "{cell}");
    }
}

#[tokio::test(start_paused = true)]
async fn waiters_leave_a_reopened_gate_spaced_out_not_as_a_herd() {
    let rate = 200.0;
    let run = run(rate, 256, 2_000).await;
    assert_eq!(run.failures, 0);
    // Once the rate is learned, no 10 ms holds more than the 2 requests the rate allows in
    // 10 ms, give or take one at either edge: 256 waiters never go at once.
    let densest = run.densest(Duration::from_millis(10), Duration::from_secs(1));
    assert!(densest <= 4, "{densest} requests in 10 ms");
    // Unpaced, the first 10 ms hold the whole concurrency.
    assert!(run.densest(Duration::from_millis(10), Duration::ZERO) >= 200);
    // While paced, the gate keeps few attempts in flight.
    assert!(
        run.gate.concurrency_limit() < 16,
        "{}",
        run.gate.concurrency_limit()
    );
}

#[tokio::test(start_paused = true)]
async fn clients_sharing_a_gate_learn_one_rate() {
    let service = ThrottledService::new(100.0, Duration::from_millis(2));
    let gate = ThrottleGate::new();
    let clients: Vec<GraphSyncClient> = (0..2)
        .map(|_| {
            GraphSyncClient::builder()
                .shared_transport(service.clone())
                .bearer_token("t")
                .throttle_gate(gate.clone())
                .build()
                .unwrap()
        })
        .collect();
    assert_eq!(gate.rate(), None);
    let mut tasks = tokio::task::JoinSet::new();
    for client in clients {
        for _ in 0..400 {
            let client = client.clone();
            tasks.spawn(async move {
                client
                    .service_principal(sp())
                    .synchronization()
                    .secrets()
                    .put(&documented_secrets())
                    .await
            });
        }
    }
    let start = Instant::now();
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    let wall = start.elapsed().as_secs_f64();
    assert!(wall < 1.1 * 8.0, "{wall}");
    let learned = gate.rate().unwrap();
    assert!(learned > 80.0 && learned < 150.0, "{learned}");
}
