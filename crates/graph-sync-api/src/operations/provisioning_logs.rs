//! `/auditLogs/provisioning`: the provisioning logs (v1.0), listed with a `$filter` built
//! from typed criteria, `$orderby`, `$top`, and paged as a stream.
//!
//! The service documents `eq`, `contains`, `gt` and `lt` for this list, all case-sensitive,
//! and which property takes which: a [`LogFilter`] can only express what is documented
//! (`contains` on the service principal is not, so [`LogFilter::service_principal_id`] takes a
//! value, not a [`TextMatch`]). Text values are quoted with `'` doubled, timestamps written as
//! OData `DateTimeOffset` literals in UTC, and the whole query percent-encoded with `%20` for a
//! space. The logs are not available in the China cloud (21Vianet): a call there is refused
//! before anything is sent.

use std::fmt::Write as _;

use graph_sync_model::audit::ProvisioningObjectSummary;
use graph_sync_model::{ProvisioningAction, ProvisioningResult, Timestamp};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

use crate::client::GraphSyncClient;
use crate::error::{Error, InvalidInput, InvalidInputKind};
use crate::operations::Resource;
use crate::operations::paging::{self, ItemStream};

/// What a query value keeps unencoded: unreserved characters and the OData punctuation
/// that is safe in a query (`(),/:`). Everything else, space and `'` included, is `%XX`.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'(')
    .remove(b')')
    .remove(b',')
    .remove(b'/')
    .remove(b':');

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
        let mut url = self.resource.url()?;
        let text = query.to_query_string()?;
        if !text.is_empty() {
            url.set_query(Some(&text));
        }
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

    fn render(&self, property: &str, out: &mut String) {
        match self {
            Self::Equals(value) => {
                let _ = write!(out, "{property} eq {}", quote(value));
            }
            Self::Contains(value) => {
                let _ = write!(out, "contains({property},{})", quote(value));
            }
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

    fn render(&self, out: &mut String) -> Result<(), Error> {
        match self {
            Self::Id(m) => m.render("id", out),
            Self::JobId(m) => m.render("jobId", out),
            Self::CycleId(m) => m.render("cycleId", out),
            Self::ChangeId(m) => m.render("changeId", out),
            Self::TenantId(m) => m.render("tenantId", out),
            Self::ServicePrincipalId(id) => {
                TextMatch::equals(id).render("servicePrincipal/id", out)
            }
            Self::ServicePrincipalName(name) => {
                TextMatch::equals(name).render("servicePrincipal/displayName", out);
            }
            Self::SourceIdentityId(m) => m.render("sourceIdentity/id", out),
            Self::SourceIdentityName(m) => m.render("sourceIdentity/displayName", out),
            Self::SourceIdentityType(m) => m.render("sourceIdentity/identityType", out),
            Self::TargetIdentityId(m) => m.render("targetIdentity/id", out),
            Self::TargetIdentityName(m) => m.render("targetIdentity/displayName", out),
            Self::TargetIdentityType(m) => m.render("targetIdentity/identityType", out),
            Self::SourceSystemName(m) => m.render("sourceSystem/displayName", out),
            Self::TargetSystemName(m) => m.render("targetSystem/displayName", out),
            Self::InitiatedByName(m) => m.render("initiatedBy/displayName", out),
            Self::Action(action) => {
                TextMatch::equals(action.as_str()).render("provisioningAction", out);
            }
            Self::Status(status) => {
                TextMatch::equals(status.as_str()).render("provisioningStatusInfo/status", out);
            }
            Self::After(at) => {
                let _ = write!(out, "activityDateTime gt {}", instant(at)?);
            }
            Self::Before(at) => {
                let _ = write!(out, "activityDateTime lt {}", instant(at)?);
            }
        }
        Ok(())
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
    /// `activityDateTime asc`: the order in which `--follow` reads.
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

    /// The `$filter` text, unencoded, or `None` without criteria.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a time bound that is the "not set" timestamp.
    pub fn filter_text(&self) -> Result<Option<String>, Error> {
        if self.filters.is_empty() {
            return Ok(None);
        }
        let mut text = String::new();
        for (index, filter) in self.filters.iter().enumerate() {
            if index > 0 {
                text.push_str(" and ");
            }
            filter.render(&mut text)?;
        }
        Ok(Some(text))
    }

    /// The query string (`$filter=…&$orderby=…&$top=…`), percent-encoded.
    ///
    /// # Errors
    ///
    /// As [`filter_text`](Self::filter_text); [`Error::InvalidInput`] for `$top` of 0.
    pub fn to_query_string(&self) -> Result<String, Error> {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(filter) = self.filter_text()? {
            pairs.push(("$filter", filter));
        }
        match self.order {
            LogOrder::Service => {}
            LogOrder::NewestFirst => pairs.push(("$orderby", "activityDateTime desc".to_owned())),
            LogOrder::OldestFirst => pairs.push(("$orderby", "activityDateTime asc".to_owned())),
        }
        if let Some(top) = self.top {
            if top == 0 {
                return Err(InvalidInput::new("$top must be at least 1").into());
            }
            pairs.push(("$top", top.to_string()));
        }
        let mut text = String::new();
        for (name, value) in pairs {
            if !text.is_empty() {
                text.push('&');
            }
            text.push_str(name);
            text.push('=');
            text.extend(utf8_percent_encode(&value, QUERY_VALUE));
        }
        Ok(text)
    }
}

/// An OData string literal: in single quotes, a quote doubled.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// An OData `DateTimeOffset` literal (unquoted), in UTC.
fn instant(at: &Timestamp) -> Result<String, Error> {
    let value = at.value().ok_or_else(|| {
        Error::from(InvalidInput::new(
            "a time bound of the provisioning logs must be a real instant, not the unset timestamp",
        ))
    })?;
    Ok(Timestamp::from(value).as_str().to_owned())
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
    fn values_are_quoted_and_the_query_is_percent_encoded() {
        let query = LogQuery::new()
            .filter(LogFilter::SourceIdentityName(TextMatch::equals(
                "O'Brien & Co #1+2%",
            )))
            .order(LogOrder::NewestFirst)
            .top(5000);
        assert_eq!(
            query.to_query_string().unwrap(),
            "$filter=sourceIdentity/displayName%20eq%20%27O%27%27Brien%20%26%20Co%20%231%2B2%25%27\
             &$orderby=activityDateTime%20desc&$top=5000"
        );
        assert_eq!(LogQuery::new().to_query_string().unwrap(), "");
        assert!(LogQuery::new().top(0).to_query_string().is_err());
        assert!(
            LogQuery::new()
                .filter(LogFilter::After(Timestamp::unset()))
                .filter_text()
                .is_err()
        );
    }
}
