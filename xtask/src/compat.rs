//! `cargo xtask compat`: software nobody here wrote against the emulator, in two parts.
//!
//! **sdk**: Microsoft's own Python clients against `graph-sync emulator --tls`.
//!
//! 1. Finds `python3` and creates a throwaway virtual environment under `target/compat/`
//!    (removed first), installing the pinned `msgraph-sdk` and `azure-identity` of
//!    `xtask/compat/requirements.txt` from PyPI. No Python, or no PyPI: it says so and fails.
//! 2. Builds `graph-sync` and starts `graph-sync emulator --tls` on a free loopback port,
//!    reading the `export` lines of its banner (authority, development credentials, App
//!    Service identity endpoint and header, CA bundle).
//! 3. Runs `xtask/compat/compat.py` with those variables: tokens through azure-identity's
//!    `ClientSecretCredential` and `ManagedIdentityCredential`, then the provisioning workflow
//!    through the Graph SDK, printing a table (call, accepted, decoded cleanly).
//!
//! **fuzz**: a property-based pass with schemathesis (pinned, with everything it pulls in, in
//! `xtask/compat/fuzz-requirements.txt`; its own virtual environment) over every operation of
//! the metadata-derived OpenAPI description (`crates/graph-sync-emulator/metadata/`), against
//! a fresh `graph-sync emulator` (plain HTTP, its banner's Graph root and bearer token).
//! `xtask/compat/fuzz.py` relaxes the description where it is stricter than Graph (one
//! documented function), runs schemathesis with a fixed seed and example count, and fails on
//! any 5xx or any request outside the description answered 2xx.
//!
//! `cargo xtask compat` runs both (each emulator is stopped after its part) and fails if
//! either fails; `cargo xtask compat sdk` or `cargo xtask compat fuzz` runs one.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::{Cargo, workspace_root};

/// How long the emulator may take to print its banner.
const BANNER_TIMEOUT: Duration = Duration::from_secs(120);

/// The parts of the suite, as `cargo xtask compat PART` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    /// The official Python SDK and azure-identity.
    Sdk,
    /// The schemathesis pass.
    Fuzz,
}

/// Runs the suite, or one part of it.
pub(crate) fn run(only: Option<Part>) -> ExitCode {
    match suite(only) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("compat: {message}");
            ExitCode::FAILURE
        }
    }
}

