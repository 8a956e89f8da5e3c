//! Issue 12 items 1 and 2 and the command-line items of issue 10, on the real binary: a closed
//! pipe, Ctrl-C, clap's own errors, `--sp appid=`, empty values, size caps, the bulk journal,
//! and arguments or files that must never be repeated back.

use std::time::Duration;

use graph_sync_emulator::{Emulator, ThrottleConfig};
use tokio::io::{AsyncBufReadExt as _, BufReader};

#[cfg(unix)]
use crate::support::Pane;
use crate::support::{CANARY, Output, Run, TARGET_URL, World, finish};

/// The rule id of the emulator's `scim` template schema.
const RULE: &str = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8";

const SP: &str = "3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6";

/// Item 1: a reader that stops early (`| head -1`) ends the run quietly with exit 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_ends_the_run_quietly_with_exit_0() {
    let world = World::start().await;
    world
        .running
        .emulator()
        .add_template(&world.sp.id, Emulator::scim_template());
    for run in [
        Run::new().args(&["completions", "zsh"]),
        Run::new().arg("--help"),
        world
            .graph_sync()
            .args(&["templates", "list", "--sp", &world.sp_id()]),
        Run::new().arg("demo"),
    ] {
        let mut child = run.spawn_piped();
        drop(child.stdout.take());
        let output = finish(child).await;
        output.expect_code(0);
        assert!(!output.stderr.contains("panicked"), "{output:#?}");
        assert!(!output.stderr.contains("Broken pipe"), "{output:#?}");
    }
}

/// Item 1: Ctrl-C during a watch stops it with exit 130 and says nothing was changed.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_watch_and_says_what_was_done() {
    let world = World::provisioning().await;
    let created = world
        .graph_sync()
        .args(&["-o", "json", "jobs", "create", "--sp", &world.sp_id()])
        .args(&["--template", "scim"])
        .run()
        .await;
    created.expect_code(0);
    let job: serde_json::Value = serde_json::from_str(&created.stdout).unwrap();
    let job = job["id"].as_str().unwrap().to_owned();
    let mut child = world
        .graph_sync()
        .args(&["jobs", "status", "--sp", &world.sp_id(), "--job", &job])
        .args(&["--watch", "--interval", "50ms", "--timeout", "10m"])
        .spawn_piped();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .unwrap()
        .unwrap();
    assert!(first.unwrap_or_default().contains("State:"));
    crate::support::interrupt(&child);
    let output = finish(child).await;
    output.expect_code(130);
    assert!(
        output.stderr.contains("interrupted (Ctrl-C)")
            && output.stderr.contains("nothing had been changed"),
        "{output:#?}"
    );
}

/// Items 1 and 7: Ctrl-C during `bulk secrets` prints the counts and the exact command that
/// resumes; running it finishes the rest.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_during_bulk_prints_the_summary_and_the_resume_command() {
    let world = World::start().await;
    let mut csv = String::from("sp,BaseAddress,SecretToken\n");
    for i in 0..30 {
        let sp = world
            .running
            .emulator()
            .register_service_principal(&format!("bulk {i}"));
        csv.push_str(&format!("{},https://scim.example.com/{i},tok-{i}\n", sp.id));
    }
    let csv = world.dir.private("apps.csv", &csv);
    let journal = world.dir.path().join("apps.csv.journal");
    world
        .running
        .emulator()
        .set_throttle(Some(ThrottleConfig::new(20.0, 1)));
    let child = world
        .graph_sync()
        .args(&["bulk", "secrets", "--concurrency", "2", "--csv"])
        .arg(csv.to_str().unwrap())
        .spawn_piped();
    let entries = || {
        std::fs::read_to_string(&journal)
            .map(|text| text.lines().filter(|l| !l.starts_with('#')).count())
            .unwrap_or(0)
    };
    tokio::time::timeout(Duration::from_secs(30), async {
        while entries() < 3 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .expect("the journal fills");
    crate::support::interrupt(&child);
    let output = finish(child).await;
    output.expect_code(130);
    assert!(
        output.stderr.contains("interrupted (Ctrl-C)"),
        "{output:#?}"
    );
    let resume = output
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("Resume with: "))
        .unwrap_or_else(|| panic!("a resume command: {output:#?}"));
    assert!(resume.starts_with("graph-sync --graph-url "), "{resume}");
    assert!(
        resume.contains(" bulk secrets --concurrency 2 --csv "),
        "{resume}"
    );
    world.running.emulator().set_throttle(None);
    let args: Vec<&str> = resume.split(' ').skip(1).collect();
    let output = world.graph_sync().args(&args[2..]).run().await;
    output.expect_code(0);
    assert!(output.stdout.contains("already done"), "{output:#?}");
    assert_eq!(entries(), 30);
}

