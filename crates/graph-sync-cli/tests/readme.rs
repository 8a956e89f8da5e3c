//! README's command lines work on a fresh machine: every `sh` block of README.md is run, line
//! by line and in order, against an emulator on loopback, in a scratch directory that is also
//! `$HOME`, with the built `graph-sync` first on `PATH` and nothing else in the environment but
//! what the rules below provide. A README example that breaks fails this test.
//!
//! The rules (the only lines not run as written are those rules 2 and 3 name):
//!
//! 1. `cargo run -p graph-sync-cli -- ARGS` is `graph-sync ARGS` (the built binary).
//! 2. Any other `cargo` command (`cargo xtask ci`, `cargo install`, `cargo run --example`) is
//!    skipped: it builds or checks the workspace itself, which CI does; it is not a command line
//!    of graph-sync.
//! 3. A line that runs `az` (alone or inside `$(…)`) is skipped: it talks to Azure. Against the
//!    emulator, `GRAPH_SYNC_GRAPH_URL` and `GRAPH_SYNC_TOKEN` are set to the emulator's, as
//!    `graph-sync emulator` prints them.
//! 4. Every other line (heredocs writing files, `chmod`, `mkdir -p`, variable assignments,
//!    `graph-sync …`) runs as written, through `sh`.
//! 5. What the README leaves to the reader is provided: variables it uses but never sets
//!    (`SCIM_TOKEN`, `TOKEN_A`, `RULE`, `USER_ID`, `GROUP_ID`), files it names but never writes
//!    (`tokens/b.txt`), and the ids it uses (service principal
//!    `3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6` with appId `7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b`,
//!    with the `scim` template and a target system that accepts the secrets file's values).
//! 6. A line that runs until Ctrl-C (`graph-sync emulator`, `jobs status --watch` without
//!    `--until`) is interrupted (SIGINT) once it has printed its first line, and must then end
//!    with 0 or 130; `--port N` runs on a free port instead of N.
//! 7. Every other line must exit 0, and nothing may panic.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use graph_sync_api::model::{AppId, ServicePrincipalId};
use graph_sync_emulator::{Emulator, ServicePrincipal, SourceObject, TargetSystem};
use tokio::io::{AsyncBufReadExt as _, BufReader};

use crate::support::{TARGET_URL, World};

/// The ids README.md uses.
const README_SP: &str = "3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6";
const README_APP_ID: &str = "7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b";
/// The rule id of the emulator's `scim` template schema.
const RULE: &str = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8";
/// The SecretToken the reader's `SCIM_TOKEN` holds; the target system accepts it.
const SCIM_TOKEN: &str = "readme-scim-token";

/// One command line of a README `sh` block: continuation lines joined, a heredoc's body
/// attached.
#[derive(Debug)]
struct Line {
    /// The line in README.md where it starts.
    at: usize,
    /// The shell text (with its heredoc, if any).
    text: String,
}

/// The command lines of README.md's `sh` blocks, in order.
fn sh_lines(readme: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut in_sh = false;
    let mut in_other = false;
    let mut rows = readme.lines().enumerate();
    while let Some((number, row)) = rows.next() {
        let fence = row.trim_start().starts_with("```");
        if fence && !in_sh && !in_other {
            in_sh = row.trim() == "```sh";
            in_other = !in_sh;
            continue;
        }
        if fence {
            (in_sh, in_other) = (false, false);
            continue;
        }
        if !in_sh || row.trim().is_empty() || row.trim_start().starts_with('#') {
            continue;
        }
        let mut text = row.to_owned();
        while text.ends_with('\\') {
            let Some((_, next)) = rows.next() else { break };
            text.push('\n');
            text.push_str(next);
        }
        // A heredoc (`<<'TAG'`): its body, up to the line TAG.
        if let Some(tag) = text
            .split_once("<<'")
            .and_then(|(_, rest)| rest.split_once('\''))
            .map(|(tag, _)| tag.to_owned())
        {
            for (_, body) in rows.by_ref() {
                text.push('\n');
                text.push_str(body);
                if body == tag {
                    break;
                }
            }
        }
        lines.push(Line {
            at: number + 1,
            text,
        });
    }
    lines
}

