//! [`SchemaPlan::between`]: the difference between two schemas, at the level admins think in:
//! rules, object mappings (added, removed, switched on or off), attribute mappings (source
//! expression → target attribute, flow behaviour and type, matching priority, default value),
//! scoping filters (groups of clauses added or removed), and directory, object and attribute
//! definitions.
//!
//! The comparison is on the wire form: a property that is absent on one side and `null` on the
//! other is a change, as it is for the service. Lists are matched by what identifies their
//! items (a rule by id, an object mapping by its source and target object, an attribute
//! mapping by its target attribute, definitions by name), not by position, so reordering is
//! not reported as removal and addition.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::schema::SynchronizationSchema;

/// What happened to a part of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ChangeKind {
    /// The part is only in the second schema.
    Added,
    /// The part is only in the first schema.
    Removed,
    /// A property of the part differs.
    Changed,
}

impl ChangeKind {
    /// `added`, `removed` or `changed`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
        }
    }
}

/// Which part of the schema a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Subject {
    /// The schema's own properties (`version`, annotations…).
    Schema,
    /// A synchronization rule.
    Rule,
    /// An object mapping of a rule.
    ObjectMapping,
    /// An attribute mapping of an object mapping.
    AttributeMapping,
    /// A scoping filter of an object mapping (a group of clauses).
    ScopingFilter,
    /// A directory definition.
    Directory,
    /// An object definition of a directory.
    ObjectDefinition,
    /// An attribute definition of an object definition.
    AttributeDefinition,
}

impl Subject {
    /// The name people read, e.g. `attribute mapping`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schema => "schema",
            Self::Rule => "rule",
            Self::ObjectMapping => "object mapping",
            Self::AttributeMapping => "attribute mapping",
            Self::ScopingFilter => "scoping filter",
            Self::Directory => "directory",
            Self::ObjectDefinition => "object",
            Self::AttributeDefinition => "attribute",
        }
    }
}

/// One difference between two schemas.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SchemaChange {
    /// Added, removed or changed.
    pub change: ChangeKind,
    /// The part of the schema.
    pub subject: Subject,
    /// Where it is: labels from the rule or directory down, e.g.
    /// `["USER_OUTBOUND_USER", "User → urn:…:User", "userName"]`.
    pub path: Vec<String>,
    /// For a change: the property that differs (`source`, `flowBehavior`, `enabled`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// The value in the first schema (`None`: absent there), as JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The value in the second schema (`None`: absent there), as JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    /// The change in a line, e.g. `source: [mailNickname] → [userPrincipalName]`.
    pub detail: String,
}

impl SchemaChange {
    /// The path as one string, `rule / object mapping / attribute`.
    #[must_use]
    pub fn location(&self) -> String {
        self.path.join(" / ")
    }
}

/// The changes that turn one schema into another: what a `PUT` of the second would do to a
/// job holding the first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SchemaPlan {
    /// The changes, in schema order: the schema's own properties, rules (each followed by its
    /// object mappings, their scoping filters and attribute mappings), then directories.
    pub changes: Vec<SchemaChange>,
}

impl SchemaPlan {
    /// The changes from `before` to `after`.
    #[must_use]
    pub fn between(before: &SynchronizationSchema, after: &SynchronizationSchema) -> Self {
        let a = serde_json::to_value(before).unwrap_or(Value::Null);
        let b = serde_json::to_value(after).unwrap_or(Value::Null);
        let mut differ = Differ::default();
        differ.properties(
            Subject::Schema,
            &[],
            &a,
            &b,
            &["synchronizationRules", "directories"],
        );
        differ.list(&[], &a, &b, "synchronizationRules", Level::Rule);
        differ.list(&[], &a, &b, "directories", Level::Directory);
        Self {
            changes: differ.changes,
        }
    }

    /// Whether the two schemas are the same.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes are additions, removals and changes.
    #[must_use]
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |kind| self.changes.iter().filter(|c| c.change == kind).count();
        (
            count(ChangeKind::Added),
            count(ChangeKind::Removed),
            count(ChangeKind::Changed),
        )
    }

    /// The plan without changes to `@odata.*` annotations (which the service writes, e.g.
    /// `@odata.context`, and a read-back carries).
    #[must_use]
    pub fn without_annotations(mut self) -> Self {
        self.changes.retain(|change| {
            !change
                .property
                .as_deref()
                .is_some_and(|p| p.starts_with("@odata."))
        });
        self
    }
}

