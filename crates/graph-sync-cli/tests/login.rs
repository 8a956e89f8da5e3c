//! Issue 12 item 8: the Azure CLI's login (`--auth azure-cli`, and `auto` when `az` is on
//! `PATH`), through a fake `az` on `PATH` that answers with an emulator token.

use crate::support::{CANARY, Run, Scratch, World};

/// Writes an executable `az` into `dir` (copied into place by `cp`, so that this process never
/// holds the executable open for writing while another thread starts a process).
#[cfg(unix)]
fn fake_az(dir: &Scratch, script: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    let source = dir.private("az.txt", &format!("#!/bin/sh\n{script}\n"));
    let az = dir.path().join("az");
    let copied = std::process::Command::new("cp")
        .arg(&source)
        .arg(&az)
        .status()
        .unwrap();
    assert!(copied.success());
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `graph-sync --graph-url <emulator>` with only the fake `az` on `PATH` and no token variable.
#[cfg(unix)]
fn with_az(world: &World, az_dir: &Scratch) -> Run {
    Run::new()
        .arg("--graph-url")
        .arg(&world.running.graph_root())
        .env("PATH", az_dir.path().to_str().unwrap())
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_azure_cli_login_is_used_with_the_clouds_resource_and_the_tenant() {
    let world = World::start().await;
    let az_dir = Scratch::new();
    let log = az_dir.path().join("calls.log");
    let origin = world
        .running
        .graph_root()
        .trim_end_matches("/v1.0")
        .to_owned();
    fake_az(
        &az_dir,
        &format!(
            "echo \"$*\" >> '{log}'\n\
             echo '{{\"accessToken\":\"{token}\",\"expiresOn\":\"2030-01-01 00:00:00.000000\",\"expires_on\":4102444800,\"tokenType\":\"Bearer\"}}'",
            log = log.display(),
            token = world.token,
        ),
    );
    let sp = world.sp_id();

    // --auth azure-cli with a tenant.
    let output = with_az(&world, &az_dir)
        .args(&["--auth", "azure-cli", "--tenant", "contoso.example"])
        .args(&["secrets", "show", "--sp", &sp])
        .run()
        .await;
    output.expect_code(0).never_shows(&world.token);
    assert!(output.stdout.contains("no secrets saved"), "{output:#?}");

    // auto: no token variable, no AZURE_* variables, az on PATH.
    let output = with_az(&world, &az_dir)
        .args(&["-vv", "secrets", "show", "--sp", &sp])
        .run()
        .await;
    output.expect_code(0).never_shows(&world.token);
    assert!(output.stderr.contains("Azure CLI"), "{output:#?}");

    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        [
            format!(
                "account get-access-token --resource {origin} --output json --tenant contoso.example"
            ),
            format!("account get-access-token --resource {origin} --output json"),
        ],
        "one az run per command (the token is cached for its lifetime)"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_failures_say_what_to_do_and_never_show_what_az_printed() {
    let world = World::start().await;
    let sp = world.sp_id();

    let az_dir = Scratch::new();
    fake_az(
        &az_dir,
        &format!(
            "echo '{CANARY}'\n\
             echo \"ERROR: AADSTS50076: Due to a configuration change, you must use multi-factor \
             authentication. Run 'az login --tenant ...'\" >&2\nexit 1"
        ),
    );
    let output = with_az(&world, &az_dir)
        .args(&["--auth", "azure-cli", "--tenant", "contoso.example"])
        .args(&["secrets", "show", "--sp", &sp])
        .run()
        .await;
    output.expect_code(3).never_shows(CANARY);
    assert!(
        output
            .stderr
            .contains("run `az login --tenant contoso.example`"),
        "{output:#?}"
    );
    assert_eq!(world.request_count(), 0, "nothing reached Graph");

    // No az anywhere: --auth azure-cli says so; auto lists what to set up instead.
    let empty = Scratch::new();
    let output = with_az(&world, &empty)
        .args(&["--auth", "azure-cli", "secrets", "show", "--sp", &sp])
        .run()
        .await;
    output.expect_code(3);
    assert!(output.stderr.contains("az not found"), "{output:#?}");
    let output = with_az(&world, &empty)
        .args(&["secrets", "show", "--sp", &sp])
        .run()
        .await;
    output.expect_code(3);
    assert!(output.stderr.contains("az login"), "{output:#?}");
}
