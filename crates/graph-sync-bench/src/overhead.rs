//! Figure (a): what the client adds on top of the HTTP stack it drives.
//!
//! A minimal axum server on loopback answers every request `204`. The same
//! `PUT …/synchronization/secrets` (same URL, headers and body) is sent by the graph-sync
//! client (validation, serialization, token, headers, retry policy, status mapping) and by raw
//! reqwest, at concurrency 1 and 64, in alternating rounds; the medians are compared. The raw
//! side does per request what any caller must: format the URL and serialize the same
//! `Secrets` value to JSON (serde_json); everything else the client does is its overhead.
//!
//! The rounds are short (a fraction of a second) and many: the machine's speed drifts over
//! seconds (a shared virtual machine's more than most), and a pair of short rounds sees the
//! same machine. The same rounds run raw reqwest against itself, a control whose ratio would be
//! 1 on a machine without noise: its distance from 1 is what the figure can resolve.

use std::sync::Arc;
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

pub(crate) async fn run(sizes: Sizes) -> Result<Vec<Throughput>, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = tokio::spawn(async move { axum::serve(listener, app()).await });

    let target = Target::new(format!("http://{addr}/v1.0"))?;

    let mut figures = Vec::new();
    for (concurrency, n) in [(1, sizes.overhead_serial), (64, sizes.overhead_parallel)] {
        // Warm up both: connections, pools, allocator.
        for side in [Side::Raw, Side::Client] {
            target.measure(side, concurrency, n.max(500)).await?;
        }
        let client = target
            .compare(
                Side::Raw,
                Side::Client,
                concurrency,
                n,
                sizes.overhead_rounds,
            )
            .await?;
        let control = target
            .compare(Side::Raw, Side::Raw, concurrency, n, sizes.overhead_rounds)
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
                    .header("client-request-id", uuid::Uuid::new_v4().to_string())
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

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}
