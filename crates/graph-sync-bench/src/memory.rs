//! Figure (g), the memory of a hostile page: the peak RSS of `graph-sync jobs list` when the
//! server answers one page of 15 MiB of small jobs (issue 10: it once peaked at 1.4 GB), against
//! a baseline measured in the same run, the same command on a page of one job.
//!
//! The server is a loopback HTTP/1.1 server that answers every request with the page; the
//! command is the release `graph-sync` binary next to this one (`cargo xtask bench` builds
//! it), run as a child process. Its peak resident set size is `VmHWM` from
//! `/proc/<pid>/status`, read every millisecond while it runs: `VmHWM` is a high-water mark,
//! so the last reading is the peak unless the process grew in its final millisecond (the
//! readings are a lower bound by at most that). No `unsafe` and no libc call are needed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The size of the hostile page: 15 MiB, under the transport's 16 MiB response cap.
pub(crate) const PAGE_BYTES: usize = 15 * 1024 * 1024;

/// A service principal id for the command line (any GUID: the server answers anything).
const SP: &str = "3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6";

/// What the figure measured.
#[derive(Debug, Clone)]
pub(crate) enum PageMemory {
    Measured(Measured),
    /// Why it was not measured (no `graph-sync` binary, no `/proc`).
    Skipped(String),
}

/// The two runs of `graph-sync jobs list`.
#[derive(Debug, Clone)]
pub(crate) struct Measured {
    /// The hostile page's size in bytes and how many jobs it holds.
    pub(crate) page_bytes: usize,
    pub(crate) page_jobs: usize,
    /// Peak RSS on the hostile page, KiB, and the command's exit code.
    pub(crate) peak_kib: u64,
    pub(crate) exit: Option<i32>,
    /// Peak RSS on the one-job page, KiB.
    pub(crate) baseline_kib: u64,
    /// Readings of `VmHWM` taken on the hostile page.
    pub(crate) samples: usize,
}

impl Measured {
    /// The peak over the baseline, divided by the page's size.
    pub(crate) fn growth_per_page_byte(&self) -> f64 {
        self.peak_kib.saturating_sub(self.baseline_kib) as f64 * 1024.0 / self.page_bytes as f64
    }

    pub(crate) fn peak_mib(&self) -> f64 {
        self.peak_kib as f64 / 1024.0
    }

    pub(crate) fn baseline_mib(&self) -> f64 {
        self.baseline_kib as f64 / 1024.0
    }
}

/// A page of small jobs (`{"id":"scim.0000001","templateId":"scim"}`), padded with spaces to
/// exactly `bytes` bytes; returns it and how many jobs it holds.
pub(crate) fn page_of_small_jobs(bytes: usize) -> (Vec<u8>, usize) {
    let mut page = String::with_capacity(bytes);
    page.push_str(r#"{"value":["#);
    let end = "]}";
    let mut jobs = 0_usize;
    loop {
        let job = format!(r#"{{"id":"scim.{jobs:07}","templateId":"scim"}}"#);
        let separator = usize::from(jobs > 0);
        if page.len() + separator + job.len() + end.len() > bytes {
            break;
        }
        if jobs > 0 {
            page.push(',');
        }
        page.push_str(&job);
        jobs += 1;
    }
    page.push_str(end);
    while page.len() < bytes {
        page.push(' ');
    }
    (page.into_bytes(), jobs)
}

/// Serves `body` as the answer to every request on a loopback port; returns the Graph root URL.
async fn serve(body: Arc<Vec<u8>>) -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen on loopback: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("no local address: {e}"))?;
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let body = Arc::clone(&body);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0_u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => head.extend_from_slice(&buffer[..read]),
                    }
                }
                let header = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(header.as_bytes()).await;
                let _ = socket.write_all(&body).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    Ok(format!("http://{address}/v1.0"))
}

/// The `graph-sync` binary next to this benchmark's (same profile).
fn graph_sync_binary() -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| format!("no current executable: {e}"))?;
    let binary = me
        .parent()
        .ok_or("the benchmark has no directory")?
        .join(format!("graph-sync{}", std::env::consts::EXE_SUFFIX));
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "no {} (build it: cargo build --release -p graph-sync-cli)",
            binary.display()
        ))
    }
}

/// `VmHWM` of process `pid`, KiB; `None` once it has exited.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Runs `graph-sync jobs list` against `root`; returns the last `VmHWM` reading, how many
/// readings were taken and the exit code.
fn run_list(binary: &Path, root: &str) -> Result<(u64, usize, Option<i32>), String> {
    let mut child = Command::new(binary)
        .args([
            "--graph-url",
            root,
            "--no-retry",
            "jobs",
            "list",
            "--sp",
            SP,
        ])
        .env("GRAPH_SYNC_TOKEN", "bench-token")
        .env_remove("GRAPH_SYNC_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let pid = child.id();
    let started = Instant::now();
    let (mut peak, mut samples) = (0, 0_usize);
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak = peak.max(kib);
            samples += 1;
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > Duration::from_secs(300) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("graph-sync jobs list ran for over 5 minutes".to_owned());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(1)),
            Err(error) => return Err(format!("cannot wait for graph-sync: {error}")),
        }
    };
    if samples == 0 {
        return Err(format!("no VmHWM in /proc/{pid}/status"));
    }
    Ok((peak, samples, status.code()))
}

