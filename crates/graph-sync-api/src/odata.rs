//! OData system query options for lists: a typed [`Filter`] and the [`ListQuery`] that carries
//! it with `$select`, `$top`, `$orderby`, `$search` and `$count`.
//!
//! Values are quoted and escaped here (a `'` in a display name is doubled), and the query
//! string is percent-encoded when it is put on the URL, so no caller writes OData syntax by
//! hand. A property name that is not an OData path (`displayName`, `servicePrincipal/id`) makes
//! the query invalid: the operation that takes it refuses it before sending anything.
//!
//! ```
//! use graph_sync_api::odata::{Filter, ListQuery, Order};
//!
//! let query = ListQuery::new()
//!     .filter(Filter::starts_with("displayName", "Contoso").and(Filter::eq("accountEnabled", true)))
//!     .select(["id", "appId", "displayName"])
//!     .order_by("displayName", Order::Ascending)
//!     .top(50);
//! assert_eq!(
//!     query.filter_text(),
//!     Some("startswith(displayName,'Contoso') and accountEnabled eq true")
//! );
//! assert!(query.needs_eventual_consistency()); // $orderby with $filter is an advanced query
//! ```

use std::fmt;

use graph_sync_model::Timestamp;
use url::Url;

use crate::error::InvalidInput;

/// A value compared in a [`Filter`]: written as OData literals are (`'text'` with `'`
/// doubled, `true`, `42`, an unquoted timestamp, `null`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FilterValue {
    /// A string, quoted.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// A point in time (`Edm.DateTimeOffset`), unquoted as OData writes it.
    Timestamp(Timestamp),
    /// `null`.
    Null,
}

impl FilterValue {
    fn write(&self, out: &mut String) {
        match self {
            Self::Text(text) => {
                out.push('\'');
                out.push_str(&text.replace('\'', "''"));
                out.push('\'');
            }
            Self::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Self::Integer(value) => out.push_str(&value.to_string()),
            Self::Timestamp(value) => out.push_str(value.as_str()),
            Self::Null => out.push_str("null"),
        }
    }
}

impl From<&str> for FilterValue {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for FilterValue {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&String> for FilterValue {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

impl From<bool> for FilterValue {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<i64> for FilterValue {
    fn from(value: i64) -> Self {
        Self::Integer(value)
    }
}

impl From<u32> for FilterValue {
    fn from(value: u32) -> Self {
        Self::Integer(i64::from(value))
    }
}

impl From<Timestamp> for FilterValue {
    fn from(value: Timestamp) -> Self {
        Self::Timestamp(value)
    }
}

/// A `$filter` expression, built from comparisons joined with `and`/`or`.
///
/// Each comparison checks its property name; a bad one is kept as the filter's problem and
/// reported by [`ListQuery::check`] (and so by every operation, before sending).
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    text: String,
    problem: Option<String>,
    /// Whether the text is a single comparison or call (no parentheses needed to combine it).
    atomic: bool,
}

impl Filter {
    fn comparison(property: &str, operator: &str, value: FilterValue) -> Self {
        let mut text = String::with_capacity(property.len().saturating_add(16));
        text.push_str(property);
        text.push(' ');
        text.push_str(operator);
        text.push(' ');
        value.write(&mut text);
        Self {
            text,
            problem: check_property(property),
            atomic: true,
        }
    }

    fn call(function: &str, property: &str, value: FilterValue) -> Self {
        let mut text = format!("{function}({property},");
        value.write(&mut text);
        text.push(')');
        Self {
            text,
            problem: check_property(property),
            atomic: true,
        }
    }

    /// `property eq value`.
    #[must_use]
    pub fn eq(property: &str, value: impl Into<FilterValue>) -> Self {
        Self::comparison(property, "eq", value.into())
    }

    /// `property ne value`.
    #[must_use]
    pub fn ne(property: &str, value: impl Into<FilterValue>) -> Self {
        Self::comparison(property, "ne", value.into())
    }

