//! `/auditLogs/provisioning`: the provisioning logs (v1.0), listed with a `$filter` built
//! from typed criteria, `$orderby`, `$top`, and paged as a stream.
//!
//! The service documents `eq`, `contains`, `gt` and `lt` for this list, all case-sensitive,
//! and which property takes which: a [`LogFilter`] can only express what is documented
//! (`contains` on the service principal is not, so [`LogFilter::service_principal_id`] takes a
//! value, not a [`TextMatch`]). The criteria become an [`odata::Filter`](crate::odata::Filter)
//! (values quoted with `'` doubled, timestamps as OData `DateTimeOffset` literals in UTC) and a
//! [`ListQuery`], which puts them on the URL percent-encoded. The logs are not available in
//! the China cloud (21Vianet): a call there is refused before anything is sent.

use graph_sync_model::audit::ProvisioningObjectSummary;
use graph_sync_model::{ProvisioningAction, ProvisioningResult, Timestamp};
use url::Url;

use crate::client::GraphSyncClient;
use crate::error::{Error, InvalidInput, InvalidInputKind};
use crate::odata::{Filter, ListQuery, Order};
use crate::operations::Resource;
use crate::operations::paging::{self, ItemStream};

impl GraphSyncClient {
    /// The provisioning logs: `/auditLogs/provisioning` (needs `AuditLog.Read.All` and
    /// `Directory.Read.All`; not in the China cloud).
    #[must_use]
    pub fn provisioning_logs(&self) -> ProvisioningLogsApi {
        ProvisioningLogsApi {
            resource: Resource::new(self.clone(), &["auditLogs", "provisioning"]),
        }
    }
}

/// `/auditLogs/provisioning`.
#[derive(Debug, Clone)]
pub struct ProvisioningLogsApi {
    resource: Resource,
}

impl ProvisioningLogsApi {
    /// `GET /auditLogs/provisioning` with `query`: the matching events as a stream, page
    /// after page (one page in memory at a time).
    ///
    /// # Errors
    ///
    /// The stream yields [`Error::InvalidInput`] first and alone when the client's cloud is
    /// China (21Vianet), where the logs are not served, or when the query is not usable
    /// (`$top` of 0); then as any list: [`Error::Service`], [`Error::Decode`] (also for a
    /// next link that leaves the Graph host or repeats), [`Error::Transport`], [`Error::Auth`].
    #[must_use]
    pub fn list(&self, query: &LogQuery) -> ItemStream<ProvisioningObjectSummary> {
        let first = self.list_url(query);
        paging::stream(
            self.resource.client().clone(),
            first,
            "a page of provisioning events",
        )
    }

    /// The URL [`list`](Self::list) starts from.
    ///
    /// # Errors
    ///
    /// As [`list`](Self::list) before sending.
    pub fn list_url(&self, query: &LogQuery) -> Result<Url, Error> {
        self.refuse_china()?;
        let options = query.to_list_query()?;
        options.check()?;
        let mut url = self.resource.url()?;
        options.apply(&mut url);
        Ok(url)
    }

    /// `GET /auditLogs/provisioning/{id}`: one event.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] in the China cloud or for an empty id; [`Error::Service`]
    /// (`404` for an unknown id), [`Error::Decode`], [`Error::Transport`], [`Error::Auth`] as
    /// for any call.
    pub async fn get(&self, id: &str) -> Result<ProvisioningObjectSummary, Error> {
        self.refuse_china()?;
        if id.trim().is_empty() {
            return Err(InvalidInput::new("a provisioning event id must not be empty").into());
        }
        self.resource.child(&[id]).get("a provisioning event").await
    }

    fn refuse_china(&self) -> Result<(), Error> {
        let cloud = self.resource.client().cloud();
        if cloud.is_china() {
            return Err(InvalidInput::with_kind(
                format!(
                    "the provisioning logs (/auditLogs/provisioning) are not available in the {} cloud; nothing was sent",
                    cloud.name()
                ),
                InvalidInputKind::NotInCloud,
            )
            .into());
        }
        Ok(())
    }
}

