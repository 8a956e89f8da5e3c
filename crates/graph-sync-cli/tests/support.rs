//! Test support: an emulator on loopback, a private scratch directory, and a runner for the
//! `graph-sync` binary with a clean environment.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};

use graph_sync_api::model::{ExposeSecret, Secrets};
use graph_sync_emulator::{Emulator, RunningEmulator, ServicePrincipal, TargetSystem};
use tokio::io::AsyncWriteExt as _;

/// Starts `graph-sync ARGS` (e.g. `emulator …`) as a process of its own with a clean
/// environment and its standard output piped (to read a banner); killed when dropped.
pub(crate) fn spawn_graph_sync<I, S>(args: I) -> tokio::process::Child
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    tokio::process::Command::new(env!("CARGO_BIN_EXE_graph-sync"))
        .args(args)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// A value that must never appear in any output.
pub(crate) const CANARY: &str = "CANARY-7f3a9c-s3cr3t";

/// The SCIM endpoint of the emulated target system.
pub(crate) const TARGET_URL: &str = "https://scim.example.com/scim/v2";

/// An emulator with one service principal, a token, and a scratch directory.
pub(crate) struct World {
    pub(crate) running: RunningEmulator,
    pub(crate) token: String,
    pub(crate) sp: ServicePrincipal,
    pub(crate) dir: Scratch,
}

impl World {
    pub(crate) async fn start() -> Self {
        let emulator = Emulator::new();
        let sp = emulator.register_service_principal("CLI test app");
        let token = emulator.issue_token();
        let running = emulator.start().await.expect("the emulator starts");
        Self {
            running,
            token,
            sp,
            dir: Scratch::new(),
        }
    }

    /// A world whose service principal has the `scim` template and a target system that
    /// accepts [`TARGET_URL`] with the token [`CANARY`].
    pub(crate) async fn provisioning() -> Self {
        let world = Self::start().await;
        let emulator = world.running.emulator();
        emulator.add_template(&world.sp.id, Emulator::scim_template());
        emulator.set_target_system(&world.sp.id, TargetSystem::new(TARGET_URL, CANARY));
        world
    }

    /// `graph-sync --graph-url <emulator>` with the token in `GRAPH_SYNC_TOKEN`.
    pub(crate) fn graph_sync(&self) -> Run {
        Run::new()
            .arg("--graph-url")
            .arg(&self.running.graph_root())
            .env("GRAPH_SYNC_TOKEN", &self.token)
    }

    /// `graph-sync secrets set --sp <the world's service principal> --from FILE`.
    pub(crate) fn set_secrets(&self, file: &Path) -> Run {
        self.graph_sync()
            .args(&["secrets", "set", "--sp", &self.sp_id(), "--from"])
            .arg(file.to_str().unwrap())
    }

    pub(crate) fn sp_id(&self) -> String {
        self.sp.id.to_string()
    }

    /// The stored secrets as (key, value) pairs.
    pub(crate) fn stored(&self) -> Vec<(String, String)> {
        self.running
            .emulator()
            .stored_secrets(&self.sp.id)
            .map(|secrets| pairs(&secrets))
            .unwrap_or_default()
    }

    /// How many requests the emulator has answered.
    pub(crate) fn request_count(&self) -> usize {
        self.running.emulator().requests().len()
    }
}

pub(crate) fn pairs(secrets: &Secrets) -> Vec<(String, String)> {
    secrets
        .iter()
        .map(|pair| {
            (
                pair.key().as_str().to_owned(),
                pair.value().expose_secret().to_owned(),
            )
        })
        .collect()
}

/// A directory removed when dropped.
pub(crate) struct Scratch {
    path: PathBuf,
}

impl Scratch {
    pub(crate) fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "graph-sync-cli-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self { path }
    }

    /// Writes a file readable by its owner only (mode 600 on unix).
    pub(crate) fn private(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path.join(name);
        std::fs::write(&path, contents).unwrap();
        set_mode(&path, 0o600);
        path
    }

    /// Writes a file readable by everyone (mode 644 on unix).
    pub(crate) fn shared(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path.join(name);
        std::fs::write(&path, contents).unwrap();
        set_mode(&path, 0o644);
        path
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

/// One run of the binary, with an empty environment except what the test sets.
pub(crate) struct Run {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
}

/// What a run produced.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Output {
    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub(crate) fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit code; output: {self:#?}");
        self
    }

    /// Asserts that `text` appears in neither stdout nor stderr.
    #[track_caller]
    pub(crate) fn never_shows(&self, text: &str) -> &Self {
        assert!(
            !self.stdout.contains(text),
            "stdout shows {text:?}: {self:#?}"
        );
        assert!(
            !self.stderr.contains(text),
            "stderr shows {text:?}: {self:#?}"
        );
        self
    }
}