/// What a rule says to do with a line.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    /// Rule 2 or 3: skipped, with the rule.
    Skip(&'static str),
    /// Rule 4: run to the end; exit 0.
    Run(String),
    /// Rule 6: run, interrupt after its first line of output.
    Interrupt(String),
}

fn plan(line: &str) -> Plan {
    let text = line
        .strip_prefix("cargo run -p graph-sync-cli -- ")
        .map_or_else(|| line.to_owned(), |rest| format!("graph-sync {rest}"));
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.first() == Some(&"cargo") {
        return Plan::Skip("rule 2: a cargo command, not a graph-sync command line");
    }
    if words
        .iter()
        .any(|word| *word == "az" || word.ends_with("$(az"))
    {
        return Plan::Skip("rule 3: runs az (Azure); the emulator's token is used instead");
    }
    let runs_until_ctrl_c = words.first() == Some(&"graph-sync")
        && (words.get(1) == Some(&"emulator")
            || (words.contains(&"--watch") && !words.contains(&"--until")));
    if runs_until_ctrl_c {
        let mut text = text.clone();
        if let Some(port) = words
            .iter()
            .position(|word| *word == "--port")
            .and_then(|at| words.get(at + 1))
        {
            text = text.replace(&format!("--port {port}"), "--port 0");
        }
        return Plan::Interrupt(text);
    }
    Plan::Run(text)
}

/// `NAME=VALUE` or `export NAME=VALUE` (one assignment, nothing after it but a comment).
fn assignment(line: &str) -> Option<(String, String)> {
    let line = line.strip_prefix("export ").unwrap_or(line);
    let (name, value) = line.split_once('=')?;
    let simple = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    simple.then(|| (name.to_owned(), value.to_owned()))
}

/// The shell session: the variables set so far, the scratch directory, `PATH`.
struct Session {
    home: String,
    vars: BTreeMap<String, String>,
}

