//! Every operation against `MockTransport`: the exact request it sends (method, path, query,
//! headers, body), how it reads the answer, and the input it refuses before sending.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;
use graph_sync_api::transport::testing::MockTransport;
use graph_sync_api::{Error, GraphSyncClient};
use graph_sync_model::Property;
use graph_sync_model::{
    AppId, ApplicationObjectId, ApplicationTemplateId, BulkRequest, DirectoryId,
    InstantiateRequest, JobId, ParseExpressionRequest, ProvisionOnDemandRequest, SecretKey,
    Secrets, SynchronizationJobRestartScope, SynchronizationJobSubject, SynchronizationSchema,
    SynchronizationStatusCode, SynchronizationTemplate, TemplateId, ValidateCredentialsRequest,
};
use http::{Method, Request};
use serde_json::{Value, json};

use crate::support::{SP, TOKEN, response, sp};

const JOB: &str = "scim.0123456789abcdef0123456789abcdef";
const APP: &str = "cbc86211-6ada-4803-b73f-8039cf56d8a2";
const ROOT: &str = "https://graph.microsoft.com/v1.0";

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../graph-sync-model/tests/fixtures/", $name))
    };
}

type Seen = Arc<Mutex<Vec<Request<Bytes>>>>;

/// A client whose transport answers `answers` in order and records every request.
fn recorder(answers: Vec<http::Response<Bytes>>) -> (GraphSyncClient, Seen) {
    let seen: Seen = Arc::default();
    let sink = Arc::clone(&seen);
    let expected = answers.len();
    let answers = Mutex::new(VecDeque::from(answers));
    let mut transport = MockTransport::new();
    transport
        .expect_send()
        .times(expected)
        .returning(move |request| {
            sink.lock().unwrap().push(request);
            Ok(answers.lock().unwrap().pop_front().unwrap())
        });
    let client = GraphSyncClient::builder()
        .transport(transport)
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    (client, seen)
}

/// A client that must not send anything.
fn silent() -> GraphSyncClient {
    let mut transport = MockTransport::new();
    transport.expect_send().never();
    GraphSyncClient::builder()
        .transport(transport)
        .bearer_token(TOKEN)
        .build()
        .unwrap()
}

/// Checks request `index`: method, path below the root, query, media type and JSON body.
fn assert_request(
    seen: &Seen,
    index: usize,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Option<Value>,
) {
    let requests = seen.lock().unwrap();
    let request = &requests[index];
    assert_eq!(request.method(), method, "{path}");
    assert_eq!(request.uri().to_string(), format!("{ROOT}{path}"));
    let headers = request.headers();
    assert_eq!(headers["authorization"], format!("Bearer {TOKEN}").as_str());
    assert_eq!(headers["accept"], "application/json");
    assert!(headers.contains_key("client-request-id"));
    assert_eq!(
        headers.get("content-type").map(|v| v.to_str().unwrap()),
        content_type,
        "{path}"
    );
    match body {
        Some(expected) => {
            let sent: Value = serde_json::from_slice(request.body()).unwrap();
            assert_eq!(sent, expected, "{path}");
        }
        None => assert!(request.body().is_empty(), "{path}: body sent"),
    }
}

fn job_id() -> JobId {
    JobId::new(JOB).unwrap()
}

fn sync_path() -> String {
    format!("/servicePrincipals/{SP}/synchronization")
}

fn job_path() -> String {
    format!("{}/jobs/{JOB}", sync_path())
}

