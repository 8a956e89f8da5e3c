//! The provisioning logs (`/auditLogs/provisioning`) against `MockTransport`: the exact
//! request a typed query becomes, paging as a stream, the single-event read, and the China
//! cloud refused before anything is sent.

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use graph_sync_api::transport::testing::MockTransport;
use graph_sync_api::{
    Cloud, Error, GraphSyncClient, InvalidInputKind, LogFilter, LogOrder, LogQuery, RetryConfig,
    TextMatch,
};
use graph_sync_model::{ProvisioningResult, Timestamp};
use http::Method;

use crate::support::{TOKEN, client, response};

const ROOT: &str = "https://graph.microsoft.com/v1.0/auditLogs/provisioning";

fn page(ids: &[&str], next: Option<&str>) -> String {
    let events: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            serde_json::json!({"id": id, "provisioningAction": "create",
            "provisioningStatusInfo": {"status": "success", "errorInformation": null}})
        })
        .collect();
    let mut body = serde_json::json!({ "value": events });
    if let Some(next) = next {
        body["@odata.nextLink"] = next.into();
    }
    body.to_string()
}

/// A mock answering `pages` in order, keeping the URIs it was asked for.
fn paged(pages: Vec<String>) -> (MockTransport, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let mut pages = pages.into_iter();
    let mut transport = MockTransport::new();
    transport
        .expect_send()
        .times(pages.len())
        .returning(move |request| {
            assert_eq!(request.method(), Method::GET);
            sink.lock().unwrap().push(request.uri().to_string());
            Ok(response(200, &[], &pages.next().unwrap()))
        });
    (transport, seen)
}

#[tokio::test]
async fn a_typed_query_becomes_the_documented_request_and_pages_stream() {
    let next = format!("{ROOT}?$skiptoken=abc");
    let (transport, seen) = paged(vec![page(&["e1", "e2"], Some(&next)), page(&["e3"], None)]);
    let query = LogQuery::new()
        .filter(LogFilter::JobId(TextMatch::equals("scim.1")))
        .filter(LogFilter::Status(ProvisioningResult::Failure))
        .filter(LogFilter::After(
            Timestamp::parse("2026-11-29T08:00:00Z").unwrap(),
        ))
        .order(LogOrder::OldestFirst)
        .top(2);
    let events: Vec<_> = client(transport)
        .provisioning_logs()
        .list(&query)
        .collect()
        .await;
    let ids: Vec<String> = events
        .into_iter()
        .map(|event| event.unwrap().id.into_option().unwrap())
        .collect();
    assert_eq!(ids, ["e1", "e2", "e3"]);
    let seen = seen.lock().unwrap();
    let first = url::Url::parse(&seen[0]).unwrap();
    assert_eq!(first.path(), "/v1.0/auditLogs/provisioning");
    let pairs: Vec<(String, String)> = first.query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        [
            (
                "$filter".to_owned(),
                "jobId eq 'scim.1' and provisioningStatusInfo/status eq 'failure' and activityDateTime gt 2026-11-29T08:00:00Z".to_owned()
            ),
            ("$orderby".to_owned(), "activityDateTime".to_owned()),
            ("$top".to_owned(), "2".to_owned()),
        ]
    );
    assert_eq!(seen[1], next);
}

#[tokio::test]
async fn one_event_is_read_by_id() {
    let (transport, seen) = paged(vec![
        serde_json::json!({"id": "e/1", "cycleId": "c"}).to_string(),
    ]);
    let event = client(transport)
        .provisioning_logs()
        .get("e/1")
        .await
        .unwrap();
    assert_eq!(event.cycle_id.as_deref(), Some("c"));
    assert_eq!(seen.lock().unwrap()[0], format!("{ROOT}/e%2F1"));
}

#[tokio::test]
async fn a_next_link_off_the_graph_host_ends_the_stream_with_an_error() {
    let (transport, _) = paged(vec![page(&["e1"], Some("https://evil.example/next"))]);
    let events: Vec<_> = client(transport)
        .provisioning_logs()
        .list(&LogQuery::new())
        .collect()
        .await;
    // The link is checked as the page is read: the stream ends with the error.
    assert!(matches!(events.last(), Some(Err(Error::Decode(_)))));
}

#[tokio::test]
async fn the_china_cloud_is_refused_before_anything_is_sent() {
    let mut transport = MockTransport::new();
    transport.expect_send().times(0);
    let client = GraphSyncClient::builder()
        .transport(transport)
        .cloud(Cloud::china())
        .bearer_token(TOKEN)
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    let logs = client.provisioning_logs();
    let listed: Vec<_> = logs.list(&LogQuery::new()).collect().await;
    assert_eq!(listed.len(), 1);
    let single = logs.get("e1").await;
    for error in [
        listed.into_iter().next().unwrap().unwrap_err(),
        single.unwrap_err(),
    ] {
        let Error::InvalidInput(input) = &error else {
            panic!("{error:?}");
        };
        assert_eq!(input.kind(), &InvalidInputKind::NotInCloud);
        assert!(input.message().contains("China"), "{}", input.message());
        assert!(
            input.message().contains("not available"),
            "{}",
            input.message()
        );
    }
}

#[tokio::test]
async fn an_empty_id_is_refused_before_anything_is_sent() {
    let mut transport = MockTransport::new();
    transport.expect_send().times(0);
    let error = client(transport).provisioning_logs().get(" ").await;
    assert!(matches!(error, Err(Error::InvalidInput(_))));
}

