//! Figure (a): what the client adds on top of the HTTP stack it drives.
//!
//! A minimal axum server on loopback answers every request `204`. The same
//! `PUT …/synchronization/secrets` (same URL, headers and body) is sent by the graph-sync
//! client (validation, serialization, token, headers, retry policy, status mapping) and by raw
//! reqwest, at concurrency 1 and 64, in alternating rounds; the medians are compared. The raw
//! side does per request what any caller must: format the URL, serialize the same `Secrets`
//! value to JSON (serde_json) and make a `client-request-id` (as cheaply as the client:
//! [`request_id`]); everything else the client does is its overhead.
//!
//! The rounds are short (a fraction of a second) and many: the machine's speed drifts over
//! seconds (a shared virtual machine's more than most), and a pair of short rounds sees the
//! same machine. The same rounds run raw reqwest against itself, a control whose ratio would be
//! 1 on a machine without noise: its distance from 1 is what the figure can resolve.
//!
//! The whole comparison runs in several processes (`graph-sync-bench overhead-process`), and
//! the figure is the median of theirs. Where a process's code, heap and stack happen to lie
//! (address space layout randomization) moves the ratio: the same build measured 0.950–0.960
//! in three processes with randomization off (`setarch -R`, one layout) and 0.965–1.001 in
//! processes with it on. One process measures one layout; the median of several measures the
//! client.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use graph_sync_api::{GraphSyncClient, USER_AGENT_PRODUCT};
use graph_sync_emulator::{Emulator, ServicePrincipal};
use graph_sync_model::{
    AppId, BaseAddress, SecretKey, SecretString, Secrets, ServicePrincipalId,
    SyncNotificationSettings,
};

use crate::Sizes;

const TOKEN: &str = "bench-token";

/// Throughputs at one concurrency.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Throughput {
    pub(crate) concurrency: usize,
    /// Client against raw reqwest.
    pub(crate) client: Ratios,
    /// The control: raw reqwest against itself, measured the same way.
    pub(crate) control: Ratios,
}

/// The ratios of one comparison's pairs of rounds (second side over first), and the sides'
/// rates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ratios {
    /// The median of the rounds' ratios: the figure.
    pub(crate) median: f64,
    /// The smallest pair's ratio.
    pub(crate) min: f64,
    /// The largest pair's ratio.
    pub(crate) max: f64,
    /// The median rate of each side, requests per second (first, second).
    pub(crate) rates: (f64, f64),
}

/// The secrets every request carries: a realistic SCIM configuration.
pub(crate) fn secrets() -> Result<Secrets, String> {
    let base = BaseAddress::parse("https://scim.example.com/scim/v2").map_err(|e| e.to_string())?;
    Secrets::new()
        .with(SecretKey::BaseAddress, base)
        .and_then(|s| {
            s.with(
                SecretKey::SecretToken,
                SecretString::from("bench-scim-token"),
            )
        })
        .and_then(|s| {
            s.with(
                SecretKey::SyncNotificationSettings,
                SyncNotificationSettings::disabled(),
            )
        })
        .and_then(|s| s.with(SecretKey::SyncAll, false))
        .map_err(|e| e.to_string())
}

/// Registers `count` service principals with the ids [`sp_id`] gives, their appIds told apart
/// by `app_id_group` (one hex digit per benchmark).
pub(crate) fn register(
    emulator: &Emulator,
    count: usize,
    app_id_group: char,
) -> Result<(), String> {
    for index in 0..count {
        let app_id = AppId::new(format!("00000000-0000-4000-{app_id_group}000-{index:012x}"))
            .map_err(|e| e.to_string())?;
        emulator.insert_service_principal(ServicePrincipal::new(sp_id(index)?, app_id, "bench"));
    }
    Ok(())
}

/// A service principal id for operation `index`, the same in every process.
pub(crate) fn sp_id(index: usize) -> Result<ServicePrincipalId, String> {
    ServicePrincipalId::new(format!("00000000-0000-4000-8000-{index:012x}"))
        .map_err(|e| e.to_string())
}

/// The minimal server both sides talk to: every request is answered `204`.
pub(crate) fn app() -> axum::Router {
    axum::Router::new().fallback(|| async { StatusCode::NO_CONTENT })
}