/// Measures figure (g); a missing binary or `/proc` makes it [`PageMemory::Skipped`].
pub(crate) async fn run(page_bytes: usize) -> Result<PageMemory, String> {
    let binary = match graph_sync_binary() {
        Ok(binary) => binary,
        Err(why) => return Ok(PageMemory::Skipped(why)),
    };
    if !Path::new("/proc/self/status").is_file() {
        return Ok(PageMemory::Skipped(
            "no /proc/<pid>/status on this OS".to_owned(),
        ));
    }
    let (page, page_jobs) = page_of_small_jobs(page_bytes);
    let hostile = serve(Arc::new(page)).await?;
    let (one, _) = page_of_small_jobs(64);
    let small = serve(Arc::new(one)).await?;
    let measure = move |root: String| {
        let binary = binary.clone();
        tokio::task::spawn_blocking(move || run_list(&binary, &root))
    };
    let (baseline_kib, _, _) = measure(small.clone())
        .await
        .map_err(|e| format!("baseline run: {e}"))??;
    let (peak_kib, samples, exit) = measure(hostile)
        .await
        .map_err(|e| format!("hostile page run: {e}"))??;
    Ok(PageMemory::Measured(Measured {
        page_bytes,
        page_jobs,
        peak_kib,
        exit,
        baseline_kib,
        samples,
    }))
}

/// The figure in one line.
pub(crate) fn line(figure: &PageMemory) -> String {
    match figure {
        PageMemory::Skipped(why) => format!("(g) page memory: skipped: {why}"),
        PageMemory::Measured(m) => format!(
            "(g) page memory: graph-sync jobs list on a {:.1} MiB page of {} jobs: peak RSS \
             {:.1} MiB (exit {}), baseline (1 job) {:.1} MiB; growth {:.2} bytes per page byte \
             ({} VmHWM readings)",
            m.page_bytes as f64 / 1_048_576.0,
            m.page_jobs,
            m.peak_mib(),
            exit(m.exit),
            m.baseline_mib(),
            m.growth_per_page_byte(),
            m.samples
        ),
    }
}

fn exit(code: Option<i32>) -> String {
    code.map_or_else(|| "by a signal".to_owned(), |code| code.to_string())
}

/// The report's section.
pub(crate) fn markdown(figure: &PageMemory, command: &str) -> String {
    let mut md = String::from("## (g) Memory of a hostile page\n\n");
    match figure {
        PageMemory::Skipped(why) => md.push_str(&format!("Not measured: {why}.\n")),
        PageMemory::Measured(m) => {
            md.push_str(&format!(
                "| `graph-sync jobs list` against | peak RSS | exit |\n|---|---|---|\n\
                 | a page of one job (baseline) | {:.1} MiB | 0 |\n\
                 | a {:.1} MiB page of {} small jobs | {:.1} MiB | {} |\n\
                 | growth over the baseline per byte of the page | **{:.2}** | |\n\n",
                m.baseline_mib(),
                m.page_bytes as f64 / 1_048_576.0,
                m.page_jobs,
                m.peak_mib(),
                exit(m.exit),
                m.growth_per_page_byte()
            ));
            md.push_str(&format!(
                "The release `graph-sync` binary runs `jobs list --sp ID` as a child process \
                 against a loopback server that answers with one page of small jobs \
                 (`{{\"id\":\"scim.0000001\",\"templateId\":\"scim\"}}`, padded to the size \
                 shown; the transport's response cap is 16 MiB), then against a page of one \
                 job. Peak RSS is `VmHWM` from `/proc/<pid>/status` of the child, read every \
                 millisecond until it exits ({} readings on the big page; a high-water mark, \
                 so the last reading is the peak). A page of more than 10,000 items is refused \
                 as it is decoded (`MAX_PAGE_ITEMS`; Graph's pages hold at most 999), so the \
                 command ends with a decode error (exit 1) having held at most that many jobs. \
                 Before that bound, the same page made `jobs list` peak at 1.4 GB (issue 10).\n\n\
                 ```sh\n{command}\n```\n",
                m.samples
            ));
        }
    }
    md
}

/// Fails when the command panicked or was killed (hostile input must end in an error).
pub(crate) fn check(figure: &PageMemory) -> Result<(), String> {
    match figure {
        PageMemory::Measured(m) if m.exit == Some(101) || m.exit.is_none() => Err(format!(
            "graph-sync jobs list on the hostile page ended with {}",
            exit(m.exit)
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_exactly_its_size_and_valid_json() {
        for bytes in [64, 1_000, 100_003] {
            let (page, jobs) = page_of_small_jobs(bytes);
            assert_eq!(page.len(), bytes);
            let value: serde_json::Value = serde_json::from_slice(&page).unwrap();
            assert_eq!(value["value"].as_array().unwrap().len(), jobs);
            assert!(jobs >= 1);
        }
    }

    #[test]
    fn growth_is_measured_over_the_baseline() {
        let m = Measured {
            page_bytes: 1024 * 1024,
            page_jobs: 1,
            peak_kib: 3 * 1024,
            exit: Some(0),
            baseline_kib: 1024,
            samples: 5,
        };
        assert!((m.growth_per_page_byte() - 2.0).abs() < 1e-9);
        assert!(check(&PageMemory::Measured(m.clone())).is_ok());
        let figure = PageMemory::Measured(m.clone());
        assert!(line(&figure).contains("growth 2.00 bytes per page byte"));
        assert!(markdown(&figure, "cargo xtask bench page-memory").contains("**2.00**"));
        let panicked = Measured {
            exit: Some(101),
            ..m
        };
        assert!(check(&PageMemory::Measured(panicked)).is_err());
    }
}