fn suite(only: Option<Part>) -> Result<(), String> {
    let root = workspace_root();
    let work = root.join("target").join("compat");
    let python = find_python()?;
    if work.exists() {
        std::fs::remove_dir_all(&work)
            .map_err(|e| format!("cannot remove {}: {e}", work.display()))?;
    }
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    // The virtual environment of each part wanted: its Python.
    let venv = |part, dir: &str, requirements: &str, what: &str| {
        only.is_none_or(|only| only == part)
            .then(|| make_venv(&python, &work.join(dir), &root.join(requirements), what))
            .transpose()
    };
    let sdk_python = venv(
        Part::Sdk,
        "venv",
        "xtask/compat/requirements.txt",
        "msgraph-sdk and azure-identity",
    )?;
    let fuzz_python = venv(
        Part::Fuzz,
        "fuzz-venv",
        "xtask/compat/fuzz-requirements.txt",
        "schemathesis",
    )?;

    let build = Cargo::new(&["build", "--package", "graph-sync-cli"], true);
    println!("$ {build}");
    let built = build
        .command()
        .status()
        .map_err(|e| format!("could not start `{build}`: {e}"))?;
    if !built.success() {
        return Err(format!("`{build}` exited with {built}"));
    }
    let binary = root
        .join("target")
        .join("debug")
        .join(format!("graph-sync{}", std::env::consts::EXE_SUFFIX));

    let mut failures = Vec::new();
    if let Some(python) = sdk_python {
        let mut emulator = Emulator::start(&binary, &["--tls", "--ca-dir"], Some(&work))?;
        let status = run_script(&python, &root.join("xtask/compat/compat.py"), &emulator.env);
        emulator.stop();
        if let Err(error) = status {
            failures.push(format!("the compatibility workflow failed: {error}"));
        }
    }
    if let Some(python) = fuzz_python {
        let mut emulator = Emulator::start(&binary, &[], None)?;
        let fuzz_work = work.join("fuzz");
        std::fs::create_dir_all(&fuzz_work)
            .map_err(|e| format!("cannot create {}: {e}", fuzz_work.display()))?;
        let mut env = vec![
            (
                "GRAPH_SYNC_GRAPH_URL".to_owned(),
                emulator.graph_root.clone(),
            ),
            ("GRAPH_SYNC_TOKEN".to_owned(), emulator.token.clone()),
            (
                "FUZZ_SPEC".to_owned(),
                root.join("crates/graph-sync-emulator/metadata/openapi-sync.yaml")
                    .display()
                    .to_string(),
            ),
            ("FUZZ_WORK".to_owned(), fuzz_work.display().to_string()),
        ];
        env.extend(emulator.env.iter().cloned());
        let status = run_script(&python, &root.join("xtask/compat/fuzz.py"), &env);
        emulator.stop();
        if let Err(error) = status {
            failures.push(format!("the property-based pass failed: {error}"));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// Runs `script` with the virtual environment's `python` and `env`.
fn run_script(python: &Path, script: &Path, env: &[(String, String)]) -> Result<(), String> {
    println!("$ {} {}", python.display(), script.display());
    let status = Command::new(python)
        .arg(script)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .status();
    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("{status}")),
        Err(error) => Err(format!("could not run {}: {error}", script.display())),
    }
}

/// `python3` (or `python`) that runs.
fn find_python() -> Result<String, String> {
    for candidate in ["python3", "python"] {
        let works = Command::new(candidate)
            .args(["-c", "import sys, venv; assert sys.version_info >= (3, 9)"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if works {
            return Ok(candidate.to_owned());
        }
    }
    Err(
        "no Python 3.9 or later with the venv module was found (python3 or python on PATH); \
         install it to run the compatibility suite"
            .to_owned(),
    )
}

/// A fresh virtual environment at `venv` with `requirements` (naming `what`) installed; its
/// Python.
fn make_venv(
    python: &str,
    venv: &Path,
    requirements: &Path,
    what: &str,
) -> Result<PathBuf, String> {
    run_step(
        Command::new(python).arg("-m").arg("venv").arg(venv),
        "creating the virtual environment",
    )?;
    let bin = if cfg!(windows) { "Scripts" } else { "bin" };
    let venv_python = venv.join(bin).join(if cfg!(windows) {
        "python.exe"
    } else {
        "python"
    });
    let installed = run_step(
        Command::new(&venv_python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(requirements),
        &format!("installing {what}"),
    );
    installed.map_err(|e| {
        format!("{e}: is PyPI reachable (https://pypi.org, or the index PIP_INDEX_URL names)?")
    })?;
    Ok(venv_python)
}

fn run_step(command: &mut Command, what: &str) -> Result<(), String> {
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("{what} failed ({status})")),
        Err(error) => Err(format!("{what} could not start ({error})")),
    }
}

/// A `graph-sync emulator`, and what its banner tells.
struct Emulator {
    child: Child,
    /// The variables of the banner's `export` lines (with `--tls`).
    env: Vec<(String, String)>,
    /// The banner's `Graph root:`.
    graph_root: String,
    /// The banner's `Bearer token:`.
    token: String,
}

impl Emulator {
    /// `graph-sync emulator ARGS [DIR] --port P` on a free loopback port.
    fn start(binary: &Path, args: &[&str], dir: Option<&Path>) -> Result<Self, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| format!("cannot find a free port: {e}"))?
            .port();
        let mut command = Command::new(binary);
        command.arg("emulator").args(args);
        if let Some(dir) = dir {
            command.arg(dir);
        }
        command.args(["--port", &port.to_string()]);
        let shown: Vec<String> = command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        println!("$ graph-sync {}", shown.join(" "));
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("the emulator has no stdout")?;
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut emulator = Self {
            child,
            env: Vec::new(),
            graph_root: String::new(),
            token: String::new(),
        };
        loop {
            let Ok(line) = received.recv_timeout(BANNER_TIMEOUT) else {
                emulator.stop();
                return Err("the emulator did not print its banner".to_owned());
            };
            if let Some((name, value)) =
                line.strip_prefix("export ").and_then(|l| l.split_once('='))
            {
                emulator.env.push((name.to_owned(), value.to_owned()));
            } else if let Some(root) = line.strip_prefix("Graph root:") {
                root.trim().clone_into(&mut emulator.graph_root);
            } else if let Some(token) = line.strip_prefix("Bearer token:") {
                token.trim().clone_into(&mut emulator.token);
            }
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        if emulator.graph_root.is_empty() || emulator.token.is_empty() {
            emulator.stop();
            return Err("the emulator's banner names no Graph root or bearer token".to_owned());
        }
        Ok(emulator)
    }

    /// Stops the emulator this suite started.
    fn stop(&mut self) {
        // It may have exited already; then there is nothing to stop.
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