/// Item 2: clap's own messages and suggestions for typos, for every command; a bare value
/// typed by mistake is never repeated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typos_get_clap_suggestions_and_stray_values_are_not_repeated() {
    for (args, expected) in [
        (
            &["secrets", "set", "--sp", SP, "--from", "f.toml", "--dryrun"][..],
            "'--dry-run'",
        ),
        (
            &["bulk", "secrets", "--csv", "a.csv", "--concurency", "2"],
            "'--concurrency'",
        ),
        (&["provision", "--manifest", "m.toml", "--josn"], "'--josn'"),
        (
            &["secrets", "set", "--service-principal", SP, "--from", "f"],
            "unexpected argument '--service-principal'",
        ),
        (
            &["jobs", "start", "--sp", SP, "--jbo", "x"],
            "unexpected argument '--jbo'",
        ),
    ] {
        let output = Run::new().args(args).run().await;
        output.expect_code(2);
        assert!(output.stderr.contains(expected), "{args:?}: {output:#?}");
        assert!(!output.stderr.contains("never accepted"), "{output:#?}");
    }
    for args in [
        &["secrets", "set", "--sp", SP, "--from", "f.toml", CANARY][..],
        &["jobs", "start", "--sp", SP, "--job", "j", CANARY],
        &[
            "secrets",
            "set",
            "--sp",
            SP,
            "--from",
            "f",
            "SecretToken",
            CANARY,
        ],
    ] {
        let output = Run::new().args(args).run().await;
        output.expect_code(2).never_shows(CANARY);
        assert!(output.stderr.contains("not repeated"), "{output:#?}");
    }
}

/// Item 2: `--sp appId=` in any case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sp_accepts_app_id_in_any_case() {
    let world = World::start().await;
    for prefix in ["appId=", "appid=", "APPID="] {
        let sp = format!("{prefix}{}", world.sp.app_id);
        let output = world
            .graph_sync()
            .args(&["secrets", "show", "--sp", &sp])
            .run()
            .await;
        output.expect_code(0);
        assert!(output.stdout.contains("no secrets saved"), "{output:#?}");
    }
}

/// Issue 10: an empty value is refused (naming the key and its source, exit 2, nothing sent)
/// by `secrets set`, `provision` and `bulk`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_values_are_refused_and_nothing_is_sent() {
    let world = World::provisioning().await;
    let from_env = world
        .dir
        .private("env.toml", "SecretToken = { env = \"SCIM_TOKEN\" }\n");
    let from_file = world
        .dir
        .private("file.toml", "SecretToken = { file = \"empty.txt\" }\n");
    world.dir.private("empty.txt", "\n");
    let from_stdin = world
        .dir
        .private("stdin.toml", "SecretToken = { stdin = true }\n");
    let literal = world.dir.private("literal.toml", "SecretToken = \"\"\n");
    let before = world.request_count();
    for (run, source) in [
        (
            world.set_secrets(&from_env).env("SCIM_TOKEN", ""),
            "environment variable SCIM_TOKEN",
        ),
        (world.set_secrets(&from_file), "empty.txt"),
        (world.set_secrets(&from_stdin).stdin(b""), "standard input"),
        (world.set_secrets(&literal), "a literal in the file"),
    ] {
        let output = run.run().await;
        output.expect_code(2);
        assert!(
            output.stderr.contains("`SecretToken`")
                && output.stderr.contains(source)
                && output.stderr.contains("is empty"),
            "{output:#?}"
        );
    }
    let manifest = world.dir.private(
        "app.toml",
        &format!(
            "service_principal = \"{}\"\ntemplate = \"scim\"\n[secrets]\nBaseAddress = \
             \"{TARGET_URL}\"\nSecretToken = {{ env = \"SCIM_TOKEN\" }}\n",
            world.sp_id()
        ),
    );
    let output = world
        .graph_sync()
        .args(&["provision", "--manifest", manifest.to_str().unwrap()])
        .env("SCIM_TOKEN", "")
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("is empty"), "{output:#?}");
    let csv = world.dir.private(
        "apps.csv",
        &format!("sp,SecretToken\n{},literal:\n", world.sp_id()),
    );
    let output = world
        .graph_sync()
        .args(&["bulk", "secrets", "--csv", csv.to_str().unwrap()])
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("is empty"), "{output:#?}");
    assert_eq!(world.request_count(), before, "nothing was sent");
    assert!(world.stored().is_empty());
}