    /// `property gt value`.
    #[must_use]
    pub fn gt(property: &str, value: impl Into<FilterValue>) -> Self {
        Self::comparison(property, "gt", value.into())
    }

    /// `property ge value`.
    #[must_use]
    pub fn ge(property: &str, value: impl Into<FilterValue>) -> Self {
        Self::comparison(property, "ge", value.into())
    }

    /// `property lt value`.
    #[must_use]
    pub fn lt(property: &str, value: impl Into<FilterValue>) -> Self {
        Self::comparison(property, "lt", value.into())
    }

    /// `property le value`.
    #[must_use]
    pub fn le(property: &str, value: impl Into<FilterValue>) -> Self {
        Self::comparison(property, "le", value.into())
    }

    /// `startswith(property,'text')`.
    #[must_use]
    pub fn starts_with(property: &str, text: &str) -> Self {
        Self::call("startswith", property, FilterValue::from(text))
    }

    /// `contains(property,'text')` (where the resource supports it, e.g. provisioning logs).
    #[must_use]
    pub fn contains(property: &str, text: &str) -> Self {
        Self::call("contains", property, FilterValue::from(text))
    }

    /// `collection/any(x:x eq value)`: a multi-valued property holds `value` (e.g. `tags`,
    /// `servicePrincipalNames`).
    #[must_use]
    pub fn any_eq(collection: &str, value: impl Into<FilterValue>) -> Self {
        let mut text = format!("{collection}/any(x:x eq ");
        value.into().write(&mut text);
        text.push(')');
        Self {
            text,
            problem: check_property(collection),
            atomic: true,
        }
    }

    fn join(self, operator: &str, other: Self) -> Self {
        let text = format!(
            "{} {operator} {}",
            self.grouped_for(operator),
            other.grouped_for(operator)
        );
        let problem = self.problem.or(other.problem);
        Self {
            text,
            problem,
            atomic: false,
        }
    }

    /// The text, in parentheses when it combines terms with another operator than `operator`.
    fn grouped_for(&self, operator: &str) -> String {
        let same = !self.atomic && self.top_level_operator() == Some(operator);
        if self.atomic || same {
            self.text.clone()
        } else {
            format!("({})", self.text)
        }
    }

    fn top_level_operator(&self) -> Option<&'static str> {
        if self.text.starts_with("not ") {
            None
        } else if split_top_level(&self.text, " or ") {
            Some("or")
        } else if split_top_level(&self.text, " and ") {
            Some("and")
        } else {
            None
        }
    }

    /// `self and other`.
    #[must_use]
    pub fn and(self, other: Self) -> Self {
        self.join("and", other)
    }

    /// `self or other`.
    #[must_use]
    pub fn or(self, other: Self) -> Self {
        self.join("or", other)
    }

    /// A filter written by hand, sent as given (for operators this type does not build).
    /// Nothing is checked but that it is not empty.
    #[must_use]
    pub fn raw(text: impl Into<String>) -> Self {
        let text = text.into();
        let problem = text
            .trim()
            .is_empty()
            .then(|| "the $filter text is empty".to_owned());
        Self {
            text,
            problem,
            atomic: false,
        }
    }

    /// The `$filter` text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::ops::Not for Filter {
    type Output = Self;

    /// `not (self)`.
    fn not(self) -> Self {
        Self {
            text: format!("not ({})", self.text),
            problem: self.problem,
            atomic: true,
        }
    }
}

/// Whether `separator` occurs in `text` outside parentheses and quotes.
fn split_top_level(text: &str, separator: &str) -> bool {
    let mut depth = 0_usize;
    let mut quoted = false;
    for (index, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth = depth.saturating_add(1),
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ if !quoted && depth == 0 && text[index..].starts_with(separator) => return true,
            _ => {}
        }
    }
    false
}

/// Why `property` cannot name a property: OData paths are identifiers joined by `/`.
fn check_property(property: &str) -> Option<String> {
    let valid = !property.is_empty()
        && property.split('/').all(|segment| {
            let mut chars = segment.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '@')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        });
    (!valid).then(|| {
        format!(
            "{:?} is not a property name (letters, digits and `_`, paths joined by `/`)",
            crate::redact::sanitize(property)
        )
    })
}

