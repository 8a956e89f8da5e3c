//! # graph-sync-bench
//!
//! The benchmarks behind `cargo xtask bench`. Every figure is a ratio or a count measured in
//! one run on one machine, so that it means the same on a laptop and in CI:
//!
//! * **overhead**: `PUT …/synchronization/secrets` round trips over loopback against a minimal
//!   server that answers `204`, the graph-sync client against raw reqwest sending the identical
//!   request, at concurrency 1 and 64 ([`overhead`]);
//! * **throttled bulk**: a grid of rates × concurrencies, PUTs through
//!   [`Bulk`](graph_sync_api::Bulk) against the emulator throttled at each rate: wall time over
//!   the ideal N/R, failures, `429`s per operation and latency per operation, with the official
//!   Python SDK as the peer on a subset of the cells ([`throttled`]);
//! * **faults**: 10,000 operations with 10% injected faults ([`faults`]);
//! * **memory**: the peak RSS of the throttled bulk client, in a process of its own;
//! * **scale**: figures (b) and (d) at N = 5,000 and 50,000 operations ([`scale`]);
//! * **instructions**: instructions per request of the client against raw reqwest, counted by
//!   callgrind ([`instructions`]);
//! * **build cost**: cold debug build time and crates of a hello-world on graph-sync-api
//!   against the floor (reqwest + tokio + serde) and graph-rs-sdk ([`build_cost`]);
//! * **page memory**: the peak RSS of `graph-sync jobs list` (the `graph-sync` binary next to
//!   this one, a child process) on a 15 MiB page of small jobs, against the same command on a
//!   one-job page ([`memory`]).
//!
//! `graph-sync-bench [--quick] [--out FILE] [PART]` runs every part (or the one named:
//! `runtime` for (a) to (d), `scale`, `instructions`, `build-cost`, `page-memory`), prints a table and writes
//! the Markdown report to `FILE`: the whole document, or only the named part's section of it;
//! `--quick` shrinks every figure to a smoke test. Child processes: `overhead-process …` (each
//! measures (a)), `bulk-client …` (the bulk side of (b), (d) and the scale figure), `serve-204`
//! and `instructions-client …` (the instruction count).

#![allow(clippy::print_stdout, reason = "a benchmark reports to the terminal")]

mod build_cost;
mod faults;
mod instructions;
mod latency;
mod machine;
mod memory;
mod overhead;
mod report;
mod scale;
mod throttled;

use std::process::ExitCode;

/// The sizes of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    /// Round trips per measurement at concurrency 1.
    overhead_serial: usize,
    /// Round trips per measurement at concurrency 64.
    overhead_parallel: usize,
    /// Rounds of each overhead measurement (the median ratio is reported).
    overhead_rounds: usize,
    /// Processes that each measure the overhead (the median of theirs is reported).
    overhead_processes: usize,
    /// The throttle's rates of the throttled bulk grid, requests per second.
    rates: &'static [f64],
    /// The concurrencies of the throttled bulk grid.
    concurrencies: &'static [usize],
    /// The fewest operations of a throttled bulk cell.
    min_ops: usize,
    /// The least ideal time (N / R) of a throttled bulk cell, where `min_ops` allows.
    min_ideal: std::time::Duration,
    /// The cells (rate, concurrency) where the official SDK runs too.
    sdk_cells: &'static [(f64, usize)],
    /// Operations of the SDK's runs.
    sdk_ops: usize,
    /// The application's rate of the shared-bucket run.
    shared_rate: f64,
    /// Operations of each client of the shared-bucket run (0: no such run).
    shared_ops: usize,
    /// Operations of the fault run.
    faults: usize,
    /// The rate of the scale figure's throttle.
    scale_rate: f64,
    /// The concurrency of the scale figure.
    scale_concurrency: usize,
    /// The operations of the scale figure's runs, smallest first.
    scale_ops: &'static [usize],
}

