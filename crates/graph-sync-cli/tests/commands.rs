//! `demo`, `emulator`, `completions` and `--help`.

use tokio::io::{AsyncBufReadExt as _, BufReader};

use crate::support::Run;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_to_completion() {
    let output = Run::new().arg("demo").run().await;
    output.expect_code(0);
    for heading in [
        "[1/12]",
        "[12/12]",
        "Visible after 3 read(s)",
        "Created job scim.",
        "accepted BaseAddress and SecretToken",
        "Job status: Active",
        "Job status: Quarantine",
        "quarantine reason: EncounteredQuarantineException",
        "CredentialsRejected",
        "provision-on-demand --subject 9bb0f679-a7a3-4b26-9b2a-2a53ea15f1ce: Failure",
        "create failure Alex Wilber",
        "Failing step: export EntryExportAdd",
        "could not authenticate",
        "Requests the emulator received from the preview: 0",
        "Dry run: nothing was sent",
        "Refused:",
        "404",
    ] {
        assert!(
            output.stdout.contains(heading),
            "missing {heading:?}: {output:#?}"
        );
    }
    assert!(output.stdout.contains("Done: 12 steps"), "{output:#?}");
    // The SCIM token the demo saves never shows.
    output.never_shows("demo-scim-bearer-token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_are_generated_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = Run::new().args(&["completions", shell]).run().await;
        output.expect_code(0);
        assert!(output.stdout.contains("graph-sync"), "{shell}: {output:#?}");
        assert!(output.stdout.contains("secrets"), "{shell}: {output:#?}");
    }
    Run::new()
        .args(&["completions", "tcsh"])
        .run()
        .await
        .expect_code(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_shows_examples_and_exit_codes() {
    let output = Run::new().arg("--help").run().await;
    output.expect_code(0);
    assert!(output.stdout.contains("Examples:"), "{output:#?}");
    for line in [
        "0  success",
        "1  service error",
        "2  usage",
        "3  authentication",
        "4  partial",
    ] {
        assert!(
            output.stdout.contains(line),
            "missing {line:?}: {output:#?}"
        );
    }
    for command in [
        &["secrets", "set"][..],
        &["secrets", "show"],
        &["secrets", "clear"],
        &["emulator"],
        &["demo"],
        &["completions"],
        &["credentials", "validate"],
        &["jobs", "list"],
        &["jobs", "status"],
        &["jobs", "restart"],
        &["templates", "show"],
        &["schema", "put"],
        &["provision-on-demand"],
        &["provision"],
        &["bulk", "secrets"],
    ] {
        let output = Run::new().args(command).arg("--help").run().await;
        output.expect_code(0);
        assert!(
            output.stdout.contains("Examples:"),
            "{command:?}: {output:#?}"
        );
    }
}

/// Starts `graph-sync emulator`, reads the URL and token it prints, and uses them with the CLI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_command_prints_how_to_use_it() {
    let mut child = crate::support::spawn_graph_sync(["emulator", "--sp", "HR app"]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut root, mut token, mut id, mut export) = (None, None, None, None);
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(value) = line.strip_prefix("Graph root:") {
                root = Some(value.trim().to_owned());
            } else if let Some(value) = line.strip_prefix("Bearer token:") {
                token = Some(value.trim().to_owned());
            } else if line.contains("\"HR app\"") {
                id = line
                    .split_whitespace()
                    .find_map(|word| word.strip_prefix("id="))
                    .map(str::to_owned);
            } else if line
                .trim_start()
                .starts_with("export GRAPH_SYNC_GRAPH_URL=")
            {
                export = Some(line);
            } else if line.contains("Press Ctrl-C") {
                break;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), read)
        .await
        .expect("the emulator prints its banner");
    let (root, token, id, export) = (root.unwrap(), token.unwrap(), id.unwrap(), export.unwrap());
    assert!(
        root.starts_with("http://127.0.0.1:") && root.ends_with("/v1.0"),
        "{root}"
    );
    assert!(
        export.contains(&root) && export.contains(&token),
        "{export}"
    );

    let output = Run::new()
        .args(&["secrets", "show", "--sp", &id])
        .env("GRAPH_SYNC_GRAPH_URL", &root)
        .env("GRAPH_SYNC_TOKEN", &token)
        .run()
        .await;
    output.expect_code(0);
    assert!(output.stdout.contains("no secrets saved"), "{output:#?}");

    child.kill().await.unwrap();
}
