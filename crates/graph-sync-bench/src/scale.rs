//! The scale figure: figures (b) and (d) at 5,000 and at 50,000 operations. The emulator
//! throttles the client at one rate (burst R/10, fractional `Retry-After`), the bulk client runs
//! in a process of its own (as in (b)) with the default retry policy, and each run reports its
//! wall time over the ideal N / R and its peak RSS. At ten times the operations, the ratio to
//! the ideal must hold (≤ 1.02) and the memory stay flat (≤ 1.1× the smaller run's).

use std::fmt::Write as _;

use graph_sync_emulator::Emulator;

use crate::Sizes;
use crate::overhead::register;
use crate::throttled::{BulkRun, bulk_client, load_average, measure};

/// The goals from the issue.
const RATIO_GOAL: f64 = 1.02;
const RSS_GROWTH_GOAL: f64 = 1.1;

/// One run of the scale figure.
#[derive(Debug, Clone)]
pub(crate) struct ScaleRun {
    pub(crate) run: BulkRun,
    pub(crate) peak_rss_kib: u64,
    /// The 1-minute load average before and after the run.
    pub(crate) load: (String, String),
}

/// The figure.
#[derive(Debug, Clone)]
pub(crate) struct Scale {
    rate: f64,
    concurrency: usize,
    runs: Vec<ScaleRun>,
}

pub(crate) async fn run(sizes: &Sizes) -> Result<Scale, String> {
    let most = sizes.scale_ops.iter().copied().max().unwrap_or(0);
    let emulator = Emulator::new();
    register(&emulator, most, '5')?;
    let running = emulator.start().await.map_err(|e| e.to_string())?;
    let root = running.graph_root();
    let (rate, concurrency) = (sizes.scale_rate, sizes.scale_concurrency);
    let mut runs = Vec::new();
    for &n in sizes.scale_ops {
        println!("graph-sync-bench: scale R={rate}/s C={concurrency} N={n} …");
        let before = load_average();
        let (run, peak_rss_kib) = measure(&emulator, rate, n, |token| {
            bulk_client(&root, n, concurrency, token)
        })
        .await?;
        runs.push(ScaleRun {
            run,
            peak_rss_kib,
            load: (before, load_average()),
        });
    }
    running.shutdown().await;
    Ok(Scale {
        rate,
        concurrency,
        runs,
    })
}

impl Scale {
    /// The largest run's peak RSS over the smallest's.
    fn rss_growth(&self) -> Option<f64> {
        let first = self.runs.first()?;
        let last = self.runs.last()?;
        Some(last.peak_rss_kib as f64 / first.peak_rss_kib.max(1) as f64)
    }

    fn met(&self) -> bool {
        self.runs
            .iter()
            .all(|r| r.run.failures == 0 && r.run.ratio() <= RATIO_GOAL)
            && self.rss_growth().is_some_and(|g| g <= RSS_GROWTH_GOAL)
    }

    /// The terminal's line.
    pub(crate) fn line(&self) -> String {
        let runs: Vec<String> = self
            .runs
            .iter()
            .map(|r| {
                format!(
                    "N={} {:.3}× ideal, {} failed, {:.1} MiB",
                    r.run.operations,
                    r.run.ratio(),
                    r.run.failures,
                    r.peak_rss_kib as f64 / 1024.0
                )
            })
            .collect();
        format!(
            "(b, d) at scale (R={}/s, C={}): {}; RSS growth {:.2}× (goals ≤ {RATIO_GOAL}, ≤ \
             {RSS_GROWTH_GOAL}×: {})",
            self.rate,
            self.concurrency,
            runs.join("; "),
            self.rss_growth().unwrap_or(f64::NAN),
            if self.met() { "met" } else { "MISSED" }
        )
    }

    /// The Markdown section.
    pub(crate) fn markdown(&self, command: &str) -> String {
        let mut md = String::from("## (b) and (d) at scale\n\n");
        md.push_str(
            "| N | wall s | ideal s | wall/ideal | failures | 429s/op | p50 / p99 ms | peak RSS MiB \
             | load average before → after |\n|---|---|---|---|---|---|---|---|---|\n",
        );
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        for r in &self.runs {
            let _ = writeln!(
                md,
                "| {} | {:.2} | {:.2} | {:.4} | {} | {:.3} | {:.0} / {:.0} | {:.1} | {} → {} |",
                r.run.operations,
                r.run.wall.as_secs_f64(),
                r.run.ideal.as_secs_f64(),
                r.run.ratio(),
                r.run.failures,
                r.run.throttled_per_op(),
                ms(r.run.p50),
                ms(r.run.p99),
                r.peak_rss_kib as f64 / 1024.0,
                r.load.0,
                r.load.1,
            );
        }
        let _ = writeln!(
            md,
            "\nGoals: wall/ideal ≤ {RATIO_GOAL} at every N, 0 failures, and peak RSS at the largest N \
             ≤ {RSS_GROWTH_GOAL}× the smallest's: growth {:.2}×, **{}**.\n\n\
             The emulator throttles the client at R = {}/s (token bucket, burst R/10, fractional \
             `Retry-After`); the client PUTs secrets for N service principals through `Bulk` \
             (concurrency {}, default `RetryConfig`) in a process of its own, as in (b); ideal = \
             N / R; peak RSS = that process's `VmHWM`, as in (d).\n\n```sh\n{command}\n```",
            self.rss_growth().unwrap_or(f64::NAN),
            if self.met() { "met" } else { "MISSED" },
            self.rate,
            self.concurrency,
        );
        md
    }

    /// Fails when an operation failed (a correctness figure); the speed and memory goals are
    /// reported, not enforced.
    pub(crate) fn check(&self) -> Result<(), String> {
        match self.runs.iter().find(|r| r.run.failures > 0) {
            Some(r) => Err(format!(
                "{} of {} operations failed at scale (first: {})",
                r.run.failures,
                r.run.operations,
                r.run.first_failure.clone().unwrap_or_default()
            )),
            None => Ok(()),
        }
    }
}
