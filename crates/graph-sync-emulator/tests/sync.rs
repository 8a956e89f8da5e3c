//! The synchronization service over raw HTTP: the documented limits and refusals as the
//! service answers them (`429` with `Retry-After`, `400` for oversized or mistyped bulk
//! uploads, `404` while an instantiated service principal replicates), and paging.

use std::time::Duration;

use graph_sync_emulator::Emulator;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{Harness, SP_ID, harness};

const RULE: &str = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8";

impl Harness {
    async fn post_json(&self, url: &str, body: &Value) -> crate::Reply {
        self.send(
            self.request(Method::POST, url)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    /// Gives the fixed service principal the `scim` template and creates a job; its URL.
    async fn job_url(&self) -> String {
        self.emulator()
            .add_template(&self.principal.id, Emulator::scim_template());
        let reply = self
            .post_json(
                &format!("{}/jobs", self.sync_url()),
                &json!({"templateId":"scim"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        let job = reply.json();
        assert_eq!(job["status"]["code"], "NotConfigured");
        assert_eq!(job["schedule"]["state"], "Disabled");
        assert_eq!(job["schedule"]["interval"], "P10675199DT2H48M5.4775807S");
        format!("{}/jobs/{}", self.sync_url(), job["id"].as_str().unwrap())
    }
}

#[tokio::test]
async fn provision_on_demand_allows_five_requests_per_ten_seconds() {
    let h = harness().await;
    let job = h.job_url().await;
    let body = json!({"parameters":[{"ruleId": RULE, "subjects":[{"objectId":"u1","objectTypeName":"User"}]}]});
    for _ in 0..5 {
        let reply = h
            .post_json(&format!("{job}/provisionOnDemand"), &body)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
        let key: Value = serde_json::from_str(reply.json()["key"].as_str().unwrap()).unwrap();
        // No secrets saved: the target cannot be reached.
        assert_eq!(key["result"], "Failure");
    }
    let reply = h
        .post_json(&format!("{job}/provisionOnDemand"), &body)
        .await;
    reply.assert_error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
    let retry_after: u64 = reply.header("retry-after").parse().unwrap();
    assert!((1..=10).contains(&retry_after), "{retry_after}");
}

#[tokio::test]
async fn bulk_upload_limits_operations_media_type_and_rate() {
    let h = harness().await;
    // Frozen, so the rate window's second lasts however long the machine takes to send the
    // requests below (it used to slide under load, and the 41st was accepted).
    h.emulator().freeze_clock();
    let job = h.job_url().await;
    let url = format!("{job}/bulkUpload");
    let bulk = |count: usize| {
        let operations: Vec<Value> = (0..count)
            .map(|i| json!({"method":"POST","bulkId":i.to_string(),"path":"/Users","data":{"externalId":i.to_string()}}))
            .collect();
        json!({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":operations}).to_string()
    };
    let send = |body: String, media: &'static str| {
        h.send(
            h.request(Method::POST, &url)
                .header("content-type", media)
                .body(body),
        )
    };

    let reply = send(bulk(2), "application/json").await;
    reply.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    assert!(reply.error_message().contains("application/scim+json"));

    let reply = send(bulk(51), "application/scim+json").await;
    reply.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
    assert!(reply.error_message().contains("at most 50"));

    let reply = send(bulk(50), "application/scim+json").await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert!(
        reply
            .header("location")
            .contains("/auditLogs/provisioning/")
    );
    assert!(reply.body.is_empty());

    // 40 requests per second: the 41st within the second is throttled (the accepted request
    // of 50 operations above was the first).
    for sent in 2..=40 {
        let reply = send(bulk(1), "application/scim+json").await;
        assert_eq!(
            reply.status,
            StatusCode::ACCEPTED,
            "request {sent} of the second"
        );
    }
    let reply = send(bulk(1), "application/scim+json").await;
    reply.assert_error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
    assert_eq!(reply.header("retry-after"), "1");
    h.emulator().advance_clock(Duration::from_secs(1));
    let reply = send(bulk(1), "application/scim+json").await;
    assert_eq!(
        reply.status,
        StatusCode::ACCEPTED,
        "a new second admits again"
    );
}

#[tokio::test]
async fn an_instantiated_service_principal_appears_after_the_replication_lag() {
    let h = harness().await;
    h.emulator().set_replication_lag(2);
    let reply = h
        .post_json(
            &h.url("/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate"),
            &json!({"displayName":"Replicating"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let created = reply.json();
    let sp = created["servicePrincipal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        created["application"]["appId"],
        created["servicePrincipal"]["appId"]
    );
    for _ in 0..2 {
        h.get(&h.url(&format!("/servicePrincipals/{sp}")))
            .await
            .assert_error(StatusCode::NOT_FOUND, "Request_ResourceNotFound");
    }
    let reply = h.get(&h.url(&format!("/servicePrincipals/{sp}"))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["displayName"], "Replicating");

    let unknown = h
        .post_json(
            &h.url("/applicationTemplates/00000000-0000-0000-0000-000000000000/instantiate"),
            &json!({"displayName":"x"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn long_lists_are_paged_with_next_links_on_the_same_host() {
    let h = harness().await;
    h.emulator()
        .add_template(&h.principal.id, Emulator::scim_template());
    h.emulator().set_page_size(2);
    for _ in 0..3 {
        h.post_json(
            &format!("{}/jobs", h.sync_url()),
            &json!({"templateId":"scim"}),
        )
        .await;
    }
    let first = h.get(&format!("{}/jobs", h.sync_url())).await.json();
    assert_eq!(first["value"].as_array().unwrap().len(), 2);
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with(&h.running.graph_root()), "{next}");
    let second = h.get(next).await.json();
    assert_eq!(second["value"].as_array().unwrap().len(), 1);
    assert!(second.get("@odata.nextLink").is_none());
    h.get(&format!("{}/jobs?$skiptoken=x", h.sync_url()))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "BadRequest");
}

#[tokio::test]
async fn synchronization_routes_check_the_token_and_the_job() {
    let h = harness().await;
    let url = format!("/servicePrincipals/{SP_ID}/synchronization/jobs");
    let reply = h.send(h.client.get(h.url(&url))).await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken");
    let reply = h.get(&h.url(&format!("{url}/scim.0000"))).await;
    reply.assert_error(StatusCode::NOT_FOUND, "ResourceNotFound");
    let reply = h
        .post_json(&h.url(&url), &json!({"templateId":"NotATemplate"}))
        .await;
    reply.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
}