/// Over loopback against the emulator: a job with two assigned users (one out of the scoping
/// filter's scope), started with credentials the target rejects, then fixed.
mod against_the_emulator {
    use futures_util::StreamExt;
    use graph_sync_api::{LogFilter, LogOrder, LogQuery, TextMatch};
    use graph_sync_emulator::{Emulator, SourceObject, TargetSystem};
    use graph_sync_model::audit::ProvisioningObjectSummary;
    use graph_sync_model::{
        ProvisioningAction, ProvisioningResult, ProvisioningStepType, SecretKey, SecretString,
        Secrets, TemplateId,
    };

    const URL: &str = "https://scim.contoso.example/scim/v2";

    fn secrets(token: &str) -> Secrets {
        Secrets::new()
            .with(SecretKey::BaseAddress, URL)
            .unwrap()
            .with(SecretKey::SecretToken, SecretString::from(token.to_owned()))
            .unwrap()
    }

    async fn all(
        client: &graph_sync_api::GraphSyncClient,
        query: &LogQuery,
    ) -> Vec<ProvisioningObjectSummary> {
        client
            .provisioning_logs()
            .list(query)
            .map(Result::unwrap)
            .collect()
            .await
    }

    fn outcome(event: &ProvisioningObjectSummary) -> (String, String, String) {
        (
            event
                .source_identity
                .get()
                .unwrap()
                .id
                .get()
                .unwrap()
                .clone(),
            event.provisioning_action.get().unwrap().to_string(),
            event.status().unwrap().to_string(),
        )
    }

    #[tokio::test]
    async fn cycles_are_logged_and_served_with_filters_order_and_paging() {
        let emulator = Emulator::new();
        let sp = emulator.register_service_principal("Contoso SCIM");
        emulator.add_template(&sp.id, Emulator::scim_template());
        emulator.set_target_system(&sp.id, TargetSystem::new(URL, "good"));
        emulator.assign(
            &sp.id,
            SourceObject::user("u-alex")
                .with("displayName", "Alex Wilber")
                .with("userPrincipalName", "alex@contoso.com"),
        );
        emulator.assign(
            &sp.id,
            SourceObject::user("u-adele")
                .with("displayName", "Adele Vance")
                .with("userPrincipalName", "adele@contoso.com"),
        );
        emulator.set_page_size(1);
        let token = emulator.issue_token();
        let running = emulator.start().await.unwrap();
        let client = crate::support::emulator_client(&running, token);
        let sync = client.service_principal(sp.id.clone()).synchronization();
        let job = sync
            .jobs()
            .create(TemplateId::new("scim").unwrap())
            .await
            .unwrap();
        let job_id = job.id.get().unwrap().clone();
        sync.secrets().put(&secrets("wrong")).await.unwrap();
        sync.job(job_id.clone()).start().await.unwrap();

        // The initial cycle: both users imported, both exports refused for the credentials.
        let by_job = LogQuery::new().filter(LogFilter::JobId(TextMatch::equals(job_id.as_str())));
        let first = all(&client, &by_job.clone().order(LogOrder::OldestFirst)).await;
        assert_eq!(first.len(), 2, "{first:#?}");
        for event in &first {
            assert_eq!(event.status(), Some(&ProvisioningResult::Failure));
            assert_eq!(
                event.failed_step().unwrap().provisioning_step_type.get(),
                Some(&ProvisioningStepType::Export)
            );
            assert!(
                event
                    .error()
                    .unwrap()
                    .reason
                    .as_deref()
                    .unwrap()
                    .contains("rejected"),
                "{event:#?}"
            );
        }
        assert_eq!(first[0].cycle_id, first[1].cycle_id);

        // Fixed credentials: starting the quarantined job runs a cycle that retries both.
        sync.secrets().put(&secrets("good")).await.unwrap();
        sync.job(job_id.clone()).start().await.unwrap();
        let created = all(
            &client,
            &by_job
                .clone()
                .filter(LogFilter::Action(ProvisioningAction::Create))
                .filter(LogFilter::Status(ProvisioningResult::Success)),
        )
        .await;
        let mut users: Vec<String> = created.iter().map(|e| outcome(e).0).collect();
        users.sort();
        assert_eq!(users, ["u-adele", "u-alex"]);

        // Newest first by default; oldest first on request; every page followed (page size 1).
        let newest = all(&client, &by_job).await;
        let oldest = all(&client, &by_job.clone().order(LogOrder::OldestFirst)).await;
        assert_eq!(newest.len(), 4);
        let reversed: Vec<_> = oldest.iter().rev().map(|e| e.id.clone()).collect();
        assert_eq!(
            newest.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
            reversed
        );

        // A time window, a contains on the name, an id: each narrows as Graph's do.
        let after_first = oldest[1].activity_date_time.get().unwrap().clone();
        let later = all(
            &client,
            &by_job.clone().filter(LogFilter::After(after_first)),
        )
        .await;
        assert_eq!(later.len(), 2);
        let adele = all(
            &client,
            &LogQuery::new().filter(LogFilter::SourceIdentityName(TextMatch::contains("Adele"))),
        )
        .await;
        assert!(adele.iter().all(|e| outcome(e).0 == "u-adele") && adele.len() == 2);
        // Case-sensitive, as documented.
        let none = all(
            &client,
            &LogQuery::new().filter(LogFilter::SourceIdentityName(TextMatch::contains("adele"))),
        )
        .await;
        assert!(none.is_empty());
        let mut one = client
            .provisioning_logs()
            .get(newest[0].id.as_deref().unwrap())
            .await
            .unwrap();
        assert!(one.extra.remove("@odata.context").is_some());
        assert_eq!(one, newest[0]);
        let missing = client.provisioning_logs().get("no-such-event").await;
        assert!(missing.unwrap_err().to_string().contains("404"));
    }
}
