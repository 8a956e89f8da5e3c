//! Figure (f): instructions per request, counted by callgrind, which counts the same on a busy
//! machine as on a quiet one (the throughput figure (a) moves with the machine's load).
//!
//! The minimal `204` server of figure (a) runs in a child process (`graph-sync-bench
//! serve-204`). For each side (graph-sync client, raw reqwest; the identical request of
//! [`Target::once`](crate::overhead::Target::once)) and each of two request counts, a client
//! process (`graph-sync-bench instructions-client SIDE N ROOT`, single-threaded tokio runtime)
//! runs under `valgrind --tool=callgrind`; its total instruction count is read from the
//! callgrind output. The difference between the two counts over the difference of the `N`s is
//! the marginal cost of one request: process start-up, runtime, TLS configuration and the first
//! connection cancel out.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};

use crate::overhead::{Side, Target, app};

/// The instruction-ratio goal from the issue.
const GOAL: f64 = 1.05;

/// Request counts of the two measurements.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counts {
    /// The smaller request count.
    pub(crate) small: u64,
    /// The larger request count.
    pub(crate) large: u64,
}

impl Counts {
    /// The counts of `cargo xtask bench`.
    pub(crate) const FULL: Self = Self {
        small: 200,
        large: 1_000,
    };
    /// A smoke test's counts.
    pub(crate) const QUICK: Self = Self {
        small: 5,
        large: 25,
    };
}

/// The figure, or why it was not measured.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Counted.
    Measured(Figure),
    /// valgrind is not installed.
    Skipped(String),
}

/// Marginal instructions per request of each side.
#[derive(Debug)]
pub(crate) struct Figure {
    counts: Counts,
    raw: f64,
    client: f64,
    /// The callgrind output of the graph-sync side at the larger count, for `callgrind_annotate`.
    client_profile: PathBuf,
}

impl Figure {
    fn ratio(&self) -> f64 {
        self.client / self.raw
    }

    /// One line for the terminal.
    pub(crate) fn line(&self) -> String {
        format!(
            "(f) instructions/request: client {:.0}, raw {:.0}, ratio {:.3} (goal ≤ {GOAL}, {}); \
             profile: callgrind_annotate {}",
            self.client,
            self.raw,
            self.ratio(),
            if self.ratio() <= GOAL {
                "met"
            } else {
                "MISSED"
            },
            self.client_profile.display()
        )
    }
}

