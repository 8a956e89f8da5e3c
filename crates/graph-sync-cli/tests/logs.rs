//! `logs`, `logs show`, `logs summary` and `logs --follow` through the real binary against the
//! emulator's provisioning events; the China cloud refused before anything is sent.

use graph_sync_api::model::{
    Filter, JobId, Property, ProvisionOnDemandRequest, SecretKey, SecretString, Secrets,
    SynchronizationJobSubject,
};
use graph_sync_api::{GraphSyncClient, LogQuery};
use graph_sync_emulator::SourceObject;
use serde_json::Value;

use crate::support::{CANARY, TARGET_URL, World, finish};

const USER_RULE: &str = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8";

fn client(world: &World) -> GraphSyncClient {
    GraphSyncClient::builder()
        .graph_root(world.running.graph_root())
        .bearer_token(world.token.clone())
        .build()
        .unwrap()
}

fn secrets(token: &str) -> Secrets {
    Secrets::new()
        .with(SecretKey::BaseAddress, TARGET_URL)
        .unwrap()
        .with(SecretKey::SecretToken, SecretString::from(token.to_owned()))
        .unwrap()
}

/// A job from the `scim` template.
async fn create_job(client: &GraphSyncClient, world: &World) -> JobId {
    let job = client
        .service_principal(world.sp.id.clone())
        .synchronization()
        .jobs()
        .create(graph_sync_api::model::TemplateId::new("scim").unwrap())
        .await
        .unwrap();
    job.id.get().unwrap().clone()
}

/// A job whose schema only provisions the Sales department, with Alex (Sales) and Adele
/// (Marketing) assigned, started with a token the target rejects: Alex fails at export,
/// Adele is skipped out of scope.
async fn failed_cycle(world: &World) -> String {
    let emulator = world.running.emulator();
    emulator.assign(
        &world.sp.id,
        SourceObject::user("u-alex")
            .with("displayName", "Alex Wilber")
            .with("userPrincipalName", "alex@contoso.com")
            .with("department", "Sales"),
    );
    emulator.assign(
        &world.sp.id,
        SourceObject::user("u-adele")
            .with("displayName", "Adele Vance")
            .with("userPrincipalName", "adele@contoso.com")
            .with("department", "Marketing"),
    );
    let client = client(world);
    let sync = client
        .service_principal(world.sp.id.clone())
        .synchronization();
    let job_id = create_job(&client, world).await;
    let schema_api = sync.job(job_id.clone()).schema();
    let mut schema = schema_api.get().await.unwrap();
    let filter: Filter = serde_json::from_value(serde_json::json!({"groups": [{"name": "Sales",
        "clauses": [{"operatorName": "EQUALS", "sourceOperandName": "department",
                     "targetOperand": {"values": ["Sales"]}}]}]}))
    .unwrap();
    let mapping = schema.synchronization_rules.get_mut().unwrap()[0]
        .object_mappings
        .get_mut()
        .unwrap()
        .get_mut(0)
        .unwrap();
    mapping.scope = Property::Value(filter);
    schema_api.put(&schema).await.unwrap();
    sync.secrets().put(&secrets("not-the-token")).await.unwrap();
    sync.job(job_id.clone()).start().await.unwrap();
    job_id.to_string()
}

