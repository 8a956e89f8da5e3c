//! OData query options, read and applied as the service does: names case-insensitive and the
//! `$` optional for system options; a repeated option, an unknown `$`-option, one the
//! operation does not take, or a malformed value is `400 BadRequest` with the OData
//! reader's wording. Lists honour `$filter`, `$orderby`, `$top`, `$skiptoken` (the emulator's
//! own next links), `$count` and `$select`; single entities `$select` (and a validated
//! `$expand`, answered as the entity is: contained navigation properties already inline).

use std::cmp::Ordering;

use serde_json::{Map, Value};

use axum::http::StatusCode;

use super::filter::Filter;
pub(crate) use super::properties::{Properties, lookup};
use super::search::Search;
use crate::error::GraphError;

/// The system query options OData defines (without `$`, lower case).
const SYSTEM: &[&str] = &[
    "select",
    "expand",
    "filter",
    "orderby",
    "top",
    "skip",
    "count",
    "search",
    "format",
    "skiptoken",
    "deltatoken",
    "apply",
    "compute",
    "index",
    "levels",
    "id",
    "schemaversion",
];

/// Which options an operation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Takes {
    /// A collection of entities or complex values of a type.
    List,
    /// A collection of directory objects (service principals, applications): also
    /// `$search`, and `$top` is the page size (1 to 999), as the directory pages.
    Directory,
    /// One entity.
    Entity,
    /// Anything else (actions, writes): no query options.
    Nothing,
}

/// The options of one request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    /// `$select`, in request order.
    pub(crate) select: Option<Vec<String>>,
    /// `$filter`.
    pub(crate) filter: Option<Filter>,
    /// `$orderby`: property path and descending.
    pub(crate) orderby: Vec<(Vec<String>, bool)>,
    /// `$top`.
    pub(crate) top: Option<usize>,
    /// `$skiptoken`.
    pub(crate) skip: usize,
    /// `$count=true`.
    pub(crate) count: bool,
    /// `$search` (directory lists).
    pub(crate) search: Option<Search>,
    /// The raw pairs (name as sent, raw value) but `$skiptoken`, for next links.
    pub(crate) carried: Vec<(String, String)>,
}

/// Percent-decodes a query component (`+` is a space).
pub(crate) fn decode(text: &str) -> Result<String, GraphError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'%' => {
                let hex = bytes
                    .get(index + 1..index + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        GraphError::bad_request("The query string is not valid percent-encoding.")
                    })?;
                out.push(hex);
                index += 3;
            }
            b'+' => {
                out.push(b' ');
                index += 1;
            }
            other => {
                out.push(other);
                index += 1;
            }
        }
    }
    String::from_utf8(out)
        .map_err(|_| GraphError::bad_request("The query string is not valid UTF-8."))
}

/// `Query option 'Top' was specified more than once…`: the reader's casing of the name.
fn pascal(name: &str) -> String {
    match name {
        "orderby" => "OrderBy".to_owned(),
        "skiptoken" => "SkipToken".to_owned(),
        other => {
            let mut chars = other.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        }
    }
}

/// The property names `$select` or `$orderby` name must exist.
fn could_not_find(name: &str, of: &dyn Properties) -> GraphError {
    GraphError::bad_request(format!(
        "Could not find a property named '{name}' on type '{}'.",
        of.type_name()
    ))
}

