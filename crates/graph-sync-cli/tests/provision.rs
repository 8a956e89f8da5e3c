//! `provision --manifest FILE`: the workflow, its idempotence, and bad manifests.

use serde_json::Value;

use crate::support::{CANARY, TARGET_URL, World};

fn manifest(world: &World, extra: &str) -> String {
    format!(
        "service_principal = \"{}\"\ntemplate = \"scim\"\npoll_interval = \"20ms\"\n\
         wait_active_timeout = \"5s\"\n{extra}\n[secrets]\nBaseAddress = \"{TARGET_URL}\"\n\
         SecretToken = {{ env = \"SCIM_TOKEN\" }}\n",
        world.sp_id()
    )
}

fn count(world: &World, method: &str, suffix: &str) -> usize {
    world
        .running
        .emulator()
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(suffix))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_runs_the_workflow_then_changes_nothing() {
    let world = World::provisioning().await;
    let file = world.dir.private("app.toml", &manifest(&world, ""));
    let provision = || {
        world
            .graph_sync()
            .args(&["provision", "--manifest", file.to_str().unwrap()])
            .env("SCIM_TOKEN", CANARY)
    };

    let output = provision().run().await;
    output.expect_code(0).never_shows(CANARY);
    for line in [
        "created scim.",
        "validate credentials",
        "saved 2 key(s): BaseAddress, SecretToken",
        "started",
        "wait until Active",
        "Done: job scim.",
        "is Active",
    ] {
        assert!(
            output.stdout.contains(line),
            "missing {line:?}: {output:#?}"
        );
    }
    assert_eq!(count(&world, "PUT", "/secrets"), 1);
    assert_eq!(count(&world, "POST", "/start"), 1);
    assert_eq!(world.stored().len(), 2);

    // Again: nothing to change, nothing sent but reads.
    let output = provision().run().await;
    output.expect_code(0).never_shows(CANARY);
    assert!(output.stdout.contains("found scim."), "{output:#?}");
    assert!(output.stdout.contains("Nothing to change"), "{output:#?}");
    assert!(
        output.stdout.contains("masked"),
        "says why values are not compared"
    );
    assert_eq!(count(&world, "PUT", "/secrets"), 1, "secrets not re-sent");
    assert_eq!(count(&world, "POST", "/start"), 1, "not restarted");
    assert_eq!(count(&world, "POST", "/jobs"), 1, "one job created in all");

    // --force-secrets re-validates and re-sends; JSON says what changed.
    let output = provision()
        .args(&["--force-secrets", "--output", "json", "-vvv"])
        .run()
        .await;
    output.expect_code(0).never_shows(CANARY);
    let report: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["changed"], true);
    assert_eq!(report["state"], "Active");
    assert_eq!(count(&world, "PUT", "/secrets"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_credentials_stop_provision_before_saving() {
    let world = World::provisioning().await;
    let file = world.dir.private("app.toml", &manifest(&world, ""));
    let output = world
        .graph_sync()
        .args(&["provision", "--manifest", file.to_str().unwrap()])
        .env("SCIM_TOKEN", "wrong-token")
        .run()
        .await;
    output.expect_code(1).never_shows("wrong-token");
    assert!(
        output
            .stderr
            .contains("validating the manifest's credentials"),
        "{output:#?}"
    );
    assert!(world.stored().is_empty(), "nothing saved");
    assert_eq!(count(&world, "POST", "/start"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_false_saves_without_starting() {
    let world = World::provisioning().await;
    let file = world
        .dir
        .private("app.toml", &manifest(&world, "start = false"));
    let output = world
        .graph_sync()
        .args(&["provision", "--manifest", file.to_str().unwrap()])
        .env("SCIM_TOKEN", CANARY)
        .run()
        .await;
    output.expect_code(0);
    assert!(
        output.stdout.contains("skipped: start = false"),
        "{output:#?}"
    );
    assert_eq!(count(&world, "POST", "/start"), 0);
    assert_eq!(world.stored().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_manifests_are_refused_before_anything_is_sent() {
    let world = World::provisioning().await;
    let sp = world.sp_id();
    let cases = [
        ("missing", None, "cannot read"),
        (
            "malformed.toml",
            Some(format!("service_principal = \"{sp}\"\ntemplate = ")),
            "line 2",
        ),
        (
            "unknown-field.toml",
            Some(manifest(&world, "colour = \"blue\"")),
            "unknown field `colour`",
        ),
        (
            "unknown-key.toml",
            Some(manifest(&world, "").replace("BaseAddress", "BaseAdress")),
            "BaseAddress",
        ),
        (
            "no-secrets.toml",
            Some(format!(
                "service_principal = \"{sp}\"\ntemplate = \"scim\"\n"
            )),
            "missing field `secrets`",
        ),
        (
            "bad-sp.toml",
            Some(manifest(&world, "").replace(&sp, "not-a-guid")),
            "service_principal",
        ),
        (
            "bad-duration.toml",
            Some(manifest(&world, "").replace("\"5s\"", "\"soon\"")),
            "wait_active_timeout",
        ),
    ];
    for (name, contents, needle) in cases {
        let path = match contents {
            Some(contents) => world.dir.private(name, &contents),
            None => world.dir.path().join(name),
        };
        let output = world
            .graph_sync()
            .args(&["provision", "--manifest", path.to_str().unwrap()])
            .env("SCIM_TOKEN", CANARY)
            .run()
            .await;
        output.expect_code(2).never_shows(CANARY);
        assert!(
            output.stderr.contains(needle),
            "{name}: {needle:?}: {output:#?}"
        );
    }

    // An unset variable names the key and the variable.
    let file = world.dir.private("app.toml", &manifest(&world, ""));
    let output = world
        .graph_sync()
        .args(&["provision", "--manifest", file.to_str().unwrap()])
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("SCIM_TOKEN"), "{output:#?}");

    // A secret as an argument: refused, not echoed.
    let output = world
        .graph_sync()
        .args(&["provision", "--manifest", file.to_str().unwrap()])
        .arg(&format!("SecretToken={CANARY}"))
        .run()
        .await;
    output.expect_code(2).never_shows(CANARY);
    assert!(output.stderr.contains("never accepted"), "{output:#?}");
    assert_eq!(world.request_count(), 0, "nothing was sent");

    // A literal secret in a manifest others can read: a warning, and it still works.
    let literal =
        manifest(&world, "").replace("{ env = \"SCIM_TOKEN\" }", &format!("\"{CANARY}\""));
    let shared = world.dir.shared("shared.toml", &literal);
    let output = world
        .graph_sync()
        .args(&["provision", "--manifest", shared.to_str().unwrap()])
        .run()
        .await;
    output.expect_code(0).never_shows(CANARY);
    assert!(
        output.stderr.contains("accessible to other users"),
        "{output:#?}"
    );
}

/// Issue 12 item 6: saved keys the manifest does not name are reported and kept, and a
/// finished setup is left alone whatever extra keys exist; `--prune` clears them;
/// `--dry-run` prints the plan and sends nothing that changes anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_settles_with_extra_keys_prunes_on_request_and_dry_runs() {
    let world = World::provisioning().await;
    let file = world.dir.private("app.toml", &manifest(&world, ""));
    let provision = |extra: &[&str]| {
        world
            .graph_sync()
            .args(&["provision", "--manifest", file.to_str().unwrap()])
            .args(extra)
            .env("SCIM_TOKEN", CANARY)
    };
    // Dry run on a fresh service principal: the plan, and only reads.
    let output = provision(&["--dry-run"]).run().await;
    output.expect_code(0).never_shows(CANARY);
    assert!(
        output
            .stdout
            .contains("would create a job from template scim"),
        "{output:#?}"
    );
    assert!(
        output.stdout.contains("would validate, then save 2 key(s)"),
        "{output:#?}"
    );
    assert!(
        output.stdout.contains("Dry run: nothing was changed"),
        "{output:#?}"
    );
    let writes = |world: &World| {
        world
            .running
            .emulator()
            .requests()
            .iter()
            .filter(|r| r.method != "GET")
            .count()
    };
    assert_eq!(writes(&world), 0, "a dry run only reads");

    // An extra key saved by someone else.
    let extra = world
        .dir
        .private("extra.toml", "Password = \"other-password\"\n");
    world.set_secrets(&extra).run().await.expect_code(0);
    provision(&[]).run().await.expect_code(0);
    let before = writes(&world);
    let output = provision(&[]).run().await;
    output.expect_code(0);
    assert!(output.stdout.contains("Nothing to change"), "{output:#?}");
    assert!(
        output
            .stdout
            .contains("kept 1 saved key(s) the manifest does not name: Password"),
        "{output:#?}"
    );
    assert_eq!(writes(&world), before, "a finished setup sends nothing");

    let output = provision(&["--prune", "--dry-run"]).run().await;
    output.expect_code(0);
    assert!(
        output.stdout.contains("would clear Password"),
        "{output:#?}"
    );
    assert_eq!(writes(&world), before);
    let output = provision(&["--prune"]).run().await;
    output.expect_code(0);
    assert!(output.stdout.contains("cleared Password"), "{output:#?}");
    assert!(world.stored().iter().all(|(key, _)| key != "Password"));
    assert_eq!(world.stored().len(), 2);
}