/// How a text property is matched: `eq` (the whole value) or `contains` (a part of it).
/// Both are case-sensitive, as the service documents.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextMatch {
    /// `property eq 'value'`.
    Equals(String),
    /// `contains(property,'value')`.
    Contains(String),
}

impl TextMatch {
    /// `eq`.
    #[must_use]
    pub fn equals(value: impl Into<String>) -> Self {
        Self::Equals(value.into())
    }

    /// `contains`.
    #[must_use]
    pub fn contains(value: impl Into<String>) -> Self {
        Self::Contains(value.into())
    }

    fn on(&self, property: &str) -> Filter {
        match self {
            Self::Equals(value) => Filter::eq(property, value.as_str()),
            Self::Contains(value) => Filter::contains(property, value),
        }
    }
}

/// One criterion of a `$filter`: a documented property with an operator it supports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogFilter {
    /// `id`: the event.
    Id(TextMatch),
    /// `jobId`.
    JobId(TextMatch),
    /// `cycleId`: one run of the job.
    CycleId(TextMatch),
    /// `changeId`.
    ChangeId(TextMatch),
    /// `tenantId`.
    TenantId(TextMatch),
    /// `servicePrincipal/id` (`eq` only).
    ServicePrincipalId(String),
    /// `servicePrincipal/displayName` (`eq` only).
    ServicePrincipalName(String),
    /// `sourceIdentity/id`.
    SourceIdentityId(TextMatch),
    /// `sourceIdentity/displayName`.
    SourceIdentityName(TextMatch),
    /// `sourceIdentity/identityType`.
    SourceIdentityType(TextMatch),
    /// `targetIdentity/id`.
    TargetIdentityId(TextMatch),
    /// `targetIdentity/displayName`.
    TargetIdentityName(TextMatch),
    /// `targetIdentity/identityType`.
    TargetIdentityType(TextMatch),
    /// `sourceSystem/displayName`.
    SourceSystemName(TextMatch),
    /// `targetSystem/displayName`.
    TargetSystemName(TextMatch),
    /// `initiatedBy/displayName`.
    InitiatedByName(TextMatch),
    /// `provisioningAction eq …`.
    Action(ProvisioningAction),
    /// `provisioningStatusInfo/status eq …`.
    Status(ProvisioningResult),
    /// `activityDateTime gt …`: strictly after.
    After(Timestamp),
    /// `activityDateTime lt …`: strictly before.
    Before(Timestamp),
}

impl LogFilter {
    /// `servicePrincipal/id eq '…'`.
    #[must_use]
    pub fn service_principal_id(id: impl Into<String>) -> Self {
        Self::ServicePrincipalId(id.into())
    }

    /// The criterion as a `$filter` term.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a time bound that is the "not set" timestamp.
    pub fn to_filter(&self) -> Result<Filter, Error> {
        Ok(match self {
            Self::Id(m) => m.on("id"),
            Self::JobId(m) => m.on("jobId"),
            Self::CycleId(m) => m.on("cycleId"),
            Self::ChangeId(m) => m.on("changeId"),
            Self::TenantId(m) => m.on("tenantId"),
            Self::ServicePrincipalId(id) => Filter::eq("servicePrincipal/id", id.as_str()),
            Self::ServicePrincipalName(name) => {
                Filter::eq("servicePrincipal/displayName", name.as_str())
            }
            Self::SourceIdentityId(m) => m.on("sourceIdentity/id"),
            Self::SourceIdentityName(m) => m.on("sourceIdentity/displayName"),
            Self::SourceIdentityType(m) => m.on("sourceIdentity/identityType"),
            Self::TargetIdentityId(m) => m.on("targetIdentity/id"),
            Self::TargetIdentityName(m) => m.on("targetIdentity/displayName"),
            Self::TargetIdentityType(m) => m.on("targetIdentity/identityType"),
            Self::SourceSystemName(m) => m.on("sourceSystem/displayName"),
            Self::TargetSystemName(m) => m.on("targetSystem/displayName"),
            Self::InitiatedByName(m) => m.on("initiatedBy/displayName"),
            Self::Action(action) => Filter::eq("provisioningAction", action.as_str()),
            Self::Status(status) => Filter::eq("provisioningStatusInfo/status", status.as_str()),
            Self::After(at) => Filter::gt("activityDateTime", utc(at)?),
            Self::Before(at) => Filter::lt("activityDateTime", utc(at)?),
        })
    }
}