/// Issue 10: `{ file = "/dev/zero" }` and other oversized inputs end with a clear error.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_inputs_are_refused_with_the_limit() {
    let world = World::start().await;
    let zero = world
        .dir
        .private("zero.toml", "SecretToken = { file = \"/dev/zero\" }\n");
    let output = world.set_secrets(&zero).run().await;
    output.expect_code(2);
    assert!(output.stderr.contains("more than 1 MiB"), "{output:#?}");
    let stdin = world
        .dir
        .private("stdin.toml", "SecretToken = { stdin = true }\n");
    let output = world
        .set_secrets(&stdin)
        .stdin(&vec![b'a'; 1024 * 1024 + 1])
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("more than 1 MiB"), "{output:#?}");
    let big = world
        .dir
        .private("big.toml", &format!("# {}\n", "x".repeat(1024 * 1024)));
    let output = world.set_secrets(&big).run().await;
    output.expect_code(2);
    assert!(output.stderr.contains("more than 1 MiB"), "{output:#?}");
    assert_eq!(world.request_count(), 0);
}

/// Issue 10: a changed value in the CSV is applied again; the journal holds no value and is
/// private.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_csv_row_is_applied_again() {
    let world = World::start().await;
    let write = |token: &str| {
        world.dir.private(
            "apps.csv",
            &format!("sp,SecretToken\n{},literal:{token}\n", world.sp_id()),
        )
    };
    let csv = write(CANARY);
    let bulk = || {
        world
            .graph_sync()
            .args(&["bulk", "secrets", "--csv", csv.to_str().unwrap()])
    };
    bulk().run().await.expect_code(0).never_shows(CANARY);
    let output = bulk().run().await;
    output.expect_code(0);
    assert!(
        output.stdout.contains("0 saved now, 1 already done"),
        "{output:#?}"
    );
    write("rotated-token");
    let output = bulk().run().await;
    output.expect_code(0);
    assert!(
        output.stdout.contains("1 saved now, 0 already done"),
        "{output:#?}"
    );
    assert_eq!(world.stored()[0].1, "rotated-token");
    let journal = world.dir.path().join("apps.csv.journal");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(
        !text.contains(CANARY) && !text.contains("rotated-token"),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&journal).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

