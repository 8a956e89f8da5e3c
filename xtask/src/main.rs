//! Project automation for the graph-sync workspace, run as `cargo xtask <task>`.
//!
//! The tasks need nothing but cargo: this crate is std only, finds the workspace root from
//! `CARGO_MANIFEST_DIR` and runs nested cargo commands through `$CARGO`, so they use the same
//! toolchain as the `cargo xtask` that started them.
//!
//! - `ci`: every check CI runs, in order, stopping at the first failure (see [`ci`]).
//! - `tidy`: repository policy that the compiler does not check (see [`tidy`]).
//! - `layering`: the crate layering invariants of `docs/design.md`, via `cargo tree` (see
//!   [`layering`]).
//! - `fuzz`: the cargo-fuzz targets of `fuzz/`, briefly (`--smoke`, part of `ci`) or for
//!   long (see [`fuzz`]).
//! - `compat`: Microsoft's Python Graph SDK and azure-identity (pinned, from PyPI, in a
//!   throwaway virtual environment) against `graph-sync emulator --tls`, and a schemathesis
//!   pass over the emulator's documented operations; `compat sdk|fuzz` runs one (see
//!   [`compat`]).
//! - `bench [PART]`: the benchmarks of the `graph-sync-bench` crate, in release mode; prints a
//!   table and writes `docs/benchmarks.md` (with a part named, only that part's section). Not
//!   part of `ci`.
//!
//! When the `CI` environment variable is set, nested cargo commands get `--locked`.

#![allow(clippy::print_stdout, reason = "xtask reports to the terminal")]

mod ci;
mod compat;
mod cycles;
mod fuzz;
mod layering;
mod tidy;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The tasks, with a one-line description each, in the order `--help` lists them.
const TASKS: &[(&str, &str)] = &[
    (
        "ci",
        "fmt, clippy, test, doc, feature checks, tidy and layering; stops at the first failure",
    ),
    (
        "tidy",
        "repository policy: `//!` headers, whitespace, internal dependency versions, [lints], import cycles",
    ),
    (
        "layering",
        "crate layering invariants via `cargo tree`, plus dependency counts",
    ),
    (
        "fuzz",
        "cargo-fuzz targets: --smoke (a few seconds each), --runs N and/or --time SECONDS [TARGET...]",
    ),
    (
        "compat",
        "[sdk|fuzz] the official Python Graph SDK and azure-identity against `graph-sync emulator --tls`, \
         and a schemathesis pass over the emulator; needs Python and PyPI",
    ),
    (
        "bench",
        "benchmarks in release mode; writes docs/benchmarks.md. `bench PART` measures one part \
         (runtime, scale, instructions, build-cost) and rewrites its section",
    ),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["-h" | "--help" | "help"] => {
            print!("{}", usage());
            ExitCode::SUCCESS
        }
        ["ci"] => ci::run(),
        ["tidy"] => tidy::run(),
        ["layering"] => layering::run(),
        ["bench"] => bench(None),
        // The benchmark binary judges the part's name.
        ["bench", part] => bench(Some(part)),
        ["fuzz", rest @ ..] => fuzz::run(rest),
        ["compat"] => compat::run(None),
        ["compat", "sdk"] => compat::run(Some(compat::Part::Sdk)),
        ["compat", "fuzz"] => compat::run(Some(compat::Part::Fuzz)),
        [] => usage_error("no task given"),
        ["bench", _, extra, ..] => usage_error(&format!(
            "task `bench` takes one part at most, got `{extra}`"
        )),
        ["compat", extra, ..] => usage_error(&format!(
            "task `compat` takes `sdk` or `fuzz` at most, got `{extra}`"
        )),
        [task @ ("ci" | "tidy" | "layering"), extra, ..] => {
            usage_error(&format!("task `{task}` takes no arguments, got `{extra}`"))
        }
        [task, ..] => usage_error(&format!("unknown task `{task}`")),
    }
}