/// The levels of the schema tree, each with its list property, its children and its label.
#[derive(Debug, Clone, Copy)]
enum Level {
    Rule,
    ObjectMapping,
    AttributeMapping,
    Directory,
    ObjectDefinition,
    AttributeDefinition,
}

impl Level {
    fn subject(self) -> Subject {
        match self {
            Self::Rule => Subject::Rule,
            Self::ObjectMapping => Subject::ObjectMapping,
            Self::AttributeMapping => Subject::AttributeMapping,
            Self::Directory => Subject::Directory,
            Self::ObjectDefinition => Subject::ObjectDefinition,
            Self::AttributeDefinition => Subject::AttributeDefinition,
        }
    }

    /// The properties compared by the level below (or, for `scope`, by the filter diff).
    fn nested(self) -> &'static [&'static str] {
        match self {
            Self::Rule => &["objectMappings"],
            Self::ObjectMapping => &["attributeMappings", "scope"],
            Self::Directory => &["objects"],
            Self::ObjectDefinition => &["attributes"],
            Self::AttributeMapping | Self::AttributeDefinition => &[],
        }
    }

    /// What identifies an item of this level in its list.
    fn key(self, item: &Value) -> String {
        let text = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_owned);
        match self {
            Self::Rule => text("id")
                .or_else(|| text("name"))
                .unwrap_or_else(|| flow(item, "sourceDirectoryName", "targetDirectoryName")),
            Self::ObjectMapping => {
                if item.get("sourceObjectName").is_some() || item.get("targetObjectName").is_some()
                {
                    flow(item, "sourceObjectName", "targetObjectName")
                } else {
                    text("name").unwrap_or_default()
                }
            }
            Self::AttributeMapping => text("targetAttributeName").unwrap_or_default(),
            Self::Directory => text("name").or_else(|| text("id")).unwrap_or_default(),
            Self::ObjectDefinition | Self::AttributeDefinition => text("name").unwrap_or_default(),
        }
    }

    /// The label of an item in a change's path.
    fn label(self, item: &Value) -> String {
        let text = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_owned);
        let label = match self {
            Self::Rule => text("name").or_else(|| text("id")),
            _ => Some(self.key(item)).filter(|k| !k.is_empty()),
        };
        label.unwrap_or_else(|| "(unnamed)".to_owned())
    }

    /// An item in a line, for an addition or removal.
    fn summary(self, item: &Value) -> String {
        let count = |name: &str| item.get(name).and_then(Value::as_array).map_or(0, Vec::len);
        match self {
            Self::Rule => format!(
                "rule {} ({}), {} object mapping(s)",
                self.label(item),
                flow(item, "sourceDirectoryName", "targetDirectoryName"),
                count("objectMappings")
            ),
            Self::ObjectMapping => format!(
                "{} ({}, flow types {}), {} attribute mapping(s)",
                self.label(item),
                match item.get("enabled") {
                    Some(Value::Bool(true)) => "enabled",
                    Some(Value::Bool(false)) => "disabled",
                    _ => "enabled not set",
                },
                item.get("flowTypes")
                    .and_then(Value::as_str)
                    .unwrap_or("Add, Update, Delete (default)"),
                count("attributeMappings")
            ),
            Self::AttributeMapping => attribute_mapping_line(item),
            Self::Directory => format!(
                "directory {}, {} object(s)",
                self.label(item),
                count("objects")
            ),
            Self::ObjectDefinition => format!(
                "object {}, {} attribute(s)",
                self.label(item),
                count("attributes")
            ),
            Self::AttributeDefinition => {
                let mut traits = vec![
                    item.get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("type not set")
                        .to_owned(),
                ];
                for flag in ["anchor", "required", "multivalued"] {
                    if item.get(flag) == Some(&Value::Bool(true)) {
                        traits.push(flag.to_owned());
                    }
                }
                format!("{} ({})", self.label(item), traits.join(", "))
            }
        }
    }

    fn children(self) -> &'static [(&'static str, Self)] {
        match self {
            Self::Rule => &[("objectMappings", Self::ObjectMapping)],
            Self::ObjectMapping => &[("attributeMappings", Self::AttributeMapping)],
            Self::Directory => &[("objects", Self::ObjectDefinition)],
            Self::ObjectDefinition => &[("attributes", Self::AttributeDefinition)],
            Self::AttributeMapping | Self::AttributeDefinition => &[],
        }
    }
}

/// `source → target` of two text properties (`?` where one is missing).
fn flow(item: &Value, source: &str, target: &str) -> String {
    let text = |name: &str| item.get(name).and_then(Value::as_str).unwrap_or("?");
    format!("{} → {}", text(source), text(target))
}