/// Issue 10: values typed where they do not belong are never repeated: a value after a key of
/// `secrets clear`, a JSON secrets file that is a bare string, a password in `--graph-url`;
/// and huge durations are refused, not a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misplaced_secrets_are_not_repeated_and_huge_durations_do_not_panic() {
    let world = World::start().await;
    let output = world
        .graph_sync()
        .args(&[
            "secrets",
            "clear",
            "--sp",
            &world.sp_id(),
            "SecretToken",
            CANARY,
        ])
        .run()
        .await;
    output.expect_code(2).never_shows(CANARY);
    assert!(output.stderr.contains("argument 2"), "{output:#?}");
    let bare = world.dir.private("bare.json", &format!("\"{CANARY}\""));
    let output = world.set_secrets(&bare).run().await;
    output.expect_code(2).never_shows(CANARY);
    for url in [
        format!("https://user:{CANARY}@graph.example/v1.0"),
        format!("https://graph.example/v1.0?sig={CANARY}"),
    ] {
        let output = Run::new()
            .args(&["--graph-url", &url, "jobs", "list", "--sp", SP])
            .env("GRAPH_SYNC_TOKEN", "t")
            .run()
            .await;
        output.expect_code(2).never_shows(CANARY);
    }
    for timeout in ["18446744073709551615s", "18446744073709551615h"] {
        let output = world
            .graph_sync()
            .args(&["jobs", "status", "--sp", &world.sp_id(), "--job", "j"])
            .args(&["--watch", "--timeout", timeout])
            .run()
            .await;
        output.expect_code(2);
        assert!(!output.stderr.contains("panicked"), "{output:#?}");
    }
}

/// Item 3: every wait before a retry is one line on stderr at default verbosity, with the
/// cause and the attempt; `--no-retry` tries once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_before_retries_are_visible_and_no_retry_tries_once() {
    let world = World::start().await;
    let emulator = world.running.emulator();
    let unavailable =
        graph_sync_emulator::Fault::ServiceUnavailable(Some(Duration::from_millis(10)));
    emulator.script_faults([unavailable, unavailable]);
    let show = || {
        world
            .graph_sync()
            .args(&["secrets", "show", "--sp", &world.sp_id()])
    };
    let output = show().run().await;
    output.expect_code(0);
    let waits: Vec<&str> = output
        .stderr
        .lines()
        .filter(|line| line.starts_with("waiting "))
        .collect();
    assert_eq!(waits.len(), 2, "{output:#?}");
    assert!(
        waits[0].ends_with(
            "before attempt 2: 503 from Graph (throttling does not count against the attempt limit)"
        ),
        "{waits:?}"
    );
    assert!(waits[1].contains("before attempt 3: "), "{waits:?}");

    emulator.script_faults([unavailable]);
    let output = show().arg("--no-retry").run().await;
    output.expect_code(1);
    assert!(!output.stderr.contains("waiting "), "{output:#?}");
    assert!(output.stderr.contains("503"), "{output:#?}");
}

/// Item 4: `-o tsv` yields the id alone; a second job from the same template is refused
/// unless `--allow-duplicate`; list output is values only, one line per item.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_create_prints_the_id_as_tsv_and_refuses_a_duplicate() {
    let world = World::provisioning().await;
    let create = || {
        world
            .graph_sync()
            .args(&["-o", "tsv", "jobs", "create", "--sp", &world.sp_id()])
            .args(&["--template", "scim"])
    };
    let output = create().run().await;
    output.expect_code(0);
    let id = output.stdout.trim_end().to_owned();
    assert!(
        id.starts_with("scim.") && !id.contains(['\t', ' ', '\n']),
        "{output:#?}"
    );
    let posts = || {
        world
            .running
            .emulator()
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/jobs"))
            .count()
    };
    let output = create().run().await;
    output.expect_code(2);
    assert!(
        output.stderr.contains(&format!("already has job {id}")),
        "{output:#?}"
    );
    assert!(output.stderr.contains("--allow-duplicate"), "{output:#?}");
    assert_eq!(posts(), 1);
    let output = create().arg("--allow-duplicate").run().await;
    output.expect_code(0);
    assert_eq!(posts(), 2);
    let output = world
        .graph_sync()
        .args(&["-o", "tsv", "jobs", "list", "--sp", &world.sp_id()])
        .run()
        .await;
    output.expect_code(0);
    assert_eq!(output.stdout.lines().count(), 2, "{output:#?}");
    assert!(
        output
            .stdout
            .lines()
            .any(|line| line.split('\t').next() == Some(id.as_str()))
    );
}

