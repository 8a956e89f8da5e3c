//! `bulk secrets --csv FILE`: a run killed mid-way and resumed, failures with request ids, and
//! bad CSV files.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use graph_sync_emulator::{ServicePrincipal, ThrottleConfig};

#[cfg(unix)]
use crate::support::Pane;
use crate::support::{CANARY, World};

/// Successful (2xx) secrets PUTs per service principal id, from the emulator's request log.
fn puts_per_sp(world: &World) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in world.running.emulator().requests() {
        if request.method == "PUT"
            && request.path.ends_with("/synchronization/secrets")
            && (200..300).contains(&request.status)
        {
            let id = request
                .path
                .split('/')
                .skip_while(|segment| *segment != "servicePrincipals")
                .nth(1)
                .unwrap_or_default()
                .to_ascii_lowercase();
            *counts.entry(id).or_default() += 1;
        }
    }
    counts
}

fn register(world: &World, count: usize) -> Vec<ServicePrincipal> {
    (0..count)
        .map(|i| {
            world
                .running
                .emulator()
                .register_service_principal(&format!("bulk app {i}"))
        })
        .collect()
}

fn csv_for(sps: &[ServicePrincipal]) -> String {
    let mut csv = String::from("sp,BaseAddress,SecretToken\n");
    for (i, sp) in sps.iter().enumerate() {
        csv.push_str(&format!(
            "{},https://scim.example.com/{i},token-{i}\n",
            sp.id
        ));
    }
    csv
}

fn journal_lines(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path)
        .map(|text| text.lines().filter(|line| !line.starts_with('#')).count())
        .unwrap_or(0)
}

