//! The string-keyed pair types that both jobs and schemas use, kept below both so that
//! neither module imports the other's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::property::Property;

/// `stringKeyStringValuePair`: a string key and a string value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StringKeyStringValuePair {
    /// The key.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub key: Property<String>,
    /// The value.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub value: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `stringKeyObjectValuePair`: a key and any other properties (an open type: the value is not declared).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StringKeyObjectValuePair {
    /// The key.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub key: Property<String>,
    /// The type is open: its other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl StringKeyStringValuePair {
    /// A pair.
    #[must_use]
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: Property::Value(key.into()),
            value: Property::Value(value.into()),
            ..Self::default()
        }
    }
}

impl StringKeyObjectValuePair {
    /// A property of a test object: `{"key":…,"value":…}`.
    #[must_use]
    pub fn new(key: impl Into<String>, value: impl Into<Value>) -> Self {
        let mut pair = Self {
            key: Property::Value(key.into()),
            ..Self::default()
        };
        pair.extra.insert("value".to_owned(), value.into());
        pair
    }
}
