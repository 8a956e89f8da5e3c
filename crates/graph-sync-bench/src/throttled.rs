//! Figures (b) and (d): bulk work under a throttle, and the memory it takes.
//!
//! Figure (b) is a grid: for every rate R and concurrency C of [`Sizes`], the emulator throttles
//! each client (each bearer token; a fresh token and fresh buckets per run) with a token bucket
//! of rate R and burst R/10, whose `429` carries the fractional `Retry-After` the bucket needs to
//! refill. graph-sync PUTs secrets for N service principals through [`Bulk`] (default retry
//! policy, concurrency C), N = max(2,000, 10 s × R), in a child process of its own so that its
//! peak RSS (`VmHWM`, figure (d)) is the client's alone. The peer is the official Python Graph
//! SDK (`msgraph-sdk` pinned to [`SDK_VERSION`], default middleware) in a throwaway virtual
//! environment, on a subset of the cells ([`Sizes::sdk_cells`]); without Python, or with
//! `--quick`, it is skipped and the report says why.
//!
//! Per run: wall time over the ideal N / R, failures, `429`s per operation (from the emulator's
//! log; those of the first [`LEARNING`] counted apart), and p50/p99 latency per operation.
//!
//! Then the clients of one application share one bucket ([`ThrottleConfig::per_application`]):
//! two graph-sync processes and the SDK at once, each one's time, failures and `429`s.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use graph_sync_api::{Bulk, GraphSyncClient};
use graph_sync_emulator::{Emulator, ThrottleConfig};

use crate::Sizes;
use crate::latency::Latencies;
use crate::overhead::{register, secrets, sp_id};

pub(crate) const TOKEN_VAR: &str = "GRAPH_SYNC_BENCH_TOKEN";
/// The official SDK the peer runs, pinned.
pub(crate) const SDK_VERSION: &str = "1.65.0";
/// The peer's script.
const SDK_SCRIPT: &str = include_str!("../python/sdk_peer.py");
/// The start of a run whose `429`s are reported apart: the rate is being learned.
pub(crate) const LEARNING: Duration = Duration::from_secs(2);

/// One client's run in one cell.
#[derive(Debug, Clone)]
pub(crate) struct BulkRun {
    pub(crate) operations: usize,
    pub(crate) wall: Duration,
    pub(crate) ideal: Duration,
    pub(crate) failures: usize,
    /// `429`s answered in the first [`LEARNING`] of the run.
    pub(crate) throttled_learning: usize,
    /// `429`s answered after it.
    pub(crate) throttled_after: usize,
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
    pub(crate) first_failure: Option<String>,
}

impl BulkRun {
    pub(crate) fn ratio(&self) -> f64 {
        self.wall.as_secs_f64() / self.ideal.as_secs_f64()
    }

    /// All `429`s per operation.
    pub(crate) fn throttled_per_op(&self) -> f64 {
        (self.throttled_learning + self.throttled_after) as f64 / self.operations as f64
    }

    /// `429`s after the first [`LEARNING`], per operation.
    pub(crate) fn learned_throttled_per_op(&self) -> f64 {
        self.throttled_after as f64 / self.operations as f64
    }
}

/// One cell of the grid.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub(crate) rate: f64,
    pub(crate) concurrency: usize,
    pub(crate) graph_sync: BulkRun,
    pub(crate) sdk: Option<BulkRun>,
}

/// One client of the shared-application run.
#[derive(Debug, Clone)]
pub(crate) struct SharedClient {
    pub(crate) name: String,
    pub(crate) operations: usize,
    pub(crate) wall: Duration,
    pub(crate) failures: usize,
    pub(crate) throttled: usize,
}

/// Clients of one application drawing from one bucket, at the same time.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    pub(crate) rate: f64,
    pub(crate) concurrency: usize,
    pub(crate) clients: Vec<SharedClient>,
    /// From the first start to the last end.
    pub(crate) wall: Duration,
}