/// The order of the events (`$orderby` on `activityDateTime`, the only sortable property).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LogOrder {
    /// The service's order (newest first); no `$orderby` is sent.
    #[default]
    Service,
    /// `activityDateTime desc`.
    NewestFirst,
    /// `activityDateTime` ascending: the order in which `--follow` reads.
    OldestFirst,
}

/// A query of the provisioning logs: criteria joined with `and`, an order and a page size.
/// [`LogQuery::default`] lists everything in the service's order.
///
/// ```
/// use graph_sync_api::{LogFilter, LogOrder, LogQuery, TextMatch};
/// use graph_sync_api::model::ProvisioningResult;
///
/// let query = LogQuery::new()
///     .filter(LogFilter::JobId(TextMatch::equals("scim.1")))
///     .filter(LogFilter::Status(ProvisioningResult::Failure))
///     .filter(LogFilter::SourceIdentityName(TextMatch::contains("O'Brien")))
///     .order(LogOrder::OldestFirst)
///     .top(50);
/// assert_eq!(
///     query.filter_text().unwrap().as_deref(),
///     Some("jobId eq 'scim.1' and provisioningStatusInfo/status eq 'failure' and contains(sourceIdentity/displayName,'O''Brien')")
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogQuery {
    filters: Vec<LogFilter>,
    order: LogOrder,
    top: Option<u32>,
}

impl LogQuery {
    /// Everything, in the service's order.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a criterion (criteria are joined with `and`).
    #[must_use]
    pub fn filter(mut self, filter: LogFilter) -> Self {
        self.filters.push(filter);
        self
    }

    /// Sets the order.
    #[must_use]
    pub fn order(mut self, order: LogOrder) -> Self {
        self.order = order;
        self
    }

    /// Sets the page size (`$top`), sent as given.
    #[must_use]
    pub fn top(mut self, top: u32) -> Self {
        self.top = Some(top);
        self
    }

    /// The criteria.
    #[must_use]
    pub fn filters(&self) -> &[LogFilter] {
        &self.filters
    }

    /// The criteria joined with `and`, or `None` without criteria.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a time bound that is the "not set" timestamp.
    pub fn to_filter(&self) -> Result<Option<Filter>, Error> {
        let mut joined: Option<Filter> = None;
        for filter in &self.filters {
            let term = filter.to_filter()?;
            joined = Some(match joined {
                Some(before) => before.and(term),
                None => term,
            });
        }
        Ok(joined)
    }

    /// The `$filter` text, unencoded, or `None` without criteria.
    ///
    /// # Errors
    ///
    /// As [`to_filter`](Self::to_filter).
    pub fn filter_text(&self) -> Result<Option<String>, Error> {
        Ok(self.to_filter()?.map(|filter| filter.as_str().to_owned()))
    }

    /// The OData options: `$filter`, `$orderby` on `activityDateTime`, `$top`.
    ///
    /// # Errors
    ///
    /// As [`to_filter`](Self::to_filter); [`Error::InvalidInput`] for `$top` of 0.
    pub fn to_list_query(&self) -> Result<ListQuery, Error> {
        let mut options = ListQuery::new();
        if let Some(filter) = self.to_filter()? {
            options = options.filter(filter);
        }
        options = match self.order {
            LogOrder::Service => options,
            LogOrder::NewestFirst => options.order_by("activityDateTime", Order::Descending),
            LogOrder::OldestFirst => options.order_by("activityDateTime", Order::Ascending),
        };
        if let Some(top) = self.top {
            options = options.top(top);
        }
        options.check()?;
        Ok(options)
    }
}

