//! `ServicePrincipalsApi` over loopback HTTP against the strict emulator: filters, `$search`
//! and `$count` (which need `ConsistencyLevel: eventual`, on every page), `$top` paging and
//! the lookup by display name, as Graph answers them.

use futures_util::TryStreamExt as _;
use graph_sync_api::RetryConfig;
use graph_sync_api::odata::{Filter, ListQuery, Order};

use crate::support::start_emulator;

fn names(found: &[graph_sync_model::ServicePrincipal]) -> Vec<String> {
    found
        .iter()
        .map(|sp| sp.display_name.get().cloned().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn list_search_count_and_lookup_against_the_emulator() {
    let (running, client, _) = start_emulator(RetryConfig::default()).await;
    for name in ["Contoso HR", "Contoso Payroll", "Fabrikam"] {
        running.emulator().register_service_principal(name);
    }
    let principals = client.service_principals();

    let contoso = ListQuery::new()
        .filter(Filter::starts_with("displayName", "contoso"))
        .select(["id", "appId", "displayName"])
        .order_by("displayName", Order::Descending)
        .count()
        .top(1);
    let found: Vec<_> = principals.list(&contoso).try_collect().await.unwrap();
    assert_eq!(
        names(&found),
        ["Contoso SCIM", "Contoso Payroll", "Contoso HR"],
        "three pages of one, ConsistencyLevel on each"
    );
    assert!(
        found.iter().all(|sp| sp.extra.is_empty()),
        "only what was selected"
    );

    let searched = ListQuery::new().search("displayName", "payroll");
    let found: Vec<_> = principals.list(&searched).try_collect().await.unwrap();
    assert_eq!(names(&found), ["Contoso Payroll"]);
    let everything: Vec<_> = principals
        .list(&ListQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(everything.len(), 4);
    assert!(
        everything
            .iter()
            .all(|sp| sp.extra.get("accountEnabled") == Some(&serde_json::json!(true))),
        "Graph's default property set"
    );

    let hr = principals.find_by_display_name("CONTOSO HR").await.unwrap();
    assert_eq!(names(&hr), ["Contoso HR"]);
    assert!(
        principals
            .find_by_display_name("nobody")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(principals.count(None).await.unwrap(), 4);
    assert_eq!(
        principals
            .count(Some(Filter::starts_with("displayName", "Contoso")))
            .await
            .unwrap(),
        3
    );
    let log = running.emulator().requests();
    assert!(log.iter().all(|request| request.status == 200), "{log:?}");
}
