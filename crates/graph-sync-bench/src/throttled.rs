//! Figures (b) and (d): bulk work under a throttle, and the memory it takes.
//!
//! The emulator throttles each client at a fixed rate R (token bucket, bursts of R/10). The
//! graph-sync run PUTs secrets for N service principals through [`Bulk`] with the default retry
//! policy, in a child process of its own so that its peak RSS (`VmHWM`) is the client's alone.
//! The Kiota-style run, in this process with a fresh bucket, retries each operation on its own
//! as the official SDKs' RetryHandler does: at most 3 retries, waiting `Retry-After` when it is
//! a whole number of seconds (as .NET's `int.TryParse` reads it) and else 3 s × 2^n, with no
//! shared throttle awareness.

use std::sync::Arc;
use std::time::{Duration, Instant};

use graph_sync_api::{Bulk, Error, GraphSyncClient, RetryConfig};
use graph_sync_emulator::{Emulator, ThrottleConfig};
use graph_sync_model::Secrets;
use http::StatusCode;
use tokio::sync::Semaphore;

use crate::Sizes;
use crate::overhead::{register, secrets, sp_id};

const CONCURRENCY: usize = 64;
const TOKEN_VAR: &str = "GRAPH_SYNC_BENCH_TOKEN";

/// One policy's run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BulkRun {
    pub(crate) operations: usize,
    pub(crate) wall: Duration,
    pub(crate) ideal: Duration,
    pub(crate) failures: usize,
    pub(crate) throttled: usize,
}

impl BulkRun {
    pub(crate) fn ratio(&self) -> f64 {
        self.wall.as_secs_f64() / self.ideal.as_secs_f64()
    }

    pub(crate) fn throttled_per_op(&self) -> f64 {
        self.throttled as f64 / self.operations as f64
    }
}

/// Figures (b) and (d).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Throttled {
    pub(crate) rate: f64,
    pub(crate) burst: u32,
    pub(crate) graph_sync: BulkRun,
    pub(crate) kiota: BulkRun,
    pub(crate) peak_rss_kib: u64,
}

pub(crate) async fn run(sizes: Sizes) -> Result<Throttled, String> {
    let emulator = Emulator::new();
    register(&emulator, sizes.bulk.max(sizes.kiota), '9')?;
    let burst = ((sizes.rate / 10.0) as u32).max(1);
    let throttle = ThrottleConfig::new(sizes.rate, burst);
    emulator.set_throttle(Some(throttle));
    let running = emulator.start().await.map_err(|e| e.to_string())?;

    // graph-sync, in a child process.
    let token = emulator.issue_token();
    let before = emulator.requests().len();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let output = tokio::process::Command::new(exe)
        .args([
            "bulk-client",
            &running.graph_root(),
            &sizes.bulk.to_string(),
        ])
        .env(TOKEN_VAR, &token)
        .output()
        .await
        .map_err(|e| format!("cannot start the bulk client: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "the bulk client failed ({}): {}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let fields = parse_result(&stdout)?;
    let ideal = Duration::from_secs_f64(sizes.bulk as f64 / sizes.rate);
    let throttled_count = |from: usize| {
        emulator.requests()[from..]
            .iter()
            .filter(|r| r.throttled())
            .count()
    };
    let graph_sync = BulkRun {
        operations: sizes.bulk,
        wall: Duration::from_secs_f64(fields.wall_s),
        ideal,
        failures: fields.failures,
        throttled: throttled_count(before),
    };

    // Kiota-style, with a fresh bucket.
    emulator.set_throttle(Some(throttle));
    let token = emulator.issue_token();
    let before = emulator.requests().len();
    let client = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(token)
        .retry(RetryConfig::none())
        .build()
        .map_err(|e| e.to_string())?;
    let (wall, failures) = kiota_style(&client, sizes.kiota).await?;
    let kiota = BulkRun {
        operations: sizes.kiota,
        wall,
        ideal: Duration::from_secs_f64(sizes.kiota as f64 / sizes.rate),
        failures,
        throttled: throttled_count(before),
    };
    running.shutdown().await;
    Ok(Throttled {
        rate: sizes.rate,
        burst,
        graph_sync,
        kiota,
        peak_rss_kib: fields.peak_rss_kib,
    })
}

struct ChildResult {
    wall_s: f64,
    failures: usize,
    peak_rss_kib: u64,
}

/// Reads the child's `result wall_s=… failures=… peak_rss_kib=…` line.
fn parse_result(stdout: &str) -> Result<ChildResult, String> {
    let line = stdout
        .lines()
        .find(|line| line.starts_with("result "))
        .ok_or_else(|| format!("the bulk client printed no result: {stdout}"))?;
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| format!("no {name} in `{line}`"))
    };
    let number = |name: &str| -> Result<f64, String> {
        field(name)?.parse().map_err(|e| format!("{name}: {e}"))
    };
    Ok(ChildResult {
        wall_s: number("wall_s")?,
        failures: number("failures")? as usize,
        peak_rss_kib: number("peak_rss_kib")? as u64,
    })
}

