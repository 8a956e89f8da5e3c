//! [`Property`]: one property of a Graph document as it was on the wire: absent, `null`, or
//! a value.
//!
//! Graph tells the three apart. A schema `PUT` without `enabled` leaves the service to decide;
//! `"enabled": false` switches the mapping off; `"description": null` clears a text. A model
//! that reads all three as one Rust value (`Option<T>` folds absent and `null`; a plain `bool`
//! folds absent into `false`) cannot write back what it read. Every property of every resource
//! and complex type in this crate is therefore a `Property<T>`, declared as
//!
//! ```text
//! #[serde(default, skip_serializing_if = "Property::is_absent")]
//! pub enabled: Property<bool>,
//! ```
//!
//! so that an absent property is not written, `null` is written as `null`, and a value is
//! written as it was read. Defaults the documentation gives are offered by accessor methods on
//! the types (`ObjectMapping::flow_types()`), never put on the wire.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A property as it was (or will be) on the wire: absent, `null`, or a value.
///
/// `Default` is [`Property::Absent`], so a document built with `..Default::default()` carries
/// only what its builder set. `From<T>` makes a value: `mapping.enabled = true.into();`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Property<T> {
    /// Not in the document.
    #[default]
    Absent,
    /// Present as `null`.
    Null,
    /// Present with a value.
    Value(T),
}

impl<T> Property<T> {
    /// Whether the property is not in the document (the `skip_serializing_if` predicate).
    #[must_use]
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// Whether the property is present as `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Whether the property holds a value.
    #[must_use]
    pub fn is_value(&self) -> bool {
        matches!(self, Self::Value(_))
    }

    /// The value, if there is one (`None` when absent or `null`).
    #[must_use]
    pub fn get(&self) -> Option<&T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// The value, mutably, if there is one.
    #[must_use]
    pub fn get_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// An iterator over the value (none or one item), as `Option::iter`.
    pub fn iter(&self) -> std::option::IntoIter<&T> {
        self.get().into_iter()
    }

    /// A mutable iterator over the value (none or one item), as `Option::iter_mut`.
    pub fn iter_mut(&mut self) -> std::option::IntoIter<&mut T> {
        self.get_mut().into_iter()
    }

    /// The value, dereferenced (`Property<String>` gives `Option<&str>`).
    #[must_use]
    pub fn as_deref(&self) -> Option<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.get().map(|value| &**value)
    }

    /// The value, consuming the property.
    #[must_use]
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// Takes the property out (value, `null` or absent), leaving it absent.
    #[must_use]
    pub fn take(&mut self) -> Self {
        std::mem::take(self)
    }

    /// Sets the value.
    pub fn set(&mut self, value: T) {
        *self = Self::Value(value);
    }

    /// The value, inserting `make()` first when the property is absent or `null`.
    pub fn get_or_insert_with(&mut self, make: impl FnOnce() -> T) -> &mut T {
        if !self.is_value() {
            *self = Self::Value(make());
        }
        match self {
            Self::Value(value) => value,
            // Just set above.
            Self::Absent | Self::Null => unreachable!("the property was just given a value"),
        }
    }

    /// The value, or `default` when absent or `null`: how an accessor applies a documented
    /// default without writing it.
    #[must_use]
    pub fn value_or(&self, default: T) -> T
    where
        T: Clone,
    {
        self.get().cloned().unwrap_or(default)
    }

    /// The value, or `T::default()` when absent or `null`.
    #[must_use]
    pub fn unwrap_or_default(self) -> T
    where
        T: Default,
    {
        self.into_option().unwrap_or_default()
    }

    /// A property from an `Option`: `None` is absent (nothing is written).
    #[must_use]
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Self::Absent, Self::Value)
    }

    /// Maps the value, keeping absent and `null` as they are.
    #[must_use]
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Property<U> {
        match self {
            Self::Absent => Property::Absent,
            Self::Null => Property::Null,
            Self::Value(value) => Property::Value(f(value)),
        }
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Property<T> {
    /// The value as text; nothing for an absent or `null` property (for reports and tables:
    /// read [`Property::is_null`] where the difference matters).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Value(value) => value.fmt(f),
            Self::Absent | Self::Null => Ok(()),
        }
    }
}

impl<T> From<T> for Property<T> {
    fn from(value: T) -> Self {
        Self::Value(value)
    }
}

impl<T: Serialize> Serialize for Property<T> {
    /// A value as itself, `null` as `null`; an absent property is skipped by its field's
    /// `skip_serializing_if`, and written as `null` where it cannot be skipped.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(value) => value.serialize(serializer),
            Self::Absent | Self::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Property<T> {
    /// `null` is [`Property::Null`], anything else a value; absence comes from the field's
    /// `#[serde(default)]`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(|value| value.map_or(Self::Null, Self::Value))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Doc {
        #[serde(default, skip_serializing_if = "Property::is_absent")]
        flag: Property<bool>,
        #[serde(default, skip_serializing_if = "Property::is_absent")]
        text: Property<String>,
    }

    #[test]
    fn absent_null_and_value_round_trip() {
        for body in [
            json!({}),
            json!({"flag": null}),
            json!({"flag": false, "text": null}),
            json!({"flag": true, "text": "x"}),
        ] {
            let doc: Doc = serde_json::from_value(body.clone()).unwrap();
            assert_eq!(serde_json::to_value(&doc).unwrap(), body);
        }
        let doc: Doc = serde_json::from_value(json!({"flag": null, "text": "t"})).unwrap();
        assert!(doc.flag.is_null() && !doc.flag.is_absent() && !doc.flag.is_value());
        assert_eq!(doc.text.as_deref(), Some("t"));
        assert_eq!(Doc::default(), serde_json::from_value(json!({})).unwrap());
    }

    #[test]
    fn accessors_never_change_what_is_written() {
        let mut doc = Doc::default();
        assert!(!doc.flag.value_or(false));
        assert!(doc.flag.value_or(true));
        assert_eq!(serde_json::to_value(&doc).unwrap(), json!({}));
        *doc.flag.get_or_insert_with(|| false) = true;
        assert_eq!(doc.flag.take(), Property::Value(true));
        assert!(doc.flag.is_absent());
        doc.text = Property::Null;
        assert_eq!(*doc.text.get_or_insert_with(String::new), "");
        doc.text.set("y".into());
        assert_eq!(doc.text.clone().map(|t| t.len()), Property::Value(1));
        assert_eq!(Property::<u8>::from_option(None), Property::Absent);
        assert_eq!(Property::from_option(Some(1)), Property::Value(1));
        assert_eq!(
            serde_json::to_value(Property::<u8>::Absent).unwrap(),
            Value::Null
        );
    }
}
