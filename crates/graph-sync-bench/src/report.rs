//! The table printed at the end of a run and the Markdown written to `docs/benchmarks.md`:
//! a header (what the figures are, the machine) and one section per [`Part`], between markers
//! (`<!-- bench:NAME -->` … `<!-- /bench:NAME -->`) so that a run of one part rewrites its own
//! section and leaves the others as they were measured.

use std::fmt::Write as _;

use crate::faults::Faults;
use crate::machine::Machine;
use crate::overhead::Throughput;
use crate::throttled::{BulkRun, Cell, LEARNING, SDK_VERSION, Throttled};
use crate::{Part, Sizes};

/// Goals from the issues (the throughput ratio's is issue 14's: ≥ 0.98, in three consecutive
/// runs; the first benchmark's goal was 0.95).
const OVERHEAD_GOAL: f64 = 0.98;
const BULK_GOAL: f64 = 1.05;
const LEARNED_THROTTLED_GOAL: f64 = 0.05;
const RSS_GOAL_MIB: f64 = 50.0;

pub(crate) struct Report {
    pub(crate) command: String,
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
                    "client/raw throughput {:.3} (processes {:.3}–{:.3}; {:.0} vs {:.0} \
                     req/s); control raw/raw {:.3} (processes {:.3}–{:.3})",
                    t.client.median,
                    t.client.min,
                    t.client.max,
                    t.client.rates.1,
                    t.client.rates.0,
                    t.control.median,
                    t.control.min,
                    t.control.max,
                ),
                format!("≥ {OVERHEAD_GOAL}"),
                mark(t.client.median >= OVERHEAD_GOAL).to_owned(),
            ]);
        }
        let cells = &self.throttled.cells;
        let met = cells.iter().filter(|cell| meets(&cell.graph_sync)).count();
        let worst = |value: fn(&BulkRun) -> f64| {
            cells
                .iter()
                .map(|cell| value(&cell.graph_sync))
                .fold(0.0, f64::max)
        };
        rows.push([
            "(b) throttled bulk grid, graph-sync".to_owned(),
            format!(
                "{met} of {} cells meet every goal; worst wall/ideal {:.3}, worst 429s/op after {} s \
                 {:.3}, failures {}",
                cells.len(),
                worst(BulkRun::ratio),
                LEARNING.as_secs(),
                worst(BulkRun::learned_throttled_per_op),
                cells.iter().map(|cell| cell.graph_sync.failures).sum::<usize>()
            ),
            format!(
                "per cell: 0 failures, ≤ {BULK_GOAL}, 429s/op ≤ {LEARNED_THROTTLED_GOAL} after {} s",
                LEARNING.as_secs()
            ),
            mark(met == cells.len()).to_owned(),
        ]);
        rows.push([
            format!("(b) throttled bulk, msgraph-sdk {SDK_VERSION}"),
            match &self.throttled.sdk_skipped {
                Some(reason) => reason.clone(),
                None => cells
                    .iter()
                    .filter_map(|cell| {
                        cell.sdk.as_ref().map(|run| {
                            format!(
                                "R={} C={}: {:.2}, {} failed, {:.3} 429s/op",
                                cell.rate,
                                cell.concurrency,
                                run.ratio(),
                                run.failures,
                                run.throttled_per_op()
                            )
                        })
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            },
            "comparison".to_owned(),
            "-".to_owned(),
        ]);
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
        let _ = write!(text, "\n{}", grid_markdown(&self.throttled.cells));
        if let Some(shared) = &self.throttled.shared {
            let _ = write!(text, "\n{}", shared_markdown(shared));
        }
        text
    }

    /// The section of parts (a) to (d).
    pub(crate) fn markdown(&self) -> String {
        let s = &self.sizes;
        let t = &self.throttled;
        let mut md = String::from("## (a)–(d) Overhead, throttled bulk, faults, memory\n\n");
        let _ = writeln!(md, "| figure | result | goal | |\n|---|---|---|---|");
        for [figure, value, goal, verdict] in self.rows() {
            let _ = writeln!(md, "| {figure} | {value} | {goal} | {verdict} |");
        }
        let _ = writeln!(md, "\n### What was measured\n");
        let _ = writeln!(
            md,
            "- **(a) overhead**: `PUT …/synchronization/secrets` over loopback against a minimal \
             axum server that answers `204`. The graph-sync client (validation, serialization, \
             token, headers, retry policy, status mapping, `ReqwestTransport`) against raw \
             reqwest sending the identical request (same URL, headers and body; per request it \
             formats the URL and serializes the same `Secrets` value with serde_json, as any \
             caller must, and makes its `client-request-id` from a counter, without the system \
             call of `Uuid::new_v4`, which the client does not make either), with the same \
             reqwest settings as `ReqwestTransport`'s defaults (no redirects, 10 s connect \
             timeout, 100 s timeout, 90 s pool idle timeout). Rounds of {} requests at \
             concurrency 1 and of {} at concurrency 64, {} pairs of rounds each, the two sides \
             alternating which goes first; a process's figure is the median of its pairs' \
             ratios. The rounds are short because the machine's speed drifts over seconds and a \
             pair of short rounds sees the same machine. The whole comparison runs in {} \
             processes and the figure is the median of theirs, shown with the smallest and \
             largest (the request rates are the median process's): where a process's code, \
             heap and stack happen to lie (address space layout randomization) moves its ratio \
             by several points (the same build: 0.950–0.960 in three processes with \
             randomization off, one layout; 0.965–1.001 with it on), so one process measures \
             one layout and the median of several measures the client. The processor moves it \
             too: one build, its raw side then making a `Uuid::new_v4` per request, measured \
             0.969–0.988 at concurrency 1 in three runs on one machine and 1.005–1.023 in three \
             on another (family 6, model 207), so read a figure with the processor its footer \
             names. The control runs the same rounds with raw reqwest on both sides: on a \
             machine without noise it would be 1, so its distance from 1 is the resolution of \
             the figure in that run. Instruction counts ((f) below) do not move with the \
             machine.",
            s.overhead_serial, s.overhead_parallel, s.overhead_rounds, s.overhead_processes
        );
        let _ = writeln!(
            md,
            "- **(b) throttled bulk**: for each rate R and concurrency C below, the emulator \
             throttles each client (bearer token: a fresh token and fresh buckets per run) with \
             a token bucket of rate R and burst R/10; a throttled request gets `429` with the \
             fractional `Retry-After` the bucket needs to refill. graph-sync: N PUTs secrets \
             through `Bulk` (concurrency C, default `RetryConfig`), N = max({}, R × {} s), in a \
             child process. The peer, on the cells marked, is Microsoft's official Python SDK, \
             msgraph-sdk {SDK_VERSION} with its default middleware (`RetryHandler`: 3 retries, \
             `Retry-After` read only as whole seconds or a date, else 3 s exponential backoff \
             with jitter), {} PUTs through `GraphServiceClient` with an asyncio semaphore of C, in \
             a throwaway virtual environment; the same emulator, throttle and keying. Ideal = \
             N / R. 429s/op from the emulator's log: all of them, and those after the first {} s \
             (while the rate is being learned) apart. Latency per operation: from its start to \
             its result, waits included; graph-sync's percentiles come from a record of fixed \
             size (log-linear buckets, each narrower than 1/64 of its values), so that its \
             memory does not grow with N. The 1-minute load average was {} before the grid and \
             {} after it (2 cores shared with other work: the throttled figures are dominated \
             by waiting, the SDK's by its CPU).\n",
            s.min_ops,
            s.min_ideal.as_secs(),
            s.sdk_ops,
            LEARNING.as_secs(),
            t.load.0,
            t.load.1,
        );
        if let Some(reason) = &t.sdk_skipped {
            let _ = writeln!(md, "  The SDK peer was {reason}.\n");
        }
        let _ = writeln!(md, "{}", grid_markdown(&t.cells));
        if let Some(shared) = &t.shared {
            let _ = writeln!(md, "{}", shared_markdown(shared));
        }
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
        let _ = writeln!(md, "```sh\n{}\n```", self.command);
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
        let failed: usize = self
            .throttled
            .cells
            .iter()
            .map(|cell| cell.graph_sync.failures)
            .sum();
        if failed > 0 {
            let first = self
                .throttled
                .cells
                .iter()
                .find_map(|cell| cell.graph_sync.first_failure.clone())
                .unwrap_or_default();
            return Err(format!(
                "{failed} throttled bulk operations failed (first: {first})"
            ));
        }
        Ok(())
    }
}

