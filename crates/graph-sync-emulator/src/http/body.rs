//! Reading request bodies: the media type check and JSON bodies read into model types, with
//! errors that name the problem by category and position only, since a body may carry
//! secrets.

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::error::GraphError;

/// A body must be declared `application/json` (parameters such as `charset` allowed).
pub(crate) fn check_json_content_type(headers: &HeaderMap) -> Result<(), GraphError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Err(GraphError::unsupported_media_type(None));
    };
    let text = String::from_utf8_lossy(value.as_bytes());
    let media_type = text.split(';').next().unwrap_or_default().trim();
    if media_type.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(GraphError::unsupported_media_type(Some(&text)))
    }
}

/// Reads a JSON body as `T`: empty (`400`), media type (`415`), shape (`400`).
pub(crate) fn read_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, GraphError> {
    if body.trim_ascii().is_empty() {
        return Err(GraphError::empty_payload());
    }
    check_json_content_type(headers)?;
    serde_json::from_slice(body).map_err(|e| {
        GraphError::bad_request(format!(
            "The request body is not the expected JSON ({:?} error at line {}, column {}).",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn content_type_must_be_json_with_any_parameters() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
            check_json_content_type(&headers).is_ok()
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(with("application/json;odata.metadata=minimal"));
        assert!(!with("text/plain"));
        assert!(!with("application/scim+json"));
        assert!(check_json_content_type(&HeaderMap::new()).is_err());
    }
}
