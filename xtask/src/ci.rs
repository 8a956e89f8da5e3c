//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.
//!
//! Each step prints its command before it runs and inherits the terminal, so cargo's own output
//! (including `cargo test`'s `test result:` lines, which CI counts) appears unchanged. At the end
//! a summary lists every step with its wall time; a failure names the step that failed.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use crate::{Cargo, fuzz, layering, tidy, workspace_root};

/// What a step runs.
#[derive(Debug)]
enum Action {
    /// A nested cargo command.
    Cargo(Cargo),
    /// [`tidy::check`], in process.
    Tidy,
    /// [`layering::check`], which runs `cargo tree`.
    Layering,
    /// [`fuzz::fuzz`] with the smoke budget: every cargo-fuzz target for 2,000 executions (at most 30 s each).
    FuzzSmoke,
    /// `cargo test`, whose `test result:` lines are echoed and added up.
    Test(Cargo),
    /// `cargo check -p graph-sync-api` for each entry of [`API_FEATURE_MATRIX`].
    Matrix,
}

/// The feature sets `cargo xtask ci` checks graph-sync-api with: none, each feature alone,
/// the defaults and all (the clippy and test steps cover all features with every target).
/// Adding a feature to the crate means adding a row.
pub(crate) const API_FEATURE_MATRIX: &[&[&str]] = &[
    &["--no-default-features"],
    &["--no-default-features", "--features", "reqwest"],
    &["--no-default-features", "--features", "rustls"],
    &["--no-default-features", "--features", "native-tls"],
    &["--no-default-features", "--features", "certificate"],
    &["--no-default-features", "--features", "pkcs12"],
    &["--no-default-features", "--features", "mock"],
    &["--no-default-features", "--features", "azure-core"],
    &["--no-default-features", "--features", "azure-cli"],
    &["--no-default-features", "--features", "fuzzing"],
    &[],
    &["--all-features"],
];

/// One named step of the pipeline.
#[derive(Debug)]
struct Step {
    /// Short name for the summary.
    name: &'static str,
    /// What it runs.
    action: Action,
}

/// The steps, in order.
fn steps() -> Vec<Step> {
    let cargo = |name, args: &[&str]| Step {
        name,
        action: Action::Cargo(Cargo::new(args, true)),
    };
    vec![
        Step {
            name: "fmt",
            action: Action::Cargo(Cargo::new(&fmt_args(), false)),
        },
        cargo(
            "clippy",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ],
        ),
        Step {
            name: "doc",
            action: Action::Cargo(
                Cargo::new(&["doc", "--workspace", "--all-features", "--no-deps"], true)
                    .env("RUSTDOCFLAGS", "-D warnings"),
            ),
        },
        cargo(
            "transport (no default features)",
            &[
                "check",
                "-p",
                "graph-sync-transport",
                "--no-default-features",
            ],
        ),
        cargo(
            "transport (mock only)",
            &[
                "check",
                "-p",
                "graph-sync-transport",
                "--no-default-features",
                "--features",
                "mock",
            ],
        ),
        Step {
            name: "api feature matrix",
            action: Action::Matrix,
        },
        cargo(
            "api unit tests (default features)",
            &["test", "-p", "graph-sync-api", "--lib"],
        ),
        Step {
            name: "tidy",
            action: Action::Tidy,
        },
        Step {
            name: "layering",
            action: Action::Layering,
        },
        Step {
            name: "fuzz smoke",
            action: Action::FuzzSmoke,
        },
        Step {
            name: "test",
            action: Action::Test(Cargo::new(&["test", "--workspace", "--all-features"], true)),
        },
    ]
}

/// `cargo fmt --all -- --check`, passing `CARGO_TERM_COLOR` on to rustfmt, which otherwise
/// colours its diffs even in a CI log.
fn fmt_args() -> Vec<&'static str> {
    let mut args = vec!["fmt", "--all", "--", "--check"];
    match std::env::var("CARGO_TERM_COLOR").as_deref() {
        Ok("never") => args.extend(["--color", "never"]),
        Ok("always") => args.extend(["--color", "always"]),
        _ => {}
    }
    args
}

/// How a step ended.
#[derive(Debug)]
enum Outcome {
    /// It passed.
    Passed,
    /// It failed; the text says how.
    Failed(String),
}