impl Run {
    pub(crate) fn new() -> Self {
        Self {
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
        }
    }

    pub(crate) fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_owned());
        self
    }

    pub(crate) fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|arg| (*arg).to_owned()));
        self
    }

    pub(crate) fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    pub(crate) fn stdin(mut self, bytes: &[u8]) -> Self {
        self.stdin = Some(bytes.to_vec());
        self
    }

    /// Starts the binary and returns the running child (stdin, stdout and stderr null), for
    /// a test that interrupts it.
    pub(crate) fn spawn(self) -> tokio::process::Child {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_graph-sync"))
            .args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("graph-sync starts")
    }

    /// Starts the binary with stdout and stderr piped, for a test that reads it as it runs
    /// (and interrupts it, or closes its stdout).
    pub(crate) fn spawn_piped(self) -> tokio::process::Child {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_graph-sync"))
            .args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("graph-sync starts")
    }

    pub(crate) async fn run(self) -> Output {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_graph-sync"));
        command
            .args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("graph-sync starts");
        if let Some(bytes) = self.stdin {
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(&bytes).await.unwrap();
            drop(stdin);
        }
        let output =
            tokio::time::timeout(std::time::Duration::from_secs(60), child.wait_with_output())
                .await
                .expect("graph-sync finishes within a minute")
                .unwrap();
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Sends SIGINT (what Ctrl-C sends) to a child process.
#[cfg(unix)]
pub(crate) fn interrupt(child: &tokio::process::Child) {
    let pid = child.id().expect("the child is running");
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Waits for a child and collects what it printed.
pub(crate) async fn finish(child: tokio::process::Child) -> Output {
    let output = tokio::time::timeout(std::time::Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("graph-sync finishes within a minute")
        .unwrap();
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A private tmux server with one pane of a given size running one shell command: a real
/// pseudo-terminal for the tests of what graph-sync draws on a terminal. Killed when dropped.
pub(crate) struct Pane {
    socket: String,
}

impl Pane {
    /// Starts `command` (a `sh` command line) in a `width`×`height` pane; `None`, saying so on
    /// stderr, when tmux is not installed (the test is then skipped). When `command` ends, the
    /// pane stays as it was, for [`capture`](Self::capture), and [`finished`](Self::finished)
    /// returns.
    pub(crate) fn start(name: &str, width: u16, height: u16, command: &str) -> Option<Self> {
        if tmux(&["-V"]).is_err() {
            eprintln!("skipped: tmux is not installed (the terminal test needs it)");
            return None;
        }
        let socket = format!("graph-sync-test-{}-{name}", std::process::id());
        let command = format!("{command}; tmux -L {socket} wait-for -S finished; sleep 600");
        let (width, height) = (width.to_string(), height.to_string());
        let started = tmux(&[
            "-L",
            &socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            &width,
            "-y",
            &height,
            &command,
        ])
        .unwrap();
        assert!(started.status.success(), "{started:?}");
        Some(Self { socket })
    }

    /// The pane's text with its history, wrapped rows joined into the lines that were
    /// printed (`capture-pane -J`): a line wider than the pane shows as one long line.
    pub(crate) fn capture(&self) -> String {
        let captured =
            tmux(&["-L", &self.socket, "capture-pane", "-p", "-J", "-S", "-200"]).unwrap();
        String::from_utf8_lossy(&captured.stdout).into_owned()
    }

    /// Types `keys` (tmux key names: `y`, `Enter`) into the pane.
    pub(crate) fn send_keys(&self, keys: &[&str]) {
        let mut args = vec!["-L", self.socket.as_str(), "send-keys"];
        args.extend_from_slice(keys);
        let sent = tmux(&args).unwrap();
        assert!(sent.status.success(), "{sent:?}");
    }

    /// Waits (at most a minute, polling) until the pane shows `text`; returns the pane.
    pub(crate) async fn wait_for_text(&self, text: &str) -> String {
        for _ in 0..6_000 {
            let pane = self.capture();
            if pane.contains(text) {
                return pane;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the terminal never showed {text:?}: {:?}", self.capture());
    }

    /// Waits (at most a minute) until the command has ended.
    pub(crate) async fn finished(&self) {
        let socket = self.socket.clone();
        let waited =
            tokio::task::spawn_blocking(move || tmux(&["-L", &socket, "wait-for", "finished"]));
        let waited = tokio::time::timeout(std::time::Duration::from_secs(60), waited)
            .await
            .expect("the command in the terminal ends within a minute")
            .unwrap()
            .unwrap();
        assert!(waited.status.success());
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = tmux(&["-L", &self.socket, "kill-server"]);
    }
}

fn tmux(args: &[&str]) -> std::io::Result<std::process::Output> {
    std::process::Command::new("tmux").args(args).output()
}
