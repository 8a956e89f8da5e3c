//! The OData error envelope that Microsoft Graph answers every failed request with:
//! `{"error":{"code":…,"message":…,"target":…,"details":[…],"innerError":{…}}}`.
//!
//! Every property is optional on the way in (real services omit some), unknown properties are
//! kept, and `innerError` is an open object that nests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::property::Property;

/// The whole error body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ODataError {
    /// The error.
    pub error: MainError,
}

impl ODataError {
    /// An error body with `code` and `message`.
    #[must_use]
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: MainError {
                code: Some(code.into()),
                message: Some(message.into()),
                ..MainError::default()
            },
        }
    }

    /// Parses an error body; `None` when `body` is not an OData error.
    #[must_use]
    pub fn from_slice(body: &[u8]) -> Option<Self> {
        serde_json::from_slice(body).ok()
    }
}

/// `error`: what went wrong.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MainError {
    /// A machine-readable code such as `itemNotFound`; branch on this, never on `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A human-readable message. The synchronization service sometimes puts a whole JSON
    /// error document in here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The target of the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Further errors.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_empty"
    )]
    pub details: Vec<ErrorDetail>,
    /// Diagnostic information (`innerError`, also read as `innererror`).
    #[serde(
        default,
        rename = "innerError",
        alias = "innererror",
        skip_serializing_if = "Option::is_none"
    )]
    pub inner_error: Option<InnerError>,
    /// Properties this version does not model, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// One entry of `details`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// A machine-readable code.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub code: Property<String>,
    /// A human-readable message.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub message: Property<String>,
    /// The target.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target: Property<String>,
    /// Properties this version does not model, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `innerError`: an open object with diagnostics, possibly nesting another inner error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InnerError {
    /// A more specific code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A more specific message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The request id to give Microsoft support (`request-id`, also read as `requestId`).
    #[serde(
        default,
        rename = "request-id",
        alias = "requestId",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id: Option<String>,
    /// The `client-request-id` the client sent.
    #[serde(
        default,
        rename = "client-request-id",
        alias = "clientRequestId",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_request_id: Option<String>,
    /// When the error happened, as the service wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// A nested inner error.
    #[serde(
        default,
        rename = "innerError",
        alias = "innererror",
        skip_serializing_if = "Option::is_none"
    )]
    pub inner_error: Option<Box<Self>>,
    /// Everything else the service put here (`status`, `target`, `details`, …), kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl InnerError {
    /// The innermost `code` along the `innerError` chain, if any.
    #[must_use]
    pub fn innermost_code(&self) -> Option<&str> {
        self.inner_error
            .as_deref()
            .and_then(Self::innermost_code)
            .or(self.code.as_deref())
    }
}

fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_throttling_error() {
        let body = br#"{"error":{"code":"TooManyRequests","innerError":{"code":"429","date":"2020-08-18T12:51:51","message":"Please retry after","request-id":"94fb3b52-452a-4535-a601-69e0a90e3aa2","status":"429"},"message":"Please retry again later."}}"#;
        let error = ODataError::from_slice(body).unwrap().error;
        assert_eq!(error.code.as_deref(), Some("TooManyRequests"));
        let inner = error.inner_error.unwrap();
        assert_eq!(
            inner.request_id.as_deref(),
            Some("94fb3b52-452a-4535-a601-69e0a90e3aa2")
        );
        assert_eq!(inner.extra.get("status"), Some(&Value::from("429")));
        assert_eq!(inner.innermost_code(), Some("429"));
    }

    #[test]
    fn reads_lower_case_innererror_and_nesting() {
        let body = br#"{"error":{"code":"badRequest","message":"m","details":null,"innererror":{"code":"a","requestId":"r","innerError":{"code":"b"}}}}"#;
        let error = ODataError::from_slice(body).unwrap().error;
        let inner = error.inner_error.unwrap();
        assert_eq!(inner.request_id.as_deref(), Some("r"));
        assert_eq!(inner.innermost_code(), Some("b"));
    }

    #[test]
    fn non_error_bodies_are_none() {
        assert!(ODataError::from_slice(b"<html>").is_none());
        assert!(ODataError::from_slice(b"{\"value\":[]}").is_none());
    }
}