impl Query {
    /// Reads the options of `raw` (the URI's query) for an operation that `takes` them, on
    /// items described by `of`.
    pub(crate) fn parse(
        raw: Option<&str>,
        takes: Takes,
        of: Option<&dyn Properties>,
    ) -> Result<Self, GraphError> {
        let mut query = Self::default();
        let mut seen: Vec<&'static str> = Vec::new();
        for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(raw_name)?;
            let lower = name.to_ascii_lowercase();
            let bare = lower.strip_prefix('$').unwrap_or(&lower);
            let Some(&system) = SYSTEM.iter().find(|s| **s == bare) else {
                if lower.starts_with('$') {
                    return Err(GraphError::bad_request(format!(
                        "The query parameter '{name}' is not supported."
                    )));
                }
                // A custom query option: OData leaves it to the service, which ignores it.
                continue;
            };
            if seen.contains(&system) {
                return Err(GraphError::bad_request(format!(
                    "Query option '{}' was specified more than once, but it must be specified at most once.",
                    pascal(system)
                )));
            }
            seen.push(system);
            let value = decode(raw_value)?;
            let allowed = match takes {
                Takes::List => matches!(
                    system,
                    "select" | "filter" | "orderby" | "top" | "skiptoken" | "count"
                ),
                Takes::Directory => matches!(
                    system,
                    "select" | "filter" | "orderby" | "top" | "skiptoken" | "count" | "search"
                ),
                Takes::Entity => matches!(system, "select" | "expand"),
                Takes::Nothing => false,
            };
            if !allowed {
                return Err(GraphError::bad_request(format!(
                    "The query specified in the URI is not valid. Query option '${system}' is not allowed for this request."
                )));
            }
            if system != "skiptoken" {
                query
                    .carried
                    .push((raw_name.to_owned(), raw_value.to_owned()));
            }
            query.apply_option(system, &value, of)?;
            if takes == Takes::Directory && system == "top" {
                check_page_size(&value)?;
            }
        }
        Ok(query)
    }

    /// The directory's rules for its advanced queries, given whether the request carries
    /// `ConsistencyLevel: eventual`: `$search` needs it (`400` otherwise), `$count=true`
    /// without it is ignored (the answer has no `@odata.count`, as Graph answers), `$orderby`
    /// takes `displayName` only, and with `$filter` or `$search` needs the header and
    /// `$count=true`.
    pub(crate) fn directory_rules(&mut self, eventual: bool) -> Result<(), GraphError> {
        if self.search.is_some() && !eventual {
            return Err(GraphError::with_code(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
            ));
        }
        let sorting_unsupported = || {
            GraphError::with_code(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                "Sorting not supported for current query.",
            )
        };
        if !self.orderby.is_empty() {
            if self
                .orderby
                .iter()
                .any(|(path, _)| *path != ["displayName"])
            {
                return Err(sorting_unsupported());
            }
            if (self.filter.is_some() || self.search.is_some()) && !(eventual && self.count) {
                return Err(sorting_unsupported());
            }
        }
        if !eventual {
            self.count = false;
        }
        Ok(())
    }

    fn apply_option(
        &mut self,
        system: &str,
        value: &str,
        of: Option<&dyn Properties>,
    ) -> Result<(), GraphError> {
        match system {
            "top" => {
                let top = value
                    .parse::<u32>()
                    .ok()
                    .and_then(|n| i32::try_from(n).ok())
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| {
                        GraphError::bad_request(format!(
                            "Invalid value '{value}' for $top query option found. The $top query option requires a non-negative integer value."
                        ))
                    })?;
                self.top = Some(top);
            }
            "skiptoken" => {
                self.skip = value
                    .parse::<usize>()
                    .map_err(|_| GraphError::bad_request("The $skiptoken is not valid."))?;
            }
            "count" => {
                self.count = match value {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(GraphError::bad_request(format!(
                            "'{value}' is not a valid count option."
                        )));
                    }
                };
            }
            "select" => {
                let mut names = Vec::new();
                for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    if name != "*"
                        && let Some(of) = of
                        && !of.has(name)
                    {
                        return Err(could_not_find(name, of));
                    }
                    names.push(name.to_owned());
                }
                self.select = Some(names);
            }
            "expand" => {
                for name in value.split(',').map(str::trim) {
                    let name = name.split('(').next().unwrap_or_default().trim();
                    if name == "*" {
                        continue;
                    }
                    if let Some(of) = of
                        && !of.is_navigation(name)
                    {
                        return Err(if of.has(name) {
                            GraphError::bad_request(format!(
                                "Property '{name}' on type '{}' is not a navigation property or complex property. Only navigation properties can be expanded.",
                                of.type_name()
                            ))
                        } else {
                            could_not_find(name, of)
                        });
                    }
                }
            }
            "filter" => self.filter = Some(Filter::parse(value, of)?),
            "search" => self.search = Some(Search::parse(value, of)?),
            "orderby" => {
                for clause in value.split(',') {
                    let mut words = clause.split_whitespace();
                    let path = words.next().ok_or_else(|| {
                        GraphError::bad_request(format!(
                            "Syntax error: '{value}' has an empty $orderby clause."
                        ))
                    })?;
                    let descending = match words.next() {
                        None | Some("asc") => false,
                        Some("desc") => true,
                        Some(other) => {
                            return Err(GraphError::bad_request(format!(
                                "Syntax error: character '{other}' is not valid at this point in '{value}'."
                            )));
                        }
                    };
                    if words.next().is_some() {
                        return Err(GraphError::bad_request(format!(
                            "Syntax error at the end of '{value}'."
                        )));
                    }
                    let steps: Vec<String> = path.split('/').map(str::to_owned).collect();
                    if let (Some(of), Some(first)) = (of, steps.first())
                        && !of.has(first)
                    {
                        return Err(could_not_find(first, of));
                    }
                    self.orderby.push((steps, descending));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Applies `$filter`, `$orderby`, `$top`, `$skiptoken` and `$select` to the whole list;
    /// returns the page (at most `page_size`), the offset of the next page if more follow,
    /// and the count before paging.
    pub(crate) fn page(
        &self,
        items: Vec<Value>,
        page_size: usize,
    ) -> (Vec<Value>, Option<usize>, usize) {
        let mut items: Vec<Value> = match &self.filter {
            Some(filter) => items
                .into_iter()
                .filter(|item| filter.matches(item))
                .collect(),
            None => items,
        };
        if let Some(search) = &self.search {
            items.retain(|item| search.matches(item));
        }
        if !self.orderby.is_empty() {
            items.sort_by(|a, b| {
                self.orderby
                    .iter()
                    .map(|(path, descending)| {
                        let order = compare(lookup(a, path), lookup(b, path));
                        if *descending { order.reverse() } else { order }
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            });
        }
        let total = items.len();
        let end = self.top.map_or(total, |top| top.min(total));
        let page_end = self.skip.saturating_add(page_size.max(1)).min(end);
        let page: Vec<Value> = items
            .into_iter()
            .take(page_end)
            .skip(self.skip)
            .map(|item| self.project(item))
            .collect();
        let next = (page_end < end).then_some(page_end);
        (page, next, total)
    }

    /// `$select` applied to one item: the selected properties, `id` and annotations.
    pub(crate) fn project(&self, item: Value) -> Value {
        let Some(select) = &self.select else {
            return item;
        };
        if select.is_empty() || select.iter().any(|s| s == "*") {
            return item;
        }
        let Value::Object(object) = item else {
            return item;
        };
        let kept: Map<String, Value> = object
            .into_iter()
            .filter(|(key, _)| key == "id" || key.starts_with('@') || select.contains(key))
            .collect();
        Value::Object(kept)
    }
}

/// `$top` on a directory list is the page size: 1 to 999.
fn check_page_size(value: &str) -> Result<(), GraphError> {
    match value.parse::<u32>() {
        Ok(1..=999) => Ok(()),
        _ => Err(GraphError::with_code(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            format!("Invalid page size specified: '{value}'. Must be between 1 and 999 inclusive."),
        )),
    }
}

/// OData's order: null first, then by value (strings case-insensitively).
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    struct Job;
    impl Properties for Job {
        fn type_name(&self) -> String {
            "microsoft.graph.synchronizationJob".to_owned()
        }
        fn has(&self, name: &str) -> bool {
            ["id", "templateId", "schedule", "status", "schema"].contains(&name)
        }
        fn is_navigation(&self, name: &str) -> bool {
            name == "schema"
        }
    }

    fn error(raw: &str, takes: Takes) -> String {
        Query::parse(Some(raw), takes, Some(&Job))
            .unwrap_err()
            .message()
            .to_owned()
    }

    #[test]
    fn malformed_unknown_and_repeated_options_are_refused() {
        assert!(error("$top=abc", Takes::List).starts_with("Invalid value 'abc' for $top"));
        assert!(error("$top=-1", Takes::List).starts_with("Invalid value '-1'"));
        assert!(error("$top=1&top=2", Takes::List).contains("'Top' was specified more than once"));
        assert!(error("$select=false", Takes::List).contains("property named 'false'"));
        assert!(error("$expand=foo", Takes::Entity).contains("property named 'foo'"));
        assert!(error("$expand=templateId", Takes::Entity).contains("not a navigation"));
        assert!(error("$foo=1", Takes::List).contains("'$foo' is not supported"));
        assert!(error("$top=1", Takes::Entity).contains("not allowed"));
        assert!(error("$select=id", Takes::Nothing).contains("not allowed"));
        assert!(error("$filter=zzz", Takes::List).contains("zzz"));
        assert!(error("$orderby=id sideways", Takes::List).contains("sideways"));
        assert!(error("%24top=%zz", Takes::List).contains("percent"));
        Query::parse(
            Some("foo=1&%24TOP=2&$Select=id,templateId"),
            Takes::List,
            Some(&Job),
        )
        .unwrap();
        Query::parse(Some("$expand=schema&select=id"), Takes::Entity, Some(&Job)).unwrap();
    }

    #[test]
    fn lists_are_filtered_ordered_cut_paged_and_projected() {
        let items: Vec<Value> = (0..5)
            .map(|n| json!({"id": format!("j{n}"), "templateId": if n % 2 == 0 { "even" } else { "odd" }, "status": {"n": n}}))
            .collect();
        let query = Query::parse(
            Some("$filter=templateId%20eq%20'even'&$orderby=id%20desc&$top=2&$select=templateId"),
            Takes::List,
            Some(&Job),
        )
        .unwrap();
        let (page, next, total) = query.page(items.clone(), 1);
        assert_eq!(total, 3);
        assert_eq!(page, vec![json!({"id": "j4", "templateId": "even"})]);
        assert_eq!(next, Some(1));
        let second = Query {
            skip: 1,
            ..query.clone()
        };
        let (page, next, _) = second.page(items.clone(), 1);
        assert_eq!(page, vec![json!({"id": "j2", "templateId": "even"})]);
        assert_eq!(next, None, "$top=2 ends the list");
        let (all, next, _) = Query::default().page(items, 10);
        assert_eq!((all.len(), next), (5, None));
        assert_eq!(query.carried.len(), 4);
    }
}