impl Shared {
    /// Every operation over the application's rate.
    pub(crate) fn ideal(&self) -> Duration {
        let operations: usize = self.clients.iter().map(|c| c.operations).sum();
        Duration::from_secs_f64(operations as f64 / self.rate)
    }
}

/// Figures (b) and (d).
#[derive(Debug, Clone)]
pub(crate) struct Throttled {
    pub(crate) cells: Vec<Cell>,
    pub(crate) shared: Option<Shared>,
    /// Why the SDK peer did not run, when it did not.
    pub(crate) sdk_skipped: Option<String>,
    /// The 1-minute load average before and after the grid.
    pub(crate) load: (String, String),
    pub(crate) peak_rss_kib: u64,
}

/// The operations of a cell at rate `rate`: at least `min_ops`, and enough for `min_ideal`.
fn operations(sizes: &Sizes, rate: f64) -> usize {
    let for_time = (rate * sizes.min_ideal.as_secs_f64()).ceil() as usize;
    for_time.max(sizes.min_ops)
}

pub(crate) async fn run(sizes: &Sizes) -> Result<Throttled, String> {
    let most = sizes
        .rates
        .iter()
        .map(|rate| operations(sizes, *rate))
        .chain(sizes.sdk_cells.iter().map(|_| sizes.sdk_ops))
        .chain([3 * sizes.shared_ops])
        .max()
        .unwrap_or(0);
    let emulator = Emulator::new();
    register(&emulator, most, '9')?;
    let running = emulator.start().await.map_err(|e| e.to_string())?;
    let root = running.graph_root();
    let python = if sizes.sdk_cells.is_empty() {
        Err("skipped with --quick (it installs msgraph-sdk from PyPI)".to_owned())
    } else {
        println!("graph-sync-bench: preparing msgraph-sdk {SDK_VERSION} …");
        prepare_sdk().await
    };
    let load_before = load_average();
    let mut cells = Vec::new();
    let mut peak_rss_kib = 0;
    for &rate in sizes.rates {
        for &concurrency in sizes.concurrencies {
            let n = operations(sizes, rate);
            println!("graph-sync-bench: throttled bulk R={rate}/s C={concurrency} N={n} …");
            let (graph_sync, rss) = measure(&emulator, rate, n, |token| {
                bulk_client(&root, n, concurrency, token)
            })
            .await?;
            peak_rss_kib = peak_rss_kib.max(rss);
            let sdk = match &python {
                Ok(python) if sizes.sdk_cells.contains(&(rate, concurrency)) => {
                    println!("graph-sync-bench: … the same cell with msgraph-sdk {SDK_VERSION}");
                    let n = sizes.sdk_ops;
                    let (run, _) = measure(&emulator, rate, n, |token| {
                        let mut command = tokio::process::Command::new(python);
                        command
                            .arg(sdk_script()?)
                            .args([&root, &n.to_string(), &concurrency.to_string()])
                            .env(TOKEN_VAR, token);
                        Ok(command)
                    })
                    .await?;
                    Some(run)
                }
                _ => None,
            };
            cells.push(Cell {
                rate,
                concurrency,
                graph_sync,
                sdk,
            });
        }
    }
    let shared = if sizes.shared_ops == 0 {
        None
    } else {
        println!("graph-sync-bench: clients sharing one application's bucket …");
        Some(shared(&emulator, &root, sizes, python.as_ref().ok()).await?)
    };
    let load_after = load_average();
    running.shutdown().await;
    Ok(Throttled {
        cells,
        shared,
        sdk_skipped: python.err(),
        load: (load_before, load_after),
        peak_rss_kib,
    })
}

/// The application the shared run's clients belong to.
const SHARED_APP: &str = "00000000-0000-4000-a000-00000000beef";