/// Item 5: `--dry-run` on every command that changes something prints the request and sends
/// nothing; destructive commands need `--yes` when not on a terminal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutating_command_dry_runs_and_destructive_ones_need_yes() {
    let world = World::provisioning().await;
    let sp = world.sp_id();
    let schema = world.dir.private(
        "schema.json",
        "{\"directories\": [{\"name\": \"d\"}], \"synchronizationRules\": [{\"id\": \"r\"}]}",
    );
    let schema = schema.to_str().unwrap();
    let job = ["--job", "scim.0a1b2c3d4e5f"];
    let runs: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["jobs", "create", "--sp", &sp, "--template", "scim"],
            "POST ",
        ),
        (vec!["jobs", "start", "--sp", &sp, job[0], job[1]], "POST "),
        (vec!["jobs", "pause", "--sp", &sp, job[0], job[1]], "POST "),
        (
            vec!["jobs", "restart", "--sp", &sp, job[0], job[1]],
            "POST ",
        ),
        (
            vec!["jobs", "delete", "--sp", &sp, job[0], job[1]],
            "DELETE ",
        ),
        (
            vec![
                "schema", "put", "--sp", &sp, job[0], job[1], "--from", schema,
            ],
            "PUT ",
        ),
        (vec!["secrets", "clear", "--sp", &sp, "Password"], "PUT "),
        (
            vec![
                "provision-on-demand",
                "--sp",
                &sp,
                job[0],
                job[1],
                "--rule",
                "r",
                "--subject",
                &sp,
            ],
            "POST ",
        ),
    ];
    for (args, method) in &runs {
        let output = world.graph_sync().args(args).arg("--dry-run").run().await;
        output.expect_code(0);
        assert!(
            output.stdout.contains("Dry run: nothing was sent"),
            "{args:?}: {output:#?}"
        );
        assert!(output.stdout.contains(method), "{args:?}: {output:#?}");
    }
    // Bodies that hold no secret are shown as they would be sent: the template, the schema,
    // the subjects.
    for (args, pointer, shown) in [
        (&runs[0].0, "/body/templateId", "scim"),
        (&runs[5].0, "/body/directories/0/name", "d"),
        (&runs[7].0, "/body/parameters/0/ruleId", "r"),
    ] {
        let output = world
            .graph_sync()
            .args(args)
            .args(&["--dry-run", "-o", "json"])
            .run()
            .await;
        output.expect_code(0);
        let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
        assert_eq!(
            json.pointer(pointer),
            Some(&shown.into()),
            "{args:?}: {json}"
        );
    }
    assert_eq!(world.request_count(), 0, "dry runs send nothing");
    for args in [&runs[3].0, &runs[4].0, &runs[5].0, &runs[6].0] {
        let output = world.graph_sync().args(args).run().await;
        output.expect_code(2);
        assert!(
            output.stderr.contains("pass --yes"),
            "{args:?}: {output:#?}"
        );
    }
    assert_eq!(
        world.request_count(),
        0,
        "unconfirmed commands send nothing"
    );
}

/// Issue 12, "Done when": in an 80-column terminal (`COLUMNS=80`, which clap reads when stdout
/// is not a terminal) no line of any command's `--help` is wider than 80 columns, so no example
/// wraps mid-command (long examples continue on the next line with `\`). Only clap's one-line
/// `Usage:` synopsis may be longer. Every command of `graph-sync --help` is checked, and each
/// has examples.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_help_fits_80_columns_and_has_examples() {
    let commands = crate::output_doc::commands().await;
    assert!(commands.len() > 20, "{commands:?}");
    for command in commands {
        let output = Run::new()
            .args(&command.split_whitespace().collect::<Vec<_>>())
            .arg("--help")
            .env("COLUMNS", "80")
            .run()
            .await;
        output.expect_code(0);
        assert!(
            output.stdout.contains("\nExamples:\n"),
            "graph-sync {command} --help has no examples"
        );
        let mut in_usage = false;
        for line in output.stdout.lines() {
            in_usage = line.starts_with("Usage:") || (in_usage && line.starts_with("       "));
            assert!(
                in_usage || line.chars().count() <= 80,
                "graph-sync {command} --help: a line of {} columns: {line}",
                line.chars().count()
            );
        }
    }
}

