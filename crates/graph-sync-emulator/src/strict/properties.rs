//! What `$select`, `$filter` and `$orderby` see of the items they apply to: a type's
//! property names, and the value at a property path.

use serde_json::Value;

/// What the property names of `$select`, `$filter` and `$orderby` are checked against.
pub(crate) trait Properties {
    /// The qualified type name, for messages.
    fn type_name(&self) -> String;
    /// Whether `name` is a property (structural or navigation).
    fn has(&self, name: &str) -> bool;
    /// Whether `name` is a navigation property.
    fn is_navigation(&self, name: &str) -> bool;
    /// Whether `$filter` compares its strings case-sensitively (directory objects: no).
    fn case_sensitive(&self) -> bool {
        false
    }
}

/// The value at `path` in `item` (`Null` when absent).
pub(crate) fn lookup<'a>(item: &'a Value, path: &[String]) -> &'a Value {
    path.iter()
        .try_fold(item, |current, step| current.get(step))
        .unwrap_or(&Value::Null)
}
