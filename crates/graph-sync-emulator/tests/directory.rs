//! Service principals and applications as Graph lists and reads them, over raw HTTP: the
//! default property set on every answer, `$filter`, `$search` and `$count` with the
//! `ConsistencyLevel: eventual` rules, `$top` as the page size with next links, `$select`,
//! `$orderby displayName`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{APP_ID, Harness, Reply, SP_ID, harness};

/// The non-gallery application template.
const NON_GALLERY: &str = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";

impl Harness {
    async fn get_eventual(&self, url: &str) -> Reply {
        self.send(
            self.request(Method::GET, url)
                .header("ConsistencyLevel", "eventual"),
        )
        .await
    }

    /// Three more service principals, one of them instantiated (with an application).
    async fn directory(&self) -> Value {
        for name in ["Contoso HR", "Contoso Payroll"] {
            self.emulator().register_service_principal(name);
        }
        let reply = self
            .send(
                self.request(
                    Method::POST,
                    &self.url(&format!("/applicationTemplates/{NON_GALLERY}/instantiate")),
                )
                .header("content-type", "application/json")
                .body(json!({"displayName": "Fabrikam SCIM"}).to_string()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        reply.json()
    }

    fn names(&self, page: &Value) -> Vec<String> {
        page["value"]
            .as_array()
            .unwrap_or_else(|| panic!("no value: {page}"))
            .iter()
            .map(|item| item["displayName"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|key| !key.starts_with('@'))
        .collect()
}

#[tokio::test]
async fn every_answer_carries_the_default_property_set() {
    let h = harness().await;
    let created = h.directory().await;
    let principal = &created["servicePrincipal"];
    for (name, expected) in [
        ("accountEnabled", json!(true)),
        ("servicePrincipalType", json!("Application")),
        ("tags", json!([])),
        ("appRoles", json!([])),
        ("homepage", Value::Null),
        ("applicationTemplateId", json!(NON_GALLERY)),
    ] {
        assert_eq!(principal[name], expected, "{name}: {principal}");
    }
    assert_eq!(
        principal["servicePrincipalNames"],
        json!([principal["appId"]])
    );
    let application = &created["application"];
    assert_eq!(application["appId"], principal["appId"]);
    assert_eq!(application["web"]["redirectUris"], json!([]));
    assert!(application["createdDateTime"].is_string(), "{application}");

    let fixed = h.get(&h.url(&format!("/servicePrincipals/{SP_ID}"))).await;
    assert_eq!(fixed.status, StatusCode::OK);
    let fixed = fixed.json();
    assert_eq!(
        keys(&fixed),
        keys(principal),
        "a registered and an instantiated service principal carry the same properties"
    );
    assert_eq!(fixed["applicationTemplateId"], Value::Null);
    assert_eq!(
        fixed["@odata.context"],
        format!(
            "{}/$metadata#servicePrincipals/$entity",
            h.running.graph_root()
        )
    );

    let listed = h.get(&h.url("/servicePrincipals")).await.json();
    assert_eq!(listed["value"].as_array().unwrap().len(), 4);
    assert!(
        listed["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|item| keys(item) == keys(principal))
    );
    assert_eq!(
        listed["@odata.context"],
        format!("{}/$metadata#servicePrincipals", h.running.graph_root())
    );

    let applications = h.get(&h.url("/applications")).await.json();
    assert_eq!(h.names(&applications), ["Fabrikam SCIM"]);
    let id = application["id"].as_str().unwrap();
    let one = h.get(&h.url(&format!("/applications/{id}"))).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(keys(&one.json()), keys(application));
    let missing = h
        .get(&h.url("/applications/00000000-0000-0000-0000-00000000dead"))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn filter_select_and_orderby_apply_to_the_list() {
    let h = harness().await;
    h.directory().await;
    let list = h.url("/servicePrincipals");

    let by_name = h
        .get(&format!(
            "{list}?$filter=displayName eq 'contoso hr'&$select=id,appId,displayName"
        ))
        .await
        .json();
    assert_eq!(h.names(&by_name), ["Contoso HR"]);
    assert_eq!(keys(&by_name["value"][0]), ["appId", "displayName", "id"]);
    assert_eq!(
        by_name["@odata.context"],
        format!(
            "{}/$metadata#servicePrincipals(id,appId,displayName)",
            h.running.graph_root()
        )
    );
    let by_app_id = h
        .get(&format!("{list}?$filter=appId eq '{APP_ID}'"))
        .await
        .json();
    assert_eq!(h.names(&by_app_id), ["Fixed SCIM app"]);
    let by_id = h
        .get(&format!("{list}?$filter=id in ('{SP_ID}')"))
        .await
        .json();
    assert_eq!(h.names(&by_id), ["Fixed SCIM app"]);
    let by_name_any = h
        .get(&format!(
            "{list}?$filter=servicePrincipalNames/any(n:n eq '{APP_ID}')"
        ))
        .await
        .json();
    assert_eq!(h.names(&by_name_any), ["Fixed SCIM app"]);
    let starting = h
        .get(&format!(
            "{list}?$filter=startswith(displayName,'contoso')&$orderby=displayName desc"
        ))
        .await;
    assert_eq!(
        starting.status,
        StatusCode::BAD_REQUEST,
        "$orderby with $filter is advanced"
    );
    assert_eq!(starting.json()["error"]["code"], "Request_UnsupportedQuery");
    let starting = h
        .get_eventual(&format!(
            "{list}?$filter=startswith(displayName,'contoso')&$orderby=displayName desc&$count=true"
        ))
        .await
        .json();
    assert_eq!(h.names(&starting), ["Contoso Payroll", "Contoso HR"]);
    assert_eq!(starting["@odata.count"], 2);

    let ordered = h.get(&format!("{list}?$orderby=displayName")).await.json();
    assert_eq!(
        h.names(&ordered),
        [
            "Contoso HR",
            "Contoso Payroll",
            "Fabrikam SCIM",
            "Fixed SCIM app"
        ]
    );
    for (query, status, code) in [
        ("$orderby=appId", 400, "Request_UnsupportedQuery"),
        ("$top=0", 400, "Request_BadRequest"),
        ("$top=1000", 400, "Request_BadRequest"),
        ("$filter=nothing eq 1", 400, "BadRequest"),
        ("$select=bogus", 400, "BadRequest"),
        ("$expand=owners", 400, "BadRequest"),
    ] {
        let reply = h.get(&format!("{list}?{query}")).await;
        assert_eq!(reply.status.as_u16(), status, "{query}");
        assert_eq!(reply.json()["error"]["code"], code, "{query}");
    }
}

#[tokio::test]
async fn search_and_count_need_eventual_consistency() {
    let h = harness().await;
    h.directory().await;
    let list = h.url("/servicePrincipals");

    let refused = h.get(&format!("{list}?$search=\"displayName:scim\"")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "Request_UnsupportedQuery");
    assert_eq!(
        error["message"],
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"
    );
    let found = h
        .get_eventual(&format!(
            "{list}?$search=\"displayName:scim\"&$count=true&$orderby=displayName"
        ))
        .await
        .json();
    assert_eq!(h.names(&found), ["Fabrikam SCIM", "Fixed SCIM app"]);
    assert_eq!(found["@odata.count"], 2);
    let either = h
        .get_eventual(&format!(
            "{list}?$search=\"displayName:payroll\" OR \"displayName:fabrikam\""
        ))
        .await
        .json();
    assert_eq!(either["value"].as_array().unwrap().len(), 2);
    let malformed = h
        .get_eventual(&format!("{list}?$search=displayName:scim"))
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);

    // Without the header, $count=true is ignored, as Graph ignores it.
    let uncounted = h.get(&format!("{list}?$count=true")).await.json();
    assert!(uncounted.get("@odata.count").is_none(), "{uncounted}");
    let counted = h
        .get_eventual(&format!("{list}?$count=true&$top=1"))
        .await
        .json();
    assert_eq!(counted["@odata.count"], 4);
}

#[tokio::test]
async fn top_is_the_page_size_and_next_links_walk_the_rest() {
    let h = harness().await;
    h.directory().await;
    let mut url = h.url("/servicePrincipals?$top=3&$select=displayName&$orderby=displayName");
    let mut pages = Vec::new();
    loop {
        let page = h.get(&url).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        let page = page.json();
        pages.push(h.names(&page));
        match page["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(next.contains("$top=3"), "{next}");
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(
        pages,
        [
            vec!["Contoso HR", "Contoso Payroll", "Fabrikam SCIM"],
            vec!["Fixed SCIM app"]
        ]
    );
}