/// Two graph-sync processes and the SDK (when it can run) at once, their tokens issued for one
/// application, under one bucket of the application's rate; each gets its own service
/// principals, so the emulator's log tells their requests apart.
async fn shared(
    emulator: &Emulator,
    root: &str,
    sizes: &Sizes,
    python: Option<&PathBuf>,
) -> Result<Shared, String> {
    let (rate, concurrency, n) = (sizes.shared_rate, 64, sizes.shared_ops);
    let burst = ((rate / 10.0) as u32).max(1);
    emulator.set_throttle(Some(ThrottleConfig::new(rate, burst).per_application()));
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut commands = Vec::new();
    for (index, name) in ["graph-sync A", "graph-sync B"].into_iter().enumerate() {
        let mut command = tokio::process::Command::new(&exe);
        command.args([
            "bulk-client",
            root,
            &n.to_string(),
            &concurrency.to_string(),
            &(index * n).to_string(),
        ]);
        commands.push((name.to_owned(), index * n, command));
    }
    if let Some(python) = python {
        let mut command = tokio::process::Command::new(python);
        command.arg(sdk_script()?).args([
            root,
            &n.to_string(),
            &concurrency.to_string(),
            &(2 * n).to_string(),
        ]);
        commands.push((format!("msgraph-sdk {SDK_VERSION}"), 2 * n, command));
    }
    let before = emulator.request_count();
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (name, first, mut command) in commands {
        command
            .env(TOKEN_VAR, emulator.issue_token_for_application(SHARED_APP))
            .kill_on_drop(true);
        tasks.spawn(async move {
            let output = command.output().await;
            (name, first, output, start.elapsed())
        });
    }
    let mut finished = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (name, first, output, ended) = joined.map_err(|e| e.to_string())?;
        let output = output.map_err(|e| format!("cannot start {name}: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(format!(
                "{name} failed ({}): {stdout}{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        finished.push((name, first, parse_result(&stdout)?, ended));
    }
    let wall = start.elapsed();
    let log = emulator.requests_since(before);
    let mut clients: Vec<SharedClient> = finished
        .into_iter()
        .map(|(name, first, result, _)| SharedClient {
            throttled: log
                .iter()
                .filter(|r| r.throttled())
                .filter(|r| sp_index(&r.path).is_some_and(|i| (first..first + n).contains(&i)))
                .count(),
            name,
            operations: n,
            wall: Duration::from_secs_f64(result.wall_s),
            failures: result.failures,
        })
        .collect();
    clients.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Shared {
        rate,
        concurrency,
        clients,
        wall,
    })
}

/// The index [`sp_id`] gave the service principal in `path`.
fn sp_index(path: &str) -> Option<usize> {
    const PREFIX: &str = "00000000-0000-4000-8000-";
    let at = path.find(PREFIX)? + PREFIX.len();
    let hex = path.get(at..at + 12)?;
    usize::from_str_radix(hex, 16).ok()
}

/// The graph-sync side of a run: this binary's `bulk-client` in a child process, `n` PUTs at
/// `concurrency` against `root` with `token`.
pub(crate) fn bulk_client(
    root: &str,
    n: usize,
    concurrency: usize,
    token: &str,
) -> Result<tokio::process::Command, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = tokio::process::Command::new(exe);
    command
        .args([
            "bulk-client",
            root,
            &n.to_string(),
            &concurrency.to_string(),
        ])
        .env(TOKEN_VAR, token);
    Ok(command)
}