/// A time bound as an instant in UTC (`Z`), whatever offset it was written with.
fn utc(at: &Timestamp) -> Result<Timestamp, Error> {
    let value = at.value().ok_or_else(|| {
        Error::from(InvalidInput::new(
            "a time bound of the provisioning logs must be a real instant, not the unset timestamp",
        ))
    })?;
    Ok(Timestamp::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_criterion_renders_its_documented_operator() {
        let at = Timestamp::parse("2026-11-29T10:00:00+01:00").unwrap();
        let cases = [
            (LogFilter::Id(TextMatch::equals("e")), "id eq 'e'"),
            (
                LogFilter::JobId(TextMatch::contains("scim")),
                "contains(jobId,'scim')",
            ),
            (LogFilter::CycleId(TextMatch::equals("c")), "cycleId eq 'c'"),
            (
                LogFilter::ChangeId(TextMatch::equals("x")),
                "changeId eq 'x'",
            ),
            (
                LogFilter::TenantId(TextMatch::equals("t")),
                "tenantId eq 't'",
            ),
            (
                LogFilter::service_principal_id("sp"),
                "servicePrincipal/id eq 'sp'",
            ),
            (
                LogFilter::ServicePrincipalName("Contoso".into()),
                "servicePrincipal/displayName eq 'Contoso'",
            ),
            (
                LogFilter::SourceIdentityId(TextMatch::equals("u")),
                "sourceIdentity/id eq 'u'",
            ),
            (
                LogFilter::SourceIdentityName(TextMatch::contains("Al")),
                "contains(sourceIdentity/displayName,'Al')",
            ),
            (
                LogFilter::SourceIdentityType(TextMatch::equals("User")),
                "sourceIdentity/identityType eq 'User'",
            ),
            (
                LogFilter::TargetIdentityId(TextMatch::equals("7")),
                "targetIdentity/id eq '7'",
            ),
            (
                LogFilter::TargetIdentityName(TextMatch::equals("a")),
                "targetIdentity/displayName eq 'a'",
            ),
            (
                LogFilter::TargetIdentityType(TextMatch::equals("Group")),
                "targetIdentity/identityType eq 'Group'",
            ),
            (
                LogFilter::SourceSystemName(TextMatch::equals("Azure Active Directory")),
                "sourceSystem/displayName eq 'Azure Active Directory'",
            ),
            (
                LogFilter::TargetSystemName(TextMatch::contains("SCIM")),
                "contains(targetSystem/displayName,'SCIM')",
            ),
            (
                LogFilter::InitiatedByName(TextMatch::equals("me")),
                "initiatedBy/displayName eq 'me'",
            ),
            (
                LogFilter::Action(ProvisioningAction::StagedDelete),
                "provisioningAction eq 'stagedDelete'",
            ),
            (
                LogFilter::Status(ProvisioningResult::Skipped),
                "provisioningStatusInfo/status eq 'skipped'",
            ),
            (
                LogFilter::After(at.clone()),
                "activityDateTime gt 2026-11-29T09:00:00Z",
            ),
            (
                LogFilter::Before(at),
                "activityDateTime lt 2026-11-29T09:00:00Z",
            ),
        ];
        for (filter, expected) in cases {
            let text = LogQuery::new()
                .filter(filter)
                .filter_text()
                .unwrap()
                .unwrap();
            assert_eq!(text, expected);
        }
    }

    #[test]
    fn values_are_quoted_criteria_joined_and_bad_queries_refused() {
        let query = LogQuery::new()
            .filter(LogFilter::SourceIdentityName(TextMatch::equals(
                "O'Brien & Co",
            )))
            .filter(LogFilter::Status(ProvisioningResult::Failure))
            .order(LogOrder::NewestFirst)
            .top(5000);
        assert_eq!(
            query.filter_text().unwrap().unwrap(),
            "sourceIdentity/displayName eq 'O''Brien & Co' and provisioningStatusInfo/status eq 'failure'"
        );
        let mut url =
            Url::parse("https://graph.microsoft.com/v1.0/auditLogs/provisioning").unwrap();
        query.to_list_query().unwrap().apply(&mut url);
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("$filter".to_owned(), query.filter_text().unwrap().unwrap()),
                ("$orderby".to_owned(), "activityDateTime desc".to_owned()),
                ("$top".to_owned(), "5000".to_owned()),
            ]
        );
        assert_eq!(LogQuery::new().filter_text().unwrap(), None);
        assert!(LogQuery::new().top(0).to_list_query().is_err());
        assert!(
            LogQuery::new()
                .filter(LogFilter::After(Timestamp::unset()))
                .filter_text()
                .is_err()
        );
    }
}