/// Whether a graph-sync run meets the cell's goals.
fn meets(run: &BulkRun) -> bool {
    run.failures == 0
        && run.ratio() <= BULK_GOAL
        && run.learned_throttled_per_op() <= LEARNED_THROTTLED_GOAL
}

/// The grid of figure (b): one row per cell, graph-sync beside the SDK where it ran.
pub(crate) fn grid_markdown(cells: &[Cell]) -> String {
    let mut md = String::from(
        "| R/s | C | N | graph-sync wall/ideal | failures | 429s/op (first 2 s + after) | p50 / p99 ms | goals | msgraph-sdk wall/ideal | failures | 429s/op | p50 / p99 ms |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    for cell in cells {
        let g = &cell.graph_sync;
        let _ = write!(
            md,
            "| {} | {} | {} | {:.3} | {} | {:.3} + {:.4} | {:.0} / {:.0} | {} |",
            cell.rate,
            cell.concurrency,
            g.operations,
            g.ratio(),
            g.failures,
            g.throttled_learning as f64 / g.operations as f64,
            g.learned_throttled_per_op(),
            ms(g.p50),
            ms(g.p99),
            mark(meets(g)),
        );
        match &cell.sdk {
            Some(p) => {
                let _ = writeln!(
                    md,
                    " {:.2} (N={}) | {} | {:.3} | {:.0} / {:.0} |",
                    p.ratio(),
                    p.operations,
                    p.failures,
                    p.throttled_per_op(),
                    ms(p.p50),
                    ms(p.p99)
                );
            }
            None => {
                let _ = writeln!(md, " - | - | - | - |");
            }
        }
    }
    md
}

