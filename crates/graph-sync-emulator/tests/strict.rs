//! The strict layer over raw HTTP: what Graph refuses is refused (bodies the metadata forbids,
//! malformed, unknown or repeated query options) and never stored; query options are applied;
//! answers carry `@odata.context`; `set_loose(true)` keeps the older leniency.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{Harness, SP_ID, harness};

impl Harness {
    async fn send_json(&self, method: Method, url: &str, body: &Value) -> crate::Reply {
        self.send(
            self.request(method, url)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    /// A job from the `scim` template; its URL.
    async fn strict_job(&self) -> String {
        self.emulator().add_template(
            &self.principal.id,
            graph_sync_emulator::Emulator::scim_template(),
        );
        let reply = self
            .send_json(
                Method::POST,
                &format!("{}/jobs", self.sync_url()),
                &json!({"templateId": "scim"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        format!(
            "{}/jobs/{}",
            self.sync_url(),
            reply.json()["id"].as_str().unwrap()
        )
    }
}

#[tokio::test]
async fn bodies_the_metadata_forbids_are_400_and_never_stored() {
    let h = harness().await;
    let job = h.strict_job().await;
    let jobs = format!("{}/jobs", h.sync_url());
    let schema_url = format!("{job}/schema");
    let before = h.get(&schema_url).await.json();

    let mut unknown = before.clone();
    unknown["bogus"] = json!(1);
    let mut not_a_flag = before.clone();
    not_a_flag["directories"][0]["discoverabilities"] = json!("NotAFlag");
    let mut odata_type = before.clone();
    odata_type["@odata.type"] = json!(5);
    let cases = [
        (
            Method::PUT,
            schema_url.clone(),
            unknown,
            "does not exist on type 'microsoft.graph.synchronizationSchema'",
        ),
        (
            Method::PUT,
            schema_url.clone(),
            not_a_flag,
            "Requested value 'NotAFlag' was not found.",
        ),
        (Method::PUT, schema_url.clone(), odata_type, "not a string"),
        (
            Method::POST,
            jobs.clone(),
            json!({"templateId": "scim", "bogus": true}),
            "'bogus' does not exist",
        ),
        (
            Method::POST,
            jobs.clone(),
            json!({"templateId": "scim", "schedule": {"state": "Bogus"}}),
            "Requested value 'Bogus' was not found.",
        ),
        (
            Method::POST,
            jobs.clone(),
            json!({"templateId": 7}),
            "Edm.String",
        ),
        (
            Method::POST,
            format!("{job}/restart"),
            json!({"criteria": {"resetScope": "Bogus"}}),
            "Requested value 'Bogus' was not found.",
        ),
        (
            Method::POST,
            format!("{job}/start"),
            json!({"now": true}),
            "not a valid parameter for the operation 'start'",
        ),
        (
            Method::PATCH,
            format!("{}/templates/scim", h.sync_url()),
            json!({"@odata.type": 1}),
            "not a string",
        ),
    ];
    for (method, url, body, message) in cases {
        let reply = h.send_json(method.clone(), &url, &body).await;
        reply.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
        assert!(
            reply.error_message().contains(message),
            "{method} {url}: {}",
            reply.error_message()
        );
    }
    let mut after = h.get(&schema_url).await.json();
    let mut before = before;
    after.as_object_mut().unwrap().remove("@odata.context");
    before.as_object_mut().unwrap().remove("@odata.context");
    assert_eq!(after, before, "nothing was stored");
    let listed = h.get(&jobs).await.json();
    assert_eq!(
        listed["value"].as_array().unwrap().len(),
        1,
        "no job was created"
    );
}

#[tokio::test]
async fn a_bad_body_without_a_token_is_still_401_first() {
    let h = harness().await;
    let reply = h
        .send(
            h.client
                .post(format!("{}/jobs", h.sync_url()))
                .header("content-type", "application/json")
                .body(r#"{"bogus":1}"#),
        )
        .await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken");
}

#[tokio::test]
async fn malformed_unknown_and_repeated_query_options_are_400() {
    let h = harness().await;
    let job = h.strict_job().await;
    let jobs = format!("{}/jobs", h.sync_url());
    for (query, message) in [
        (
            "$top=abc",
            "Invalid value 'abc' for $top query option found.",
        ),
        ("$top=-1", "Invalid value '-1' for $top query option found."),
        (
            "$top=1&$top=2",
            "Query option 'Top' was specified more than once",
        ),
        (
            "$select=false",
            "Could not find a property named 'false' on type 'microsoft.graph.synchronizationJob'.",
        ),
        ("$filter=zzz", "Could not find a property named 'zzz'"),
        ("$filter=id%20eq", "Syntax error at position 5 in 'id eq'."),
        (
            "$orderby=nothing",
            "Could not find a property named 'nothing'",
        ),
        ("$foo=1", "The query parameter '$foo' is not supported."),
        ("$search=x", "not allowed"),
    ] {
        let reply = h.get(&format!("{jobs}?{query}")).await;
        reply.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
        assert!(
            reply.error_message().contains(message),
            "{query}: {}",
            reply.error_message()
        );
    }
    for (url, message) in [
        (
            format!("{job}?$expand=foo"),
            "Could not find a property named 'foo'",
        ),
        (format!("{job}?$top=1"), "not allowed"),
    ] {
        let reply = h.get(&url).await;
        reply.assert_error(StatusCode::BAD_REQUEST, "BadRequest");
        assert!(reply.error_message().contains(message), "{url}");
    }
    // Custom (non-$) options are the service's to ignore.
    assert_eq!(h.get(&format!("{jobs}?foo=1")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn query_options_are_applied_and_answers_carry_their_context() {
    let h = harness().await;
    let job = h.strict_job().await;
    for _ in 0..4 {
        h.send_json(
            Method::POST,
            &format!("{}/jobs", h.sync_url()),
            &json!({"templateId": "scim"}),
        )
        .await;
    }
    h.emulator().set_page_size(2);
    let jobs = format!("{}/jobs", h.sync_url());
    let root = h.running.graph_root();

    let one = h.get(&format!("{job}?$select=templateId")).await.json();
    assert_eq!(
        one["@odata.context"],
        format!(
            "{root}/$metadata#servicePrincipals('{SP_ID}')/synchronization/jobs(templateId)/$entity"
        )
    );
    let keys: Vec<&String> = one.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["@odata.context", "id", "templateId"]);

    let page = h
        .get(&format!("{jobs}?$top=3&$select=id&$count=true"))
        .await
        .json();
    assert_eq!(page["@odata.count"], 5);
    assert_eq!(page["value"].as_array().unwrap().len(), 2);
    assert_eq!(page["value"][0].as_object().unwrap().len(), 1);
    let next = page["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.contains("$top=3") && next.contains("$select=id"),
        "{next}"
    );
    let rest = h.get(next).await.json();
    assert_eq!(
        rest["value"].as_array().unwrap().len(),
        1,
        "$top=3 ends the list"
    );
    assert!(rest.get("@odata.nextLink").is_none());

    let filtered = h
        .get(&format!("{jobs}?$filter=templateId%20eq%20'nothing'"))
        .await
        .json();
    assert_eq!(filtered["value"], json!([]));
    assert_eq!(
        filtered["@odata.context"],
        format!("{root}/$metadata#servicePrincipals('{SP_ID}')/synchronization/jobs")
    );
    let listed = h
        .get(&format!("{jobs}?$orderby=id%20desc&$top=2"))
        .await
        .json();
    let ids: Vec<&str> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable_by_key(|id| std::cmp::Reverse(id.to_lowercase()));
    assert_eq!(ids, sorted);

    let sync = h.get(&h.sync_url()).await.json();
    assert_eq!(
        sync["@odata.context"],
        format!("{root}/$metadata#servicePrincipals('{SP_ID}')/synchronization/$entity")
    );
    let operators = h.get(&format!("{job}/schema/filterOperators")).await.json();
    assert_eq!(
        operators["@odata.context"],
        format!("{root}/$metadata#Collection(microsoft.graph.filterOperatorSchema)")
    );
}

#[tokio::test]
async fn loose_keeps_the_older_leniency() {
    let h = harness().await;
    h.emulator().set_loose(true);
    let job = h.strict_job().await;
    let jobs = format!("{}/jobs", h.sync_url());
    assert_eq!(
        h.get(&format!("{jobs}?$top=abc&$top=1&$foo=1"))
            .await
            .status,
        StatusCode::OK
    );
    let reply = h
        .send_json(
            Method::POST,
            &jobs,
            &json!({"templateId": "scim", "bogus": true}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let reply = h
        .send_json(
            Method::POST,
            &format!("{job}/restart"),
            &json!({"criteria": {"resetScope": "Watermark"}, "x": 1}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    h.emulator().set_loose(false);
    let reply = h.get(&format!("{jobs}?$top=abc")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}