impl Session {
    fn command(&self, script: &str) -> tokio::process::Command {
        let mut command = tokio::process::Command::new("sh");
        command
            .args(["-c", script])
            .current_dir(&self.home)
            .env_clear()
            .envs(&self.vars)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// Runs `script` to its end; returns (exit code, stdout, stderr).
    async fn run(&self, script: &str) -> (i32, String, String) {
        let output = tokio::time::timeout(Duration::from_secs(120), self.command(script).output())
            .await
            .unwrap_or_else(|_| panic!("README line did not end within 2 minutes: {script}"))
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Rule 6: runs `script` (as `exec`, so that the signal reaches graph-sync), interrupts it
    /// after its first line of output; returns (exit code, first line).
    async fn interrupt(&self, script: &str) -> (i32, String) {
        let mut child = self.command(&format!("exec {script}")).spawn().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        tokio::time::timeout(Duration::from_secs(60), stdout.read_line(&mut first))
            .await
            .unwrap_or_else(|_| panic!("README line printed nothing within a minute: {script}"))
            .unwrap();
        crate::support::interrupt(&child);
        let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
            .await
            .unwrap_or_else(|_| panic!("README line did not stop on Ctrl-C: {script}"))
            .unwrap();
        (status.code().unwrap_or(-1), first)
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_line_of_the_readme_runs_against_the_emulator() {
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let lines = sh_lines(&readme);

    // Rule 5: the emulator holds what the README's ids name.
    let world = World::start().await;
    let emulator = world.running.emulator();
    let sp = ServicePrincipal::new(
        ServicePrincipalId::new(README_SP).unwrap(),
        AppId::new(README_APP_ID).unwrap(),
        "README app",
    );
    emulator.insert_service_principal(sp.clone());
    emulator.add_template(&sp.id, Emulator::scim_template());
    emulator.set_target_system(&sp.id, TargetSystem::new(TARGET_URL, SCIM_TOKEN));
    emulator.assign(
        &sp.id,
        SourceObject::user("u-readme").with("userPrincipalName", "readme@contoso.com"),
    );

    // A fresh home with graph-sync on PATH; the reader's values (rule 5).
    let home = world.dir.path().to_str().unwrap().to_owned();
    let bin = world.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_graph-sync"), bin.join("graph-sync")).unwrap();
    std::fs::create_dir_all(world.dir.path().join("tokens")).unwrap();
    world.dir.private("tokens/b.txt", "readme-token-b");
    let vars = [
        (
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display()),
        ),
        ("HOME", home.clone()),
        ("GRAPH_SYNC_GRAPH_URL", world.running.graph_root()),
        ("GRAPH_SYNC_TOKEN", world.token.clone()),
        ("SCIM_TOKEN", SCIM_TOKEN.to_owned()),
        ("TOKEN_A", "readme-token-a".to_owned()),
        ("RULE", RULE.to_owned()),
        ("USER_ID", "u-readme".to_owned()),
        ("GROUP_ID", "g-readme".to_owned()),
    ];
    let mut session = Session {
        home,
        vars: vars
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
    };

    let mut ran = 0;
    let mut graph_sync_lines = 0;
    for line in &lines {
        let where_ = format!("README.md:{}: {}", line.at, line.text);
        match plan(&line.text) {
            Plan::Skip(rule) => eprintln!("skipped ({rule}): {where_}"),
            Plan::Interrupt(script) => {
                let (code, first) = session.interrupt(&script).await;
                assert!(
                    code == 0 || code == 130,
                    "{where_}\nexit code {code} after Ctrl-C (first line {first:?})"
                );
                ran += 1;
                graph_sync_lines += 1;
            }
            Plan::Run(script) => {
                if let Some((name, value)) = assignment(&script) {
                    // Evaluated by sh (quotes, $(…)), kept for the lines below.
                    let (code, stdout, stderr) = session
                        .run(&format!("{name}={value}\nprintf %s \"${name}\""))
                        .await;
                    assert_eq!(code, 0, "{where_}\nstderr: {stderr}");
                    assert!(!stdout.is_empty(), "{where_}: {name} is empty; {stderr}");
                    graph_sync_lines += usize::from(value.contains("$(graph-sync"));
                    session.vars.insert(name, stdout);
                } else {
                    let (code, stdout, stderr) = session.run(&script).await;
                    assert_eq!(
                        code, 0,
                        "{where_}\nexit code {code}\nstdout: {stdout}\nstderr: {stderr}"
                    );
                    assert!(!stderr.contains("panicked"), "{where_}: {stderr}");
                    graph_sync_lines += usize::from(script.starts_with("graph-sync"));
                }
                ran += 1;
            }
        }
    }
    eprintln!(
        "README: {} command lines, {ran} run ({graph_sync_lines} of graph-sync), {} skipped",
        lines.len(),
        lines.len() - ran
    );
    // The README's examples are many; a parser that found few would test nothing.
    assert!(
        graph_sync_lines >= 15,
        "only {graph_sync_lines} graph-sync lines found"
    );
    // The job id the README captures with `-o tsv` is an id, not a sentence.
    let job = session.vars.get("JOB").expect("the README sets JOB");
    assert!(job.starts_with("scim."), "JOB={job}");
}

#[test]
fn the_rules_say_what_is_skipped_and_what_is_interrupted() {
    assert_eq!(
        plan("cargo run -p graph-sync-cli -- demo"),
        Plan::Run("graph-sync demo".to_owned())
    );
    assert!(matches!(plan("cargo xtask ci"), Plan::Skip(_)));
    assert!(matches!(
        plan("export GRAPH_SYNC_TOKEN=\"$(az account get-access-token)\""),
        Plan::Skip(_)
    ));
    assert_eq!(
        plan("graph-sync emulator --port 8080   # note"),
        Plan::Interrupt("graph-sync emulator --port 0   # note".to_owned())
    );
    assert!(matches!(
        plan("graph-sync jobs status --sp S --job J --watch"),
        Plan::Interrupt(_)
    ));
    assert!(matches!(
        plan("graph-sync jobs status --sp S --job J --watch --until active"),
        Plan::Run(_)
    ));
    assert_eq!(
        assignment("JOB=$(graph-sync jobs create -o tsv)   # id"),
        Some((
            "JOB".to_owned(),
            "$(graph-sync jobs create -o tsv)   # id".to_owned()
        ))
    );
    assert_eq!(assignment("graph-sync x --a=b"), None);
    let lines = sh_lines(
        "```toml\nx = 1\n```\n```sh\n# c\ncat > f <<'T'\na\nT\ngraph-sync a \\\n  b\n```\n",
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0].text, "cat > f <<'T'\na\nT");
    assert_eq!(lines[1].text, "graph-sync a \\\n  b");
    assert_eq!(lines[1].at, 9);
}
