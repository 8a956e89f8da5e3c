//! The capture stage of the pipeline: reads what a request carried (headers, query, body)
//! for the request log, redacted before it is kept (see [`redact`](super::redact)), and hands
//! the request on unchanged.
//!
//! The body is read whole here (up to the size the handlers accept, [`MAX_BODY`]); a larger
//! body is answered `413` as the handlers would. What the log keeps of a body is capped at
//! [`MAX_LOGGED_BODY`] bytes.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::control::redact::Redactor;
#[cfg(test)]
use crate::control::redact::StoredValues;
use crate::directory::Directory;
use crate::error::GraphError;
use crate::log::Captured;

/// The largest request body: axum's default limit, which the handlers' extractors apply.
const MAX_BODY: usize = 2 * 1024 * 1024;

/// The most of a body the log keeps.
pub(crate) const MAX_LOGGED_BODY: usize = 64 * 1024;

/// The middleware: captures the request, runs the rest, and puts the capture on the response
/// for the envelope to record.
pub(crate) async fn layer(
    State(directory): State<Arc<Directory>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return GraphError::with_code(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            "The request body is larger than the emulator accepts.",
        )
        .into_response();
    };
    let captured = {
        // The stored values are searched under the directory's lock: one short, synchronous
        // section, released before the request goes on.
        let tenant = directory.lock();
        let redactor = Redactor::new(tenant.stored_values());
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    redactor.header(name.as_str(), &String::from_utf8_lossy(value.as_bytes())),
                )
            })
            .collect();
        let query = parts.uri.query().map(|query| redactor.form(query));
        let media_type = parts
            .headers
            .get(CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).to_ascii_lowercase());
        let body = logged_body(&redactor, &bytes, media_type.as_deref());
        Captured {
            headers,
            query,
            body,
        }
    };
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    response.extensions_mut().insert(captured);
    response
}

/// What the log keeps of a body: the JSON as sent when it holds no secret, else redacted JSON, a redacted form, or scrubbed text; `None`
/// when empty.
fn logged_body(redactor: &Redactor<'_>, bytes: &[u8], media_type: Option<&str>) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    let redacted = if let Ok(json) = serde_json::from_slice::<serde_json::Value>(bytes) {
        let logged = redactor.json(json.clone());
        if logged == json {
            // Nothing to hide: the body as sent, byte for byte (key order and spelling kept,
            // so a test can check exactly what a client sent).
            text.into_owned()
        } else {
            logged.to_string()
        }
    } else if media_type.is_some_and(|m| m.starts_with("application/x-www-form-urlencoded")) {
        redactor.form(&text)
    } else {
        redactor.scrub(&text)
    };
    Some(cap(redacted))
}

/// `text` cut at [`MAX_LOGGED_BODY`] bytes (on a character boundary), saying so.
fn cap(mut text: String) -> String {
    if text.len() > MAX_LOGGED_BODY {
        let mut end = MAX_LOGGED_BODY;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let total = text.len();
        text.truncate(end);
        text.push_str(&format!("…[cut: {total} bytes in all]"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_redacted_by_kind_and_capped() {
        let stored = StoredValues::default();
        let redactor = Redactor::new(&stored);
        assert_eq!(logged_body(&redactor, b"", None), None);
        assert_eq!(
            logged_body(
                &redactor,
                br#"{"value":[{"key":"SecretToken","value":"x"}]}"#,
                Some("application/json")
            )
            .as_deref(),
            Some(r#"{"value":[{"key":"SecretToken","value":"[REDACTED]"}]}"#)
        );
        assert_eq!(
            logged_body(
                &redactor,
                b"client_secret=abc&scope=x",
                Some("application/x-www-form-urlencoded")
            )
            .as_deref(),
            Some("client_secret=[REDACTED]&scope=x")
        );
        let long = "é".repeat(MAX_LOGGED_BODY);
        let capped = cap(long.clone());
        assert!(capped.len() < long.len());
        assert!(capped.ends_with(&format!("[cut: {} bytes in all]", long.len())));
    }
}