/// The shared-application run: each client's time, failures and `429`s, and the total.
pub(crate) fn shared_markdown(shared: &crate::throttled::Shared) -> String {
    let mut md = format!(
        "  **One application, one bucket** (`ThrottleConfig::per_application`, R = {}/s, burst \
         R/10; each client concurrency {}, its own token for the same application, started \
         together): all done in {:.2} s, ideal (every operation at R) {:.2} s.\n\n\
         | client | N | wall s | ops/s | failures | 429s | 429s/op |\n|---|---|---|---|---|---|---|\n",
        shared.rate,
        shared.concurrency,
        shared.wall.as_secs_f64(),
        shared.ideal().as_secs_f64(),
    );
    for client in &shared.clients {
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {:.1} | {} | {} | {:.3} |",
            client.name,
            client.operations,
            client.wall.as_secs_f64(),
            client.operations as f64 / client.wall.as_secs_f64(),
            client.failures,
            client.throttled,
            client.throttled as f64 / client.operations as f64
        );
    }
    let total: usize = shared.clients.iter().map(|c| c.throttled).sum();
    let operations: usize = shared.clients.iter().map(|c| c.operations).sum();
    let _ = writeln!(
        md,
        "| total | {operations} | {:.2} | {:.1} | {} | {total} | {:.3} |",
        shared.wall.as_secs_f64(),
        operations as f64 / shared.wall.as_secs_f64(),
        shared.clients.iter().map(|c| c.failures).sum::<usize>(),
        total as f64 / operations as f64
    );
    md
}

/// The opening marker of `part`'s section.
fn begin(part: Part) -> String {
    format!("<!-- bench:{} -->", part.name())
}

/// The closing marker of `part`'s section.
fn end(part: Part) -> String {
    format!("<!-- /bench:{} -->", part.name())
}

/// `part`'s section between its markers, with when and on which processor it was measured and
/// the load average then.
fn section(part: Part, machine: &Machine, markdown: &str) -> String {
    format!(
        "{}\n{}\n_Measured {} on {}; 1-minute load average at the end: {}._\n{}\n",
        begin(part),
        markdown.trim_end(),
        machine.date,
        machine.cpu,
        crate::throttled::load_average(),
        end(part)
    )
}

/// The report's header: what the figures are and the machine.
fn header(machine: &Machine, command: &str) -> String {
    let m = machine;
    let mut md = String::from("# Benchmarks\n\n");
    let _ = writeln!(
        md,
        "Written by `{command}` (the `graph-sync-bench` crate, built in release mode); \
         `{command} PART` measures one part ({}) and rewrites its section only. Every figure is a \
         ratio or a count measured in one run, so the comparisons hold on any machine; absolute \
         request rates and times are shown for context only. Each section says when it was \
         measured, with which command, and the machine's load then.\n",
        Part::ALL.map(Part::name).join(", ")
    );
    let _ = writeln!(
        md,
        "## Machine\n\nThat of the latest run; each section names the processor it was measured \
         on.\n"
    );
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| CPU | {} |", m.cpu);
    let _ = writeln!(md, "| cores | {} |", m.cores);
    let _ = writeln!(md, "| memory | {} |", m.memory);
    let _ = writeln!(md, "| OS | {} |", m.os);
    let _ = writeln!(md, "| rustc | {} |\n", m.rustc);
    md
}

/// The whole report: the header and every section given.
pub(crate) fn document(machine: &Machine, command: &str, sections: &[(Part, &str)]) -> String {
    let mut md = header(machine, command);
    for (part, markdown) in sections {
        md.push_str(&section(*part, machine, markdown));
        md.push('\n');
    }
    md
}