/// Runs one client process against fresh buckets at `rate` and reads its result line; the
/// `429`s come from the emulator's log, those of the first [`LEARNING`] apart.
pub(crate) async fn measure(
    emulator: &Emulator,
    rate: f64,
    n: usize,
    command: impl FnOnce(&str) -> Result<tokio::process::Command, String>,
) -> Result<(BulkRun, u64), String> {
    let burst = ((rate / 10.0) as u32).max(1);
    emulator.set_throttle(Some(ThrottleConfig::new(rate, burst)));
    let token = emulator.issue_token();
    // Counted, not copied: a copy of the log holds its lock while the server waits to append.
    let before = emulator.request_count();
    let mut command = command(&token)?;
    let child = command.kill_on_drop(true).output();
    let marker = {
        let emulator = emulator.clone();
        tokio::spawn(async move {
            tokio::time::sleep(LEARNING).await;
            emulator.request_count()
        })
    };
    let output = child
        .await
        .map_err(|e| format!("cannot start the bulk client: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!(
            "the bulk client failed ({}): {stdout}{stderr}",
            output.status
        ));
    }
    let fields = parse_result(&stdout)?;
    // This run's entries: index 0 is entry `before` of the whole log.
    let log = emulator.requests_since(before);
    let mark = if marker.is_finished() {
        marker
            .await
            .map_err(|e| e.to_string())?
            .saturating_sub(before)
    } else {
        marker.abort();
        log.len()
    }
    .min(log.len());
    let throttled = |from: usize, to: usize| log[from..to].iter().filter(|r| r.throttled()).count();
    let run = BulkRun {
        operations: n,
        wall: Duration::from_secs_f64(fields.wall_s),
        ideal: Duration::from_secs_f64(n as f64 / rate),
        failures: fields.failures,
        throttled_learning: throttled(0, mark),
        throttled_after: throttled(mark, log.len()),
        p50: Duration::from_secs_f64(fields.p50_ms / 1000.0),
        p99: Duration::from_secs_f64(fields.p99_ms / 1000.0),
        first_failure: stderr
            .lines()
            .find_map(|line| line.strip_prefix("first failure: "))
            .map(str::to_owned),
    };
    Ok((run, fields.peak_rss_kib))
}

struct ChildResult {
    wall_s: f64,
    failures: usize,
    peak_rss_kib: u64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Reads a client's `result wall_s=… failures=… p50_ms=… p99_ms=… [peak_rss_kib=…]` line.
fn parse_result(stdout: &str) -> Result<ChildResult, String> {
    let line = stdout
        .lines()
        .find(|line| line.starts_with("result "))
        .ok_or_else(|| format!("the bulk client printed no result: {stdout}"))?;
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    };
    let number = |name: &str| -> Result<f64, String> {
        field(name)
            .ok_or_else(|| format!("no {name} in `{line}`"))?
            .parse()
            .map_err(|e| format!("{name}: {e}"))
    };
    Ok(ChildResult {
        wall_s: number("wall_s")?,
        failures: number("failures")? as usize,
        peak_rss_kib: field("peak_rss_kib")
            .and_then(|value| value.parse().ok())
            .unwrap_or(0),
        p50_ms: number("p50_ms")?,
        p99_ms: number("p99_ms")?,
    })
}

