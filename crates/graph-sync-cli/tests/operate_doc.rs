//! `docs/operate.md`, run as written: the walkthrough from a user who does not provision to
//! their success. The page is the source: its fenced files are written, its emulator command
//! started, and every `$` command run in order through `sh` in one scratch folder, each checked
//! against the exit code and the output lines the page shows (see the page's last section for
//! the conventions). Nothing here repeats the page's commands.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, BufReader};

use crate::support::{Output, Scratch, finish};

const PAGE: &str = include_str!("../../../docs/operate.md");
const PAGE_NAME: &str = "docs/operate.md";

/// One `$` command of the page, with what it shows.
#[derive(Debug)]
struct Command {
    /// The page's line of the `$`.
    line: usize,
    /// The command, continuation lines included.
    text: String,
    /// The output lines shown after it.
    shown: Vec<String>,
    /// `[exit N]`, 0 when not shown.
    exit: i32,
}

/// What the page holds, in order.
#[derive(Debug)]
enum Item {
    /// ` ```LANG NAME `: a file to write.
    File {
        name: String,
        text: String,
    },
    Command(Command),
}

/// Reads the page's fenced blocks: ` ```console ` blocks hold commands, ` ```LANG NAME `
/// blocks files; other blocks are prose.
fn items(page: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut lines = page.lines().enumerate();
    while let Some((_, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let words: Vec<&str> = info.split_whitespace().collect();
        let block: Vec<(usize, &str)> = lines
            .by_ref()
            .take_while(|(_, line)| !line.starts_with("```"))
            .map(|(number, line)| (number + 1, line))
            .collect();
        match words.as_slice() {
            ["console"] => items.extend(commands(&block).into_iter().map(Item::Command)),
            [_, name] => items.push(Item::File {
                name: (*name).to_owned(),
                text: block.iter().map(|(_, line)| format!("{line}\n")).collect(),
            }),
            _ => {}
        }
    }
    items
}

/// The commands of a console block.
fn commands(block: &[(usize, &str)]) -> Vec<Command> {
    let mut commands: Vec<Command> = Vec::new();
    let mut continued = false;
    for &(number, line) in block {
        if continued {
            let command = commands.last_mut().unwrap();
            command.text.push('\n');
            command.text.push_str(line);
            continued = line.ends_with('\\');
        } else if let Some(text) = line.strip_prefix("$ ") {
            commands.push(Command {
                line: number,
                text: text.to_owned(),
                shown: Vec::new(),
                exit: 0,
            });
            continued = text.ends_with('\\');
        } else if let Some(command) = commands.last_mut() {
            if let Some(code) = line
                .strip_prefix("[exit ")
                .and_then(|rest| rest.strip_suffix(']'))
            {
                command.exit = code.parse().unwrap();
            } else if !line.trim().is_empty() {
                command.shown.push(line.to_owned());
            }
        } else {
            panic!("{PAGE_NAME}:{number}: output before any command: {line:?}");
        }
    }
    commands
}

/// `text` with runs of whitespace as one space, trimmed.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `line` shows `pattern`: the pattern's parts between `…` appear in it, in order
/// (runs of spaces count as one).
fn shows(line: &str, pattern: &str) -> bool {
    let line = squeeze(line);
    let mut rest = line.as_str();
    for part in squeeze(pattern).split('…').map(str::trim) {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Asserts that the `shown` lines appear in `output`, in order.
#[track_caller]
fn assert_shows(command: &Command, output: &str) {
    let mut lines = output.lines();
    for pattern in &command.shown {
        assert!(
            lines.any(|line| shows(line, pattern)),
            "{PAGE_NAME}:{}: `{}` did not show {pattern:?} (in order); it printed:\n{output}",
            command.line,
            command.text
        );
    }
}

/// The environment every command starts from: graph-sync, sh and jq on the PATH, no
/// configuration from the machine.
fn environment(scratch: &Path) -> Vec<(String, String)> {
    let bin = Path::new(env!("CARGO_BIN_EXE_graph-sync"))
        .parent()
        .unwrap()
        .display()
        .to_string();
    let home = scratch.display().to_string();
    vec![
        (
            "PATH".to_owned(),
            format!("{bin}:/usr/local/bin:/usr/bin:/bin"),
        ),
        ("HOME".to_owned(), home.clone()),
        ("XDG_CONFIG_HOME".to_owned(), home),
    ]
}

/// Starts `sh -c script` in `folder` with `environment` only, stdout piped (stderr too when
/// `stderr`).
fn sh(
    folder: &Path,
    environment: &[(String, String)],
    script: &str,
    stderr: bool,
) -> tokio::process::Child {
    tokio::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(folder)
        .env_clear()
        .envs(environment.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(if stderr {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Runs `text` through `sh` in `folder`, with the variables earlier commands exported
/// (kept in `folder/.exported`).
async fn shell(folder: &Path, environment: &[(String, String)], text: &str) -> Output {
    let script = format!(
        "if [ -f .exported ]; then . ./.exported; fi\n{text}\nstatus=$?\nexport -p > .exported\nexit $status\n"
    );
    finish(sh(folder, environment, &script, true)).await
}

/// Starts the page's emulator command in `folder` and reads its banner up to "Press Ctrl-C".
async fn start_emulator(
    folder: &Path,
    environment: &[(String, String)],
    command: &Command,
) -> (tokio::process::Child, String) {
    let mut child = sh(
        folder,
        environment,
        &format!("exec {}", command.text),
        false,
    );
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = String::new();
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            banner.push_str(&line);
            banner.push('\n');
            if line.starts_with("Press Ctrl-C") {
                return;
            }
        }
        panic!("the emulator stopped before its banner ended:\n{banner}");
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("the emulator prints its banner within a minute");
    (child, banner)
}

#[test]
fn the_page_is_read_as_the_walkthrough_it_describes() {
    let items = items(PAGE);
    let commands: Vec<&Command> = items
        .iter()
        .filter_map(|item| match item {
            Item::Command(command) => Some(command),
            Item::File { .. } => None,
        })
        .collect();
    // The walkthrough's steps, in order.
    let mut rest = commands.iter();
    for step in [
        "graph-sync emulator",
        "graph-sync logs --job",
        "graph-sync logs show",
        "graph-sync expression test",
        "graph-sync schema diff",
        "graph-sync schema apply",
        "graph-sync provision-on-demand",
        "graph-sync logs --job",
    ] {
        assert!(
            rest.any(|command| command.text.starts_with(step)),
            "{PAGE_NAME} has no `{step}` where the walkthrough needs it"
        );
    }
    assert!(commands.iter().any(|command| command.exit == 1));
    let files: Vec<&str> = items
        .iter()
        .filter_map(|item| match item {
            Item::File { name, .. } => Some(name.as_str()),
            Item::Command(_) => None,
        })
        .collect();
    assert_eq!(files, ["tenant.toml", "secrets.toml", "external-id.jq"]);
    assert!(shows("Result      meganb  ", "Result …b"));
    assert!(!shows("Result x", "Result … meganb"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_of_the_operate_walkthrough_runs_as_written() {
    let scratch = Scratch::new();
    let folder = scratch.path();
    let environment = environment(folder);
    let mut emulator = None;
    let mut ran = 0;
    for item in items(PAGE) {
        let command = match item {
            Item::File { name, text } => {
                std::fs::write(folder.join(name), text).unwrap();
                continue;
            }
            Item::Command(command) => command,
        };
        if command.text.starts_with("graph-sync emulator") {
            let (child, banner) = start_emulator(folder, &environment, &command).await;
            assert_shows(&command, &banner);
            emulator = Some((child, banner));
            ran += 1;
            continue;
        }
        // A command with `…` is a line the emulator printed: the one that matches.
        let text = if command.text.contains('…') {
            let (_, banner) = emulator
                .as_ref()
                .expect("a command with … comes after the emulator's");
            banner
                .lines()
                .find(|line| shows(line, &command.text))
                .unwrap_or_else(|| {
                    panic!(
                        "{PAGE_NAME}:{}: the emulator printed no line like `{}`:\n{banner}",
                        command.line, command.text
                    )
                })
                .trim()
                .to_owned()
        } else {
            command.text.clone()
        };
        let output = shell(folder, &environment, &text).await;
        assert_eq!(
            output.code, command.exit,
            "{PAGE_NAME}:{}: `{}` exited with {}:\n{output:#?}",
            command.line, command.text, output.code
        );
        assert_shows(&command, &format!("{}{}", output.stdout, output.stderr));
        ran += 1;
    }
    assert!(ran >= 20, "{ran} commands ran");
    let (mut child, _) = emulator.expect("the page starts the emulator");
    child.kill().await.unwrap();
}
