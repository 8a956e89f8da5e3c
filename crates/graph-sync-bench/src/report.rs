//! The table printed at the end of a run and the Markdown written to `docs/benchmarks.md`.

use std::fmt::Write as _;

use crate::Sizes;
use crate::faults::Faults;
use crate::machine::Machine;
use crate::overhead::Throughput;
use crate::throttled::{BulkRun, Throttled};

/// Goals from the issue.
const OVERHEAD_GOAL: f64 = 0.95;
const BULK_GOAL: f64 = 1.10;
const RSS_GOAL_MIB: f64 = 50.0;

pub(crate) struct Report {
    pub(crate) machine: Machine,
    pub(crate) command: &'static str,
    pub(crate) sizes: Sizes,
    pub(crate) overhead: Vec<Throughput>,
    pub(crate) throttled: Throttled,
    pub(crate) faults: Faults,
}

fn mark(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

impl Report {
    fn rss_mib(&self) -> f64 {
        self.throttled.peak_rss_kib as f64 / 1024.0
    }

    /// The rows: figure, measurement, goal, verdict.
    fn rows(&self) -> Vec<[String; 4]> {
        let mut rows = Vec::new();
        for t in &self.overhead {
            rows.push([
                format!("(a) overhead, concurrency {}", t.concurrency),
                format!(
                    "client/raw throughput {:.3} (medians {:.0} vs {:.0} req/s)",
                    t.ratio(),
                    t.client_per_s,
                    t.raw_per_s
                ),
                format!("≥ {OVERHEAD_GOAL}"),
                mark(t.ratio() >= OVERHEAD_GOAL).to_owned(),
            ]);
        }
        let bulk = |name: &str, run: &BulkRun, goal: bool| {
            [
                format!("(b) throttled bulk, {name}"),
                format!(
                    "{} ops in {:.2} s, ideal {:.2} s: ratio {:.3}; failures {}; 429s/op {:.3}",
                    run.operations,
                    run.wall.as_secs_f64(),
                    run.ideal.as_secs_f64(),
                    run.ratio(),
                    run.failures,
                    run.throttled_per_op()
                ),
                if goal {
                    format!("≤ {BULK_GOAL}, 0 failures")
                } else {
                    "comparison".to_owned()
                },
                if goal {
                    mark(run.ratio() <= BULK_GOAL && run.failures == 0).to_owned()
                } else {
                    "-".to_owned()
                },
            ]
        };
        rows.push(bulk("graph-sync", &self.throttled.graph_sync, true));
        rows.push(bulk("Kiota-style", &self.throttled.kiota, false));
        let f = &self.faults;
        let failed: usize = f.errors.iter().map(|(_, n)| n).sum();
        rows.push([
            "(c) faults".to_owned(),
            format!(
                "{} ops in {:.2} s, {} faults in {} requests: {} succeeded, {} clear errors; \
                 applied twice: {} idempotent, {} non-idempotent",
                f.operations,
                f.wall.as_secs_f64(),
                f.faults_injected,
                f.requests,
                f.succeeded,
                failed,
                f.applied_again - f.non_idempotent_applied_again,
                f.non_idempotent_applied_again
            ),
            "all end; 0 non-idempotent twice".to_owned(),
            mark(f.succeeded + failed == f.operations && f.non_idempotent_applied_again == 0)
                .to_owned(),
        ]);
        rows.push([
            "(d) memory".to_owned(),
            format!("peak RSS of the bulk client {:.1} MiB", self.rss_mib()),
            format!("≤ {RSS_GOAL_MIB} MB"),
            mark(self.rss_mib() <= RSS_GOAL_MIB).to_owned(),
        ]);
        rows
    }

    pub(crate) fn table(&self) -> String {
        let rows = self.rows();
        let mut text = String::new();
        for [figure, value, goal, verdict] in &rows {
            let _ = writeln!(text, "{figure:<34} {verdict:<7} {value}  (goal {goal})");
        }
        text
    }

    pub(crate) fn markdown(&self) -> String {
        let m = &self.machine;
        let s = &self.sizes;
        let t = &self.throttled;
        let mut md = String::from("# Benchmarks\n\n");
        let _ = writeln!(
            md,
            "Written by `{}` (the `graph-sync-bench` crate, built in release mode). Every figure \
             is a ratio or a count measured in one run, so the comparisons hold on any machine; \
             absolute request rates are shown for context only.\n",
            self.command
        );
        let _ = writeln!(md, "## Machine\n");
        let _ = writeln!(md, "| | |\n|---|---|");
        let _ = writeln!(md, "| date | {} |", m.date);
        let _ = writeln!(md, "| cores | {} |", m.cores);
        let _ = writeln!(md, "| memory | {} |", m.memory);
        let _ = writeln!(md, "| OS | {} |", m.os);
        let _ = writeln!(md, "| rustc | {} |\n", m.rustc);
        let _ = writeln!(md, "## Figures\n");
        let _ = writeln!(md, "| figure | result | goal | |\n|---|---|---|---|");
        for [figure, value, goal, verdict] in self.rows() {
            let _ = writeln!(md, "| {figure} | {value} | {goal} | {verdict} |");
        }
        let _ = writeln!(md, "\n## What was measured\n");
        let _ = writeln!(
            md,
            "- **(a) overhead**: `PUT …/synchronization/secrets` over loopback against a minimal \
             axum server that answers `204`. The graph-sync client (validation, serialization, \
             token, headers, retry policy, status mapping, `ReqwestTransport`) against raw \
             reqwest sending the identical request (same URL, headers and body; per request it \
             formats the URL and serializes the same `Secrets` value with serde_json, as any \
             caller must), with the same reqwest settings as `ReqwestTransport`'s defaults \
             (no redirects, 10 s connect timeout, 100 s timeout, 90 s pool idle timeout). \
             Rounds of {} requests at \
             concurrency 1 and of {} at concurrency 64, {} rounds each, the two sides \
             alternating which goes first; the figure is the median of the rounds' ratios \
             (the request rates shown are the medians of each side).",
            s.overhead_serial, s.overhead_parallel, s.overhead_rounds
        );
        let _ = writeln!(
            md,
            "- **(b) throttled bulk**: the emulator throttles each client at R = {} requests/s \
             (token bucket, bursts of {}; `Retry-After` is the time the bucket needs to refill, \
             fractional). graph-sync: {} PUTs through `Bulk` (concurrency 64, default \
             `RetryConfig`, shared throttle gate). Ideal = N / R. Kiota-style: {} PUTs, \
             concurrency 64, each operation retrying on its own like the official SDKs' \
             RetryHandler (3 retries; `Retry-After` only when it is whole seconds, as .NET reads \
             it, else 3 s × 2^n; no shared throttle awareness). 429s/op = throttled answers in \
             the emulator's log / operations.",
            t.rate, t.burst, t.graph_sync.operations, t.kiota.operations
        );
        let _ = writeln!(
            md,
            "- **(c) faults**: {} operations (half PUT secrets, a quarter GET synchronization, \
             a quarter POST `…/jobs/{{id}}/pause`, which is not idempotent) through `Bulk` with \
             the default policy, while the emulator injects a fault into 10% of requests \
             (seeded): 503 with and without `Retry-After`, 504, connection reset before and \
             after the request is read, slow answer, truncated body. The log check groups \
             requests that reached the handler by `client-request-id`: a PUT may be applied \
             twice (a reset after it was applied, then the retry), a POST never — a POST whose \
             connection broke after it may have been applied ends in an error that says so \
             (listed below) instead of being repeated.",
            self.faults.operations
        );
        if !self.faults.errors.is_empty() {
            let _ = writeln!(md, "\n  Errors:\n");
            for (error, count) in &self.faults.errors {
                let _ = writeln!(md, "  - {count} × {error}");
            }
        }
        let _ = writeln!(
            md,
            "- **(d) memory**: `VmHWM` from `/proc/self/status` of the process that ran the \
             graph-sync side of (b) (the emulator runs in the parent process).\n"
        );
        let _ = writeln!(md, "## Reproduce\n\n```sh\n{}\n```", self.command);
        md
    }

    /// Fails the run when a correctness figure is wrong (speed goals are reported, not
    /// enforced: they depend on the machine's load).
    pub(crate) fn check(&self) -> Result<(), String> {
        let f = &self.faults;
        let failed: usize = f.errors.iter().map(|(_, n)| n).sum();
        if f.succeeded + failed != f.operations {
            return Err("some fault-run operations produced no result".to_owned());
        }
        if f.non_idempotent_applied_again > 0 {
            return Err(format!(
                "{} non-idempotent requests reached the emulator twice",
                f.non_idempotent_applied_again
            ));
        }
        if self.throttled.graph_sync.failures > 0 {
            return Err(format!(
                "{} throttled bulk operations failed",
                self.throttled.graph_sync.failures
            ));
        }
        Ok(())
    }
}