/// `existing` with the header's machine made this run's and the sections given rewritten in
/// place (or added in [`Part::ALL`]'s order when missing); the other sections keep their own
/// footers, which name the machine they were measured on. A file without sections (absent, or
/// from before them) is written anew.
pub(crate) fn splice(
    existing: &str,
    machine: &Machine,
    command: &str,
    sections: &[(Part, &str)],
) -> String {
    let Some(first) = existing.find("<!-- bench:") else {
        return document(machine, command, sections);
    };
    let mut md = header(machine, command);
    md.push_str(&existing[first..]);
    for (part, markdown) in sections {
        let new = section(*part, machine, markdown);
        let (begin, end) = (begin(*part), end(*part));
        match (md.find(&begin), md.find(&end)) {
            (Some(from), Some(to)) if from < to => {
                // The section, its closing marker and the line break after it.
                let to = to + end.len();
                let to = if md[to..].starts_with('\n') {
                    to + 1
                } else {
                    to
                };
                md.replace_range(from..to, &new);
            }
            _ => {
                // Before the first section that comes after this part, else at the end.
                let later = Part::ALL
                    .iter()
                    .skip_while(|other| *other != part)
                    .skip(1)
                    .find_map(|other| md.find(&self::begin(*other)));
                match later {
                    Some(at) => md.insert_str(at, &format!("{new}\n")),
                    None => {
                        if !md.ends_with("\n\n") {
                            md.push('\n');
                        }
                        md.push_str(&new);
                    }
                }
            }
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Machine {
        Machine {
            cpu: "test cpu".to_owned(),
            cores: 2,
            memory: "1 GiB".to_owned(),
            os: "test".to_owned(),
            rustc: "rustc test".to_owned(),
            date: "today".to_owned(),
        }
    }

    /// A report of two sections, `## runtime one` and `## build one`, measured on `m`.
    fn runtime_and_build_cost(m: &Machine) -> String {
        document(
            m,
            "cargo xtask bench",
            &[
                (Part::Runtime, "## runtime one\n"),
                (Part::BuildCost, "## build one\n"),
            ],
        )
    }

    #[test]
    fn a_part_rewrites_its_own_section_and_keeps_the_others() {
        let m = machine();
        let whole = runtime_and_build_cost(&m);
        let spliced = splice(
            &whole,
            &m,
            "cargo xtask bench",
            &[(Part::Runtime, "## runtime two\n")],
        );
        assert!(spliced.contains("## runtime two"), "{spliced}");
        assert!(!spliced.contains("## runtime one"), "{spliced}");
        assert!(spliced.contains("## build one"), "{spliced}");
        assert_eq!(spliced.matches("<!-- bench:runtime -->").count(), 1);
        // A missing section goes where Part::ALL puts it: scale after runtime, before build-cost.
        let added = splice(
            &spliced,
            &m,
            "cargo xtask bench",
            &[(Part::Scale, "## scale\n")],
        );
        let at = |text: &str| added.find(text).unwrap_or(usize::MAX);
        assert!(at("## runtime two") < at("## scale"), "{added}");
        assert!(at("## scale") < at("## build one"), "{added}");
        // Splicing twice changes nothing but the section.
        assert_eq!(
            splice(
                &added,
                &m,
                "cargo xtask bench",
                &[(Part::Scale, "## scale\n")]
            ),
            added
        );
    }

    #[test]
    fn a_part_measured_on_another_machine_names_it_and_the_others_keep_theirs() {
        let whole = runtime_and_build_cost(&machine());
        let second = Machine {
            cpu: "other cpu".to_owned(),
            ..machine()
        };
        let spliced = splice(
            &whole,
            &second,
            "cargo xtask bench",
            &[(Part::Runtime, "## runtime two\n")],
        );
        let (header, sections) = spliced.split_at(spliced.find("<!-- bench:").unwrap());
        assert!(header.contains("| CPU | other cpu |"), "{spliced}");
        assert!(!header.contains("test cpu"), "{spliced}");
        let footer = |part: &str| {
            let from = sections.find(part).unwrap();
            let line = &sections[from..];
            line[line.find("_Measured").unwrap()..][..40].to_owned()
        };
        assert!(
            footer("## runtime two").contains("on other cpu"),
            "{spliced}"
        );
        assert!(footer("## build one").contains("on test cpu"), "{spliced}");
    }

    #[test]
    fn a_report_without_sections_is_written_anew() {
        let m = machine();
        let text = splice(
            "# Benchmarks\n\nfigures-from-before-sections\n",
            &m,
            "cargo xtask bench",
            &[(Part::Scale, "## scale\n")],
        );
        assert!(text.starts_with("# Benchmarks"), "{text}");
        assert!(!text.contains("figures-from-before-sections"), "{text}");
        assert!(text.contains("<!-- bench:scale -->\n## scale"), "{text}");
    }
}
