//! `secrets set|show|clear` against the emulator: every value source, both file formats, typed
//! notification settings, dry runs, and secrets that never show in any output.

use graph_sync_api::model::SyncNotificationSettings;
use serde_json::Value;

use crate::support::{CANARY, World};

fn toml_manifest() -> String {
    r#"BaseAddress = "https://scim.example.com/scim/v2"
SecretToken = { env = "SCIM_TOKEN" }
Password = { file = "password.txt" }
ClientSecret = { stdin = true }
SyncAll = false

[SyncNotificationSettings]
Enabled = true
Recipients = ["ops@example.com", "oncall@example.com"]
DeleteThresholdEnabled = true
DeleteThresholdValue = 250
"#
    .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_from_toml_reads_every_kind_of_value() {
    let world = World::start().await;
    let file = world.dir.private("secrets.toml", &toml_manifest());
    world.dir.private("password.txt", "pass-from-file\n");
    let output = world
        .set_secrets(&file)
        .env("SCIM_TOKEN", CANARY)
        .stdin(b"client-secret-from-stdin\r\n")
        .run()
        .await;
    output.expect_code(0).never_shows(CANARY);
    assert!(output.stdout.contains("Saved 6 secret(s)"), "{output:#?}");
    assert!(output.stderr.is_empty(), "no warning expected: {output:#?}");

    let stored = world.stored();
    let keys: Vec<&str> = stored.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "BaseAddress",
            "SecretToken",
            "Password",
            "ClientSecret",
            "SyncAll",
            "SyncNotificationSettings"
        ]
    );
    assert_eq!(stored[0].1, "https://scim.example.com/scim/v2");
    assert_eq!(stored[1].1, CANARY);
    assert_eq!(
        stored[2].1, "pass-from-file",
        "one trailing newline removed"
    );
    assert_eq!(
        stored[3].1, "client-secret-from-stdin",
        "a trailing CRLF removed"
    );
    assert_eq!(stored[4].1, "false");
    let settings = SyncNotificationSettings::from_json(&stored[5].1).unwrap();
    assert!(settings.enabled);
    assert_eq!(
        settings.recipients.as_deref(),
        Some("ops@example.com;oncall@example.com")
    );
    assert!(settings.delete_threshold_enabled);
    assert_eq!(settings.delete_threshold_value, Some(250));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_from_json_by_app_id_with_json_output() {
    let world = World::start().await;
    let file = world.dir.private(
        "secrets.json",
        &format!(
            r#"{{"SecretToken": "{CANARY}", "SyncAll": true,
                "SyncNotificationSettings": {{"Enabled": false}}}}"#
        ),
    );
    let sp = format!("appId={}", world.sp.app_id);
    let output = world
        .graph_sync()
        .args(&["--output", "json", "secrets", "set", "--sp", &sp, "--from"])
        .arg(file.to_str().unwrap())
        .run()
        .await;
    output.expect_code(0).never_shows(CANARY);
    let json: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(json["servicePrincipal"], sp);
    assert_eq!(
        json["saved"],
        serde_json::json!(["SecretToken", "SyncAll", "SyncNotificationSettings"])
    );
    let stored = world.stored();
    assert_eq!(stored[0], ("SecretToken".to_owned(), CANARY.to_owned()));
    assert_eq!(stored[1].1, "true");
    assert_eq!(
        SyncNotificationSettings::from_json(&stored[2].1).unwrap(),
        SyncNotificationSettings::disabled()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn format_flag_overrides_the_extension() {
    let world = World::start().await;
    let file = world.dir.private("secrets.conf", "SyncAll = true\n");
    let output = world
        .graph_sync()
        .args(&[
            "secrets",
            "set",
            "--sp",
            &world.sp_id(),
            "--format",
            "toml",
            "--from",
        ])
        .arg(file.to_str().unwrap())
        .run()
        .await;
    output.expect_code(0);
    assert_eq!(world.stored(), [("SyncAll".to_owned(), "true".to_owned())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_the_request_redacted_and_sends_nothing() {
    let world = World::start().await;
    let file = world.dir.private(
        "secrets.toml",
        "BaseAddress = \"https://scim.example.com/scim\"\nSecretToken = { env = \"T\" }\n",
    );
    for format in ["table", "json"] {
        let output = world
            .set_secrets(&file)
            .args(&["--output", format, "--dry-run"])
            .env("T", CANARY)
            .run()
            .await;
        output
            .expect_code(0)
            .never_shows(CANARY)
            .never_shows(&world.token);
        assert!(output.stdout.contains("[REDACTED]"), "{output:#?}");
        let path = format!(
            "/servicePrincipals/{}/synchronization/secrets",
            world.sp_id()
        );
        assert!(output.stdout.contains(&path), "{output:#?}");
        if format == "json" {
            let json: Value = serde_json::from_str(&output.stdout).unwrap();
            assert_eq!(json["dryRun"], true);
            assert_eq!(json["method"], "PUT");
            assert_eq!(json["headers"]["authorization"], "[REDACTED]");
            assert_eq!(json["body"]["value"][1]["key"], "SecretToken");
            assert_eq!(json["body"]["value"][1]["value"], "[REDACTED]");
            // Non-secret values are shown: they are what one checks before sending.
            assert_eq!(
                json["body"]["value"][0]["value"],
                "https://scim.example.com/scim"
            );
        } else {
            assert!(
                output.stdout.contains("Dry run: nothing was sent"),
                "{output:#?}"
            );
            assert!(
                output.stdout.contains("authorization: [REDACTED]"),
                "{output:#?}"
            );
        }
    }
    assert_eq!(world.request_count(), 0, "a dry run sends nothing");
    assert!(world.stored().is_empty());

    // A dry run needs no token.
    let output = crate::support::Run::new()
        .args(&[
            "--graph-url",
            &world.running.graph_root(),
            "secrets",
            "set",
            "--dry-run",
        ])
        .args(&["--sp", &world.sp_id(), "--from"])
        .arg(file.to_str().unwrap())
        .env("T", CANARY)
        .run()
        .await;
    output.expect_code(0).never_shows(CANARY);
    assert_eq!(world.request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_lists_the_saved_keys_masked() {
    let world = World::start().await;
    let output = world
        .graph_sync()
        .args(&["secrets", "show", "--sp", &world.sp_id()])
        .run()
        .await;
    output.expect_code(0);
    assert!(output.stdout.contains("no secrets saved"), "{output:#?}");

    let file = world.dir.private(
        "s.toml",
        &format!("SecretToken = \"{CANARY}\"\nSyncAll = false\n"),
    );
    world.set_secrets(&file).run().await.expect_code(0);

    let output = world
        .graph_sync()
        .args(&["secrets", "show", "--sp", &world.sp_id()])
        .run()
        .await;
    output.expect_code(0).never_shows(CANARY);
    assert!(output.stdout.contains("SecretToken"), "{output:#?}");
    assert!(output.stdout.contains("* (masked by Graph)"), "{output:#?}");

    let output = world
        .graph_sync()
        .args(&["-o", "json", "secrets", "show", "--sp", &world.sp_id()])
        .run()
        .await;
    output.expect_code(0);
    let json: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(
        json["secrets"],
        serde_json::json!([
            {"key": "SecretToken", "masked": true},
            {"key": "SyncAll", "masked": true},
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_empties_keys_and_refuses_json_keys_before_sending() {
    let world = World::start().await;
    let file = world.dir.private(
        "s.toml",
        "SecretToken = \"t\"\nPassword = \"p\"\nSyncAll = false\n\
         [SyncNotificationSettings]\nEnabled = false\n",
    );
    world.set_secrets(&file).run().await.expect_code(0);

    let output = world
        .graph_sync()
        .args(&[
            "secrets",
            "clear",
            "--sp",
            &world.sp_id(),
            "SecretToken",
            "Password",
            "--yes",
        ])
        .run()
        .await;
    output.expect_code(0);
    assert!(output.stdout.contains("Cleared 2 secret(s)"), "{output:#?}");
    let keys: Vec<String> = world.stored().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["SyncAll", "SyncNotificationSettings"]);

    // Issue 12 item 10: a key that was not set is reported so, and not sent.
    let puts = |world: &World| {
        world.running.emulator().handled_count(
            "PUT",
            &format!(
                "/v1.0/servicePrincipals/{}/synchronization/secrets",
                world.sp_id()
            ),
        )
    };
    let puts_before = puts(&world);
    let clear = |keys: &[&str]| {
        world
            .graph_sync()
            .args(&["secrets", "clear", "--yes", "--sp", &world.sp_id()])
            .args(keys)
    };
    let output = clear(&["SyncAll", "Password"]).run().await;
    output.expect_code(0);
    assert!(output.stdout.contains("Cleared 1 secret(s)"), "{output:#?}");
    assert!(
        output.stdout.contains("Password") && output.stdout.contains("was not set"),
        "{output:#?}"
    );
    assert_eq!(puts(&world), puts_before + 1);
    let output = clear(&["Password", "SecretToken"]).run().await;
    output.expect_code(0);
    assert!(
        output.stdout.contains("Nothing to clear")
            && output.stdout.contains("Password, SecretToken were not set"),
        "{output:#?}"
    );
    assert_eq!(
        puts(&world),
        puts_before + 1,
        "nothing sent when nothing was set"
    );

    let before = world.request_count();
    let output = world
        .graph_sync()
        .args(&[
            "secrets",
            "clear",
            "--sp",
            &world.sp_id(),
            "SyncNotificationSettings",
        ])
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("cannot be cleared"), "{output:#?}");
    assert_eq!(world.request_count(), before, "nothing was sent");

    let output = world
        .graph_sync()
        .args(&["secrets", "clear", "--sp", &world.sp_id(), "syncall"])
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("`SyncAll`"), "{output:#?}");
    assert_eq!(world.request_count(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_show_even_at_trace_level() {
    let world = World::start().await;
    let file = world.dir.private(
        "s.toml",
        "SecretToken = { env = \"T\" }\nPassword = { stdin = true }\n\
         BaseAddress = \"https://scim.example.com\"\n",
    );
    let output = world
        .graph_sync()
        .args(&["-vvv", "secrets", "set", "--sp", &world.sp_id(), "--from"])
        .arg(file.to_str().unwrap())
        .env("T", CANARY)
        .stdin(format!("{CANARY}-stdin").as_bytes())
        .run()
        .await;
    output
        .expect_code(0)
        .never_shows(CANARY)
        .never_shows(&world.token);
    assert!(
        output.stderr.contains("graph_request"),
        "-vvv traces the request: {output:#?}"
    );

    // A service error on the way (the emulator refuses an undocumented key) is logged and
    // reported without the values either.
    let file = world.dir.private(
        "bad.toml",
        &format!("SecretToken = \"{CANARY}\"\nNotAKeyGraphKnows = \"{CANARY}\"\n"),
    );
    let output = world
        .set_secrets(&file)
        .args(&["-vvv", "--allow-unknown-keys"])
        .run()
        .await;
    output
        .expect_code(1)
        .never_shows(CANARY)
        .never_shows(&world.token);
    assert!(output.stderr.contains("400"), "{output:#?}");

    let output = world
        .graph_sync()
        .args(&["-vvv", "secrets", "show", "--sp", &world.sp_id()])
        .run()
        .await;
    output
        .expect_code(0)
        .never_shows(CANARY)
        .never_shows(&world.token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_selects_the_graph_root() {
    let dir = crate::support::Scratch::new();
    let file = dir.private("s.toml", "SyncAll = true\n");
    for (cloud, root) in [
        ("global", "https://graph.microsoft.com/v1.0/"),
        ("usgov", "https://graph.microsoft.us/v1.0/"),
        ("usgov-dod", "https://dod-graph.microsoft.us/v1.0/"),
        ("china", "https://microsoftgraph.chinacloudapi.cn/v1.0/"),
    ] {
        let output = crate::support::Run::new()
            .args(&[
                "--cloud",
                cloud,
                "-o",
                "json",
                "secrets",
                "set",
                "--dry-run",
            ])
            .args(&[
                "--sp",
                "appId=7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b",
                "--from",
            ])
            .arg(file.to_str().unwrap())
            .run()
            .await;
        output.expect_code(0);
        let json: Value = serde_json::from_str(&output.stdout).unwrap();
        let url = json["url"].as_str().unwrap();
        assert!(url.starts_with(root), "{cloud}: {url}");
        assert!(
            url.ends_with("/servicePrincipals(appId='7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b')/synchronization/secrets"),
            "{url}"
        );
    }
}

/// Issue 9 item 2: the documentation's "Add synchronization secrets" body (`BaseAddress` =
/// `user@domain.com`, which is not a URL) is sent unchanged, with a warning, and exactly as
/// documented: the stored pairs and the logged body are the documented ones, in order.
/// `--strict` refuses it before anything is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_body_is_sent_unchanged_with_a_warning_and_strict_refuses_it() {
    let world = World::start().await;
    let documented: Value = serde_json::from_str(include_str!(
        "../../graph-sync-model/tests/fixtures/secrets-put-documented-request.json"
    ))
    .unwrap();
    // The same body, as a secrets file: the documented values, in the documented order.
    let file = world.dir.private(
        "documented.json",
        r#"{"BaseAddress": "user@domain.com", "SecretToken": "password-value",
            "SyncNotificationSettings": "{\"Enabled\":false,\"DeleteThresholdEnabled\":false}",
            "SyncAll": "false"}"#,
    );

    let before = world.request_count();
    let strict = world.set_secrets(&file).arg("--strict").run().await;
    strict.expect_code(2).never_shows("password-value");
    assert!(strict.stderr.contains("--strict refuses"), "{strict:#?}");
    assert!(strict.stderr.contains("BaseAddress"), "{strict:#?}");
    assert_eq!(world.request_count(), before, "nothing sent under --strict");

    let output = world.set_secrets(&file).run().await;
    output.expect_code(0).never_shows("password-value");
    assert!(output.stderr.contains("warning:"), "{output:#?}");
    assert!(output.stderr.contains("BaseAddress"), "{output:#?}");
    assert!(
        !output.stderr.contains("user@domain.com"),
        "values never quoted: {output:#?}"
    );

    let expected: Vec<(String, String)> = documented["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair["key"].as_str().unwrap().to_owned(),
                pair["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(world.stored(), expected);
    let put = world
        .running
        .emulator()
        .requests()
        .into_iter()
        .rfind(|request| request.method == "PUT")
        .unwrap();
    let sent: Value = serde_json::from_str(put.body.as_deref().unwrap()).unwrap();
    let sent_pairs = sent["value"].as_array().unwrap();
    assert_eq!(sent.as_object().unwrap().len(), 1, "only `value`: {sent}");
    assert_eq!(sent_pairs.len(), 4);
    for (sent, documented) in sent_pairs
        .iter()
        .zip(documented["value"].as_array().unwrap())
    {
        assert_eq!(
            sent.as_object().unwrap().len(),
            2,
            "only key and value: {sent}"
        );
        // The log redacts every value; the values are checked as stored, above.
        assert_eq!(sent["key"], documented["key"]);
    }
}
/// Issue 9 item 4: `--sp name:DISPLAY NAME` resolves to the one service principal with that
/// name; none or several are a usage error (exit 2) listing the candidates, nothing changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sp_by_display_name_resolves_to_exactly_one_or_lists_the_candidates() {
    let world = World::start().await;
    let emulator = world.running.emulator();
    let twin_a = emulator.register_service_principal("Twin SCIM");
    let twin_b = emulator.register_service_principal("Twin SCIM");
    let file = world.dir.private("s.toml", "SyncAll = true\n");

    let by_name = world
        .graph_sync()
        .args(&["secrets", "set", "--sp", "name:CLI test app", "--from"])
        .arg(file.to_str().unwrap())
        .run()
        .await;
    by_name.expect_code(0);
    assert!(by_name.stdout.contains(&world.sp_id()), "{by_name:#?}");
    assert_eq!(world.stored(), [("SyncAll".to_owned(), "true".to_owned())]);
    let lookup = emulator
        .requests()
        .into_iter()
        .find(|request| {
            request.method == "GET" && request.path.starts_with("/v1.0/servicePrincipals?")
        })
        .expect("a lookup by name");
    assert!(
        lookup
            .path
            .contains("%24filter=displayName+eq+%27CLI+test+app%27"),
        "{lookup:?}"
    );

    let before = world.request_count();
    let twins = world
        .graph_sync()
        .args(&["jobs", "list", "--sp", "name:Twin SCIM"])
        .run()
        .await;
    twins.expect_code(2);
    for twin in [&twin_a, &twin_b] {
        assert!(twins.stderr.contains(&twin.id.to_string()), "{twins:#?}");
        assert!(
            twins.stderr.contains(&twin.app_id.to_string()),
            "{twins:#?}"
        );
    }
    assert!(
        twins.stderr.contains("2 service principals are named"),
        "{twins:#?}"
    );

    let nobody = world
        .graph_sync()
        .args(&[
            "secrets",
            "clear",
            "--yes",
            "--sp",
            "name:Nobody",
            "SyncAll",
        ])
        .run()
        .await;
    nobody.expect_code(2);
    assert!(
        nobody
            .stderr
            .contains("no service principal is named \"Nobody\""),
        "{nobody:#?}"
    );
    let methods: Vec<String> = emulator.requests()[before..]
        .iter()
        .map(|request| request.method.clone())
        .collect();
    assert!(
        methods.iter().all(|m| m == "GET"),
        "only lookups were sent: {methods:?}"
    );
}