/// Runs one step, printing its command first.
fn run_step(index: usize, total: usize, step: &Step, totals: &mut Option<TestTotals>) -> Outcome {
    let what = match &step.action {
        Action::Cargo(cargo) => format!("$ {cargo}"),
        Action::Tidy => "tidy (in process)".to_owned(),
        Action::Layering => "layering (cargo tree)".to_owned(),
        Action::FuzzSmoke => "cargo xtask fuzz --smoke".to_owned(),
        Action::Test(cargo) => format!("$ {cargo}"),
        Action::Matrix => format!(
            "cargo check -p graph-sync-api, {} feature sets",
            API_FEATURE_MATRIX.len()
        ),
    };
    println!("\n==> [{}/{total}] {}: {what}", index + 1, step.name);
    match &step.action {
        Action::Cargo(cargo) => match cargo.command().status() {
            Ok(status) if status.success() => Outcome::Passed,
            Ok(status) => Outcome::Failed(format!("`{cargo}` exited with {status}")),
            Err(e) => Outcome::Failed(format!("could not start `{cargo}`: {e}")),
        },
        Action::Tidy => {
            let violations = tidy::check(&workspace_root());
            tidy::report(&violations);
            if violations.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Failed(format!("{} tidy violation(s)", violations.len()))
            }
        }
        Action::Layering => match layering::check() {
            Ok(0) => Outcome::Passed,
            Ok(failed) => Outcome::Failed(format!("{failed} layering check(s) failed")),
            Err(e) => Outcome::Failed(e),
        },
        Action::FuzzSmoke => {
            let targets: Vec<String> = fuzz::TARGETS.iter().map(|&t| t.to_owned()).collect();
            if !fuzz::installed() && !crate::in_ci() {
                println!(
                    "cargo-fuzz is not installed: fuzz smoke skipped outside CI \
                     (`cargo install cargo-fuzz --locked`; .ci/run installs it and sets CI)"
                );
                return Outcome::Passed;
            }
            match fuzz::fuzz(fuzz::Budget::Smoke, &targets) {
                Ok(true) => Outcome::Passed,
                Ok(false) => Outcome::Failed("a fuzz target crashed".to_owned()),
                Err(e) => Outcome::Failed(e),
            }
        }
        Action::Test(cargo) => {
            let (outcome, counted) = run_tests(cargo);
            *totals = Some(counted);
            outcome
        }
        Action::Matrix => run_matrix(),
    }
}

/// Checks graph-sync-api with every feature set of [`API_FEATURE_MATRIX`], all of them even
/// after a failure, and names the sets that failed.
fn run_matrix() -> Outcome {
    let mut failed = Vec::new();
    for features in API_FEATURE_MATRIX {
        let mut args = vec!["check", "-p", "graph-sync-api"];
        args.extend_from_slice(features);
        let cargo = Cargo::new(&args, true);
        println!("$ {cargo}");
        match cargo.command().status() {
            Ok(status) if status.success() => {}
            _ => failed.push(format!("[{}]", features.join(" "))),
        }
    }
    if failed.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed(format!(
            "graph-sync-api does not build with {}",
            failed.join(", ")
        ))
    }
}

/// Runs `cargo test`, echoing its output line by line and adding up its `test result:`
/// lines, so that the run can close with one `tests: N passed, M failed` line.
fn run_tests(cargo: &Cargo) -> (Outcome, TestTotals) {
    let mut command = cargo.command();
    command.stdout(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return (
                Outcome::Failed(format!("could not start `{cargo}`: {e}")),
                TestTotals::default(),
            );
        }
    };
    let mut totals = TestTotals::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            totals.add_line(&line);
        }
    }
    let outcome = match child.wait() {
        Ok(status) if status.success() && totals.binaries > 0 => Outcome::Passed,
        Ok(status) if status.success() => {
            Outcome::Failed("cargo test ran no test binary".to_owned())
        }
        Ok(status) => Outcome::Failed(format!("`{cargo}` exited with {status}")),
        Err(e) => Outcome::Failed(format!("`{cargo}` could not be waited for: {e}")),
    };
    (outcome, totals)
}

/// The sums of cargo's `test result: ok. 3 passed; 0 failed; …` lines.
#[derive(Debug, Default, PartialEq, Eq)]
struct TestTotals {
    binaries: usize,
    passed: usize,
    failed: usize,
}

impl TestTotals {
    fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        self.binaries += 1;
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(count) = count.parse::<usize>() else {
                continue;
            };
            match label {
                "passed" => self.passed += count,
                "failed" => self.failed += count,
                _ => {}
            }
        }
    }
}

