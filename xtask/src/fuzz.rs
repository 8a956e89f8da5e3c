//! `cargo xtask fuzz`: the cargo-fuzz targets of `fuzz/`, briefly (`--smoke`, a step of
//! `cargo xtask ci`) or for long (`--runs N` / `--time SECONDS`, for the figures in
//! `docs/fuzzing.md`).
//!
//! Every target starts from its seeds in `fuzz/seeds/<target>/` (the documented example
//! payloads and values) plus the corpus it has grown in `fuzz/corpus/<target>/` (not
//! committed). Targets are built with overflow checks and debug assertions, so an
//! arithmetic overflow is a crash, and without a sanitizer (`-s none`): the workspace forbids
//! `unsafe`, and a sanitizer would halve the executions a run reaches. The smoke run builds
//! unoptimized (`--dev`: the build takes half as long, and a few thousand executions need no
//! speed); long runs build optimized with debug assertions (`-a`). The smoke run uses a fixed
//! seed, so that on a fresh clone (no grown corpus) it makes the same inputs every time and a
//! CI run does not fail by chance; long runs take a new seed each time, to explore.
//!
//! cargo-fuzz needs nightly-only compiler flags (`-Cpasses=sancov-module`, `--cfg fuzzing`
//! through `-Z` options). On a stable toolchain they are enabled with `RUSTC_BOOTSTRAP=1`,
//! which this task sets; cargo-fuzz builds for an explicit `--target` (its default is the
//! host triple), so the flags reach the targets and not the build scripts. cargo-fuzz itself
//! comes from crates.io: `cargo install cargo-fuzz --locked` (`.ci/run` does it on a fresh
//! machine).

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use crate::workspace_root;

/// Every fuzz target, as named by the `[[bin]]` entries of `fuzz/Cargo.toml`.
pub(crate) const TARGETS: &[&str] = &[
    "service_error",
    "decode_secrets",
    "decode_job",
    "decode_schema",
    "decode_provisioning",
    "decode_paging",
    "retry_after",
    "iso_duration",
    "claims_challenge",
    "ids",
    "redact",
    "secrets_file",
    "bulk_csv",
];

/// How many executions each target gets in a smoke run…
const SMOKE_RUNS: u32 = 2_000;

/// … unless this many seconds pass first.
const SMOKE_SECONDS: u32 = 30;

/// The smoke run's libFuzzer seed (any fixed value: it makes the run repeatable).
const SMOKE_SEED: u32 = 1;

/// How a run is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budget {
    /// [`SMOKE_RUNS`] executions per target, at most [`SMOKE_SECONDS`] (the smoke run).
    Smoke,
    /// This many executions per target.
    Runs(u64),
    /// This many seconds per target.
    Seconds(u64),
    /// This many executions per target, unless this many seconds pass first.
    RunsWithin(u64, u64),
}

/// What one target's run reported.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Report {
    target: String,
    executions: Option<u64>,
    seconds: Option<u64>,
    crashed: bool,
}

