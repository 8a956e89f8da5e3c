//! `cargo xtask compat`: Microsoft's own Python clients against `graph-sync emulator --tls`.
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
//! 4. Stops the emulator and exits with the script's verdict.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::{Cargo, workspace_root};

/// How long the emulator may take to print its banner.
const BANNER_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs the suite.
pub(crate) fn run() -> ExitCode {
    match suite() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("compat: {message}");
            ExitCode::FAILURE
        }
    }
}

fn suite() -> Result<(), String> {
    let root = workspace_root();
    let work = root.join("target").join("compat");
    let python = find_python()?;
    let venv_python = make_venv(&python, &work, &root.join("xtask/compat/requirements.txt"))?;

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

    let mut emulator = Emulator::start(&binary, &work)?;
    println!("$ {} compat.py", venv_python.display());
    let status = Command::new(&venv_python)
        .arg(root.join("xtask/compat/compat.py"))
        .envs(emulator.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .status();
    emulator.stop();
    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("the compatibility workflow failed ({status})")),
        Err(error) => Err(format!("could not run compat.py: {error}")),
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

/// A fresh virtual environment in `work/venv` with the requirements installed; its Python.
fn make_venv(python: &str, work: &Path, requirements: &Path) -> Result<PathBuf, String> {
    let venv = work.join("venv");
    if work.exists() {
        std::fs::remove_dir_all(work)
            .map_err(|e| format!("cannot remove {}: {e}", work.display()))?;
    }
    std::fs::create_dir_all(work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    run_step(
        Command::new(python).arg("-m").arg("venv").arg(&venv),
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
        "installing msgraph-sdk and azure-identity",
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

/// `graph-sync emulator --tls`, and the variables its banner exports.
struct Emulator {
    child: Child,
    env: Vec<(String, String)>,
}

impl Emulator {
    fn start(binary: &Path, work: &Path) -> Result<Self, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| format!("cannot find a free port: {e}"))?
            .port();
        println!("$ graph-sync emulator --tls --port {port}");
        let mut child = Command::new(binary)
            .args(["emulator", "--tls", "--port", &port.to_string(), "--ca-dir"])
            .arg(work)
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
        let mut env = Vec::new();
        let mut emulator = Self {
            child,
            env: Vec::new(),
        };
        loop {
            let Ok(line) = received.recv_timeout(BANNER_TIMEOUT) else {
                emulator.stop();
                return Err("the emulator did not print its banner".to_owned());
            };
            if let Some((name, value)) =
                line.strip_prefix("export ").and_then(|l| l.split_once('='))
            {
                env.push((name.to_owned(), value.to_owned()));
            }
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        emulator.env = env;
        Ok(emulator)
    }

    /// Stops the emulator this suite started.
    fn stop(&mut self) {
        // It may have exited already; then there is nothing to stop.
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
