//! `/servicePrincipals`: finding service principals by name, appId, tag, or a search.

use graph_sync_model::ServicePrincipal;

use crate::client::GraphSyncClient;
use crate::error::{DecodeError, Error, InvalidInput};
use crate::odata::{Filter, ListQuery};
use crate::operations::Resource;
use crate::operations::paging::{self, ItemStream};

/// The properties a lookup asks for: enough to tell candidates apart and to address one.
const LOOKUP_PROPERTIES: [&str; 3] = ["id", "appId", "displayName"];

/// The most candidates a lookup by name reads before it stops (a name matching more is
/// ambiguous anyway).
pub const MAX_CANDIDATES: usize = 100;

impl GraphSyncClient {
    /// The tenant's service principals: `/servicePrincipals`.
    #[must_use]
    pub fn service_principals(&self) -> ServicePrincipalsApi {
        ServicePrincipalsApi {
            resource: Resource::new(self.clone(), &["servicePrincipals"]),
        }
    }
}

/// `/servicePrincipals`: list and search.
///
/// ```no_run
/// # async fn run(client: graph_sync_api::GraphSyncClient) -> Result<(), graph_sync_api::Error> {
/// use futures_util::TryStreamExt as _;
/// use graph_sync_api::odata::{Filter, ListQuery};
///
/// let query = ListQuery::new()
///     .filter(Filter::starts_with("displayName", "Contoso"))
///     .select(["id", "appId", "displayName"]);
/// let found: Vec<_> = client.service_principals().list(&query).try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ServicePrincipalsApi {
    resource: Resource,
}

impl ServicePrincipalsApi {
    /// `GET /servicePrincipals` with `query`, page after page. A query that needs it
    /// (`$search`, `$count`, `$orderby` with `$filter`) carries `ConsistencyLevel: eventual`
    /// on every page.
    ///
    /// The stream's first item is [`Error::InvalidInput`] for a bad query (nothing sent);
    /// then items, or the error of a page that failed.
    #[must_use]
    pub fn list(&self, query: &ListQuery) -> ItemStream<ServicePrincipal> {
        let first = query
            .check()
            .map_err(Error::InvalidInput)
            .and_then(|()| self.resource.url())
            .map(|mut url| {
                query.apply(&mut url);
                url
            });
        paging::stream_with(
            self.resource.client().clone(),
            first,
            "a list of service principals",
            query.needs_eventual_consistency(),
        )
    }

    /// The service principals whose display name is `name` (Graph compares it without regard
    /// to case), with their id, appId and display name only; at most [`MAX_CANDIDATES`].
    /// Zero, one or several: telling them apart is the caller's business.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty name (nothing sent); errors of the list.
    pub async fn find_by_display_name(&self, name: &str) -> Result<Vec<ServicePrincipal>, Error> {
        use futures_util::StreamExt as _;
        if name.trim().is_empty() {
            return Err(InvalidInput::new("a display name to look up is empty").into());
        }
        let query = ListQuery::new()
            .filter(Filter::eq("displayName", name))
            .select(LOOKUP_PROPERTIES)
            .top(u32::try_from(MAX_CANDIDATES).unwrap_or(u32::MAX));
        let mut stream = self.list(&query).take(MAX_CANDIDATES);
        let mut found = Vec::new();
        while let Some(item) = stream.next().await {
            found.push(item?);
        }
        Ok(found)
    }

    /// How many service principals match `filter` (all of them without one): `$count=true`
    /// with `ConsistencyLevel: eventual`, reading `@odata.count` of a one-item page.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad filter; [`Error::Decode`] when the answer carries no
    /// count; errors of the request.
    pub async fn count(&self, filter: Option<Filter>) -> Result<u64, Error> {
        let mut query = ListQuery::new().select(["id"]).top(1).count();
        if let Some(filter) = filter {
            query = query.filter(filter);
        }
        query.check()?;
        let mut url = self.resource.url()?;
        query.apply(&mut url);
        let page: graph_sync_model::ODataCollection<serde_json::Value> =
            paging::fetch(self.resource.client(), url, "a counted list", true).await?;
        page.extra
            .get("@odata.count")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| {
                Error::Decode(DecodeError::invalid(
                    "a counted list",
                    "the answer has no @odata.count (a non-negative integer)",
                ))
            })
    }
}
