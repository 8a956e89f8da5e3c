//! Every JSON body the emulator answers with, read into its graph-sync-model type and written
//! back, is the same JSON value: nothing lost, nothing added, every `null` kept. The bodies
//! come from a whole workflow over HTTP (service principal, templates, jobs through their
//! states, schema and its catalogues, expression parsing, discovery, provisionOnDemand and its
//! decoded log, instantiation, and the error envelope).

use graph_sync_emulator::Emulator;
use graph_sync_model::{
    ApplicationServicePrincipal, AttributeMappingFunctionSchema, DirectoryDefinition,
    FilterOperatorSchema, ODataCollection, ODataError, ParseExpressionResponse,
    ProvisionOnDemandResult, ServicePrincipal, Synchronization, SynchronizationJob,
    SynchronizationSchema, SynchronizationTemplate,
};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::{Harness, Reply, SP_ID, harness};

/// Reads `reply`'s body as `T`, writes it back, and requires the same JSON value. Returns
/// the body and how many bodies were checked so far.
fn same_value<T: DeserializeOwned + Serialize>(
    what: &str,
    reply: &Reply,
    seen: &mut usize,
) -> Value {
    assert!(
        reply.status.is_success() || reply.status.is_client_error(),
        "{what}: {}",
        reply.status
    );
    let original = reply.json();
    let typed: T = serde_json::from_value(original.clone()).unwrap_or_else(|e| {
        panic!(
            "{what}: does not read as {}: {e}",
            std::any::type_name::<T>()
        )
    });
    let written = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        written, original,
        "{what}: decode → encode changed the body"
    );
    *seen += 1;
    original
}

async fn post(h: &Harness, url: &str, body: &Value) -> Reply {
    h.send(
        h.request(Method::POST, url)
            .header("content-type", "application/json")
            .body(body.to_string()),
    )
    .await
}

#[tokio::test]
async fn every_emulator_body_round_trips_as_its_type() {
    let h = harness().await;
    let mut seen = 0;
    h.emulator()
        .add_template(&h.principal.id, Emulator::scim_template());
    let sync = h.sync_url();

    let sp = h.get(&h.url(&format!("/servicePrincipals/{SP_ID}"))).await;
    same_value::<ServicePrincipal>("service principal", &sp, &mut seen);

    let put = h
        .put_secrets(r#"{"value":[{"key":"BaseAddress","value":"https://scim.example.com/v2"},{"key":"SecretToken","value":"t0k3n"}]}"#)
        .await;
    assert_eq!(put.status, StatusCode::NO_CONTENT);
    same_value::<Synchronization>("synchronization", &h.get(&sync).await, &mut seen);

    let templates = h.get(&format!("{sync}/templates")).await;
    same_value::<ODataCollection<SynchronizationTemplate>>("templates", &templates, &mut seen);
    let template = h.get(&format!("{sync}/templates/scim")).await;
    same_value::<SynchronizationTemplate>("template", &template, &mut seen);
    let template_schema = h.get(&format!("{sync}/templates/scim/schema")).await;
    same_value::<SynchronizationSchema>("template schema", &template_schema, &mut seen);

    let created = post(&h, &format!("{sync}/jobs"), &json!({"templateId": "scim"})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let job = same_value::<SynchronizationJob>("created job", &created, &mut seen);
    let job_url = format!("{sync}/jobs/{}", job["id"].as_str().unwrap());
    same_value::<ODataCollection<SynchronizationJob>>(
        "jobs",
        &h.get(&format!("{sync}/jobs")).await,
        &mut seen,
    );

    for (action, body) in [
        ("start", None),
        ("pause", None),
        (
            "restart",
            Some(json!({"criteria": {"resetScope": "Watermark, Escrows, QuarantineState"}})),
        ),
    ] {
        let request = h.request(Method::POST, &format!("{job_url}/{action}"));
        let request = match &body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(body.to_string()),
            None => request,
        };
        let reply = h.send(request).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{action}");
        same_value::<SynchronizationJob>(
            &format!("job after {action}"),
            &h.get(&job_url).await,
            &mut seen,
        );
    }

    let schema_url = format!("{job_url}/schema");
    let schema =
        same_value::<SynchronizationSchema>("job schema", &h.get(&schema_url).await, &mut seen);
    same_value::<ODataCollection<FilterOperatorSchema>>(
        "filter operators",
        &h.get(&format!("{schema_url}/filterOperators")).await,
        &mut seen,
    );
    same_value::<ODataCollection<AttributeMappingFunctionSchema>>(
        "functions",
        &h.get(&format!("{schema_url}/functions")).await,
        &mut seen,
    );
    for expression in [
        "Join(\" \", [givenName], [surname])",
        "Join(\" \", [givenName]",
    ] {
        let parsed = post(
            &h,
            &format!("{schema_url}/parseExpression"),
            &json!({
                "expression": expression,
                "testInputObject": {"properties": [{"key": "givenName", "value": "Bob"}, {"key": "surname", "value": "Bill"}]}
            }),
        )
        .await;
        same_value::<ParseExpressionResponse>(expression, &parsed, &mut seen);
    }
    let directory = schema["directories"][0]["id"].as_str().unwrap();
    let discovered = post(
        &h,
        &format!("{schema_url}/directories/{directory}/discover"),
        &json!({}),
    )
    .await;
    same_value::<DirectoryDefinition>("discovered directory", &discovered, &mut seen);

    let rule = schema["synchronizationRules"][0]["id"].as_str().unwrap();
    let provisioned = post(
        &h,
        &format!("{job_url}/provisionOnDemand"),
        &json!({"parameters": [{"ruleId": rule, "subjects": [{"objectId": "u1", "objectTypeName": "User"}]}]}),
    )
    .await;
    same_value::<ProvisionOnDemandResult>("provisionOnDemand", &provisioned, &mut seen);
    let result: ProvisionOnDemandResult = serde_json::from_value(provisioned.json()).unwrap();
    let key: Value = serde_json::from_str(result.key.as_deref().unwrap()).unwrap();
    assert_eq!(
        serde_json::to_value(result.decode_key().unwrap()).unwrap(),
        key
    );
    let log: Value = serde_json::from_str(result.value.as_deref().unwrap()).unwrap();
    assert_eq!(
        serde_json::to_value(result.decode_value().unwrap()).unwrap(),
        log
    );
    seen += 2;

    let instantiated = post(
        &h,
        &h.url("/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate"),
        &json!({"displayName": "Round trip app"}),
    )
    .await;
    same_value::<ApplicationServicePrincipal>("instantiate", &instantiated, &mut seen);

    let missing = h
        .get(&format!(
            "{sync}/jobs/scim.00000000000000000000000000000000"
        ))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    same_value::<ODataError>("error", &missing, &mut seen);

    assert_eq!(seen, 21, "bodies checked");
}
