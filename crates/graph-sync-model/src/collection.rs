//! The OData collection envelope: `{"value":[…],"@odata.nextLink":"…"}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::property::Property;

/// A page of a list: its items and, when the list goes on, the URL of the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ODataCollection<T> {
    /// The items of this page. Required: a body without `value` (an entity, say) is not a
    /// collection and does not read as one.
    pub value: Vec<T>,
    /// The absolute URL of the next page, when there is one.
    #[serde(
        rename = "@odata.nextLink",
        default,
        skip_serializing_if = "Property::is_absent"
    )]
    pub next_link: Property<String>,
    /// `@odata.context`, when sent.
    #[serde(
        rename = "@odata.context",
        default,
        skip_serializing_if = "Property::is_absent"
    )]
    pub context: Property<String>,
    /// Other annotations, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl<T> Default for ODataCollection<T> {
    fn default() -> Self {
        Self {
            value: Vec::new(),
            next_link: Property::Absent,
            context: Property::Absent,
            extra: BTreeMap::new(),
        }
    }
}

impl<T> ODataCollection<T> {
    /// A page holding `value`, with no next page.
    #[must_use]
    pub fn new(value: Vec<T>) -> Self {
        Self {
            value,
            ..Self::default()
        }
    }

    /// Sets the next page's URL.
    #[must_use]
    pub fn with_next_link(mut self, next_link: impl Into<String>) -> Self {
        self.next_link = Property::Value(next_link.into());
        self
    }
}