/// `graph-sync -o ndjson logs --job JOB --status failure`: the failed events.
async fn failures(world: &World, job: &str) -> Vec<Value> {
    let failed = world
        .graph_sync()
        .args(&["-o", "ndjson", "logs", "--job", job, "--status", "failure"])
        .run()
        .await;
    failed.expect_code(0);
    lines(&failed.stdout)
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_list_show_and_summary_explain_why_a_user_did_not_provision() {
    let world = World::provisioning().await;
    let job = failed_cycle(&world).await;

    let table = world
        .graph_sync()
        .args(&["logs", "--job", &job])
        .run()
        .await;
    table.expect_code(0);
    let rows: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{table:#?}");
    assert!(rows[0].starts_with("TIME"), "{table:#?}");
    assert!(table.stdout.contains("Adele Vance") && table.stdout.contains("skipped"));
    assert!(table.stdout.contains("Alex Wilber") && table.stdout.contains("failure"));
    assert!(
        table.stdout.contains("NotEffectivelyEntitled"),
        "{table:#?}"
    );

    // NDJSON with filters: the failure only.
    let events = failures(&world, &job).await;
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["sourceIdentity"]["id"], "u-alex");
    let id = events[0]["id"].as_str().unwrap().to_owned();

    // -o json: one array, item by item.
    let json = world
        .graph_sync()
        .args(&["-o", "json", "logs", "--job", &job, "--name", "Adele"])
        .run()
        .await;
    json.expect_code(0);
    let array: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(array.as_array().unwrap().len(), 1, "{json:#?}");
    assert_eq!(array[0]["provisioningStatusInfo"]["status"], "skipped");

    // show: the steps, the failing one marked, with the reason and what to do.
    let show = world.graph_sync().args(&["logs", "show", &id]).run().await;
    show.expect_code(0);
    for text in [
        "Steps:",
        "1. import",
        "2. scoping",
        "5. export       failure  EntryExportAdd   <- failed here",
        "could not authenticate",
        "Recommended",
        "department: Sales",
    ] {
        assert!(show.stdout.contains(text), "missing {text:?}: {show:#?}");
    }

    // summary: the cycle's figures, as MSIdentityTools prints them.
    let summary = world
        .graph_sync()
        .args(&["logs", "summary", "--job", &job])
        .run()
        .await;
    summary.expect_code(0);
    for text in [
        "Total Changes: 2",
        "Total Users: 2",
        "Action       Success Failure Skipped Warning   Total",
        "create             0       1       0       0       1",
        "other              0       0       1       0       1",
    ] {
        assert!(
            summary.stdout.contains(text),
            "missing {text:?}: {summary:#?}"
        );
    }
    let summary = world
        .graph_sync()
        .args(&["-o", "json", "logs", "summary", "--job", &job])
        .run()
        .await;
    let cycles: Value = serde_json::from_str(&summary.stdout).unwrap();
    assert_eq!(cycles["cycles"][0]["changes"], 2);
    assert_eq!(cycles["cycles"][0]["jobId"], job.as_str());

    // An unknown event: the service's 404, exit code 1 or more, nothing on stdout.
    let missing = world
        .graph_sync()
        .args(&["logs", "show", "no-such-event"])
        .run()
        .await;
    assert_ne!(missing.code, 0);
    assert!(missing.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expressions_are_tested_on_the_source_object_of_a_logged_event() {
    let world = World::provisioning().await;
    let job = failed_cycle(&world).await;
    let sp = world.sp_id();
    let id = failures(&world, &job).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let test = |expression: &str, event: &str| {
        world
            .graph_sync()
            .args(&["expression", "test", expression, "--sp", &sp, "--job", &job])
            .args(&["--from-logs", event])
    };

    // Alex's attributes, as the event's import step read them.
    let output = test("Join(\" \", [displayName], [department])", &id)
        .run()
        .await;
    output.expect_code(0);
    assert!(
        output.stdout.contains(&format!(
            "Object      event {id}: department, displayName, objectId, userPrincipalName"
        )),
        "{output:#?}"
    );
    assert!(
        output.stdout.contains("Result      Alex Wilber Sales"),
        "{output:#?}"
    );

    // An attribute the event does not carry: the evaluation fails (exit code 1).
    let output = test("ToLower([mailNickname])", &id).run().await;
    output.expect_code(1);
    assert!(
        output
            .stdout
            .contains("Evaluation  failed: ExpressionEvaluationFailed: the test object has no value for 'mailNickname'"),
        "{output:#?}"
    );

    // An unknown event: the service's 404 (exit code 1), parseExpression never called.
    let before = world.request_count();
    let output = test("[displayName]", "no-such-event").run().await;
    output.expect_code(1);
    assert!(output.stdout.is_empty(), "{output:#?}");
    assert!(
        output
            .stderr
            .contains("reading provisioning event no-such-event"),
        "{output:#?}"
    );
    assert_eq!(
        world.request_count(),
        before + 1,
        "one GET, no parseExpression"
    );

    // --object and --from-logs together: a usage error, nothing sent.
    let before = world.request_count();
    let output = test("[displayName]", &id)
        .args(&["--object", "user.json"])
        .run()
        .await;
    output.expect_code(2);
    assert!(output.stderr.contains("--object"), "{output:#?}");
    assert_eq!(world.request_count(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_prints_new_events_once_each_until_max() {
    let world = World::provisioning().await;
    let client = client(&world);
    let sync = client
        .service_principal(world.sp.id.clone())
        .synchronization();
    let job_id = create_job(&client, &world).await;
    sync.secrets().put(&secrets(CANARY)).await.unwrap();
    let child = world
        .graph_sync()
        .args(&["-o", "ndjson", "logs", "--job", job_id.as_str(), "--follow"])
        .args(&["--since", "10m", "--interval", "20ms", "--max", "3"])
        .args(&["--timeout", "30s"])
        .spawn_piped();
    for user in ["u-1", "u-2", "u-1"] {
        let request = ProvisionOnDemandRequest::new(
            USER_RULE,
            vec![SynchronizationJobSubject::new(user, "User")],
        );
        sync.job(job_id.clone())
            .provision_on_demand(&request)
            .await
            .unwrap();
    }
    let output = finish(child).await;
    output.expect_code(0).never_shows(CANARY);
    let events = lines(&output.stdout);
    assert_eq!(events.len(), 3, "{output:#?}");
    let mut ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["provisioningAction"].as_str().unwrap())
        .collect();
    // In order, each once: u-1 created, u-2 created, u-1 up to date.
    assert_eq!(actions, ["create", "create", "other"]);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    // The service holds exactly these.
    let all: Vec<_> = futures_util::StreamExt::collect::<Vec<_>>(
        client.provisioning_logs().list(&LogQuery::new()),
    )
    .await;
    assert_eq!(all.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_china_cloud_is_refused_before_anything_is_sent() {
    let world = World::provisioning().await;
    let before = world.request_count();
    let output = world
        .graph_sync()
        .args(&["--cloud", "china", "logs"])
        .run()
        .await;
    output.expect_code(2);
    assert!(
        output.stderr.contains("not available in the China"),
        "{output:#?}"
    );
    assert_eq!(world.request_count(), before);
}
