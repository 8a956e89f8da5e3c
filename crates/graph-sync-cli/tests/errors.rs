//! Bad input and failures: each gets a clear message, its documented exit code, and (for
//! input errors) nothing sent.

use serde_json::Value;

use crate::support::{CANARY, Run, World};

/// Runs `secrets set --from FILE` for the world's service principal.
async fn set(world: &World, file: &std::path::Path, extra: &[&str]) -> crate::support::Output {
    world.set_secrets(file).args(extra).run().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_file_is_an_input_error() {
    let world = World::start().await;
    let missing = world.dir.path().join("nope.toml");
    let output = set(&world, &missing, &[]).await;
    output.expect_code(2);
    assert!(output.stderr.contains("cannot read"), "{output:#?}");
    assert!(output.stderr.contains("nope.toml"), "{output:#?}");
    assert_eq!(world.request_count(), 0);

    let unknown_format = world.dir.private("secrets.yaml", "SyncAll: true");
    let output = set(&world, &unknown_format, &[]).await;
    output.expect_code(2);
    assert!(output.stderr.contains("--format"), "{output:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_file_names_the_position_not_the_value() {
    let world = World::start().await;
    let toml = world.dir.private(
        "bad.toml",
        &format!("SyncAll = false\nSecretToken = \"{CANARY}\n"),
    );
    let output = set(&world, &toml, &[]).await;
    output.expect_code(2).never_shows(CANARY);
    assert!(
        output.stderr.contains("not valid TOML at line 2"),
        "{output:#?}"
    );

    let json = world
        .dir
        .private("bad.json", &format!("{{\"SecretToken\": \"{CANARY}\",}}"));
    let output = set(&world, &json, &[]).await;
    output.expect_code(2).never_shows(CANARY);
    assert!(
        output.stderr.contains("not valid JSON at line 1"),
        "{output:#?}"
    );
    assert_eq!(world.request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_key_is_refused_with_a_suggestion() {
    let world = World::start().await;
    let file = world
        .dir
        .private("s.toml", &format!("SecretTokn = \"{CANARY}\"\n"));
    let output = set(&world, &file, &[]).await;
    output.expect_code(2).never_shows(CANARY);
    assert!(
        output.stderr.contains("unknown secret key `SecretTokn`"),
        "{output:#?}"
    );
    assert!(
        output.stderr.contains("did you mean `SecretToken`?"),
        "{output:#?}"
    );
    assert_eq!(world.request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unset_environment_variable_is_named() {
    let world = World::start().await;
    let file = world
        .dir
        .private("s.toml", "SecretToken = { env = \"SCIM_TOKEN_NOT_SET\" }\n");
    let output = set(&world, &file, &[]).await;
    output.expect_code(2);
    assert!(output.stderr.contains("SCIM_TOKEN_NOT_SET"), "{output:#?}");
    assert!(output.stderr.contains("is not set"), "{output:#?}");
    assert_eq!(world.request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_passed_as_an_argument_is_refused_without_echo() {
    let world = World::start().await;
    let file = world.dir.private("s.toml", "SyncAll = true\n");
    let assignment = format!("SecretToken={CANARY}");
    let option = format!("--SecretToken={CANARY}");
    let unknown = format!("NotAKey={CANARY}");
    for extra in [
        &[assignment.as_str()][..],
        &[option.as_str()],
        &["--client-secret", CANARY],
        &["--token", CANARY],
        &[unknown.as_str()],
    ] {
        let output = set(&world, &file, extra).await;
        output.expect_code(2).never_shows(CANARY);
        assert!(
            output
                .stderr
                .contains("never accepted as command-line arguments"),
            "{output:#?}"
        );
        assert!(output.stderr.contains("--from"), "{output:#?}");
    }
    let output = world
        .graph_sync()
        .args(&["secrets", "clear", "--sp", &world.sp_id(), &assignment])
        .run()
        .await;
    output.expect_code(2).never_shows(CANARY);
    assert_eq!(world.request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_stdin_value_is_an_input_error() {
    let world = World::start().await;
    let file = world
        .dir
        .private("s.toml", "SecretToken = { stdin = true }\n");
    let output = world
        .set_secrets(&file)
        .stdin(&[0xff, 0xfe, 0x00])
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("standard input"), "{output:#?}");
    assert!(output.stderr.contains("UTF-8"), "{output:#?}");

    let two = world.dir.private(
        "two.toml",
        "SecretToken = { stdin = true }\nPassword = { stdin = true }\n",
    );
    let output = set(&world, &two, &[]).await;
    output.expect_code(2);
    assert!(
        output.stderr.contains("both read standard input"),
        "{output:#?}"
    );
    assert_eq!(world.request_count(), 0);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_readable_by_others_gets_a_warning() {
    let world = World::start().await;
    world.dir.shared("token.txt", CANARY);
    let file = world.dir.shared(
        "s.toml",
        "SecretToken = { file = \"token.txt\" }\nSyncAll = true\n",
    );
    let output = set(&world, &file, &[]).await;
    output.expect_code(0).never_shows(CANARY);
    let warnings: Vec<&str> = output
        .stderr
        .lines()
        .filter(|line| line.starts_with("warning:"))
        .collect();
    assert_eq!(
        warnings.len(),
        2,
        "the file and the value file: {output:#?}"
    );
    assert!(warnings[0].contains("s.toml") && warnings[0].contains("mode 644"));
    assert!(warnings[0].contains("chmod 600"));
    assert!(warnings[1].contains("token.txt"));
    assert_eq!(world.stored()[0].1, CANARY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_errors_exit_with_3() {
    let world = World::start().await;
    // No token at all.
    let output = Run::new()
        .args(&["--graph-url", &world.running.graph_root()])
        .args(&["secrets", "show", "--sp", &world.sp_id()])
        .run()
        .await;
    output.expect_code(3);
    assert!(output.stderr.contains("GRAPH_SYNC_TOKEN"), "{output:#?}");
    assert_eq!(world.request_count(), 0);

    // --token-env names an unset variable.
    let output = world
        .graph_sync()
        .args(&[
            "--token-env",
            "MY_TOKEN",
            "secrets",
            "show",
            "--sp",
            &world.sp_id(),
        ])
        .run()
        .await;
    output.expect_code(3);
    assert!(output.stderr.contains("MY_TOKEN"), "{output:#?}");

    // A token the service refuses (401).
    let output = Run::new()
        .args(&[
            "--graph-url",
            &world.running.graph_root(),
            "--token-env",
            "MY_TOKEN",
        ])
        .args(&["secrets", "show", "--sp", &world.sp_id()])
        .env("MY_TOKEN", CANARY)
        .run()
        .await;
    output.expect_code(3).never_shows(CANARY);
    assert!(output.stderr.contains("401"), "{output:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_errors_exit_with_1_and_carry_the_support_details() {
    let world = World::start().await;
    let unknown = "11111111-2222-4333-8444-555555555555";
    let output = world
        .graph_sync()
        .args(&["secrets", "show", "--sp", unknown])
        .run()
        .await;
    output.expect_code(1);
    assert!(output.stderr.contains("404"), "{output:#?}");
    assert!(output.stderr.contains("request-id:"), "{output:#?}");
    assert!(output.stderr.contains("client-request-id:"), "{output:#?}");

    let output = world
        .graph_sync()
        .args(&["-o", "json", "secrets", "show", "--sp", unknown])
        .run()
        .await;
    output.expect_code(1);
    let json: Value = serde_json::from_str(output.stderr.trim()).unwrap();
    assert_eq!(json["error"]["status"], 404);
    assert_eq!(json["error"]["exitCode"], 1);
    assert!(json["error"]["requestId"].is_string(), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_with_2() {
    let world = World::start().await;
    let output = world
        .graph_sync()
        .args(&["secrets", "show", "--sp", "not-a-guid"])
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("--sp"), "{output:#?}");

    let output = Run::new()
        .args(&["--graph-url", "http://graph.example.com/v1.0"])
        .args(&["secrets", "show", "--sp", &world.sp_id()])
        .env("GRAPH_SYNC_TOKEN", &world.token)
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("invalid input"), "{output:#?}");

    Run::new().arg("no-such-command").run().await.expect_code(2);
    assert_eq!(world.request_count(), 0);
}

/// `GRAPH_SYNC_CA_FILE=` (set but empty) is no CA file, as shells and CI write "no value";
/// `--ca-file ''` on the command line is still refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_ca_file_variable_counts_as_unset() {
    let world = World::start().await;
    world
        .graph_sync()
        .args(&["secrets", "show", "--sp", &world.sp_id()])
        .env("GRAPH_SYNC_CA_FILE", "")
        .run()
        .await
        .expect_code(0);
    let output = world
        .graph_sync()
        .args(&["--ca-file", "", "secrets", "show", "--sp", &world.sp_id()])
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("--ca-file"), "{output:#?}");
}

#[tokio::test]
async fn the_azure_variables_authenticate_with_a_client_secret_from_the_environment() {
    let world = World::start().await;
    let emulator = world.running.emulator();
    let client_id = "11111111-2222-3333-4444-555555555555";
    let client_secret = format!("client-secret-{CANARY}");
    emulator.register_app_with_secret(client_id, &client_secret);
    let before = emulator.token_requests();
    let output = Run::new()
        .args(&[
            "--graph-url",
            &world.running.graph_root(),
            "secrets",
            "show",
            "--sp",
            &world.sp_id(),
        ])
        .env("AZURE_TENANT_ID", "contoso.example")
        .env("AZURE_CLIENT_ID", client_id)
        .env("AZURE_CLIENT_SECRET", &client_secret)
        .env("AZURE_AUTHORITY_HOST", &world.running.base_url())
        .arg("-vvv")
        .run()
        .await;
    output.expect_code(0).never_shows(&client_secret);
    assert_eq!(emulator.token_requests(), before + 1);

    // The wrong secret: an authentication error with Entra's code, and no secret in sight.
    let output = Run::new()
        .args(&[
            "--graph-url",
            &world.running.graph_root(),
            "secrets",
            "show",
            "--sp",
            &world.sp_id(),
        ])
        .env("AZURE_TENANT_ID", "contoso.example")
        .env("AZURE_CLIENT_ID", client_id)
        .env("AZURE_CLIENT_SECRET", CANARY)
        .env("AZURE_AUTHORITY_HOST", &world.running.base_url())
        .run()
        .await;
    output.expect_code(3).never_shows(CANARY);
    assert!(output.stderr.contains("AADSTS7000215"), "{}", output.stderr);
}

#[tokio::test]
async fn incomplete_azure_variables_are_named() {
    let world = World::start().await;
    let output = Run::new()
        .args(&[
            "--graph-url",
            &world.running.graph_root(),
            "secrets",
            "show",
            "--sp",
            &world.sp_id(),
        ])
        .env("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555")
        .run()
        .await;
    output.expect_code(3);
    assert!(
        output.stderr.contains("AZURE_TENANT_ID"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("AZURE_CLIENT_SECRET"),
        "{}",
        output.stderr
    );
    assert_eq!(world.request_count(), 0);
}
