//! The synchronization resource and its secrets: `GET …/synchronization` (every value masked)
//! and `PUT …/synchronization/secrets` (a merge into the stored set).
//!
//! A PUT is checked as a whole before anything is stored: empty body (`400`), media type
//! (`415`), JSON shape (`400`, read with the model's [`Secrets`] deserializer), then keys and
//! values (`400`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use graph_sync_model::{ExposeSecret, MASKED_VALUE, SecretKey, Secrets, SyncNotificationSettings};
use serde::Serialize;

use super::lookup::entry;
use crate::directory::Directory;
use crate::error::GraphError;
use crate::http::auth::{Authorized, Principal};
use crate::http::body::check_json_content_type;
use crate::http::reply::{Origin, json_response};

/// The body of `GET …/synchronization`.
#[derive(Serialize)]
struct SynchronizationBody<'a> {
    #[serde(rename = "@odata.context")]
    context: String,
    id: &'a str,
    secrets: Vec<MaskedSecret>,
}

/// A stored secret as Graph shows it: the key, and `*` for the value.
#[derive(Serialize)]
struct MaskedSecret {
    key: String,
    value: &'static str,
}

/// `GET …/synchronization`: the synchronization resource with every secret value masked.
pub(super) async fn get(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    origin: Origin,
) -> Result<Response, GraphError> {
    let secrets = entry(&directory, &principal, |entry| {
        entry
            .secrets
            .keys()
            .map(|key| MaskedSecret {
                key: key.as_str().to_owned(),
                value: MASKED_VALUE,
            })
            .collect()
    })?;
    let body = SynchronizationBody {
        context: format!(
            "{}/$metadata#servicePrincipals('{}')/synchronization/$entity",
            origin.graph_root(),
            principal.id
        ),
        id: principal.id.as_str(),
        secrets,
    };
    json_response(StatusCode::OK, &body)
}

/// `PUT …/synchronization/secrets`: merges the secrets into the stored set; `204`.
pub(super) async fn put(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, GraphError> {
    let body = body.map_err(|rejection| GraphError::unreadable_body(&rejection))?;
    if body.trim_ascii().is_empty() {
        return Err(GraphError::empty_payload());
    }
    check_json_content_type(&headers)?;
    let incoming: Secrets = serde_json::from_slice(&body)
        .map_err(|e| GraphError::bad_request(describe_body_error(&e)))?;
    check_secrets(&incoming)?;
    directory
        .lock()
        .apply_secrets(&principal.id, &incoming)
        .ok_or_else(|| GraphError::resource_not_found(principal.id.as_str()))?;
    tracing::debug!(
        service_principal = %principal.id,
        keys = incoming.len(),
        "graph-sync-emulator stored secrets"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// What the service rejects in a well-formed secrets body: an undocumented key, and a
/// `SyncNotificationSettings` value that is empty or not the JSON document it must be.
fn check_secrets(secrets: &Secrets) -> Result<(), GraphError> {
    for pair in secrets {
        match pair.key() {
            key @ SecretKey::Other(_) => return Err(GraphError::unknown_secret_key(key.as_str())),
            SecretKey::SyncNotificationSettings => {
                let text = pair.value().expose_secret();
                if text.is_empty() || SyncNotificationSettings::from_json(text).is_err() {
                    return Err(GraphError::invalid_notification_settings());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Describes why a body is not a secrets payload, without ever quoting a value from it.
///
/// serde_json's syntax errors never quote input, and the model's `Secrets` deserializer
/// never quotes a value (its visitors refuse wrong types with fixed text), so its messages
/// are passed on as they are.
fn describe_body_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;

    let position = format!("line {}, column {}", error.line(), error.column());
    match error.classify() {
        Category::Syntax | Category::Eof => {
            format!("The request body is not valid JSON: {error}.")
        }
        Category::Io => format!("The request body could not be read ({position})."),
        Category::Data => format!("The request body is not a secrets payload: {error}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "CANARY-9d2c";

    fn body_error(json: &str) -> String {
        let error = serde_json::from_str::<Secrets>(json).unwrap_err();
        describe_body_error(&error)
    }

    #[test]
    fn body_errors_never_quote_values() {
        for json in [
            format!(r#"{{"value":"{CANARY}"}}"#),
            format!(r#"{{"value":["{CANARY}"]}}"#),
            format!(r#"{{"value":[{{"key":"SecretToken","value":{{"x":"{CANARY}"}}}}]}}"#),
            format!(r#"{{"value":[{{"key":"SecretToken","value":["{CANARY}"]}}]}}"#),
            r#"{"value":[{"key":"SecretToken","value":7700123}]}"#.to_owned(),
            format!(r#"{{"value":[{{"key":"SecretToken","value":"{CANARY}", expected x"}}]"#),
            format!(r#"{{"value":[{{"key":"SecretToken","value":"{CANARY}\q"}}]}}"#),
            format!(r#"["{CANARY}"]"#),
            format!(r#""{CANARY}""#),
        ] {
            let message = body_error(&json);
            assert!(!message.contains(CANARY), "{message}");
            assert!(!message.contains("7700123"), "{message}");
        }
    }

    #[test]
    fn body_errors_name_the_problem() {
        assert!(body_error(r#"{"credentials":[]}"#).contains("unknown property `credentials`"));
        assert!(body_error("[]").contains("bare array"));
        assert!(
            body_error(
                r#"{"value":[{"key":"SyncAll","value":"true"},{"key":"SyncAll","value":"false"}]}"#
            )
            .contains("`SyncAll` appears more than once")
        );
        assert!(body_error("{\"value\":[").contains("not valid JSON"));
        let wrong_type = body_error(r#"{"value":[{"key":"SecretToken","value":5}]}"#);
        assert!(
            wrong_type.contains("must be a string, found a number"),
            "{wrong_type}"
        );
        assert!(wrong_type.contains("line 1 column 40"), "{wrong_type}");
    }
}