/// The child process: `bulk-client ROOT N CONCURRENCY [FIRST]` (service principals FIRST to
/// FIRST + N − 1, default 0), token in `GRAPH_SYNC_BENCH_TOKEN`.
pub(crate) async fn child(args: &[String]) -> Result<(), String> {
    let (root, n, concurrency, first) = match args {
        [root, n, concurrency] => (root, n, concurrency, "0"),
        [root, n, concurrency, first] => (root, n, concurrency, first.as_str()),
        _ => {
            return Err(
                "usage: graph-sync-bench bulk-client GRAPH_ROOT N CONCURRENCY [FIRST]".to_owned(),
            );
        }
    };
    let first: usize = first.parse().map_err(|e| format!("FIRST: {e}"))?;
    let n: usize = n.parse().map_err(|e| format!("N: {e}"))?;
    let concurrency: usize = concurrency
        .parse()
        .map_err(|e| format!("CONCURRENCY: {e}"))?;
    let token = std::env::var(TOKEN_VAR).map_err(|_| format!("{TOKEN_VAR} is not set"))?;
    let client = GraphSyncClient::builder()
        .graph_root(root)
        .bearer_token(token)
        .build()
        .map_err(|e| e.to_string())?;
    let secrets = Arc::new(secrets()?);
    // Drawn as operations start and results handed over as they end, latencies counted in a
    // record of fixed size: the client's memory is that of the operations in flight, so that
    // the scale figure measures the library, not a harness holding every result.
    let ids = (first..first + n).map(sp_id);
    let mut failures = 0;
    let mut first_failure = None;
    let mut latencies = Latencies::new();
    let start = Instant::now();
    Bulk::new(&client)
        .with_concurrency(concurrency)
        .for_each(
            ids.map(|sp| {
                let secrets = Arc::clone(&secrets);
                move |client: GraphSyncClient| async move {
                    let sp = sp.map_err(|e| {
                        graph_sync_api::Error::InvalidInput(graph_sync_api::InvalidInput::new(e))
                    })?;
                    let started = Instant::now();
                    client
                        .service_principal(sp)
                        .synchronization()
                        .secrets()
                        .put(&secrets)
                        .await
                        .map(|()| started.elapsed())
                }
            }),
            |_, result| match result {
                Ok(latency) => latencies.record(latency),
                Err(error) => {
                    failures += 1;
                    first_failure.get_or_insert_with(|| error.to_string());
                }
            },
        )
        .await;
    let wall = start.elapsed();
    if let Some(error) = first_failure {
        eprintln!("first failure: {error}");
    }
    let peak = crate::machine::peak_rss_kib().unwrap_or(0);
    println!(
        "result wall_s={:.6} failures={failures} p50_ms={:.3} p99_ms={:.3} peak_rss_kib={peak}",
        wall.as_secs_f64(),
        latencies.percentile_ms(0.5),
        latencies.percentile_ms(0.99),
    );
    Ok(())
}

/// The throwaway virtual environment of the SDK peer: in the system's temporary directory,
/// created on first use with `python3 -m venv` and `pip install msgraph-sdk==SDK_VERSION`.
fn venv() -> PathBuf {
    std::env::temp_dir().join(format!("graph-sync-bench-msgraph-sdk-{SDK_VERSION}"))
}

/// The peer's script, written next to the virtual environment.
fn sdk_script() -> Result<PathBuf, String> {
    let path = venv().join("sdk_peer.py");
    std::fs::write(&path, SDK_SCRIPT)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// Creates the virtual environment with the pinned SDK (kept between runs), and returns its
/// Python, or why the peer cannot run.
async fn prepare_sdk() -> Result<PathBuf, String> {
    let venv = venv();
    let python = venv.join("bin").join("python");
    let installed = |python: &Path| {
        let python = python.to_owned();
        async move {
            tokio::process::Command::new(&python)
                .args(["-c", &format!(
                    "import importlib.metadata as m; assert m.version('msgraph-sdk') == '{SDK_VERSION}'"
                )])
                .output()
                .await
                .is_ok_and(|output| output.status.success())
        }
    };
    if installed(&python).await {
        return Ok(python);
    }
    let step = |program: PathBuf, args: Vec<String>, what: &'static str| async move {
        let output = tokio::process::Command::new(&program)
            .args(&args)
            .output()
            .await
            .map_err(|e| format!("skipped: {what} could not start ({e})"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "skipped: {what} failed: {}",
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ))
        }
    };
    step(
        PathBuf::from("python3"),
        vec!["-m".into(), "venv".into(), venv.display().to_string()],
        "python3 -m venv",
    )
    .await?;
    step(
        venv.join("bin").join("pip"),
        vec![
            "install".into(),
            "--quiet".into(),
            format!("msgraph-sdk=={SDK_VERSION}"),
        ],
        "pip install msgraph-sdk",
    )
    .await?;
    if installed(&python).await {
        Ok(python)
    } else {
        Err(format!(
            "skipped: msgraph-sdk {SDK_VERSION} did not install"
        ))
    }
}

/// The 1-minute load average, as `/proc/loadavg` gives it.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}
