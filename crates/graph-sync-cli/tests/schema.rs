//! `schema get|put|diff|apply|export|import` through the real binary against the emulator:
//! what goes on the wire (byte for byte, from the emulator's request log), the plans printed,
//! the confirmation, the read-back check, and the copy from one job to another.

use graph_sync_api::transport::http::{Method, Request};
use graph_sync_api::transport::{Bytes, ReqwestTransport, Transport as _};
use serde_json::{Value, json};

use crate::support::{Output, World};

fn json_of(output: &Output) -> Value {
    serde_json::from_str(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {output:#?}"))
}

/// Creates a job from the `scim` template and returns its id.
async fn create_job(world: &World) -> String {
    let output = world
        .graph_sync()
        .args(&["-o", "tsv", "jobs", "create", "--sp", &world.sp_id()])
        .args(&["--template", "scim", "--allow-duplicate"])
        .run()
        .await;
    output.expect_code(0);
    output.stdout.trim().to_owned()
}

/// `graph-sync schema ARGS…` against the world's emulator.
async fn run_schema(world: &World, args: &[&str]) -> Output {
    world.graph_sync().arg("schema").args(args).run().await
}

/// The body of `GET …/jobs/{job}/schema` exactly as the emulator sends it.
async fn raw_schema(world: &World, job: &str) -> String {
    let url = format!(
        "{}/servicePrincipals/{}/synchronization/jobs/{job}/schema",
        world.running.graph_root(),
        world.sp_id()
    );
    let request = Request::builder()
        .method(Method::GET)
        .uri(url)
        .header("Authorization", format!("Bearer {}", world.token))
        .body(Bytes::new())
        .unwrap();
    let response = ReqwestTransport::new().send(request).await.unwrap();
    assert_eq!(response.status(), 200);
    String::from_utf8(response.body().to_vec()).unwrap()
}

/// The job's schema, changed by `edit`, written to the file `name` (laid out).
async fn edited(
    world: &World,
    job: &str,
    name: &str,
    edit: impl FnOnce(&mut Value),
) -> std::path::PathBuf {
    let mut schema: Value = serde_json::from_str(&raw_schema(world, job).await).unwrap();
    edit(&mut schema);
    world
        .dir
        .private(name, &serde_json::to_string_pretty(&schema).unwrap())
}

/// Queues answers through the emulator's control API (`POST /_emulator/script`).
async fn script(world: &World, body: &Value) {
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("{}/_emulator/script", world.running.base_url()))
        .header(
            "Authorization",
            format!("Bearer {}", world.running.emulator().admin_token()),
        )
        .header("Content-Type", "application/json")
        .body(Bytes::from(body.to_string()))
        .unwrap();
    let response = ReqwestTransport::new().send(request).await.unwrap();
    assert!(response.status().is_success(), "{response:?}");
}

/// The bodies of the PUTs of a schema the emulator received, in order.
fn schema_puts(world: &World) -> Vec<String> {
    world
        .running
        .emulator()
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path_only().ends_with("/schema"))
        .map(|r| r.body.unwrap_or_default())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_read_and_put_back_is_sent_byte_for_byte_as_read() {
    let world = World::provisioning().await;
    let sp = world.sp_id();
    let job = create_job(&world).await;
    let read = raw_schema(&world, &job).await;

    // `schema get > s.json && schema put --from s.json`
    let output = run_schema(&world, &["get", "--sp", &sp, "--job", &job]).await;
    output.expect_code(0);
    assert!(
        output.stdout.contains("\n  \"id\": "),
        "laid out: {output:#?}"
    );
    let file = world.dir.private("s.json", &output.stdout);
    world
        .graph_sync()
        .args(&[
            "schema", "put", "--yes", "--sp", &sp, "--job", &job, "--from",
        ])
        .arg(file.to_str().unwrap())
        .run()
        .await
        .expect_code(0);
    assert_eq!(
        schema_puts(&world),
        std::slice::from_ref(&read),
        "the PUT body is the GET body"
    );
    assert_eq!(
        raw_schema(&world, &job).await,
        read,
        "and the job holds it unchanged"
    );

    // A hand-written partial schema goes out as written: nothing added, order kept.
    let partial = r#"{
  "synchronizationRules": [
    {"priority": 1, "name": "USER_OUTBOUND_USER", "sourceDirectoryName": "AAD", "targetDirectoryName": "SCIM",
     "objectMappings": [
      {"targetObjectName": "User", "sourceObjectName": "User",
       "attributeMappings": [{"targetAttributeName": "userName",
         "source": {"type": "Attribute", "name": "userPrincipalName"}}]}]}
  ],
  "directories": [
    {"name": "AAD", "objects": [{"name": "User", "attributes": [{"name": "userPrincipalName"}]}]},
    {"name": "SCIM", "objects": [{"name": "User", "attributes": [{"name": "userName", "anchor": true}]}]}
  ]
}"#;
    let file = world.dir.private("partial.json", partial);
    world
        .graph_sync()
        .args(&[
            "schema", "put", "--yes", "--sp", &sp, "--job", &job, "--from",
        ])
        .arg(file.to_str().unwrap())
        .run()
        .await
        .expect_code(0);
    let sent = schema_puts(&world).pop().unwrap();
    let expected: String = partial.chars().filter(|c| !c.is_whitespace()).collect();
    // (No string of this document holds whitespace, so removing all of it is compaction.)
    assert_eq!(sent, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_compares_files_and_live_jobs_at_the_level_of_mappings() {
    let world = World::provisioning().await;
    let sp = world.sp_id();
    let job = create_job(&world).await;
    let live = format!("{sp}:{job}");
    let edited = edited(&world, &job, "edited.json", |schema| {
        let mapping = &mut schema["synchronizationRules"][0]["objectMappings"][0];
        mapping["attributeMappings"][6]["source"] = json!({"expression": "[userPrincipalName]", "name": "userPrincipalName", "type": "Attribute", "parameters": []});
        mapping["scope"] = json!({"groups": [{"name": "sales", "clauses": [{"operatorName": "EQUALS",
            "sourceOperandName": "department", "targetOperand": {"values": ["Sales"]}}]}]});
    })
    .await;
    let edited = edited.to_str().unwrap();
    let before = world.request_count();

    let output = run_schema(&world, &["diff", &live, edited]).await;
    output.expect_code(0);
    assert!(
        output
            .stdout
            .starts_with("2 change(s): 1 added, 0 removed, 1 changed"),
        "{output:#?}"
    );
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert!(lines[1].starts_with("CHANGE"), "{output:#?}");
    assert!(
        output
            .stdout
            .contains("source: [mailNickname] → [userPrincipalName]")
            && output.stdout.contains("department EQUALS \"Sales\""),
        "{output:#?}"
    );

    let output = world
        .graph_sync()
        .args(&["-o", "json", "schema", "diff", edited, &live])
        .run()
        .await;
    output.expect_code(0);
    let plan = json_of(&output);
    assert_eq!(plan["changes"].as_array().unwrap().len(), 2);
    assert_eq!(plan["changes"][1]["subject"], "attributeMapping");
    assert_eq!(plan["changes"][1]["property"], "source");
    assert_eq!(plan["changes"][1]["path"][2], "externalId");
    assert_eq!(plan["old"], edited);

    let output = run_schema(&world, &["diff", &live, &live]).await;
    output.expect_code(0);
    assert!(output.stdout.starts_with("No differences"), "{output:#?}");
    assert!(
        world.running.emulator().requests()[before..]
            .iter()
            .all(|r| r.method == "GET"),
        "diff only reads"
    );

    let output = run_schema(&world, &["diff", "no-such-file.json", &live]).await;
    output.expect_code(2);
    assert!(
        output.stderr.contains("neither a file nor a job"),
        "{output:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_shows_the_plan_asks_puts_and_verifies_the_read_back() {
    let world = World::provisioning().await;
    let sp = world.sp_id();
    let job = create_job(&world).await;
    let file = edited(&world, &job, "off.json", |schema| {
        schema["synchronizationRules"][0]["objectMappings"][0]["enabled"] = json!(false);
    })
    .await;
    let file = file.to_str().unwrap();
    let apply = || {
        world.graph_sync().args(&[
            "schema", "apply", "--sp", &sp, "--job", &job, "--from", file,
        ])
    };

    // Not on a terminal and no --yes: the plan, then a refusal; nothing is put.
    let output = apply().run().await;
    output.expect_code(2);
    assert!(
        output.stdout.contains("enabled: true → false"),
        "{output:#?}"
    );
    assert!(output.stderr.contains("--yes"), "{output:#?}");
    assert!(schema_puts(&world).is_empty());

    // --dry-run: the plan and the request, nothing put.
    let output = apply().arg("--dry-run").run().await;
    output.expect_code(0);
    assert!(output.stdout.contains("PUT "), "{output:#?}");
    assert!(schema_puts(&world).is_empty());

    let output = apply().arg("--yes").run().await;
    output.expect_code(0);
    assert!(
        output
            .stdout
            .contains("Read back: the service holds what was sent."),
        "{output:#?}"
    );
    assert_eq!(schema_puts(&world).len(), 1);
    let held: Value = serde_json::from_str(&raw_schema(&world, &job).await).unwrap();
    assert_eq!(
        held["synchronizationRules"][0]["objectMappings"][0]["enabled"],
        false
    );

    // Again: nothing to apply, nothing sent.
    let output = world
        .graph_sync()
        .args(&[
            "-o", "json", "schema", "apply", "--yes", "--sp", &sp, "--job", &job,
        ])
        .args(&["--from", file])
        .run()
        .await;
    output.expect_code(0);
    assert_eq!(json_of(&output)["applied"], false);
    assert_eq!(schema_puts(&world).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_fails_when_the_service_holds_something_else_than_was_sent() {
    let world = World::provisioning().await;
    let sp = world.sp_id();
    let job = create_job(&world).await;
    let file = edited(&world, &job, "v.json", |schema| {
        schema["version"] = json!("mine");
    })
    .await;
    // The service answers the read-back with another schema (scripted: the first read is
    // the job's own schema, the read after the PUT another one).
    let current: Value = serde_json::from_str(&raw_schema(&world, &job).await).unwrap();
    let other =
        json!({"id": "other", "version": "theirs", "synchronizationRules": [], "directories": []});
    script(
        &world,
        &json!({"method": "GET", "path": "*/schema",
            "answers": [{"status": 200, "body": current}, {"status": 200, "body": other}]}),
    )
    .await;
    let output = world
        .graph_sync()
        .args(&[
            "schema", "apply", "--yes", "--sp", &sp, "--job", &job, "--from",
        ])
        .arg(file.to_str().unwrap())
        .run()
        .await;
    output.expect_code(1);
    assert!(
        output.stderr.contains("differs from what was sent"),
        "{output:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_from_one_job_imports_onto_another_with_its_ids_mapped() {
    let world = World::provisioning().await;
    let sp = world.sp_id();
    let dev = create_job(&world).await;
    let prod = create_job(&world).await;
    // Configure dev: a changed mapping.
    let file = edited(&world, &dev, "dev.json", |schema| {
        schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][6]["source"] = json!({"expression": "[userPrincipalName]", "name": "userPrincipalName", "type": "Attribute", "parameters": []});
    })
    .await;
    world
        .graph_sync()
        .args(&[
            "schema", "put", "--yes", "--sp", &sp, "--job", &dev, "--from",
        ])
        .arg(file.to_str().unwrap())
        .run()
        .await
        .expect_code(0);

    let export = world.dir.path().join("app.json");
    let export = export.to_str().unwrap();
    let output = world
        .graph_sync()
        .args(&[
            "schema", "export", "--sp", &sp, "--job", &dev, "--out", export,
        ])
        .run()
        .await;
    output.expect_code(0);
    let text = std::fs::read_to_string(export).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["format"], "graph-sync/schema-export/1");
    assert_eq!(document["templateId"], "scim");
    assert!(!text.contains(&dev), "no job id in the export");
    assert!(document["schema"]["directories"][0].get("id").is_none());

    // The export against prod: one change, ids not counted.
    let output = run_schema(&world, &["diff", &format!("{sp}:{prod}"), export]).await;
    output.expect_code(0);
    assert!(output.stdout.starts_with("1 change(s)"), "{output:#?}");

    let output = world
        .graph_sync()
        .args(&[
            "schema", "import", "--yes", "--sp", &sp, "--job", &prod, "--from", export,
        ])
        .run()
        .await;
    output.expect_code(0);
    assert!(
        output
            .stdout
            .contains("source: [mailNickname] → [userPrincipalName]"),
        "{output:#?}"
    );
    assert!(
        output
            .stdout
            .contains("Read back: the service holds what was sent."),
        "{output:#?}"
    );
    let held: Value = serde_json::from_str(&raw_schema(&world, &prod).await).unwrap();
    let dev_held: Value = serde_json::from_str(&raw_schema(&world, &dev).await).unwrap();
    assert_eq!(
        held["synchronizationRules"],
        dev_held["synchronizationRules"]
    );
    assert_eq!(held["directories"], dev_held["directories"]);
    assert_ne!(held["id"], dev_held["id"]);

    // A plain schema is not an export, and an export is not a schema for apply.
    let output = world
        .graph_sync()
        .args(&[
            "schema", "import", "--yes", "--sp", &sp, "--job", &prod, "--from",
        ])
        .arg(file.to_str().unwrap())
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("schema export"), "{output:#?}");
    let output = world
        .graph_sync()
        .args(&[
            "schema", "apply", "--yes", "--sp", &sp, "--job", &prod, "--from", export,
        ])
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("schema import"), "{output:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expressions_are_tested_on_an_object_and_errors_point_at_their_position() {
    let world = World::provisioning().await;
    let sp = world.sp_id();
    let job = create_job(&world).await;
    let user = world.dir.private(
        "user.json",
        r#"{"userPrincipalName": "bill@contoso.com", "givenName": "Bill"}"#,
    );
    let user = user.to_str().unwrap();
    let test = |expression: &str| {
        world
            .graph_sync()
            .args(&["expression", "test", expression, "--sp", &sp, "--job", &job])
    };

    let output = test("Coalesce([mailNickname], [userPrincipalName])")
        .args(&["--object", user])
        .run()
        .await;
    output.expect_code(0);
    assert!(
        output.stdout.contains("Result      bill@contoso.com"),
        "{output:#?}"
    );
    assert!(
        output
            .stdout
            .contains("Parsed      Coalesce(source: [mailNickname], source: [userPrincipalName])"),
        "{output:#?}"
    );

    let output = test("[mailNickname]").args(&["--object", user]).run().await;
    output.expect_code(1);
    assert!(
        output.stdout.contains("Evaluation  failed: ExpressionEvaluationFailed: the test object has no value for 'mailNickname'"),
        "{output:#?}"
    );

    let output = test("Append([givenName] \"!\")").run().await;
    output.expect_code(1);
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert!(lines[1].starts_with("Parsing     failed"), "{output:#?}");
    assert_eq!(lines[2], "            Append([givenName] \"!\")");
    assert_eq!(lines[3], format!("{}^", " ".repeat(12 + 19)), "{output:#?}");
    assert!(output.stderr.contains("did not parse"), "{output:#?}");

    let output = world
        .graph_sync()
        .args(&["-o", "json", "expression", "test", "ToUpper([givenName])"])
        .args(&["--sp", &sp, "--job", &job, "--object", user])
        .run()
        .await;
    output.expect_code(0);
    assert_eq!(json_of(&output)["evaluationResult"], json!(["BILL"]));

    let output = world
        .graph_sync()
        .args(&["expression", "functions", "--sp", &sp, "--job", &job])
        .run()
        .await;
    output.expect_code(0);
    let switch = output
        .stdout
        .lines()
        .find(|l| l.starts_with("Switch "))
        .unwrap_or_default();
    assert!(
        switch.ends_with("source, defaultValue, key…, value…"),
        "{output:#?}"
    );
    assert!(output.stdout.contains("[oldValue]"), "{output:#?}");
}