fn json_body(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn invalid_input(error: &Error) -> String {
    match error {
        Error::InvalidInput(input) => input.message().to_owned(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn instantiate_posts_the_display_name_and_reads_both_objects() {
    let (client, seen) = recorder(vec![response(
        201,
        &[],
        fixture!("instantiate-response.json"),
    )]);
    let created = client
        .application_template(
            ApplicationTemplateId::new("8adf8e6e-67b2-4cf2-a259-e3dc5476c621").unwrap(),
        )
        .instantiate(&InstantiateRequest::new("Contoso SCIM app"))
        .await
        .unwrap();
    assert_request(
        &seen,
        0,
        Method::POST,
        "/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate",
        Some("application/json"),
        Some(json!({"displayName":"Contoso SCIM app"})),
    );
    assert_eq!(
        created.service_principal.into_option().unwrap().app_id,
        created.application.into_option().unwrap().app_id
    );
    let error = silent()
        .application_template(
            ApplicationTemplateId::new("8adf8e6e-67b2-4cf2-a259-e3dc5476c621").unwrap(),
        )
        .instantiate(&InstantiateRequest::new("  "))
        .await
        .unwrap_err();
    assert!(invalid_input(&error).contains("display name"));
}

#[tokio::test]
async fn service_principals_are_read_by_id_and_by_app_id() {
    let body = r#"{"id":"3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6","appId":"00000000-1111-2222-3333-444444444444","displayName":"x","tags":[]}"#;
    let (client, seen) = recorder(vec![response(200, &[], body), response(200, &[], body)]);
    let by_id = client.service_principal(sp()).get().await.unwrap();
    let app_id = AppId::new("00000000-1111-2222-3333-444444444444").unwrap();
    let by_app = client.service_principal(app_id).get().await.unwrap();
    assert_eq!(by_id, by_app);
    assert_eq!(by_id.extra["tags"], json!([]));
    assert_request(
        &seen,
        0,
        Method::GET,
        &format!("/servicePrincipals/{SP}"),
        None,
        None,
    );
    assert_request(
        &seen,
        1,
        Method::GET,
        "/servicePrincipals(appId='00000000-1111-2222-3333-444444444444')",
        None,
        None,
    );
}

#[tokio::test]
async fn service_principals_are_listed_with_typed_query_options_and_eventual_consistency() {
    use futures_util::TryStreamExt as _;
    use graph_sync_api::odata::{Filter, ListQuery, Order};

    let page1 = format!(
        r#"{{"value":[{{"id":"a","appId":"1","displayName":"O'Brien"}}],"@odata.nextLink":"{ROOT}/servicePrincipals?$skiptoken=X"}}"#
    );
    let page2 = r#"{"value":[{"id":"b","appId":"2","displayName":"O'Brien"}],"@odata.count":2}"#;
    let (client, seen) = recorder(vec![response(200, &[], &page1), response(200, &[], page2)]);
    let query = ListQuery::new()
        .filter(Filter::eq("displayName", "O'Brien"))
        .select(["id", "appId", "displayName"])
        .search("displayName", "Brien")
        .order_by("displayName", Order::Ascending)
        .top(1);
    let found: Vec<_> = client
        .service_principals()
        .list(&query)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[1].id, Property::Value("b".to_owned()));
    let requests = seen.lock().unwrap();
    let first = requests[0].uri().to_string();
    assert_eq!(
        first,
        format!(
            "{ROOT}/servicePrincipals?%24filter=displayName+eq+%27O%27%27Brien%27&%24select=id%2CappId%2CdisplayName&%24orderby=displayName&%24search=%22displayName%3ABrien%22&%24top=1"
        )
    );
    assert_eq!(
        requests[1].uri().to_string(),
        format!("{ROOT}/servicePrincipals?$skiptoken=X")
    );
    for request in requests.iter() {
        assert_eq!(
            request.headers()["consistencylevel"],
            "eventual",
            "every page"
        );
    }
}

#[tokio::test]
async fn a_plain_list_carries_no_consistency_header_and_a_bad_query_sends_nothing() {
    use futures_util::TryStreamExt as _;
    use graph_sync_api::odata::{Filter, ListQuery};

    let (client, seen) = recorder(vec![response(200, &[], r#"{"value":[]}"#)]);
    let query = ListQuery::new().filter(Filter::starts_with("displayName", "Con"));
    let found: Vec<_> = client
        .service_principals()
        .list(&query)
        .try_collect()
        .await
        .unwrap();
    assert!(found.is_empty());
    assert!(
        !seen.lock().unwrap()[0]
            .headers()
            .contains_key("consistencylevel")
    );

    let bad = ListQuery::new().filter(Filter::eq("display name", "x"));
    let result: Result<Vec<_>, _> = silent().service_principals().list(&bad).try_collect().await;
    let message = invalid_input(&result.unwrap_err());
    assert!(message.contains("not a property name"), "{message}");
    let empty = silent()
        .service_principals()
        .find_by_display_name("  ")
        .await;
    assert!(invalid_input(&empty.unwrap_err()).contains("empty"));
}

#[tokio::test]
async fn a_lookup_by_name_asks_for_the_exact_name_and_a_count_reads_odata_count() {
    let (client, seen) = recorder(vec![
        response(
            200,
            &[],
            r#"{"value":[{"id":"a","appId":"1","displayName":"Contoso"},{"id":"b","appId":"2","displayName":"Contoso"}]}"#,
        ),
        response(200, &[], r#"{"value":[{"id":"a"}],"@odata.count":7}"#),
        response(200, &[], r#"{"value":[{"id":"a"}]}"#),
    ]);
    let api = client.service_principals();
    let found = api.find_by_display_name("Contoso").await.unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(api.count(None).await.unwrap(), 7);
    let missing = api.count(None).await.unwrap_err();
    assert!(matches!(missing, Error::Decode(_)), "{missing:?}");
    let requests = seen.lock().unwrap();
    let lookup: Vec<(String, String)> = url::Url::parse(&requests[0].uri().to_string())
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(
        lookup[0],
        ("$filter".to_owned(), "displayName eq 'Contoso'".to_owned())
    );
    assert!(!requests[0].headers().contains_key("consistencylevel"));
    assert!(requests[1].uri().to_string().contains("%24count=true"));
    assert_eq!(requests[1].headers()["consistencylevel"], "eventual");
}

#[tokio::test]
async fn a_collection_answer_to_an_entity_request_is_an_error_not_an_empty_entity() {
    let collection = r#"{"value":[{"id":"a"}],"@odata.context":"x"}"#;
    let (client, _) = recorder(vec![
        response(200, &[], collection),
        response(200, &[], collection),
        response(200, &[], collection),
    ]);
    let sync = client.service_principal(sp()).synchronization();
    for result in [
        client.service_principal(sp()).get().await.map(drop),
        sync.job(job_id()).get().await.map(drop),
        sync.job(job_id()).schema().get().await.map(drop),
    ] {
        let Err(Error::Decode(error)) = result else {
            panic!("not a decode error: {result:?}");
        };
        assert!(error.to_string().contains("collection"), "{error}");
    }
}

#[tokio::test]
async fn acquire_access_token_sends_credentials_on_both_paths() {
    let (client, seen) = recorder(vec![response(204, &[], ""), response(204, &[], "")]);
    let credentials = Secrets::new()
        .with(SecretKey::Oauth2AuthorizationCode, "authorization-code")
        .unwrap();
    client
        .service_principal(sp())
        .synchronization()
        .acquire_access_token(&credentials)
        .await
        .unwrap();
    client
        .application(ApplicationObjectId::new(APP).unwrap())
        .synchronization()
        .acquire_access_token(&credentials)
        .await
        .unwrap();
    let expected =
        json!({"credentials":[{"key":"Oauth2AuthorizationCode","value":"authorization-code"}]});
    assert_request(
        &seen,
        0,
        Method::POST,
        &format!("{}/acquireAccessToken", sync_path()),
        Some("application/json"),
        Some(expected.clone()),
    );
    assert_request(
        &seen,
        1,
        Method::POST,
        &format!("/applications/{APP}/synchronization/acquireAccessToken"),
        Some("application/json"),
        Some(expected),
    );
}

#[tokio::test]
async fn jobs_list_follows_next_links_collected_and_streamed() {
    let page = |next: Option<&str>, id: &str| {
        let mut body = json!({"value":[{"id":id,"templateId":"scim"}]});
        if let Some(next) = next {
            body["@odata.nextLink"] = json!(next);
        }
        response(200, &[], &body.to_string())
    };
    let next = format!("{ROOT}{}/jobs?$skiptoken=abc", sync_path());
    let answers = || vec![page(Some(&next), "scim.1"), page(None, "scim.2")];
    let (client, seen) = recorder(answers());
    let jobs = client
        .service_principal(sp())
        .synchronization()
        .jobs()
        .list()
        .await
        .unwrap();
    let ids: Vec<_> = jobs
        .iter()
        .map(|j| j.id.clone().into_option().unwrap().into_string())
        .collect();
    assert_eq!(ids, ["scim.1", "scim.2"]);
    assert_request(
        &seen,
        0,
        Method::GET,
        &format!("{}/jobs", sync_path()),
        None,
        None,
    );
    assert_request(
        &seen,
        1,
        Method::GET,
        &format!("{}/jobs?$skiptoken=abc", sync_path()),
        None,
        None,
    );

    let (client, seen) = recorder(answers());
    let mut stream = client
        .service_principal(sp())
        .synchronization()
        .jobs()
        .list_stream();
    assert_eq!(
        stream
            .next()
            .await
            .unwrap()
            .unwrap()
            .id
            .into_option()
            .unwrap()
            .as_str(),
        "scim.1"
    );
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "the second page is fetched lazily"
    );
    assert_eq!(
        stream
            .next()
            .await
            .unwrap()
            .unwrap()
            .id
            .into_option()
            .unwrap()
            .as_str(),
        "scim.2"
    );
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_next_link_off_the_graph_host_or_in_a_loop_is_refused() {
    let off_host =
        json!({"value":[],"@odata.nextLink":"https://evil.example.com/v1.0/jobs?page=2"});
    let (client, seen) = recorder(vec![response(200, &[], &off_host.to_string())]);
    let error = client
        .service_principal(sp())
        .synchronization()
        .jobs()
        .list()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert!(
        source.contains("leaves the configured Graph host"),
        "{source}"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);

    let looping = json!({"value":[],"@odata.nextLink": format!("{ROOT}{}/jobs?p=2", sync_path())});
    let (client, _) = recorder(vec![
        response(200, &[], &looping.to_string()),
        response(200, &[], &looping.to_string()),
    ]);
    let stream = client
        .service_principal(sp())
        .synchronization()
        .templates()
        .list_stream();
    let results: Vec<_> = stream.collect().await;
    let last = results.last().unwrap().as_ref().unwrap_err();
    let source = std::error::Error::source(last).unwrap().to_string();
    assert_eq!(
        source,
        "expected an @odata.nextLink: the link repeats an earlier page"
    );
}

#[tokio::test]
async fn job_get_create_and_delete() {
    let (client, seen) = recorder(vec![
        response(200, &[], fixture!("job-get-response.json")),
        response(201, &[], fixture!("job-create-response.json")),
        response(200, &[], fixture!("job-create-response.json")),
        response(204, &[], ""),
    ]);
    let sync = client.service_principal(sp()).synchronization();
    let job = sync.job(job_id()).get().await.unwrap();
    assert_eq!(job.status_code(), SynchronizationStatusCode::Paused);
    for _ in 0..2 {
        let created = sync
            .jobs()
            .create(TemplateId::new("BoxOutDelta").unwrap())
            .await
            .unwrap();
        assert_eq!(
            created.status_code(),
            SynchronizationStatusCode::NotConfigured
        );
    }
    sync.job(job_id()).delete().await.unwrap();
    assert_request(&seen, 0, Method::GET, &job_path(), None, None);
    for index in [1, 2] {
        assert_request(
            &seen,
            index,
            Method::POST,
            &format!("{}/jobs", sync_path()),
            Some("application/json"),
            Some(json!({"templateId":"BoxOutDelta"})),
        );
    }
    assert_request(&seen, 3, Method::DELETE, &job_path(), None, None);
}

#[tokio::test]
async fn start_pause_and_restart() {
    let (client, seen) = recorder(vec![
        response(204, &[], ""),
        response(204, &[], ""),
        response(204, &[], ""),
    ]);
    let job = client
        .service_principal(sp())
        .synchronization()
        .job(job_id());
    job.start().await.unwrap();
    job.pause().await.unwrap();
    job.restart(&SynchronizationJobRestartScope::portal_restart())
        .await
        .unwrap();
    assert_request(
        &seen,
        0,
        Method::POST,
        &format!("{}/start", job_path()),
        None,
        None,
    );
    assert_request(
        &seen,
        1,
        Method::POST,
        &format!("{}/pause", job_path()),
        None,
        None,
    );
    assert_request(
        &seen,
        2,
        Method::POST,
        &format!("{}/restart", job_path()),
        Some("application/json"),
        Some(json_body(fixture!("job-restart-request.json"))),
    );
    let job = silent()
        .service_principal(sp())
        .synchronization()
        .job(job_id());
    for (scope, says) in [
        ("None", "call start instead"),
        ("Escrows, ConnectorDataStore", "contact support"),
        ("", "empty restart scope"),
    ] {
        let error = job
            .restart(&SynchronizationJobRestartScope::parse(scope))
            .await
            .unwrap_err();
        assert!(invalid_input(&error).contains(says), "{scope}: {error}");
    }
}

#[tokio::test]
async fn validate_credentials_job_bound_and_collection_bound() {
    let (client, seen) = recorder(vec![
        response(204, &[], ""),
        response(204, &[], ""),
        response(204, &[], ""),
    ]);
    let sync = client.service_principal(sp()).synchronization();
    let credentials = Secrets::new()
        .with(SecretKey::UserName, "user@domain.com")
        .unwrap()
        .with(SecretKey::Password, "password-value")
        .unwrap();
    sync.job(job_id())
        .validate_credentials(&ValidateCredentialsRequest::with_credentials(credentials))
        .await
        .unwrap();
    sync.job(job_id())
        .validate_credentials(&ValidateCredentialsRequest::saved())
        .await
        .unwrap();
    let collection = Secrets::new()
        .with(SecretKey::BaseAddress, "https://scim.example.com/scim")
        .unwrap()
        .with(SecretKey::SecretToken, "token-value")
        .unwrap();
    sync.jobs()
        .validate_credentials(
            &ValidateCredentialsRequest::with_credentials(collection)
                .template_id(TemplateId::new("scim").unwrap())
                .application_identifier("00000000-0000-0000-0000-000000000000"),
        )
        .await
        .unwrap();
    assert_request(
        &seen,
        0,
        Method::POST,
        &format!("{}/validateCredentials", job_path()),
        Some("application/json"),
        Some(json_body(fixture!("validate-credentials-request.json"))),
    );
    assert_request(
        &seen,
        1,
        Method::POST,
        &format!("{}/validateCredentials", job_path()),
        Some("application/json"),
        Some(json!({"useSavedCredentials":true})),
    );
    assert_request(
        &seen,
        2,
        Method::POST,
        &format!("{}/jobs/validateCredentials", sync_path()),
        Some("application/json"),
        Some(json_body(fixture!(
            "validate-credentials-collection-request.json"
        ))),
    );
    let error = silent()
        .service_principal(sp())
        .synchronization()
        .job(job_id())
        .validate_credentials(&ValidateCredentialsRequest::with_credentials(Secrets::new()))
        .await
        .unwrap_err();
    assert!(invalid_input(&error).contains("useSavedCredentials"));
}

#[tokio::test]
async fn provision_on_demand_sends_parameters_and_decodes_the_nested_json() {
    let (client, seen) = recorder(vec![response(
        200,
        &[],
        fixture!("provision-on-demand-response.json"),
    )]);
    let request = ProvisionOnDemandRequest::new(
        "6c409270-f78a-4bc6-af23-7cf3ab6482fe",
        vec![SynchronizationJobSubject::new(
            "9bb0f679-a7a3-4b26-9b2a-2a53ea15f1ce",
            "User",
        )],
    );
    let result = client
        .service_principal(sp())
        .synchronization()
        .job(job_id())
        .provision_on_demand(&request)
        .await
        .unwrap();
    assert_eq!(
        result.decode_key().unwrap().result.as_deref(),
        Some("Skipped")
    );
    let sent = json!({"parameters":[{"ruleId":"6c409270-f78a-4bc6-af23-7cf3ab6482fe","subjects":[{"objectId":"9bb0f679-a7a3-4b26-9b2a-2a53ea15f1ce","objectTypeName":"User"}]}]});
    assert_request(
        &seen,
        0,
        Method::POST,
        &format!("{}/provisionOnDemand", job_path()),
        Some("application/json"),
        Some(sent),
    );
    let job = silent()
        .service_principal(sp())
        .synchronization()
        .job(job_id());
    let error = job
        .provision_on_demand(&ProvisionOnDemandRequest::new("", vec![]))
        .await
        .unwrap_err();
    assert!(invalid_input(&error).contains("ruleId"));
}

#[tokio::test]
async fn bulk_upload_is_scim_json_and_returns_the_location() {
    let location =
        "https://graph.microsoft.com/v1.0/auditLogs/provisioning/?$filter=jobid%20eq%20'scim.1'";
    let (client, seen) = recorder(vec![response(202, &[("location", location)], "")]);
    let request: BulkRequest = serde_json::from_str(fixture!("bulk-upload-request.json")).unwrap();
    let accepted = client
        .service_principal(sp())
        .synchronization()
        .job(job_id())
        .bulk_upload(&request)
        .await
        .unwrap();
    assert_eq!(accepted.location.as_deref(), Some(location));
    // The documented body goes out as read, its `"failOnErrors": null` included.
    let expected = json_body(fixture!("bulk-upload-request.json"));
    assert_request(
        &seen,
        0,
        Method::POST,
        &format!("{}/bulkUpload", job_path()),
        Some("application/scim+json"),
        Some(expected),
    );

    let job = silent()
        .service_principal(sp())
        .synchronization()
        .job(job_id());
    let too_many = (0..51).fold(BulkRequest::new(), |r, i| {
        r.with_user(i.to_string(), json!({"externalId": i.to_string()}))
    });
    let error = job.bulk_upload(&too_many).await.unwrap_err();
    assert!(invalid_input(&error).contains("at most 50 operations, this one 51"));
    let error = job.bulk_upload(&BulkRequest::new()).await.unwrap_err();
    assert!(invalid_input(&error).contains("at least one operation"));
}

#[tokio::test]
async fn job_schema_operations() {
    let (client, seen) = recorder(vec![
        response(200, &[], fixture!("schema-get-response.json")),
        response(204, &[], ""),
        response(204, &[], ""),
        response(200, &[], fixture!("filter-operators-response.json")),
        response(200, &[], fixture!("functions-response.json")),
        response(200, &[], fixture!("parse-expression-response.json")),
        response(200, &[], fixture!("directory-discover-response.json")),
    ]);
    let schema_api = client
        .service_principal(sp())
        .synchronization()
        .job(job_id())
        .schema();
    let schema = schema_api.get().await.unwrap();
    schema_api.put(&schema).await.unwrap();
    schema_api.delete().await.unwrap();
    assert_eq!(schema_api.filter_operators().await.unwrap().len(), 1);
    assert_eq!(schema_api.functions().await.unwrap().len(), 4);
    let parse: ParseExpressionRequest =
        serde_json::from_str(fixture!("parse-expression-request.json")).unwrap();
    assert_eq!(
        schema_api
            .parse_expression(&parse)
            .await
            .unwrap()
            .parsing_succeeded,
        Property::Value(true)
    );
    let directory = schema_api
        .directory(DirectoryId::new("8ffa6169-f354-4751-9b77-9c00765be92d").unwrap())
        .discover()
        .await
        .unwrap();
    assert_eq!(directory.id.as_deref(), Some("directoryDefinitionId"));

    let schema_path = format!("{}/schema", job_path());
    assert_request(&seen, 0, Method::GET, &schema_path, None, None);
    assert_request(
        &seen,
        1,
        Method::PUT,
        &schema_path,
        Some("application/json"),
        Some(serde_json::to_value(&schema).unwrap()),
    );
    assert_request(&seen, 2, Method::DELETE, &schema_path, None, None);
    assert_request(
        &seen,
        3,
        Method::GET,
        &format!("{schema_path}/filterOperators"),
        None,
        None,
    );
    assert_request(
        &seen,
        4,
        Method::GET,
        &format!("{schema_path}/functions"),
        None,
        None,
    );
    // Sent as read: its `null`s are kept.
    let parse_body = json_body(fixture!("parse-expression-request.json"));
    assert_request(
        &seen,
        5,
        Method::POST,
        &format!("{schema_path}/parseExpression"),
        Some("application/json"),
        Some(parse_body),
    );
    assert_request(
        &seen,
        6,
        Method::POST,
        &format!("{schema_path}/directories/8ffa6169-f354-4751-9b77-9c00765be92d/discover"),
        None,
        None,
    );

    let error = silent()
        .service_principal(sp())
        .synchronization()
        .job(job_id())
        .schema()
        .put(&SynchronizationSchema::default())
        .await
        .unwrap_err();
    assert!(invalid_input(&error).contains("replaces the whole schema"));
}

#[tokio::test]
async fn template_operations_on_both_paths() {
    let (client, seen) = recorder(vec![
        response(200, &[], fixture!("templates-list-response.json")),
        response(200, &[], fixture!("templates-list-response.json")),
        response(200, &[], fixture!("template-get-response.json")),
        response(204, &[], ""),
        response(200, &[], fixture!("schema-get-response.json")),
        response(204, &[], ""),
        response(204, &[], ""),
        response(200, &[], fixture!("filter-operators-response.json")),
        response(200, &[], fixture!("functions-response.json")),
        response(200, &[], fixture!("parse-expression-response.json")),
    ]);
    let template_id = TemplateId::new("SfOutDelta").unwrap();
    let sp_sync = client.service_principal(sp()).synchronization();
    let app_sync = client
        .application(ApplicationObjectId::new(APP).unwrap())
        .synchronization();
    assert_eq!(sp_sync.templates().list().await.unwrap().len(), 1);
    assert_eq!(app_sync.templates().list().await.unwrap().len(), 1);
    let template: SynchronizationTemplate =
        sp_sync.template(template_id.clone()).get().await.unwrap();
    app_sync
        .template(template_id.clone())
        .update(&template)
        .await
        .unwrap();
    let app_schema = app_sync.template(template_id.clone()).schema();
    let schema = app_schema.get().await.unwrap();
    app_schema.put(&schema).await.unwrap();
    app_schema.delete().await.unwrap();
    let sp_schema = sp_sync.template(template_id).schema();
    sp_schema.filter_operators().await.unwrap();
    sp_schema.functions().await.unwrap();
    sp_schema
        .parse_expression(&ParseExpressionRequest::new("[userPrincipalName]"))
        .await
        .unwrap();

    let sp_templates = format!("{}/templates", sync_path());
    let app_templates = format!("/applications/{APP}/synchronization/templates");
    assert_request(&seen, 0, Method::GET, &sp_templates, None, None);
    assert_request(&seen, 1, Method::GET, &app_templates, None, None);
    assert_request(
        &seen,
        2,
        Method::GET,
        &format!("{sp_templates}/SfOutDelta"),
        None,
        None,
    );
    assert_request(
        &seen,
        3,
        Method::PATCH,
        &format!("{app_templates}/SfOutDelta"),
        Some("application/json"),
        Some(serde_json::to_value(&template).unwrap()),
    );
    let app_schema_path = format!("{app_templates}/SfOutDelta/schema");
    assert_request(&seen, 4, Method::GET, &app_schema_path, None, None);
    assert_request(
        &seen,
        5,
        Method::PUT,
        &app_schema_path,
        Some("application/json"),
        Some(serde_json::to_value(&schema).unwrap()),
    );
    assert_request(&seen, 6, Method::DELETE, &app_schema_path, None, None);
    let sp_schema_path = format!("{sp_templates}/SfOutDelta/schema");
    assert_request(
        &seen,
        7,
        Method::GET,
        &format!("{sp_schema_path}/filterOperators"),
        None,
        None,
    );
    assert_request(
        &seen,
        8,
        Method::GET,
        &format!("{sp_schema_path}/functions"),
        None,
        None,
    );
    assert_request(
        &seen,
        9,
        Method::POST,
        &format!("{sp_schema_path}/parseExpression"),
        Some("application/json"),
        Some(json!({"expression":"[userPrincipalName]"})),
    );
}

#[tokio::test]
async fn a_malformed_answer_is_a_decode_error_never_a_panic() {
    let (client, _) = recorder(vec![
        response(200, &[], "{\"id\": 42"),
        response(201, &[], ""),
        response(200, &[], "[]"),
    ]);
    let sync = client.service_principal(sp()).synchronization();
    for result in [
        sync.job(job_id()).get().await.map(drop),
        sync.jobs()
            .create(TemplateId::new("scim").unwrap())
            .await
            .map(drop),
        sync.job(job_id()).schema().get().await.map(drop),
    ] {
        assert!(matches!(result, Err(Error::Decode(_))), "{result:?}");
    }
}

/// The "Add synchronization secrets" request of the documentation (`BaseAddress` =
/// `user@domain.com`, not a URL) goes out byte for byte: built key by key through the typed
/// API, and read from the documented body.
#[tokio::test]
async fn the_documented_secrets_body_is_sent_byte_for_byte() {
    let documented = fixture!("secrets-put-documented-request.json");
    let compact =
        serde_json::to_string(&serde_json::from_str::<Value>(documented).unwrap()).unwrap();
    let built = graph_sync_model::Secrets::new()
        .with(graph_sync_model::SecretKey::BaseAddress, "user@domain.com")
        .and_then(|s| s.with(graph_sync_model::SecretKey::SecretToken, "password-value"))
        .and_then(|s| {
            s.with(
                graph_sync_model::SecretKey::SyncNotificationSettings,
                r#"{"Enabled":false,"DeleteThresholdEnabled":false}"#,
            )
        })
        .and_then(|s| s.with(graph_sync_model::SecretKey::SyncAll, false))
        .unwrap();
    let read: graph_sync_model::Secrets = serde_json::from_str(documented).unwrap();
    for secrets in [built, read] {
        let (client, seen) = recorder(vec![response(204, &[], "")]);
        client
            .service_principal(sp())
            .synchronization()
            .secrets()
            .put(&secrets)
            .await
            .unwrap();
        let sent = seen.lock().unwrap().remove(0);
        assert_eq!(sent.method(), Method::PUT);
        assert_eq!(std::str::from_utf8(sent.body()).unwrap(), compact);
    }
}
