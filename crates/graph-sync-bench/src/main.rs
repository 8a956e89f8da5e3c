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
//! * **instructions**: instructions per request of the client against raw reqwest, counted by
//!   callgrind ([`instructions`]).
//!
//! `graph-sync-bench [--quick] [--out FILE]` runs everything, prints a table and writes the
//! Markdown report to `FILE`; `--quick` shrinks every figure to a smoke test.
//! `graph-sync-bench bulk-client …` is the child process of the memory figure;
//! `graph-sync-bench instructions [--quick]` counts figure (e) alone (its child processes are
//! `serve-204` and `instructions-client …`).

#![allow(clippy::print_stdout, reason = "a benchmark reports to the terminal")]

mod faults;
mod instructions;
mod machine;
mod overhead;
mod report;
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
}

impl Sizes {
    const FULL: Self = Self {
        overhead_serial: 2_000,
        overhead_parallel: 8_000,
        overhead_rounds: 25,
        rates: &[50.0, 200.0, 500.0, 2_000.0],
        concurrencies: &[16, 64, 256],
        min_ops: 2_000,
        min_ideal: std::time::Duration::from_secs(10),
        sdk_cells: &[(50.0, 64), (200.0, 64), (500.0, 64), (2_000.0, 64)],
        sdk_ops: 2_000,
        shared_rate: 200.0,
        shared_ops: 1_000,
        faults: 10_000,
    };
    const QUICK: Self = Self {
        overhead_serial: 200,
        overhead_parallel: 640,
        overhead_rounds: 3,
        rates: &[500.0],
        concurrencies: &[16],
        min_ops: 100,
        min_ideal: std::time::Duration::ZERO,
        sdk_cells: &[],
        sdk_ops: 0,
        shared_rate: 500.0,
        shared_ops: 50,
        faults: 200,
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
        Some("serve-204") => runtime.block_on(instructions::serve()),
        Some("instructions") => instructions_only(&args[1..]),
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

/// `graph-sync-bench instructions [--quick]`: figure (e) alone.
fn instructions_only(args: &[String]) -> Result<(), String> {
    let counts = match args {
        [] => instructions::Counts::FULL,
        [quick] if quick == "--quick" => instructions::Counts::QUICK,
        _ => return Err("usage: graph-sync-bench instructions [--quick]".to_owned()),
    };
    match instructions::run(counts)? {
        instructions::Outcome::Measured(figure) => println!("{}", figure.line()),
        instructions::Outcome::Skipped(why) => println!("(e) instructions: skipped: {why}"),
    }
    Ok(())
}

async fn run(args: &[String]) -> Result<(), String> {
    let mut sizes = Sizes::FULL;
    let mut out = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => sizes = Sizes::QUICK,
            "--out" => out = Some(args.next().ok_or("--out needs a file")?.clone()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let (command, counts, instructions_command) = if matches!(sizes.faults, 10_000) {
        (
            "cargo xtask bench",
            instructions::Counts::FULL,
            "cargo xtask bench  # or alone: cargo run --release -p graph-sync-bench -- instructions",
        )
    } else {
        (
            "cargo run -p graph-sync-bench -- --quick",
            instructions::Counts::QUICK,
            "cargo run -p graph-sync-bench -- instructions --quick",
        )
    };
    println!("graph-sync-bench: overhead …");
    let overhead = overhead::run(sizes).await?;
    println!("graph-sync-bench: throttled bulk …");
    let throttled = throttled::run(&sizes).await?;
    println!("graph-sync-bench: faults …");
    let faults = faults::run(sizes).await?;
    println!("graph-sync-bench: instructions (callgrind) …");
    let instructions = instructions::run(counts)?;
    let report = report::Report {
        machine: machine::describe(),
        command,
        sizes,
        overhead,
        throttled,
        faults,
    };
    println!("\n{}", report.table());
    match &instructions {
        instructions::Outcome::Measured(figure) => println!("{}", figure.line()),
        instructions::Outcome::Skipped(why) => println!("(e) instructions: skipped: {why}"),
    }
    if let Some(out) = out {
        let markdown =
            report.markdown() + &instructions::markdown(&instructions, instructions_command);
        std::fs::write(&out, markdown).map_err(|e| format!("cannot write {out}: {e}"))?;
        println!("wrote {out}");
    }
    report.check()
}