/// Figure (a): [`Sizes::overhead_processes`] child processes each measure it
/// ([`in_process`]); each ratio is the median of theirs, shown with the smallest and largest
/// process's.
pub(crate) async fn run(sizes: Sizes) -> Result<Vec<Throughput>, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut processes = Vec::new();
    for _ in 0..sizes.overhead_processes.max(1) {
        let output = tokio::process::Command::new(&exe)
            .arg("overhead-process")
            .args(
                [
                    sizes.overhead_serial,
                    sizes.overhead_parallel,
                    sizes.overhead_rounds,
                ]
                .map(|n| n.to_string()),
            )
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| format!("cannot run overhead-process: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "overhead-process failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        processes.push(parse_lines(&String::from_utf8_lossy(&output.stdout))?);
    }
    pooled(&processes)
}

/// `graph-sync-bench overhead-process SERIAL PARALLEL ROUNDS`: figure (a) in this process,
/// one line per concurrency ([`Throughput::line`]).
pub(crate) async fn child(args: &[String]) -> Result<(), String> {
    let numbers = args
        .iter()
        .map(|arg| arg.parse::<usize>().map_err(|e| format!("{arg}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let [serial, parallel, rounds] = numbers[..] else {
        return Err("usage: overhead-process SERIAL PARALLEL ROUNDS".to_owned());
    };
    for throughput in in_process(serial, parallel, rounds).await? {
        println!("{}", throughput.line());
    }
    Ok(())
}

impl Throughput {
    /// The figures as one line of numbers, read back by [`parse_lines`].
    fn line(&self) -> String {
        let Self {
            concurrency,
            client: c,
            control: k,
        } = self;
        format!(
            "{concurrency} {} {} {} {} {} {} {} {} {} {}",
            c.median,
            c.min,
            c.max,
            c.rates.0,
            c.rates.1,
            k.median,
            k.min,
            k.max,
            k.rates.0,
            k.rates.1
        )
    }
}

/// The figures of one process, from its [`Throughput::line`]s.
fn parse_lines(text: &str) -> Result<Vec<Throughput>, String> {
    text.lines()
        .map(|line| {
            let mut fields = line.split_whitespace();
            let concurrency = fields
                .next()
                .and_then(|field| field.parse::<usize>().ok())
                .ok_or_else(|| format!("not a figure line: {line:?}"))?;
            let numbers = fields
                .map(|field| field.parse::<f64>().map_err(|e| format!("{line:?}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            let [cm, cmin, cmax, c0, c1, km, kmin, kmax, k0, k1] = numbers[..] else {
                return Err(format!("not a figure line: {line:?}"));
            };
            Ok(Throughput {
                concurrency,
                client: Ratios {
                    median: cm,
                    min: cmin,
                    max: cmax,
                    rates: (c0, c1),
                },
                control: Ratios {
                    median: km,
                    min: kmin,
                    max: kmax,
                    rates: (k0, k1),
                },
            })
        })
        .collect()
}

/// Each concurrency's figures over the processes: the median of their medians, with the
/// smallest and largest as the range, and the rates of the process whose median that is (the
/// medians of each side's rates could come from two processes, and their ratio then disagrees
/// with the figure).
fn pooled(processes: &[Vec<Throughput>]) -> Result<Vec<Throughput>, String> {
    let first = processes.first().ok_or("no overhead process ran")?;
    first
        .iter()
        .enumerate()
        .map(|(index, figure)| {
            let same = processes
                .iter()
                .map(|figures| {
                    figures
                        .get(index)
                        .filter(|other| other.concurrency == figure.concurrency)
                        .copied()
                        .ok_or_else(|| "the processes measured different figures".to_owned())
                })
                .collect::<Result<Vec<_>, _>>()?;
            let pool = |side: fn(&Throughput) -> Ratios| {
                let mut ratios = same.iter().map(side).collect::<Vec<_>>();
                ratios.sort_by(|a, b| a.median.total_cmp(&b.median));
                let middle = ratios[ratios.len() / 2];
                Ratios {
                    min: ratios[0].median,
                    max: ratios[ratios.len() - 1].median,
                    ..middle
                }
            };
            Ok(Throughput {
                concurrency: figure.concurrency,
                client: pool(|t| t.client),
                control: pool(|t| t.control),
            })
        })
        .collect()
}

/// Figure (a) in this process: rounds of `serial` requests at concurrency 1 and of
/// `parallel` at 64, `rounds` pairs of rounds each.
async fn in_process(
    serial: usize,
    parallel: usize,
    rounds: usize,
) -> Result<Vec<Throughput>, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = tokio::spawn(async move { axum::serve(listener, app()).await });

    let target = Target::new(format!("http://{addr}/v1.0"))?;

    let mut figures = Vec::new();
    for (concurrency, n) in [(1, serial), (64, parallel)] {
        // Warm up both: connections, pools, allocator.
        for side in [Side::Raw, Side::Client] {
            target.measure(side, concurrency, n.max(500)).await?;
        }
        let client = target
            .compare(Side::Raw, Side::Client, concurrency, n, rounds)
            .await?;
        let control = target
            .compare(Side::Raw, Side::Raw, concurrency, n, rounds)
            .await?;
        figures.push(Throughput {
            concurrency,
            client,
            control,
        });
    }
    server.abort();
    Ok(figures)
}

/// Who sends the request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Side {
    /// Raw reqwest.
    Raw,
    /// The graph-sync client.
    Client,
}

/// Both senders, ready to send the same request to one server.
#[derive(Clone)]
pub(crate) struct Target {
    client: GraphSyncClient,
    raw: reqwest::Client,
    secrets: Arc<Secrets>,
    root: String,
    sp: ServicePrincipalId,
}

impl Target {
    /// Both sides for the server at `root` (`http://…/v1.0`): the client with a static token,
    /// raw reqwest with `ReqwestTransport`'s default settings.
    pub(crate) fn new(root: String) -> Result<Self, String> {
        let client = GraphSyncClient::builder()
            .graph_root(&root)
            .bearer_token(TOKEN)
            .build()
            .map_err(|e| e.to_string())?;
        // The same reqwest settings as `ReqwestTransport`'s defaults: the comparison is of what
        // the client adds on top of the HTTP stack it drives, not of two HTTP configurations.
        // (The settings of `ReqwestTransportBuilder::build`, defaults included.)
        let raw = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .no_proxy()
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .no_zstd()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(100))
            .read_timeout(Duration::from_secs(60))
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(usize::MAX)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            raw,
            secrets: Arc::new(secrets()?),
            root,
            sp: sp_id(1)?,
        })
    }

    /// `rounds` pairs of rounds of `n` requests, `first` and `second` alternating which goes
    /// first; each pair's ratio second/first.
    async fn compare(
        &self,
        first: Side,
        second: Side,
        concurrency: usize,
        n: usize,
        rounds: usize,
    ) -> Result<Ratios, String> {
        let mut rates = (Vec::new(), Vec::new());
        let mut ratios = Vec::new();
        for round in 0..rounds {
            let (a, b) = if round % 2 == 0 {
                let a = self.measure(first, concurrency, n).await?;
                (a, self.measure(second, concurrency, n).await?)
            } else {
                let b = self.measure(second, concurrency, n).await?;
                (self.measure(first, concurrency, n).await?, b)
            };
            rates.0.push(a);
            rates.1.push(b);
            ratios.push(b / a);
        }
        let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let max = ratios.iter().copied().fold(0.0, f64::max);
        Ok(Ratios {
            median: median(ratios),
            min,
            max,
            rates: (median(rates.0), median(rates.1)),
        })
    }

    /// Round trips per second: `n` requests by `concurrency` tasks.
    async fn measure(&self, side: Side, concurrency: usize, n: usize) -> Result<f64, String> {
        let per_task = n.div_ceil(concurrency);
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..concurrency {
            let target = self.clone();
            tasks.spawn(async move {
                for _ in 0..per_task {
                    target.once(side).await?;
                }
                Ok::<(), String>(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.map_err(|e| e.to_string())??;
        }
        let elapsed = start.elapsed().max(Duration::from_micros(1));
        Ok((per_task * concurrency) as f64 / elapsed.as_secs_f64())
    }

    /// One round trip; an answer other than `204` is an error.
    pub(crate) async fn once(&self, side: Side) -> Result<(), String> {
        match side {
            Side::Client => self
                .client
                .service_principal(self.sp.clone())
                .synchronization()
                .secrets()
                .put(&self.secrets)
                .await
                .map_err(|e| e.to_string()),
            Side::Raw => {
                // What any caller does per request: the URL and the JSON body from the values.
                let url = format!(
                    "{}/servicePrincipals/{}/synchronization/secrets",
                    self.root, self.sp
                );
                let body = serde_json::to_vec(&*self.secrets).map_err(|e| e.to_string())?;
                let response = self
                    .raw
                    .put(url)
                    .header("authorization", format!("Bearer {TOKEN}"))
                    .header("client-request-id", request_id())
                    .header("user-agent", USER_AGENT_PRODUCT)
                    .header("accept", "application/json")
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if response.status() != StatusCode::NO_CONTENT {
                    return Err(format!("raw request answered {}", response.status()));
                }
                response.bytes().await.map_err(|e| e.to_string())?;
                Ok(())
            }
        }
    }
}

/// The raw side's `client-request-id`: a version 4 UUID as cheap to make as the client's.
///
/// `Uuid::new_v4` asks the operating system for 16 random bytes for every id, a system call
/// (0.35–0.43 µs measured on a family 6, model 207 processor: 1.5 % of a request there at
/// concurrency 1) that the client, whose ids come from a seeded sequence, does not make: the
/// raw side would be slowed by work that is neither the HTTP stack's nor the client's to add.
/// The bytes here are a counter's, distinct for every id of the process, which is all the
/// server sees.
fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let count = NEXT.fetch_add(1, Ordering::Relaxed);
    let bytes = (u128::from(std::process::id()) << 64 | u128::from(count)).to_be_bytes();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(concurrency: usize, client: f64, control: f64) -> Throughput {
        let ratios = |median: f64| Ratios {
            median,
            min: median - 0.25,
            max: median + 0.25,
            rates: (1_000.0 * median, 2_000.5),
        };
        Throughput {
            concurrency,
            client: ratios(client),
            control: ratios(control),
        }
    }

    #[test]
    fn raw_request_ids_are_distinct_version_4_uuids() {
        let ids = (0..1000).map(|_| request_id()).collect::<Vec<_>>();
        for id in &ids {
            let uuid = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(uuid.get_version_num(), 4, "{id}");
            assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122, "{id}");
            assert_eq!(id, &uuid.hyphenated().to_string());
        }
        let distinct = ids.iter().collect::<std::collections::HashSet<_>>();
        assert_eq!(distinct.len(), ids.len());
    }

    #[test]
    fn a_process_line_reads_back_as_written() {
        let written = [figure(1, 0.9731, 1.0042), figure(64, 1.25, 0.875)];
        let text = written.iter().map(|t| t.line() + "\n").collect::<String>();
        let read = parse_lines(&text).unwrap();
        assert_eq!(read.len(), 2);
        for (read, written) in read.iter().zip(&written) {
            assert_eq!(read.line(), written.line());
        }
        assert!(parse_lines("1 0.9 0.8").is_err());
        assert!(parse_lines("x 1 2 3 4 5 6 7 8 9 10").is_err());
    }

    #[test]
    fn the_figure_is_the_median_of_the_processes_with_their_range() {
        let processes = [0.95, 1.01, 0.97]
            .map(|client| vec![figure(1, client, 1.0), figure(64, client + 0.01, 0.99)]);
        let figures = pooled(&processes).unwrap();
        assert_eq!(figures.len(), 2);
        assert_eq!(figures[0].concurrency, 1);
        assert_eq!(figures[0].client.median, 0.97);
        assert_eq!((figures[0].client.min, figures[0].client.max), (0.95, 1.01));
        assert_eq!(figures[0].client.rates.0, 970.0);
        assert_eq!(figures[1].concurrency, 64);
        assert!((figures[1].client.median - 0.98).abs() < 1e-9);
        assert_eq!(figures[1].control.median, 0.99);

        // The rates shown are the median process's, whose ratio is the figure's, even where
        // each side's median rate comes from another process.
        let process = |median: f64, raw: f64, client: f64| {
            let ratios = Ratios {
                median,
                min: median,
                max: median,
                rates: (raw, client),
            };
            vec![Throughput {
                concurrency: 1,
                client: ratios,
                control: ratios,
            }]
        };
        let figures = pooled(&[
            process(0.99, 900.0, 891.0),
            process(1.01, 1_000.0, 1_010.0),
            process(1.03, 880.0, 906.4),
        ])
        .unwrap();
        assert_eq!(figures[0].client.median, 1.01);
        assert_eq!(figures[0].client.rates, (1_000.0, 1_010.0));

        let mismatched = [vec![figure(1, 1.0, 1.0)], vec![figure(64, 1.0, 1.0)]];
        assert!(pooled(&mismatched).is_err());
        assert!(pooled(&[]).is_err());
    }
}