/// Issue 12 item 5 in a real terminal (tmux): `jobs delete` without `--yes` asks on the
/// terminal; "n" refuses (exit 2, the job is still there), "y" deletes it and says so. Skipped,
/// saying so, when tmux is not installed.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destructive_command_asks_on_a_terminal() {
    let world = World::provisioning().await;
    let created = world
        .graph_sync()
        .args(&["-o", "tsv", "jobs", "create", "--sp", &world.sp_id()])
        .args(&["--template", "scim"])
        .run()
        .await;
    created.expect_code(0);
    let job = created.stdout.trim().to_owned();
    let jobs = || {
        world
            .running
            .emulator()
            .requests()
            .iter()
            .filter(|request| request.method == "DELETE")
            .count()
    };
    for (answer, code, says) in [
        ("n", 2, "not confirmed: nothing was changed"),
        ("y", 0, "deleted"),
    ] {
        let command = format!(
            "env -i TERM=xterm GRAPH_SYNC_TOKEN='{token}' '{bin}' --graph-url '{root}' jobs \
             delete --sp {sp} --job {job}; echo \"exit code $?\"",
            token = world.token,
            bin = env!("CARGO_BIN_EXE_graph-sync"),
            root = world.running.graph_root(),
            sp = world.sp_id(),
        );
        let Some(terminal) = Pane::start(&format!("ask-{answer}-{job}"), 100, 10, &command) else {
            return;
        };
        let question = terminal.wait_for_text("[y/N]").await;
        assert!(
            question.contains(&format!("Delete job {job}")),
            "{question:?}"
        );
        assert_eq!(jobs(), 0, "nothing is sent before the answer");
        terminal.send_keys(&[answer, "Enter"]);
        terminal.finished().await;
        let pane = terminal.capture();
        assert!(pane.contains(&format!("exit code {code}")), "{pane:?}");
        assert!(pane.contains(says), "{pane:?}");
    }
    assert_eq!(jobs(), 1, "one DELETE, after the \"y\"");
}

/// A loopback server that answers every request `503` with `Retry-After: 2`; its Graph root.
async fn unavailable_graph() -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let root = format!("http://{}/v1.0", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0_u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\n\
                          Content-Length: 0\r\nConnection: close\r\n\r\n",
                    )
                    .await;
            });
        }
    });
    root
}

/// Issue 12 item 3 in a real terminal (tmux), 100 and 50 columns wide: a call that waits more
/// than a second before its next attempt (Graph answers 503 with `Retry-After: 2`) shows a
/// spinner with the cause while it waits, and
/// leaves the wait's line when it is over; the spinner's line is never wider than the terminal
/// (it is cut to fit: wrapped, every redraw would leave a row behind). Skipped,
/// saying so, when tmux is not installed.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_wait_shows_a_spinner_on_a_terminal() {
    let root = unavailable_graph().await;
    for width in [100_u16, 50] {
        let command = format!(
            "env -i TERM=xterm GRAPH_SYNC_TOKEN=t '{bin}' --graph-url {root} \
             --retry-max-time 5s jobs list --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6; \
             echo \"exit code $?\"",
            bin = env!("CARGO_BIN_EXE_graph-sync"),
        );
        let Some(terminal) = Pane::start(&format!("spin-{width}"), width, 20, &command) else {
            return;
        };
        // The spinner: a braille frame before the line of the wait.
        let spinning = terminal.wait_for_text("before attempt 2").await;
        let line = spinning
            .lines()
            .find(|line| line.contains("before attempt 2"))
            .unwrap();
        assert!(
            line.chars()
                .next()
                .is_some_and(|c| ('\u{2800}'..='\u{28ff}').contains(&c)),
            "{width} columns: a spinner while waiting: {spinning:?}"
        );
        terminal.finished().await;
        let pane = terminal.capture();
        assert!(
            pane.contains("waiting 2.0s before attempt 2: 503 from Graph"),
            "{pane:?}"
        );
        assert!(pane.contains("exit code 1"), "{pane:?}");
        // The spinner's line is redrawn: it must not wrap (the wait's line left afterwards and
        // the error report are printed once and may wrap like any text).
        for line in spinning
            .lines()
            .filter(|line| line.contains("before attempt"))
        {
            assert!(
                line.trim_end().chars().count() <= usize::from(width),
                "{width} columns: a line wider than the terminal: {line:?} in {pane:?}"
            );
        }
    }
}