/// Runs the pipeline; exit code 1 on the first failure.
pub(crate) fn run() -> ExitCode {
    let steps = steps();
    let started = Instant::now();
    let mut times: Vec<Duration> = Vec::new();
    let mut failure = None;
    let mut totals = None;
    for (index, step) in steps.iter().enumerate() {
        let step_started = Instant::now();
        let outcome = run_step(index, steps.len(), step, &mut totals);
        times.push(step_started.elapsed());
        if let Outcome::Failed(why) = outcome {
            failure = Some((index, why));
            break;
        }
    }
    print!(
        "{}",
        summary(
            &steps,
            &times,
            failure.as_ref().map(|(i, _)| *i),
            started.elapsed()
        )
    );
    let code = match failure {
        None => {
            println!("ci: all {} steps passed", steps.len());
            ExitCode::SUCCESS
        }
        Some((index, why)) => {
            eprintln!("error: ci step `{}` failed: {why}", steps[index].name);
            ExitCode::FAILURE
        }
    };
    if let Some(totals) = totals {
        // The closing line: what the test runners counted, all binaries together.
        println!("tests: {} passed, {} failed", totals.passed, totals.failed);
    }
    code
}

/// The summary table: one line per step with its status and wall time.
fn summary(steps: &[Step], times: &[Duration], failed: Option<usize>, total: Duration) -> String {
    let width = steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut out = String::from("\n==> ci summary\n");
    for (index, step) in steps.iter().enumerate() {
        let (status, time) = match times.get(index) {
            Some(&time) if failed == Some(index) => ("FAIL", format_duration(time)),
            Some(&time) => ("ok", format_duration(time)),
            None => ("skip", "-".to_owned()),
        };
        let _ = writeln!(out, "  {status:<4}  {:<width$}  {time:>9}", step.name);
    }
    let _ = writeln!(
        out,
        "  {:<4}  {:<width$}  {:>9}",
        "",
        "total",
        format_duration(total)
    );
    out
}

/// `12.3s` or `2m 05.1s`.
fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let minutes = (secs / 60.0).floor();
        format!("{minutes:.0}m {:04.1}s", secs - minutes * 60.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_in_the_documented_order() {
        let names: Vec<&str> = steps().iter().map(|s| s.name).collect();
        assert_eq!(names.first(), Some(&"fmt"));
        assert_eq!(names.get(1), Some(&"clippy"));
        assert_eq!(names.last(), Some(&"test"));
    }

    /// Every feature of graph-sync-api is checked alone: a new feature needs a new row.
    #[test]
    fn the_api_feature_matrix_has_every_feature_alone() {
        let manifest =
            std::fs::read_to_string(workspace_root().join("crates/graph-sync-api/Cargo.toml"))
                .unwrap();
        let section = manifest
            .split("[features]")
            .nth(1)
            .and_then(|rest| rest.split("\n[").next())
            .unwrap();
        let features: Vec<&str> = section
            .lines()
            .filter(|line| !line.starts_with('#') && !line.starts_with(' '))
            .filter_map(|line| line.split_once('=').map(|(name, _)| name.trim()))
            .filter(|name| !name.is_empty() && *name != "default")
            .collect();
        assert!(features.contains(&"pkcs12"), "{features:?}");
        for feature in features {
            assert!(
                API_FEATURE_MATRIX.contains(&&["--no-default-features", "--features", feature][..]),
                "no matrix row checks `{feature}` alone"
            );
        }
        assert!(API_FEATURE_MATRIX.contains(&&["--no-default-features"][..]));
        assert!(API_FEATURE_MATRIX.contains(&&["--all-features"][..]));
    }

    #[test]
    fn summary_marks_failed_and_skipped_steps() {
        let steps = steps();
        let times = [Duration::from_millis(400), Duration::from_secs(75)];
        let text = summary(&steps, &times, Some(1), Duration::from_secs(76));
        assert!(text.contains("ok    fmt"), "{text}");
        assert!(text.contains("FAIL  clippy"), "{text}");
        assert!(text.contains("1m 15.0s"), "{text}");
        assert!(text.contains("skip  layering"), "{text}");
    }

    #[test]
    fn test_totals_add_up_result_lines_and_ignore_the_rest() {
        let mut totals = TestTotals::default();
        for line in [
            "running 3 tests",
            "test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
            "test result: FAILED. 8 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.07s",
            "test something ... ok",
        ] {
            totals.add_line(line);
        }
        assert_eq!(
            totals,
            TestTotals {
                binaries: 2,
                passed: 11,
                failed: 1
            }
        );
    }
}