/// Counts both sides at both request counts.
pub(crate) fn run(counts: Counts) -> Result<Outcome, String> {
    match Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(status) if status.success() => {}
        _ => {
            return Ok(Outcome::Skipped(
                "valgrind not found: install it (e.g. `apt-get install valgrind`) to count \
                 instructions per request"
                    .to_owned(),
            ));
        }
    }
    if counts.large <= counts.small {
        return Err("the larger request count must exceed the smaller".to_owned());
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let dir =
        std::env::temp_dir().join(format!("graph-sync-bench-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let server = Server::start(&exe)?;
    let root = format!("http://{}/v1.0", server.addr);
    let marginal = |side: &str| -> Result<f64, String> {
        let small = count(&exe, &dir, side, counts.small, &root)?;
        let large = count(&exe, &dir, side, counts.large, &root)?;
        let extra = large.checked_sub(small).ok_or_else(|| {
            format!("{side}: {large} instructions for more requests than {small}")
        })?;
        Ok(extra as f64 / (counts.large - counts.small) as f64)
    };
    let raw = marginal("raw")?;
    let client = marginal("client")?;
    drop(server);
    Ok(Outcome::Measured(Figure {
        counts,
        raw,
        client,
        client_profile: profile_path(&dir, "client", counts.large),
    }))
}

fn profile_path(dir: &Path, side: &str, n: u64) -> PathBuf {
    dir.join(format!("callgrind.{side}.{n}.out"))
}

/// Runs one client process under callgrind and returns its total instruction count.
fn count(exe: &Path, dir: &Path, side: &str, n: u64, root: &str) -> Result<u64, String> {
    let out = profile_path(dir, side, n);
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe)
        .args(["instructions-client", side, &n.to_string(), root])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start valgrind: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "callgrind run of {side} × {n} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text =
        std::fs::read_to_string(&out).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
    text.lines()
        .find_map(|line| {
            line.strip_prefix("totals:")
                .or_else(|| line.strip_prefix("summary:"))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|total| total.parse().ok())
        .ok_or_else(|| format!("no instruction total in {}", out.display()))
}

/// The `204` server in a child process, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(exe: &Path) -> Result<Self, String> {
        let mut child = Command::new(exe)
            .arg("serve-204")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the server process: {e}"))?;
        let mut line = String::new();
        let read = child
            .stdout
            .take()
            .map(|stdout| BufReader::new(stdout).read_line(&mut line));
        let addr = line.trim().to_owned();
        let server = Self { child, addr };
        match read {
            Some(Ok(_)) if !server.addr.is_empty() => Ok(server),
            _ => Err("the server process did not print its address".to_owned()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Best effort: the child may already have exited.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `graph-sync-bench serve-204`: serves figure (a)'s app on a loopback port and prints the
/// address on the first line of stdout.
pub(crate) async fn serve() -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("{addr}");
    axum::serve(listener, app())
        .await
        .map_err(|e| e.to_string())
}

/// `graph-sync-bench instructions-client SIDE N ROOT`: `N` round trips by one side, on a
/// single-threaded runtime (no worker threads spinning into the count).
pub(crate) fn client(args: &[String]) -> ExitCode {
    let outcome = (|| {
        let [side, n, root] = args else {
            return Err("usage: instructions-client raw|client N ROOT".to_owned());
        };
        let side = match side.as_str() {
            "raw" => Side::Raw,
            "client" => Side::Client,
            other => return Err(format!("unknown side `{other}`")),
        };
        let n: u64 = n.parse().map_err(|_| format!("not a count: `{n}`"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
        runtime.block_on(async {
            let target = Target::new(root.clone())?;
            for _ in 0..n {
                target.once(side).await?;
            }
            Ok(())
        })
    })();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The terminal's line.
pub(crate) fn line(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Measured(figure) => figure.line(),
        Outcome::Skipped(why) => format!("(f) instructions: skipped: {why}"),
    }
}

/// The Markdown section of `docs/benchmarks.md`.
pub(crate) fn markdown(outcome: &Outcome, command: &str) -> String {
    let mut md = String::from("## (f) Instructions per request\n\n");
    match outcome {
        Outcome::Skipped(why) => md.push_str(&format!("Not measured: {why}.\n")),
        Outcome::Measured(f) => {
            md.push_str(&format!(
                "| side | instructions per request |\n|---|---|\n\
                 | graph-sync client | {:.0} |\n| raw reqwest | {:.0} |\n\
                 | ratio client/raw | **{:.3}** (goal ≤ {GOAL}: {}) |\n\n",
                f.client,
                f.raw,
                f.ratio(),
                if f.ratio() <= GOAL { "met" } else { "MISSED" }
            ));
            md.push_str(&format!(
                "The request of (a) (`PUT …/servicePrincipals/{{id}}/synchronization/secrets`, same \
                 URL, headers, body and reqwest settings on both sides; the client over \
                 `ReqwestTransport` with a static token), sent serially by a client process on a \
                 single-threaded tokio runtime under `valgrind --tool=callgrind` to (a)'s `204` \
                 server in another process. Each side runs {} and {} requests; instructions per \
                 request = (count at {} − count at {}) / {}, so process start-up, TLS \
                 configuration and the first connection cancel out. Instruction counts do not \
                 depend on the machine's load.\n\n\
                 ```sh\n{command}\n```\n",
                f.counts.small,
                f.counts.large,
                f.counts.large,
                f.counts.small,
                f.counts.large - f.counts.small
            ));
        }
    }
    md
}