/// `cargo xtask bench [PART]`: runs the benchmark binary in release mode; it prints its table
/// and writes `docs/benchmarks.md` (with `part`, only that part's section).
fn bench(part: Option<&str>) -> ExitCode {
    // The page-memory part runs the release `graph-sync` binary, found next to the benchmark's.
    let cli = Cargo::new(
        &[
            "build",
            "--release",
            "--package",
            "graph-sync-cli",
            "--bin",
            "graph-sync",
        ],
        true,
    );
    println!("$ {cli}");
    if !cli.command().status().is_ok_and(|status| status.success()) {
        eprintln!("error: `{cli}` failed");
        return ExitCode::FAILURE;
    }
    let mut args = vec![
        "run",
        "--release",
        "--package",
        "graph-sync-bench",
        "--",
        "--out",
        "docs/benchmarks.md",
    ];
    args.extend(part);
    let cargo = Cargo::new(&args, true);
    println!("$ {cargo}");
    match cargo.command().status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("error: `{cargo}` exited with {status}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: could not start `{cargo}`: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The `--help` text.
fn usage() -> String {
    let mut text = String::from("Usage: cargo xtask <TASK>\n\nTasks:\n");
    for (name, about) in TASKS {
        text.push_str(&format!("  {name:<10} {about}\n"));
    }
    text.push_str("\nOptions:\n  -h, --help  Print this help\n");
    text
}

/// Reports a command-line mistake and returns exit code 2.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{}", usage());
    ExitCode::from(2)
}

/// The workspace root: the parent of `xtask/`.
pub(crate) fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

/// Whether we run in CI (the `CI` variable is set, non-empty and not `false` or `0`).
pub(crate) fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A nested cargo invocation that can print itself before it runs.
#[derive(Debug, Clone)]
pub(crate) struct Cargo {
    /// Arguments after `cargo`.
    args: Vec<String>,
    /// Extra environment variables.
    env: Vec<(String, String)>,
}

impl Cargo {
    /// `cargo <args>`; with `locked`, `--locked` is added when [`in_ci`] (not for `cargo fmt`,
    /// which does not take it). It goes before a `--` separator if there is one.
    pub(crate) fn new(args: &[&str], locked: bool) -> Self {
        let mut args: Vec<String> = args.iter().map(|&a| a.to_owned()).collect();
        if locked && in_ci() {
            let at = args.iter().position(|a| a == "--").unwrap_or(args.len());
            args.insert(at, "--locked".to_owned());
        }
        Self {
            args,
            env: Vec::new(),
        }
    }

    /// Adds an environment variable.
    pub(crate) fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The command, run from the workspace root with `$CARGO` (fallback `cargo`).
    pub(crate) fn command(&self) -> Command {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
        let mut command = Command::new(cargo);
        command.args(&self.args).current_dir(workspace_root());
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }
}

impl fmt::Display for Cargo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in &self.env {
            write!(f, "{key}={} ", shell_quote(value))?;
        }
        f.write_str("cargo")?;
        for arg in &self.args {
            write!(f, " {}", shell_quote(arg))?;
        }
        Ok(())
    }
}

/// Quotes a word for display the way a shell would need it.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=./:,+@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("\"{}\"", word.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_task() {
        let text = usage();
        for (name, _) in TASKS {
            assert!(
                text.contains(&format!("  {name} ")),
                "{name} missing from:\n{text}"
            );
        }
    }

    #[test]
    fn cargo_command_displays_env_and_quotes() {
        let cmd = Cargo::new(&["doc", "--workspace"], false).env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(
            cmd.to_string(),
            "RUSTDOCFLAGS=\"-D warnings\" cargo doc --workspace"
        );
    }

    #[test]
    fn workspace_root_holds_the_workspace_manifest() {
        assert!(workspace_root().join("Cargo.toml").is_file());
        assert!(workspace_root().join("xtask").is_dir());
    }
}