/// The child process: `bulk-client ROOT N`, token in `GRAPH_SYNC_BENCH_TOKEN`.
pub(crate) async fn child(args: &[String]) -> Result<(), String> {
    let [root, n] = args else {
        return Err("usage: graph-sync-bench bulk-client GRAPH_ROOT N".to_owned());
    };
    let n: usize = n.parse().map_err(|e| format!("N: {e}"))?;
    let token = std::env::var(TOKEN_VAR).map_err(|_| format!("{TOKEN_VAR} is not set"))?;
    let client = GraphSyncClient::builder()
        .graph_root(root)
        .bearer_token(token)
        .build()
        .map_err(|e| e.to_string())?;
    let secrets = Arc::new(secrets()?);
    let ids = (0..n).map(sp_id).collect::<Result<Vec<_>, _>>()?;
    let start = Instant::now();
    let results = Bulk::new(&client)
        .with_concurrency(CONCURRENCY)
        .run(ids.into_iter().map(|sp| {
            let secrets = Arc::clone(&secrets);
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
    let wall = start.elapsed();
    let failures = results.iter().filter(|r| r.is_err()).count();
    if let Some(Err(error)) = results.iter().find(|r| r.is_err()) {
        eprintln!("first failure: {error}");
    }
    let peak = crate::machine::peak_rss_kib().unwrap_or(0);
    println!(
        "result wall_s={:.6} failures={failures} peak_rss_kib={peak}",
        wall.as_secs_f64()
    );
    Ok(())
}

/// Each operation retries on its own: at most 3 retries, `Retry-After` when it is whole
/// seconds, else 3 s × 2^n; no shared throttle awareness.
async fn kiota_style(client: &GraphSyncClient, n: usize) -> Result<(Duration, usize), String> {
    let secrets: Arc<Secrets> = Arc::new(secrets()?);
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..n {
        let permit = Arc::clone(&permits)
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let (client, secrets, sp) = (client.clone(), Arc::clone(&secrets), sp_id(index)?);
        tasks.spawn(async move {
            let result = kiota_put(&client, sp, &secrets).await;
            drop(permit);
            result
        });
    }
    let mut failures = 0;
    while let Some(done) = tasks.join_next().await {
        if done.map_err(|e| e.to_string())?.is_err() {
            failures += 1;
        }
    }
    Ok((start.elapsed(), failures))
}

async fn kiota_put(
    client: &GraphSyncClient,
    sp: graph_sync_model::ServicePrincipalId,
    secrets: &Secrets,
) -> Result<(), Error> {
    let secrets_api = client.service_principal(sp).synchronization().secrets();
    let mut retry = 0;
    loop {
        let error = match secrets_api.put(secrets).await {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        let retryable = matches!(
            error.status(),
            Some(
                StatusCode::TOO_MANY_REQUESTS
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
            )
        );
        if !retryable || retry >= 3 {
            return Err(error);
        }
        let whole_seconds = error
            .as_service()
            .and_then(|service| service.retry_after())
            .filter(|wait| wait.subsec_nanos() == 0);
        let delay = whole_seconds.unwrap_or(Duration::from_secs(3 << retry));
        retry += 1;
        tokio::time::sleep(delay).await;
    }
}