/// The direction of an `$orderby` term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Order {
    /// `asc` (OData's default).
    Ascending,
    /// `desc`.
    Descending,
}

/// The query options of a list request. Only what is set is sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    filter: Option<Filter>,
    select: Vec<String>,
    top: Option<u32>,
    order_by: Vec<(String, Order)>,
    search: Option<String>,
    count: bool,
}

impl ListQuery {
    /// No options: the whole list, every default property.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// `$filter`.
    #[must_use]
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// `$select`: only these properties.
    #[must_use]
    pub fn select<I, S>(mut self, properties: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.select.extend(properties.into_iter().map(Into::into));
        self
    }

    /// `$top`: the page size the service is asked for (Graph caps it per resource, e.g. 999
    /// for service principals). Paging still follows every page.
    #[must_use]
    pub fn top(mut self, top: u32) -> Self {
        self.top = Some(top);
        self
    }

    /// Adds an `$orderby` term.
    #[must_use]
    pub fn order_by(mut self, property: impl Into<String>, order: Order) -> Self {
        self.order_by.push((property.into(), order));
        self
    }

    /// `$search="property:text"` (directory objects; needs `ConsistencyLevel: eventual`,
    /// which the request then carries).
    #[must_use]
    pub fn search(mut self, property: &str, text: &str) -> Self {
        self.search = Some(format!("\"{property}:{}\"", text.replace('"', "\\\"")));
        self
    }

    /// `$count=true`: the answer carries `@odata.count` (directory objects; needs
    /// `ConsistencyLevel: eventual`, which the request then carries).
    #[must_use]
    pub fn count(mut self) -> Self {
        self.count = true;
        self
    }

    /// The `$filter` text, when there is one.
    #[must_use]
    pub fn filter_text(&self) -> Option<&str> {
        self.filter.as_ref().map(Filter::as_str)
    }

    /// Whether Graph needs `ConsistencyLevel: eventual` for this query on directory objects:
    /// `$search`, `$count`, or `$orderby` together with `$filter` (Graph's "advanced
    /// queries").
    #[must_use]
    pub fn needs_eventual_consistency(&self) -> bool {
        self.search.is_some() || self.count || (!self.order_by.is_empty() && self.filter.is_some())
    }

    /// Checks the options before anything is sent.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`] naming the bad property name, an empty `$select` entry, or a `$top`
    /// of zero.
    pub fn check(&self) -> Result<(), InvalidInput> {
        if let Some(problem) = self.filter.as_ref().and_then(|f| f.problem.as_ref()) {
            return Err(InvalidInput::new(format!("$filter: {problem}")));
        }
        for property in self
            .select
            .iter()
            .chain(self.order_by.iter().map(|(property, _)| property))
        {
            if let Some(problem) = check_property(property) {
                return Err(InvalidInput::new(format!("$select/$orderby: {problem}")));
            }
        }
        if self.top == Some(0) {
            return Err(InvalidInput::new(
                "$top must be at least 1 (leave it out for the service's page size)",
            ));
        }
        Ok(())
    }