/// The run is slowed by the emulator's throttle (20 requests a second, burst 1, so successes
/// are at least 50 ms apart) and killed just after its journal reaches 10 lines; the resumed
/// run, unthrottled, does the rest. Every service principal ends with exactly one successful
/// PUT, and the right values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_bulk_run_resumes_without_redoing_finished_work() {
    const TOTAL: usize = 40;
    let world = World::start().await;
    let sps = register(&world, TOTAL);
    let csv = world.dir.private("apps.csv", &csv_for(&sps));
    let journal = world.dir.path().join("apps.csv.journal");
    world
        .running
        .emulator()
        .set_throttle(Some(ThrottleConfig::new(20.0, 1)));

    let mut child = world
        .graph_sync()
        .args(&["bulk", "secrets", "--concurrency", "4", "--csv"])
        .arg(csv.to_str().unwrap())
        .spawn();
    let waited = tokio::time::timeout(Duration::from_secs(30), async {
        while journal_lines(&journal) < 10 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    child.kill().await.unwrap();
    assert!(waited.is_ok(), "the journal never reached 10 lines");
    let before_kill = journal_lines(&journal);
    let puts_before = puts_per_sp(&world);
    assert!(before_kill < TOTAL, "the run was interrupted mid-way");
    assert_eq!(
        puts_before.values().sum::<usize>(),
        before_kill,
        "every saved service principal is in the journal: {puts_before:?}"
    );

    world.running.emulator().set_throttle(None);
    let output = world
        .graph_sync()
        .args(&["bulk", "secrets", "--csv"])
        .arg(csv.to_str().unwrap())
        .run()
        .await;
    output.expect_code(0);
    let after_resume = TOTAL - before_kill;
    assert!(
        output.stdout.contains(&format!(
            "{after_resume} saved now, {before_kill} already done"
        )),
        "{output:#?}"
    );
    assert!(
        output
            .stderr
            .contains(&format!("Resuming: {before_kill} of {TOTAL}")),
        "{output:#?}"
    );

    let puts = puts_per_sp(&world);
    for (i, sp) in sps.iter().enumerate() {
        let id = sp.id.as_str().to_ascii_lowercase();
        assert_eq!(puts.get(&id), Some(&1), "PUTs for service principal {i}");
        let stored = world.running.emulator().stored_secrets(&sp.id).unwrap();
        let pairs = crate::support::pairs(&stored);
        assert_eq!(pairs[1], ("SecretToken".to_owned(), format!("token-{i}")));
    }
    assert_eq!(puts.len(), TOTAL);
    assert_eq!(journal_lines(&journal), TOTAL);
    println!(
        "bulk resume figures: {TOTAL} service principals, {before_kill} done before the kill, \
         {after_resume} after resume, PUTs per SP: min {} max {}",
        puts.values().min().unwrap(),
        puts.values().max().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_listed_with_request_ids_and_exit_4_then_retried_alone() {
    let world = World::start().await;
    let sps = register(&world, 3);
    let unknown = "00000000-0000-4000-8000-000000000404";
    let mut csv = csv_for(&sps);
    csv.push_str(&format!("{unknown},https://scim.example.com/x,env:TOKEN\n"));
    let csv = world.dir.private("apps.csv", &csv);
    let run = || {
        world
            .graph_sync()
            .args(&["-vvv", "bulk", "secrets", "--csv", csv.to_str().unwrap()])
            .env("TOKEN", CANARY)
    };
    let output = run().run().await;
    output.expect_code(4).never_shows(CANARY);
    assert!(output.stdout.contains("3 saved now"), "{output:#?}");
    assert!(output.stdout.contains("1 failed"), "{output:#?}");
    let failure = output
        .stdout
        .lines()
        .find(|line| line.starts_with(unknown))
        .unwrap_or_else(|| panic!("the failure is listed: {output:#?}"));
    let cells: Vec<&str> = failure.split_whitespace().collect();
    assert_eq!(cells[1], "404", "{failure}");
    assert!(cells[2].len() >= 32, "a request id: {failure}");
    assert!(output.stderr.contains("1 of 4"), "{output:#?}");

    // Again: only the failed one is tried.
    let before = puts_per_sp(&world).values().sum::<usize>();
    let requests_before = world.request_count();
    run().run().await.expect_code(4);
    assert_eq!(puts_per_sp(&world).values().sum::<usize>(), before);
    assert_eq!(
        world.request_count() - requests_before,
        1,
        "one PUT, for the failed row"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_csv_files_are_refused_before_anything_is_sent() {
    let world = World::start().await;
    let sp = world.sp_id();
    let cases = [
        ("missing.csv", None, "cannot read"),
        (
            "no-sp.csv",
            Some(format!("id,SecretToken\n{sp},x\n")),
            "first column must be `sp`",
        ),
        (
            "unknown-key.csv",
            Some(format!("sp,SecretTokn\n{sp},x\n")),
            "SecretToken",
        ),
        (
            "ragged.csv",
            Some(format!("sp,BaseAddress,SecretToken\n{sp},x\n")),
            "line 2: 2 fields where the header has 3",
        ),
        (
            "unset.csv",
            Some(format!("sp,SecretToken\n{sp},env:NOT_SET_ANYWHERE\n")),
            "NOT_SET_ANYWHERE",
        ),
        (
            "duplicate.csv",
            Some(format!("sp,SecretToken\n{sp},a\n{sp},b\n")),
            "appears twice",
        ),
        (
            "bad-sp.csv",
            Some("sp,SecretToken\nnot-a-guid,a\n".to_owned()),
            "line 2: sp:",
        ),
        (
            "header-only.csv",
            Some("sp,SecretToken\n".to_owned()),
            "no service principals",
        ),
    ];
    for (name, contents, needle) in cases {
        let path = match contents {
            Some(contents) => world.dir.private(name, &contents),
            None => world.dir.path().join(name),
        };
        let output = world
            .graph_sync()
            .args(&["bulk", "secrets", "--csv", path.to_str().unwrap()])
            .run()
            .await;
        output.expect_code(2);
        assert!(
            output.stderr.contains(needle),
            "{name}: {needle:?}: {output:#?}"
        );
    }
    let output = world
        .graph_sync()
        .args(&[
            "bulk",
            "secrets",
            "--csv",
            "x.csv",
            &format!("SecretToken={CANARY}"),
        ])
        .run()
        .await;
    output.expect_code(2).never_shows(CANARY);
    assert_eq!(world.request_count(), 0, "nothing was sent");

    // Literal values in a file others can read: a warning; references alone: none.
    let shared = world
        .dir
        .shared("shared.csv", &format!("sp,SecretToken\n{sp},{CANARY}\n"));
    let output = world
        .graph_sync()
        .args(&["bulk", "secrets", "--csv", shared.to_str().unwrap()])
        .run()
        .await;
    output.expect_code(0).never_shows(CANARY);
    assert!(
        output.stderr.contains("accessible to other users"),
        "{output:#?}"
    );
    let refs = world
        .dir
        .shared("refs.csv", &format!("sp,SecretToken\n{sp},env:TOKEN\n"));
    let output = world
        .graph_sync()
        .args(&["bulk", "secrets", "--csv", refs.to_str().unwrap()])
        .env("TOKEN", CANARY)
        .run()
        .await;
    output.expect_code(0).never_shows(CANARY);
    assert!(!output.stderr.contains("accessible"), "{output:#?}");
}

/// What `graph-sync emulator`'s banner says, read from its standard output.
struct Banner {
    root: String,
    token: String,
    control: String,
    admin: String,
}

async fn read_banner(child: &mut tokio::process::Child) -> Banner {
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = HashMap::new();
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("Press Ctrl-C") {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && [
                    "Graph root",
                    "Bearer token",
                    "Control API",
                    "Admin token",
                    "Throttle",
                ]
                .contains(&name)
            {
                seen.insert(name.to_owned(), value.trim().to_owned());
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("the emulator prints its banner");
    assert_eq!(
        seen.get("Throttle").map(String::as_str),
        Some("20 requests/s per client, bursts of 5"),
        "{seen:?}"
    );
    let take = |name: &str| seen.get(name).cloned().unwrap_or_default();
    Banner {
        root: take("Graph root"),
        token: take("Bearer token"),
        control: take("Control API").trim_end_matches('/').to_owned(),
        admin: take("Admin token"),
    }
}

/// Every entry of the control API's request log, page by page.
async fn request_log(banner: &Banner) -> Vec<Value> {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut entries = Vec::new();
    loop {
        let page = client
            .get(format!("{}/log?since={}", banner.control, entries.len()))
            .bearer_auth(&banner.admin)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let page: Value = serde_json::from_slice(&page.bytes().await.unwrap()).unwrap();
        let requests = page["requests"].as_array().unwrap();
        if requests.is_empty() {
            return entries;
        }
        entries.extend(requests.iter().cloned());
    }
}

/// Issue 15's proof: the real `graph-sync bulk secrets` against `graph-sync emulator
/// --throttle 20/5` started as a separate process (its service principals from a tenant file),
/// checked only through the control API's request log: throttled, and yet every service
/// principal got exactly one successful PUT.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_secrets_against_a_throttled_emulator_process_puts_each_secret_once() {
    const TOTAL: usize = 30;
    let dir = crate::support::Scratch::new();
    let ids: Vec<String> = (0..TOTAL)
        .map(|i| format!("5e000000-0000-4000-8000-{i:012x}"))
        .collect();
    let mut tenant = String::new();
    let mut csv = String::from("sp,BaseAddress,SecretToken\n");
    for (i, id) in ids.iter().enumerate() {
        tenant.push_str(&format!(
            "[[service_principal]]\ndisplay_name = \"bulk app {i}\"\nid = \"{id}\"\n\n"
        ));
        csv.push_str(&format!("{id},https://scim.example.com/{i},token-{i}\n"));
    }
    let tenant = dir.private("tenant.toml", &tenant);
    let csv = dir.private("apps.csv", &csv);

    let mut emulator = crate::support::spawn_graph_sync([
        OsStr::new("emulator"),
        OsStr::new("--throttle"),
        OsStr::new("20/5"),
        OsStr::new("--tenant-file"),
        tenant.as_os_str(),
    ]);
    let banner = read_banner(&mut emulator).await;

    let output = crate::support::Run::new()
        .args(&["bulk", "secrets", "--concurrency", "8", "--csv"])
        .arg(csv.to_str().unwrap())
        .env("GRAPH_SYNC_GRAPH_URL", &banner.root)
        .env("GRAPH_SYNC_TOKEN", &banner.token)
        .run()
        .await;
    output.expect_code(0);

    let log = request_log(&banner).await;
    let secrets_puts: Vec<&Value> = log
        .iter()
        .filter(|entry| {
            entry["method"] == "PUT"
                && entry["path"]
                    .as_str()
                    .is_some_and(|path| path.ends_with("/synchronization/secrets"))
        })
        .collect();
    let mut successes: HashMap<String, usize> = HashMap::new();
    for entry in &secrets_puts {
        if entry["status"]
            .as_u64()
            .is_some_and(|s| (200..300).contains(&s))
        {
            let path = entry["path"].as_str().unwrap_or_default();
            let id = path
                .split('/')
                .nth(3)
                .unwrap_or_default()
                .to_ascii_lowercase();
            *successes.entry(id).or_default() += 1;
        }
    }
    let throttled = secrets_puts.iter().filter(|e| e["status"] == 429).count();
    for id in &ids {
        assert_eq!(successes.get(id), Some(&1), "successful PUTs for {id}");
    }
    assert_eq!(successes.len(), TOTAL);
    assert!(
        throttled > 0,
        "the throttle answered no 429: {} PUTs",
        secrets_puts.len()
    );
    assert!(
        secrets_puts
            .iter()
            .all(|e| e["status"] == 429 || e["status"] == 204),
        "only 204 and 429 answers"
    );
    println!(
        "bulk vs throttled emulator process: {TOTAL} service principals, {} PUTs, {throttled} answered 429, \
         1 success each",
        secrets_puts.len()
    );
    emulator.kill().await.unwrap();
}

/// Issue 12 item 7: when the first calls are all refused for authentication (a wrong token:
/// every PUT answers 401), bulk stops early with the reason, exit 3, and says how many service
/// principals were not attempted; nothing was saved and nothing journaled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_stops_early_when_the_first_calls_are_all_refused_for_authentication() {
    let world = World::start().await;
    let sps = register(&world, 20);
    let csv = world.dir.private("apps.csv", &csv_for(&sps));
    let journal = world.dir.path().join("apps.journal");
    let output = crate::support::Run::new()
        .arg("--graph-url")
        .arg(&world.running.graph_root())
        .env("GRAPH_SYNC_TOKEN", "not-a-token-the-emulator-issued")
        .args(&["bulk", "secrets", "--concurrency", "1", "--csv"])
        .arg(csv.to_str().unwrap())
        .args(&["--journal", journal.to_str().unwrap()])
        .run()
        .await;
    output.expect_code(3);
    assert!(
        output.stderr.contains("the first 5 calls were all refused"),
        "{output:#?}"
    );
    assert!(
        output
            .stderr
            .contains("15 service principal(s) were not attempted"),
        "{output:#?}"
    );
    let puts = world
        .running
        .emulator()
        .requests()
        .iter()
        .filter(|request| request.method == "PUT")
        .count();
    assert_eq!(puts, 5, "the run stopped after the fifth refusal");
    assert!(puts_per_sp(&world).is_empty(), "nothing was saved");
    assert_eq!(journal_lines(&journal), 0, "nothing was journaled");
}

/// `bulk secrets --dry-run` prints one PUT per service principal with the secret redacted and
/// the BaseAddress shown, sends nothing and creates no journal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_dry_run_prints_every_put_and_sends_nothing() {
    let world = World::start().await;
    let sps = register(&world, 3);
    let mut csv = String::from("sp,BaseAddress,SecretToken\n");
    for (i, sp) in sps.iter().enumerate() {
        csv.push_str(&format!(
            "{},https://scim.example.com/{i},{CANARY}{i}\n",
            sp.id
        ));
    }
    let csv = world.dir.private("apps.csv", &csv);
    let journal = world.dir.path().join("apps.csv.journal");
    let output = world
        .graph_sync()
        .args(&[
            "bulk",
            "secrets",
            "--dry-run",
            "--csv",
            csv.to_str().unwrap(),
        ])
        .run()
        .await;
    output.expect_code(0).never_shows(CANARY);
    for (i, sp) in sps.iter().enumerate() {
        assert!(output.stdout.contains(&sp.id.to_string()), "{output:#?}");
        assert!(
            output
                .stdout
                .contains(&format!("https://scim.example.com/{i}")),
            "{output:#?}"
        );
    }
    assert_eq!(output.stdout.matches("PUT").count(), 3, "{output:#?}");
    assert_eq!(world.request_count(), 0, "nothing was sent");
    assert!(!journal.exists(), "no journal was created");
}

/// Issue 12 item 9: `bulk secrets` in a real pseudo-terminal (tmux), 100 and 40 columns wide.
/// The CSV's first two rows name service principals that do not exist (404), the other 14 are
/// saved; the emulator answers each call after 60 ms, so the bar is on screen for a while.
/// While it runs, the bar shows the saved and the failed counts apart ("N saved, 2 failed")
/// and no line on screen is wider than the terminal (tmux joins wrapped rows, so a bar that
/// wrapped shows as one long line); at the end the bar is gone and the summary line says what
/// was done (the summary and the failure table are printed once, not redrawn, and may wrap
/// like any text). Run again at 100 columns (item 7, "rate and ETA from this run's work
/// only"), the bar counts the 2 rows left, not 16, at this run's rate. Skipped, saying so, when tmux is not installed.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_progress_bar_counts_failures_apart_and_fits_a_narrow_terminal() {
    for width in [100_u16, 40] {
        let world = World::start().await;
        world
            .running
            .emulator()
            .set_latency(Some(graph_sync_emulator::Latency::new(
                Duration::from_millis(60),
                Duration::from_millis(60),
                7,
            )));
        let sps = register(&world, 14);
        let mut csv = String::from("sp,BaseAddress,SecretToken\n");
        for missing in ["404", "405"] {
            csv.push_str(&format!(
                "00000000-0000-4000-8000-000000000{missing},https://scim.example.com/x,env:TOKEN\n"
            ));
        }
        csv.push_str(csv_for(&sps).split_once('\n').unwrap().1);
        let csv = world.dir.private("apps.csv", &csv);
        let command = format!(
            "cd '{dir}' && env -i TERM=xterm GRAPH_SYNC_TOKEN='{token}' TOKEN='{CANARY}' \
             '{bin}' --graph-url '{root}' bulk secrets --csv '{csv}' --concurrency 1; \
             echo \"exit code $?\"",
            dir = world.dir.path().display(),
            token = world.token,
            bin = env!("CARGO_BIN_EXE_graph-sync"),
            root = world.running.graph_root(),
            csv = csv.display(),
        );
        let Some(terminal) = Pane::start(&format!("bulk-{width}"), width, 12, &command) else {
            return;
        };

        // While it runs: the bar, with both counts, within the width.
        let mut seen = None;
        for _ in 0..600 {
            let pane = terminal.capture();
            if pane.contains("exit code") {
                break;
            }
            if let Some(line) = pane
                .lines()
                .find(|line| line.contains(" saved, 2 failed") && !line.contains(" 0 saved"))
            {
                seen = Some((line.to_owned(), pane.clone()));
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let (bar, pane) = seen.unwrap_or_else(|| {
            panic!(
                "{width} columns: no bar with separate counts: {:?}",
                terminal.capture()
            )
        });
        for line in pane.lines() {
            assert!(
                line.trim_end().chars().count() <= usize::from(width),
                "{width} columns: a line wider than the terminal: {line:?} in {pane:?}"
            );
        }
        assert!(
            bar.contains("/16"),
            "{width} columns: position of 16: {bar:?}"
        );
        eprintln!("{width} columns: {}", bar.trim_end());

        // At the end: no bar left, the summary line, exit code 4 (two failed).
        terminal.finished().await;
        let pane = terminal.capture();
        assert!(!pane.contains(CANARY), "{pane:?}");
        assert!(
            pane.lines()
                .any(|line| line.contains("14 saved now") && line.contains("2 failed")),
            "{width} columns: the summary line: {pane:?}"
        );
        assert!(pane.contains("exit code 4"), "{pane:?}");
        assert!(
            !pane.contains(" saved, 2 failed"),
            "{width} columns: the bar is cleared at the end: {pane:?}"
        );
        drop(terminal);

        // Run again (wide enough for the rate): only the 2 failed rows are this run's work, so
        // the bar counts to 2 and its rate is this run's (the 14 rows done before are not
        // counted as done in no time).
        if width < 100 {
            continue;
        }
        world
            .running
            .emulator()
            .set_latency(Some(graph_sync_emulator::Latency::new(
                Duration::from_millis(400),
                Duration::from_millis(400),
                7,
            )));
        let Some(terminal) = Pane::start(&format!("bulk-resume-{width}"), width, 12, &command)
        else {
            return;
        };
        let pane = terminal.wait_for_text("1/2  0 saved, 1 failed").await;
        let bar = pane.lines().find(|line| line.contains("1/2  ")).unwrap();
        eprintln!("resumed: {}", bar.trim_end());
        let rate: f64 = bar
            .split_whitespace()
            .find_map(|word| word.strip_suffix("/s"))
            .and_then(|rate| rate.parse().ok())
            .unwrap_or_else(|| panic!("a rate on the bar: {bar:?}"));
        assert!(
            rate < 50.0,
            "the rate of this run's 2 rows, not of 16: {bar:?}"
        );
        assert!(pane.contains("Resuming: 14 of 16"), "{pane:?}");
        terminal.finished().await;
    }
}