impl Sizes {
    const FULL: Self = Self {
        overhead_serial: 200,
        overhead_parallel: 2_560,
        overhead_rounds: 101,
        overhead_processes: 5,
        rates: &[50.0, 200.0, 500.0, 2_000.0],
        concurrencies: &[16, 64, 256],
        min_ops: 2_000,
        min_ideal: std::time::Duration::from_secs(10),
        sdk_cells: &[(50.0, 64), (200.0, 64), (500.0, 64), (2_000.0, 64)],
        sdk_ops: 2_000,
        shared_rate: 200.0,
        shared_ops: 1_000,
        faults: 10_000,
        scale_rate: 500.0,
        scale_concurrency: 64,
        scale_ops: &[5_000, 50_000],
    };
    const QUICK: Self = Self {
        overhead_serial: 200,
        overhead_parallel: 640,
        overhead_rounds: 3,
        overhead_processes: 2,
        rates: &[500.0],
        concurrencies: &[16],
        min_ops: 100,
        min_ideal: std::time::Duration::ZERO,
        sdk_cells: &[],
        sdk_ops: 0,
        shared_rate: 500.0,
        shared_ops: 50,
        faults: 200,
        scale_rate: 2_000.0,
        scale_concurrency: 16,
        scale_ops: &[100, 1_000],
    };
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("instructions-client") {
        return instructions::client(&args[1..]);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match args.first().map(String::as_str) {
        Some("bulk-client") => runtime.block_on(throttled::child(&args[1..])),
        Some("overhead") => runtime.block_on(overhead_only()),
        Some("overhead-process") => runtime.block_on(overhead::child(&args[1..])),
        Some("serve-204") => runtime.block_on(instructions::serve()),
        _ => runtime.block_on(run(&args)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `graph-sync-bench overhead`: figure (a) alone, for profiling the client's own cost.
async fn overhead_only() -> Result<(), String> {
    let overhead = overhead::run(Sizes::FULL).await?;
    println!("{overhead:#?}");
    Ok(())
}

/// A part of the benchmark, measured alone with `graph-sync-bench PART`; each writes its own
/// section of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// (a) overhead, (b) throttled bulk grid, (c) faults, (d) memory.
    Runtime,
    /// (b) and (d) at N = 5,000 and 50,000.
    Scale,
    /// Instructions per request (callgrind).
    Instructions,
    /// (e) cold build time and crates.
    BuildCost,
    /// (g) peak RSS of `graph-sync jobs list` on a 15 MiB page.
    PageMemory,
}

impl Part {
    /// Every part, in the report's order.
    pub(crate) const ALL: [Self; 5] = [
        Self::Runtime,
        Self::Scale,
        Self::Instructions,
        Self::BuildCost,
        Self::PageMemory,
    ];

    /// The name on the command line and in the report's section markers.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Runtime => "runtime",
            Self::Scale => "scale",
            Self::Instructions => "instructions",
            Self::BuildCost => "build-cost",
            Self::PageMemory => "page-memory",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|part| part.name() == name)
    }
}

/// A part's outcome: its terminal lines, its Markdown section, and whether a correctness
/// figure failed.
struct Measured {
    part: Part,
    terminal: String,
    markdown: String,
    check: Result<(), String>,
}

async fn run(args: &[String]) -> Result<(), String> {
    let mut sizes = Sizes::FULL;
    let mut out = None;
    let mut only = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => sizes = Sizes::QUICK,
            "--out" => out = Some(args.next().ok_or("--out needs a file")?.clone()),
            name => match (Part::parse(name), only) {
                (Some(part), None) => only = Some(part),
                _ => {
                    return Err(format!(
                        "unknown argument `{name}` (parts: {})",
                        Part::ALL.map(Part::name).join(", ")
                    ));
                }
            },
        }
    }
    let quick = !matches!(sizes.faults, 10_000);
    let command = |part: Option<Part>| {
        let part = part.map_or(String::new(), |part| format!(" {}", part.name()));
        if quick {
            format!("cargo run -p graph-sync-bench -- --quick{part}")
        } else {
            format!("cargo xtask bench{part}")
        }
    };
    let parts: Vec<Part> = only.map_or(Part::ALL.to_vec(), |part| vec![part]);
    let mut measured = Vec::new();
    for part in parts {
        let command = command(Some(part));
        measured.push(measure(part, &sizes, &command).await?);
    }
    for part in &measured {
        println!("\n{}", part.terminal);
    }
    if let Some(out) = out {
        let sections: Vec<(Part, &str)> = measured
            .iter()
            .map(|m| (m.part, m.markdown.as_str()))
            .collect();
        let text = match only {
            None => report::document(&machine::describe(), &command(None), &sections),
            Some(_) => {
                let existing = std::fs::read_to_string(&out).unwrap_or_default();
                report::splice(&existing, &machine::describe(), &command(None), &sections)
            }
        };
        std::fs::write(&out, text).map_err(|e| format!("cannot write {out}: {e}"))?;
        println!("wrote {out}");
    }
    measured.into_iter().try_for_each(|m| m.check)
}

/// Measures one part.
async fn measure(part: Part, sizes: &Sizes, command: &str) -> Result<Measured, String> {
    let quick = !matches!(sizes.faults, 10_000);
    Ok(match part {
        Part::Runtime => {
            println!("graph-sync-bench: overhead …");
            let overhead = overhead::run(*sizes).await?;
            println!("graph-sync-bench: throttled bulk …");
            let throttled = throttled::run(sizes).await?;
            println!("graph-sync-bench: faults …");
            let faults = faults::run(*sizes).await?;
            let report = report::Report {
                command: command.to_owned(),
                sizes: *sizes,
                overhead,
                throttled,
                faults,
            };
            Measured {
                part,
                terminal: report.table(),
                markdown: report.markdown(),
                check: report.check(),
            }
        }
        Part::Scale => {
            println!("graph-sync-bench: scale …");
            let scale = scale::run(sizes).await?;
            Measured {
                part,
                terminal: scale.line(),
                markdown: scale.markdown(command),
                check: scale.check(),
            }
        }
        Part::Instructions => {
            println!("graph-sync-bench: instructions (callgrind) …");
            let counts = if quick {
                instructions::Counts::QUICK
            } else {
                instructions::Counts::FULL
            };
            let outcome = instructions::run(counts)?;
            Measured {
                part,
                terminal: instructions::line(&outcome),
                markdown: instructions::markdown(&outcome, command),
                check: Ok(()),
            }
        }
        Part::BuildCost => {
            let outcome = if quick {
                build_cost::Outcome::Skipped(
                    "skipped with --quick (it downloads crates and builds three projects cold)"
                        .to_owned(),
                )
            } else {
                build_cost::run()?
            };
            Measured {
                part,
                terminal: build_cost::line(&outcome),
                markdown: build_cost::markdown(&outcome, command),
                check: Ok(()),
            }
        }
        Part::PageMemory => {
            println!("graph-sync-bench: page memory …");
            let bytes = if quick {
                memory::PAGE_BYTES / 15
            } else {
                memory::PAGE_BYTES
            };
            let figure = memory::run(bytes).await?;
            Measured {
                part,
                terminal: memory::line(&figure),
                markdown: memory::markdown(&figure, command),
                check: memory::check(&figure),
            }
        }
    })
}
