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

/// Named profiles: a flag beats its variable, a variable beats the profile, the profile beats
/// the default; `--profile` beats `GRAPH_SYNC_PROFILE`; bad files name file and line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_fill_in_below_variables_and_flags() {
    let world = World::start().await;
    let config = Scratch::new();
    let root = world.running.graph_root();
    // A non-loopback plain-HTTP URL is refused before anything is sent: exit 2.
    let bad = "http://graph.example/v1.0";
    let write = |text: &str| {
        std::fs::create_dir_all(config.path().join("graph-sync")).unwrap();
        std::fs::write(config.path().join("graph-sync/config.toml"), text).unwrap();
    };
    write(&format!(
        "[profiles.emu]\ngraph_url = \"{root}\"\n\n[profiles.bad]\ngraph_url = \"{bad}\"\n"
    ));
    let sp = world.sp_id();
    let run = || {
        Run::new()
            .env("GRAPH_SYNC_TOKEN", &world.token)
            .env("XDG_CONFIG_HOME", config.path().to_str().unwrap())
    };
    let show = ["secrets", "show", "--sp", sp.as_str()];

    // The profile beats the default (which is Microsoft Graph itself, not reachable here).
    let output = run().args(&["--profile", "emu"]).args(&show).run().await;
    output.expect_code(0);
    // GRAPH_SYNC_PROFILE selects it too; --profile beats it.
    let output = run()
        .env("GRAPH_SYNC_PROFILE", "emu")
        .args(&show)
        .run()
        .await;
    output.expect_code(0);
    let output = run()
        .env("GRAPH_SYNC_PROFILE", "bad")
        .args(&["--profile", "emu"])
        .args(&show)
        .run()
        .await;
    output.expect_code(0);
    let output = run()
        .env("GRAPH_SYNC_PROFILE", "bad")
        .args(&show)
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("graph.example"), "{output:#?}");
    // The variable beats the profile; the flag beats the variable.
    let output = run()
        .env("GRAPH_SYNC_PROFILE", "bad")
        .env("GRAPH_SYNC_GRAPH_URL", &root)
        .args(&show)
        .run()
        .await;
    output.expect_code(0);
    let output = run()
        .env("GRAPH_SYNC_PROFILE", "bad")
        .env("GRAPH_SYNC_GRAPH_URL", bad)
        .args(&["--graph-url", &root])
        .args(&show)
        .run()
        .await;
    output.expect_code(0);

    // An unknown profile lists the known ones; a secret-looking key and a bad value are
    // refused naming file and line, never quoting the value.
    let output = run().args(&["--profile", "prod"]).args(&show).run().await;
    output.expect_code(2);
    assert!(output.stderr.contains("it has: bad, emu"), "{output:#?}");
    write(&format!(
        "[profiles.emu]\ngraph_url = \"{root}\"\nclient_secret = \"{CANARY}\"\n"
    ));
    let output = run().args(&["--profile", "emu"]).args(&show).run().await;
    output.expect_code(2).never_shows(CANARY);
    assert!(
        output.stderr.contains("config.toml, line 3") && output.stderr.contains("no secrets"),
        "{output:#?}"
    );
    write("[profiles.emu]\ncloud = \"mars\"\n");
    let output = run().args(&["--profile", "emu"]).args(&show).run().await;
    output.expect_code(2);
    assert!(output.stderr.contains("usgov"), "{output:#?}");
    write("[profiles.emu\n");
    let output = run().args(&["--profile", "emu"]).args(&show).run().await;
    output.expect_code(2);
    assert!(output.stderr.contains("config.toml, line 1"), "{output:#?}");
    assert_eq!(
        world.request_count(),
        5,
        "only the five successful runs reached Graph"
    );
}