/// Issue 12 item 10: every command that changes something ends (table output) with one line
/// that says what changed on the service, naming the job or service principal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutating_command_ends_with_what_changed() {
    let world = World::provisioning().await;
    let sp = world.sp_id();
    let secrets = world.dir.private(
        "secrets.toml",
        &format!(
            "BaseAddress = \"{TARGET_URL}\"\nSecretToken = {{ env = \"T\" }}\nSyncAll = false\n"
        ),
    );
    let secrets = secrets.to_str().unwrap();
    let run = |args: Vec<String>| {
        world
            .graph_sync()
            .env("T", CANARY)
            .args(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .run()
    };
    let words = |text: &str| {
        text.split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let created = run(words(&format!("jobs create --sp {sp} --template scim"))).await;
    created.expect_code(0);
    let last = |output: &Output| {
        output
            .stdout
            .lines()
            .rfind(|line| !line.trim().is_empty())
            .unwrap_or_default()
            .to_owned()
    };
    let line = last(&created);
    assert!(line.starts_with("Created job scim."), "{created:#?}");
    let job = line.split_whitespace().nth(2).unwrap().to_owned();
    let schema = format!("{}/schema.json", world.dir.path().display());
    run(words(&format!(
        "schema get --sp {sp} --job {job} --out {schema}"
    )))
    .await
    .expect_code(0);
    let edited = format!("{}/edited.json", world.dir.path().display());
    let text = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(
        &edited,
        text.replace("[displayName]", "Coalesce([displayName], [mail])"),
    )
    .unwrap();
    let manifest = world.dir.private(
        "app.toml",
        &format!("service_principal = \"{sp}\"\ntemplate = \"scim\"\n[secrets]\nBaseAddress = \"{TARGET_URL}\"\nSecretToken = {{ env = \"T\" }}\n"),
    );
    let csv = world.dir.private(
        "apps.csv",
        &format!("sp,BaseAddress,SecretToken\n{sp},{TARGET_URL},env:T\n"),
    );
    for (command, says) in [
        (
            format!("secrets set --sp {sp} --from {secrets}"),
            format!("Saved 3 secret(s) for service principal {sp}."),
        ),
        (
            format!("secrets clear --sp {sp} SyncAll --yes"),
            format!("Cleared 1 secret(s) for service principal {sp}."),
        ),
        (
            format!("jobs start --sp {sp} --job {job}"),
            format!("Job {job} started."),
        ),
        (
            format!("jobs pause --sp {sp} --job {job}"),
            format!("Job {job} paused."),
        ),
        (
            format!("jobs restart --sp {sp} --job {job} --scope Watermark"),
            format!("Job {job} restarted (cleared: Watermark)."),
        ),
        (
            format!("schema put --sp {sp} --job {job} --from {schema} --yes"),
            format!("Replaced the schema of job {job} with {schema}"),
        ),
        (
            format!("schema apply --sp {sp} --job {job} --from {edited} --yes"),
            format!("Applied {edited} to job {job}: 1 change(s)"),
        ),
        (
            format!("provision-on-demand --sp {sp} --job {job} --rule {RULE} --subject u-1"),
            "Provisioned 1 subject(s) on demand".to_owned(),
        ),
        (
            format!("provision --manifest {}", manifest.display()),
            format!("Nothing to change: job {job} is Active"),
        ),
        (
            format!("bulk secrets --csv {}", csv.display()),
            format!(
                "Bulk secrets from {}: 1 service principal(s): 1 saved now",
                csv.display()
            ),
        ),
        (
            format!("jobs delete --sp {sp} --job {job} --yes"),
            format!("Job {job} deleted."),
        ),
    ] {
        let output = run(words(&command)).await;
        output.expect_code(0).never_shows(CANARY);
        assert!(
            last(&output).contains(&says),
            "graph-sync {command}: the last line is not {says:?}: {output:#?}"
        );
    }
}