/// An attribute mapping in a line: `SOURCE → target (flow behaviour, …)`.
fn attribute_mapping_line(item: &Value) -> String {
    let mut traits = Vec::new();
    for (name, label) in [
        ("flowBehavior", ""),
        ("flowType", "flow type "),
        ("matchingPriority", "matching "),
        ("defaultValue", "default "),
    ] {
        match item.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if name == "defaultValue" => {
                traits.push(format!("{label}{}", quoted(s)));
            }
            Some(value) => traits.push(format!("{label}{}", show(Some(value)))),
        }
    }
    let source = item
        .get("source")
        .map_or_else(|| "(no source)".to_owned(), expression);
    let target = item
        .get("targetAttributeName")
        .and_then(Value::as_str)
        .unwrap_or("?");
    if traits.is_empty() {
        format!("{source} → {target}")
    } else {
        format!("{source} → {target} ({})", traits.join(", "))
    }
}

/// The text form of an `attributeMappingSource`: its `expression` when it has one, otherwise
/// written from the tree (`[attribute]`, `"constant"`, `Function(arg, …)`).
#[must_use]
pub fn expression(source: &Value) -> String {
    if let Some(text) = source.get("expression").and_then(Value::as_str)
        && !text.trim().is_empty()
    {
        return text.to_owned();
    }
    let name = source.get("name").and_then(Value::as_str).unwrap_or("");
    match source.get("type").and_then(Value::as_str) {
        Some("Attribute") => format!("[{name}]"),
        Some("Constant") => quoted(name),
        Some("Function") => {
            let arguments: Vec<String> = source
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|pair| pair.get("value"))
                .map(expression)
                .collect();
            format!("{name}({})", arguments.join(", "))
        }
        _ if source.is_null() => "null".to_owned(),
        _ => show(Some(source)),
    }
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A value in a line: text as is, other JSON compact, `(absent)` when missing.
fn show(value: Option<&Value>) -> String {
    match value {
        None => "(absent)".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// A scoping filter group in a line: `clause AND clause`.
fn group_line(group: &Value) -> String {
    let clauses: Vec<String> = group
        .get("clauses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|clause| {
            let text = |name: &str| clause.get(name).and_then(Value::as_str).unwrap_or("?");
            let values: Vec<String> = clause
                .pointer("/targetOperand/values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), quoted))
                .collect();
            let mut line = format!("{} {}", text("sourceOperandName"), text("operatorName"));
            if !values.is_empty() {
                line.push(' ');
                line.push_str(&values.join(" | "));
            }
            line
        })
        .collect();
    if clauses.is_empty() {
        "(no clauses)".to_owned()
    } else {
        clauses.join(" AND ")
    }
}

#[derive(Default)]
struct Differ {
    changes: Vec<SchemaChange>,
}

fn items<'a>(value: &'a Value, name: &str) -> &'a [Value] {
    value
        .get(name)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn object(value: &Value) -> Option<&Map<String, Value>> {
    value.as_object()
}

impl Differ {
    fn push(
        &mut self,
        change: ChangeKind,
        subject: Subject,
        path: &[String],
        property: Option<&str>,
        (before, after): (Option<&Value>, Option<&Value>),
        detail: String,
    ) {
        self.changes.push(SchemaChange {
            change,
            subject,
            path: path.to_vec(),
            property: property.map(str::to_owned),
            before: before.cloned(),
            after: after.cloned(),
            detail,
        });
    }

    /// Each property of `a` and `b` but `skip` that differs: a change.
    fn properties(
        &mut self,
        subject: Subject,
        path: &[String],
        a: &Value,
        b: &Value,
        skip: &[&str],
    ) {
        let empty = Map::new();
        let a = object(a).unwrap_or(&empty);
        let b = object(b).unwrap_or(&empty);
        let names = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
        for name in names {
            if skip.contains(&name.as_str()) {
                continue;
            }
            let (before, after) = (a.get(name), b.get(name));
            if before == after {
                continue;
            }
            self.changed(subject, path, name, (before, after));
        }
        // A list the levels below compare, absent on one side and empty or `null` on the
        // other: a difference they do not see (they compare items).
        for name in skip.iter().filter(|name| **name != "scope") {
            let (before, after) = (a.get(*name), b.get(*name));
            let no_items =
                |v: Option<&Value>| v.and_then(Value::as_array).is_none_or(Vec::is_empty);
            let both_lists =
                before.is_some_and(Value::is_array) && after.is_some_and(Value::is_array);
            if before != after && !both_lists && no_items(before) && no_items(after) {
                self.changed(subject, path, name, (before, after));
            }
        }
    }

    /// Property `name` differs: `before → after` (a source as its expression).
    fn changed(
        &mut self,
        subject: Subject,
        path: &[String],
        name: &str,
        (before, after): (Option<&Value>, Option<&Value>),
    ) {
        let detail = if name == "source" {
            let side = |v: Option<&Value>| v.map_or_else(|| "(absent)".to_owned(), expression);
            format!("source: {} → {}", side(before), side(after))
        } else {
            format!("{name}: {} → {}", show(before), show(after))
        };
        self.push(
            ChangeKind::Changed,
            subject,
            path,
            Some(name),
            (before, after),
            detail,
        );
    }

    /// Matches the items of list `name` of `a` and `b` and compares each pair.
    fn list(&mut self, path: &[String], a: &Value, b: &Value, name: &str, level: Level) {
        let (a, b) = (items(a, name), items(b, name));
        let keyed = |list: &[Value]| -> Vec<String> {
            let mut seen: Vec<String> = Vec::new();
            list.iter()
                .map(|item| {
                    let key = level.key(item);
                    let nth = seen.iter().filter(|k| **k == key).count();
                    seen.push(key.clone());
                    format!("{key}\u{0}{nth}")
                })
                .collect()
        };
        let (a_keys, b_keys) = (keyed(a), keyed(b));
        for (item, key) in a.iter().zip(&a_keys) {
            let mut here = path.to_vec();
            here.push(level.label(item));
            match b_keys.iter().position(|k| k == key).and_then(|i| b.get(i)) {
                Some(other) => self.item(&here, item, other, level),
                None => self.push(
                    ChangeKind::Removed,
                    level.subject(),
                    &here,
                    None,
                    (Some(item), None),
                    level.summary(item),
                ),
            }
        }
        for (item, key) in b.iter().zip(&b_keys) {
            if !a_keys.contains(key) {
                let mut here = path.to_vec();
                here.push(level.label(item));
                self.push(
                    ChangeKind::Added,
                    level.subject(),
                    &here,
                    None,
                    (None, Some(item)),
                    level.summary(item),
                );
            }
        }
    }

    /// Compares two matched items of `level`.
    fn item(&mut self, path: &[String], a: &Value, b: &Value, level: Level) {
        self.properties(level.subject(), path, a, b, level.nested());
        if matches!(level, Level::ObjectMapping) {
            self.scope(path, a.get("scope"), b.get("scope"));
        }
        for (name, child) in level.children() {
            self.list(path, a, b, name, *child);
        }
    }

    /// The scoping filter of an object mapping: groups added and removed, per kind of group.
    fn scope(&mut self, path: &[String], a: Option<&Value>, b: Option<&Value>) {
        if a == b {
            return;
        }
        let before = self.changes.len();
        let null = Value::Null;
        let (fa, fb) = (a.unwrap_or(&null), b.unwrap_or(&null));
        for kind in ["groups", "inputFilterGroups", "categoryFilterGroups"] {
            let lines = |filter: &Value| -> Vec<String> {
                items(filter, kind).iter().map(group_line).collect()
            };
            let (la, lb) = (lines(fa), lines(fb));
            let mut here = path.to_vec();
            here.push(format!("scope {kind}"));
            for (line, group) in la.iter().zip(items(fa, kind)) {
                if !lb.contains(line) {
                    self.push(
                        ChangeKind::Removed,
                        Subject::ScopingFilter,
                        &here,
                        Some(kind),
                        (Some(group), None),
                        line.clone(),
                    );
                }
            }
            for (line, group) in lb.iter().zip(items(fb, kind)) {
                if !la.contains(line) {
                    self.push(
                        ChangeKind::Added,
                        Subject::ScopingFilter,
                        &here,
                        Some(kind),
                        (None, Some(group)),
                        line.clone(),
                    );
                }
            }
        }
        if self.changes.len() == before {
            // The same clauses, yet the filters differ (names, order, null vs absent, other
            // properties): one change with both whole filters.
            let mut here = path.to_vec();
            here.push("scope".to_owned());
            self.push(
                ChangeKind::Changed,
                Subject::ScopingFilter,
                &here,
                Some("scope"),
                (a, b),
                format!("scope: {} → {}", show(a), show(b)),
            );
        }
    }
}