    /// Puts the options on `url`'s query string, percent-encoded.
    pub(crate) fn apply(&self, url: &mut Url) {
        let mut pairs = url.query_pairs_mut();
        if let Some(filter) = &self.filter {
            pairs.append_pair("$filter", filter.as_str());
        }
        if !self.select.is_empty() {
            pairs.append_pair("$select", &self.select.join(","));
        }
        if !self.order_by.is_empty() {
            let terms: Vec<String> = self
                .order_by
                .iter()
                .map(|(property, order)| match order {
                    Order::Ascending => property.clone(),
                    Order::Descending => format!("{property} desc"),
                })
                .collect();
            pairs.append_pair("$orderby", &terms.join(","));
        }
        if let Some(search) = &self.search {
            pairs.append_pair("$search", search);
        }
        if self.count {
            pairs.append_pair("$count", "true");
        }
        if let Some(top) = self.top {
            pairs.append_pair("$top", &top.to_string());
        }
        drop(pairs);
        if url.query() == Some("") {
            url.set_query(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_and_escaped_as_odata_literals() {
        assert_eq!(
            Filter::eq("displayName", "O'Brien's app").as_str(),
            "displayName eq 'O''Brien''s app'"
        );
        assert_eq!(
            Filter::eq("accountEnabled", false).as_str(),
            "accountEnabled eq false"
        );
        assert_eq!(Filter::ne("x", FilterValue::Null).as_str(), "x ne null");
        let at = Timestamp::parse("2026-11-29T10:00:00Z").unwrap();
        assert_eq!(
            Filter::gt("activityDateTime", at).as_str(),
            "activityDateTime gt 2026-11-29T10:00:00Z"
        );
        assert_eq!(
            Filter::any_eq("tags", "WindowsAzureActiveDirectoryIntegratedApp").as_str(),
            "tags/any(x:x eq 'WindowsAzureActiveDirectoryIntegratedApp')"
        );
    }

    #[test]
    fn combinations_are_parenthesised_only_where_precedence_needs_it() {
        let a = || Filter::eq("a", 1_i64);
        let b = || Filter::eq("b", 2_i64);
        let c = || Filter::eq("c", 3_i64);
        assert_eq!(
            a().and(b()).and(c()).as_str(),
            "a eq 1 and b eq 2 and c eq 3"
        );
        assert_eq!(
            a().or(b()).and(c()).as_str(),
            "(a eq 1 or b eq 2) and c eq 3"
        );
        assert_eq!(
            a().and(b()).or(c()).as_str(),
            "(a eq 1 and b eq 2) or c eq 3"
        );
        assert_eq!((!a().or(b())).as_str(), "not (a eq 1 or b eq 2)");
        // An `and` inside a quoted value is not an operator.
        let quoted = Filter::eq("displayName", "x and y").or(c());
        assert_eq!(quoted.as_str(), "displayName eq 'x and y' or c eq 3");
    }

    #[test]
    fn bad_property_names_are_refused_before_sending() {
        for bad in ["", "display name", "a eq 1 or b", "x/", "1abc", "a'b"] {
            let query = ListQuery::new().filter(Filter::eq(bad, "v"));
            assert!(query.check().is_err(), "{bad:?}");
            let query = ListQuery::new().select([bad]);
            assert!(query.check().is_err(), "{bad:?}");
        }
        assert!(ListQuery::new().top(0).check().is_err());
        assert!(ListQuery::new().filter(Filter::raw("  ")).check().is_err());
        let good = ListQuery::new()
            .filter(Filter::eq("servicePrincipal/id", "x").and(Filter::raw("a eq 1")))
            .select(["id", "appId"]);
        assert!(good.check().is_ok());
    }

    #[test]
    fn options_go_on_the_url_percent_encoded_and_only_when_set() {
        let mut url = Url::parse("https://graph.microsoft.com/v1.0/servicePrincipals").unwrap();
        ListQuery::new().apply(&mut url);
        assert_eq!(url.query(), None);
        let query = ListQuery::new()
            .filter(Filter::eq("displayName", "A&B #1"))
            .select(["id", "displayName"])
            .search("displayName", "Con\"toso")
            .order_by("displayName", Order::Descending)
            .count()
            .top(5);
        query.apply(&mut url);
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("$filter", "displayName eq 'A&B #1'"),
                ("$select", "id,displayName"),
                ("$orderby", "displayName desc"),
                ("$search", "\"displayName:Con\\\"toso\""),
                ("$count", "true"),
                ("$top", "5"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert!(!url.as_str().contains(' ') && !url.as_str().contains('#'));
        assert!(query.needs_eventual_consistency());
        assert!(
            !ListQuery::new()
                .filter(Filter::eq("a", 1_i64))
                .needs_eventual_consistency()
        );
    }
}