/// `cargo xtask fuzz [--smoke | --runs N | --time SECONDS | both] [TARGET...]`.
pub(crate) fn run(args: &[&str]) -> ExitCode {
    let (budget, targets) = match parse_args(args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match fuzz(budget, &targets) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "Usage: cargo xtask fuzz [--smoke | --runs N | --time SECONDS | --runs N --time SECONDS] [TARGET...]";

fn parse_args(args: &[&str]) -> Result<(Budget, Vec<String>), String> {
    let mut budget = None;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let number = |value: Option<&&str>| {
            value
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{arg} needs a positive number"))
        };
        let next = match *arg {
            "--smoke" => Budget::Smoke,
            "--runs" => Budget::Runs(number(args.next())?),
            "--time" => Budget::Seconds(number(args.next())?),
            target if TARGETS.contains(&target) => {
                targets.push(target.to_owned());
                continue;
            }
            other => return Err(format!("unknown target or option `{other}`")),
        };
        budget = Some(match (budget, next) {
            (None, next) => next,
            (Some(Budget::Runs(runs)), Budget::Seconds(seconds))
            | (Some(Budget::Seconds(seconds)), Budget::Runs(runs)) => {
                Budget::RunsWithin(runs, seconds)
            }
            _ => {
                return Err(
                    "give --smoke, --runs, --time, or --runs and --time together".to_owned(),
                );
            }
        });
    }
    let budget = budget.ok_or("give --smoke, --runs, --time, or --runs and --time together")?;
    if targets.is_empty() {
        targets = TARGETS.iter().map(|&t| t.to_owned()).collect();
    }
    Ok((budget, targets))
}

/// Builds the targets once, then runs each; returns whether none crashed.
pub(crate) fn fuzz(budget: Budget, targets: &[String]) -> Result<bool, String> {
    let root = workspace_root();
    if !installed() {
        return Err(
            "cargo-fuzz is not installed: run `cargo install cargo-fuzz --locked` (.ci/run does)"
                .to_owned(),
        );
    }
    let mut build = cargo_fuzz(&root);
    let profile = profile(budget);
    build.arg("build").args(profile);
    println!("$ RUSTC_BOOTSTRAP=1 cargo fuzz build {}", profile.join(" "));
    if !build.status().is_ok_and(|status| status.success()) {
        return Err("`cargo fuzz build` failed".to_owned());
    }
    let mut reports = Vec::new();
    for target in targets {
        reports.push(run_target(&root, target, budget)?);
    }
    println!("\n{}", table(&reports));
    Ok(reports.iter().all(|report| !report.crashed))
}

/// Whether `cargo fuzz` runs.
pub(crate) fn installed() -> bool {
    cargo_fuzz(&workspace_root())
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The build options: unoptimized for a smoke run, optimized with debug assertions otherwise;
/// never a sanitizer.
fn profile(budget: Budget) -> &'static [&'static str] {
    match budget {
        Budget::Smoke => &["--dev", "-s", "none"],
        Budget::Runs(_) | Budget::Seconds(_) | Budget::RunsWithin(..) => &["-a", "-s", "none"],
    }
}

/// `cargo fuzz` with nightly flags allowed, run from the workspace root.
fn cargo_fuzz(root: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("fuzz")
        .current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1");
    command
}

fn run_target(root: &Path, target: &str, budget: Budget) -> Result<Report, String> {
    let corpus = root.join("fuzz").join("corpus").join(target);
    let seeds = root.join("fuzz").join("seeds").join(target);
    std::fs::create_dir_all(&corpus)
        .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
    let limit = match budget {
        Budget::Smoke => vec![
            format!("-runs={SMOKE_RUNS}"),
            format!("-max_total_time={SMOKE_SECONDS}"),
            format!("-seed={SMOKE_SEED}"),
        ],
        Budget::Runs(runs) => vec![format!("-runs={runs}")],
        Budget::Seconds(seconds) => vec![format!("-max_total_time={seconds}")],
        Budget::RunsWithin(runs, seconds) => vec![
            format!("-runs={runs}"),
            format!("-max_total_time={seconds}"),
        ],
    };
    let mut command = cargo_fuzz(root);
    let profile = profile(budget);
    command
        .arg("run")
        .args(profile)
        .arg(target)
        .arg(&corpus)
        .arg(&seeds)
        .arg("--")
        .args(&limit)
        .arg("-max_len=65536")
        .arg("-print_final_stats=1")
        .stderr(Stdio::piped());
    println!(
        "$ RUSTC_BOOTSTRAP=1 cargo fuzz run {} {target} fuzz/corpus/{target} fuzz/seeds/{target} -- {} -max_len=65536 -print_final_stats=1",
        profile.join(" "),
        limit.join(" ")
    );
    let output = command
        .output()
        .map_err(|e| format!("could not start cargo fuzz: {e}"))?;
    let log = String::from_utf8_lossy(&output.stderr);
    let report = parse_log(target, &log, output.status.success());
    if report.crashed {
        eprintln!("{log}");
    }
    Ok(report)
}

/// Reads libFuzzer's final statistics (`stat::number_of_executed_units: N`,
/// `Done N runs in S second(s)`).
fn parse_log(target: &str, log: &str, success: bool) -> Report {
    let mut executions = None;
    let mut seconds = None;
    for line in log.lines() {
        if let Some(rest) = line.strip_prefix("stat::number_of_executed_units:") {
            executions = rest.trim().parse().ok().or(executions);
        }
        if let Some(rest) = line.strip_prefix("Done ") {
            let mut words = rest.split_whitespace();
            let runs = words.next().and_then(|n| n.parse().ok());
            executions = executions.or(runs);
            seconds = words.nth(2).and_then(|s| s.parse().ok());
        }
    }
    Report {
        target: target.to_owned(),
        executions,
        seconds,
        crashed: !success,
    }
}

fn table(reports: &[Report]) -> String {
    let mut text = String::from("target               executions   seconds  result\n");
    for report in reports {
        let number = |value: Option<u64>| value.map_or_else(|| "?".to_owned(), |n| n.to_string());
        text.push_str(&format!(
            "{:<20} {:>10} {:>9}  {}\n",
            report.target,
            number(report.executions),
            number(report.seconds),
            if report.crashed { "CRASH" } else { "ok" }
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_has_a_bin_entry_and_seeds() {
        let root = workspace_root();
        let manifest = std::fs::read_to_string(root.join("fuzz").join("Cargo.toml")).unwrap();
        let bins = manifest
            .lines()
            .filter(|line| line.starts_with("name = ") && !line.contains("graph-sync-fuzz"))
            .count();
        assert_eq!(bins, TARGETS.len(), "fuzz/Cargo.toml and TARGETS disagree");
        for target in TARGETS {
            assert!(
                manifest.contains(&format!("name = \"{target}\"")),
                "{target} has no [[bin]]"
            );
            assert!(
                root.join("fuzz/fuzz_targets")
                    .join(format!("{target}.rs"))
                    .is_file()
            );
            let seeds = std::fs::read_dir(root.join("fuzz/seeds").join(target))
                .map(Iterator::count)
                .unwrap_or(0);
            assert!(seeds > 0, "{target} has no seeds");
        }
    }

    #[test]
    fn arguments_choose_one_budget_and_known_targets() {
        assert_eq!(
            parse_args(&["--smoke"]).unwrap().1.len(),
            TARGETS.len(),
            "all targets by default"
        );
        assert_eq!(
            parse_args(&["--runs", "10", "ids"]).unwrap(),
            (Budget::Runs(10), vec!["ids".to_owned()])
        );
        assert!(parse_args(&[]).is_err());
        assert!(parse_args(&["--smoke", "--time", "5"]).is_err());
        assert_eq!(
            parse_args(&["--time", "60", "--runs", "1000", "ids"])
                .unwrap()
                .0,
            Budget::RunsWithin(1000, 60),
            "--runs and --time together: whichever comes first"
        );
        assert!(parse_args(&["--runs", "1", "--runs", "2"]).is_err());
        assert!(parse_args(&["--runs", "0"]).is_err());
        assert!(parse_args(&["--smoke", "nope"]).is_err());
    }

    #[test]
    fn final_statistics_are_read() {
        let log = "#1000\tDONE cov: 10\nDone 123456 runs in 31 second(s)\nstat::number_of_executed_units: 123457\n";
        let report = parse_log("ids", log, true);
        assert_eq!(report.executions, Some(123_457));
        assert_eq!(report.seconds, Some(31));
        assert!(!report.crashed);
        assert!(table(&[report]).contains("123457"));
    }
}
