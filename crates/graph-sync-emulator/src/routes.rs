//! The HTTP surface: routes, the envelope middleware every response passes through, and the
//! handlers of the emulated endpoints.
//!
//! Checks run in the order the service applies them: route (an unimplemented one answers
//! `500 NotImplementedInEmulator` whatever else is wrong), bearer token (`401`), service
//! principal id (`400`) and existence (`404`), then for a PUT the body: empty (`400`), media
//! type (`415`), JSON shape (`400`), keys and values (`400`). Nothing is stored unless every
//! check passes.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use graph_sync_model::{
    AppId, ExposeSecret, MASKED_VALUE, SecretKey, Secrets, ServicePrincipalId, ServicePrincipalRef,
    SyncNotificationSettings,
};
use serde::Serialize;

use crate::context::{CLIENT_REQUEST_ID, RequestContext};
use crate::emulator::{RecordedRequest, ServicePrincipal};
use crate::error::{self, GraphError};
use crate::state::{NotFound, Shared};

/// The media type of a successful Graph JSON response.
pub(crate) const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// The router of the emulated API, wrapped in the envelope middleware.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/v1.0/servicePrincipals/{id}/synchronization",
            get(get_synchronization_route),
        )
        .route(
            "/v1.0/servicePrincipals/{id}/synchronization/secrets",
            put(put_secrets_route),
        )
        // The alternate key `servicePrincipals(appId='…')` is one path segment.
        .route(
            "/v1.0/{key}/synchronization",
            get(get_synchronization_route),
        )
        .route(
            "/v1.0/{key}/synchronization/secrets",
            put(put_secrets_route),
        )
        .merge(crate::identity::routes())
        .merge(crate::sync::routes())
        .fallback(not_implemented)
        .method_not_allowed_fallback(not_implemented)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            crate::faults::layer,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            envelope,
        ))
        .with_state(shared)
}

/// Wraps every request: gives it a [`RequestContext`], renders a [`GraphError`] into the
/// Graph error body, sets the support headers, records the request and logs it (method,
/// path, status; never headers or bodies).
async fn envelope(State(shared): State<Arc<Shared>>, mut request: Request, next: Next) -> Response {
    let context = RequestContext::new(request.headers());
    request.extensions_mut().insert(context.clone());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let sent_client_request_id = request
        .headers()
        .get(CLIENT_REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);

    let mut response = next.run(request).await;
    if let Some(graph_error) = response.extensions_mut().remove::<GraphError>() {
        response = error::render(&graph_error, &context);
    }
    context.apply_headers(response.headers_mut());

    let status = response.status().as_u16();
    tracing::debug!(
        %method,
        %path,
        status,
        request_id = context.request_id(),
        "graph-sync-emulator answered"
    );
    let intercepted = response
        .extensions()
        .get::<crate::faults::Intercepted>()
        .copied();
    shared.record(RecordedRequest::new(
        method.to_string(),
        path_and_query,
        status,
        sent_client_request_id,
        intercepted,
    ));
    response
}

/// Any route or method not emulated.
async fn not_implemented(method: Method, uri: Uri) -> GraphError {
    GraphError::not_implemented(&method, uri.path())
}

async fn get_synchronization_route(
    State(shared): State<Arc<Shared>>,
    sp: SpPath,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    get_synchronization(&shared, &sp.address, &headers)
}

async fn put_secrets_route(
    State(shared): State<Arc<Shared>>,
    sp: SpPath,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, GraphError> {
    put_secrets(&shared, &sp.address, &headers, body)
}

/// `GET …/synchronization`: the synchronization resource with every secret value masked.
fn get_synchronization(
    shared: &Shared,
    address: &Address,
    headers: &HeaderMap,
) -> Result<Response, GraphError> {
    authorize(shared, headers)?;
    let principal = resolve(shared, address)?;
    let secrets = shared
        .stored_secrets(&principal.id)
        .ok_or_else(|| GraphError::resource_not_found(principal.id.as_str()))?;
    let body = SynchronizationBody {
        context: format!(
            "{}/$metadata#servicePrincipals('{}')/synchronization/$entity",
            graph_root(headers),
            principal.id
        ),
        id: principal.id.as_str(),
        secrets: secrets
            .keys()
            .map(|key| MaskedSecret {
                key: key.as_str(),
                value: MASKED_VALUE,
            })
            .collect(),
    };
    let json = serde_json::to_vec(&body)
        .map_err(|_| GraphError::internal("The synchronization resource did not serialize."))?;
    Ok(([(CONTENT_TYPE, HeaderValue::from_static(ODATA_JSON))], json).into_response())
}

/// The body of `GET …/synchronization`.
#[derive(Serialize)]
struct SynchronizationBody<'a> {
    #[serde(rename = "@odata.context")]
    context: String,
    id: &'a str,
    secrets: Vec<MaskedSecret<'a>>,
}

/// A stored secret as Graph shows it: the key, and `*` for the value.
#[derive(Serialize)]
struct MaskedSecret<'a> {
    key: &'a str,
    value: &'static str,
}

/// `PUT …/synchronization/secrets`: merges the secrets into the stored set; `204`.
fn put_secrets(
    shared: &Shared,
    address: &Address,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, GraphError> {
    authorize(shared, headers)?;
    let principal = resolve(shared, address)?;
    let body = body.map_err(|rejection| GraphError::unreadable_body(&rejection))?;
    if body.trim_ascii().is_empty() {
        return Err(GraphError::empty_payload());
    }
    check_json_content_type(headers)?;
    let incoming: Secrets = serde_json::from_slice(&body)
        .map_err(|e| GraphError::bad_request(describe_body_error(&e)))?;
    check_secrets(&incoming)?;
    shared
        .apply_secrets(&principal.id, &incoming)
        .map_err(|NotFound| GraphError::resource_not_found(principal.id.as_str()))?;
    tracing::debug!(
        service_principal = %principal.id,
        keys = incoming.len(),
        "graph-sync-emulator stored secrets"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// How the path addresses a service principal, before the id is validated.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Address {
    /// `servicePrincipals/{id}`.
    ObjectId(String),
    /// `servicePrincipals(appId='{appId}')`.
    AppId(String),
}

impl Address {
    fn parse_key_segment(segment: &str) -> Option<Self> {
        let app_id = segment
            .strip_prefix("servicePrincipals(appId='")?
            .strip_suffix("')")?;
        Some(Self::AppId(app_id.to_owned()))
    }
}

/// The service principal a route addresses, from either path form, and what follows it:
/// a route written with `{id}` (`/servicePrincipals/{id}/…`) or with `{key}` (the
/// alternate key segment `servicePrincipals(appId='…')`), and an optional `{*rest}`.
///
/// A `{key}` segment that is not the alternate key is a route the emulator does not
/// implement; a path that cannot be decoded is `400`.
pub(crate) struct SpPath {
    /// How the service principal is addressed.
    pub(crate) address: Address,
    /// The `{*rest}` of the route, empty when it has none.
    pub(crate) rest: String,
}

impl<S: Send + Sync> FromRequestParts<S> for SpPath {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, GraphError> {
        let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| GraphError::malformed_path())?;
        let rest = params.remove("rest").unwrap_or_default();
        let address = if let Some(id) = params.remove("id") {
            Address::ObjectId(id)
        } else {
            params
                .remove("key")
                .as_deref()
                .and_then(Address::parse_key_segment)
                .ok_or_else(|| GraphError::not_implemented(&parts.method, parts.uri.path()))?
        };
        Ok(Self { address, rest })
    }
}

/// Checks the `Authorization: Bearer …` header against the issued tokens.
pub(crate) fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<(), GraphError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(GraphError::empty_token());
    };
    let Ok(text) = value.to_str() else {
        return Err(GraphError::invalid_token());
    };
    let token = text
        .trim()
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token.trim());
    if token.is_empty() {
        Err(GraphError::empty_token())
    } else {
        crate::identity::check_bearer(shared, token)
    }
}

/// Validates the id in the path and finds the service principal.
pub(crate) fn resolve(shared: &Shared, address: &Address) -> Result<ServicePrincipal, GraphError> {
    let (reference, shown) = match address {
        Address::ObjectId(id) => (
            ServicePrincipalId::new(id.as_str()).map(ServicePrincipalRef::Id),
            id,
        ),
        Address::AppId(app_id) => (
            AppId::new(app_id.as_str()).map(ServicePrincipalRef::AppId),
            app_id,
        ),
    };
    let reference = reference.map_err(|_| GraphError::invalid_object_identifier(shown))?;
    shared
        .find(&reference)
        .ok_or_else(|| GraphError::resource_not_found(shown))
}

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

/// The Graph root as the client addressed it, for `@odata.context`.
pub(crate) fn graph_root(headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| !host.is_empty())
        .unwrap_or("localhost");
    format!("http://{host}/v1.0")
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

    #[test]
    fn the_alternate_key_segment_is_parsed_strictly() {
        assert_eq!(
            Address::parse_key_segment("servicePrincipals(appId='abc')"),
            Some(Address::AppId("abc".to_owned()))
        );
        for other in [
            "servicePrincipals",
            "applications(appId='abc')",
            "servicePrincipals(appId=abc)",
            "servicePrincipals(displayName='abc')",
        ] {
            assert_eq!(Address::parse_key_segment(other), None, "{other}");
        }
    }

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

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let shared = Shared::default();
        shared.add_token("good".to_owned());
        let check = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_static(value));
            authorize(&shared, &headers).map_err(|e| e.message().to_owned())
        };
        assert_eq!(check("Bearer good"), Ok(()));
        assert_eq!(check("bearer  good "), Ok(()));
        let empty = Err("Access token is empty.".to_owned());
        assert_eq!(check("Bearer"), empty);
        assert_eq!(check("Bearer   "), empty);
        assert_eq!(check("Basic Z29vZA=="), empty);
        assert!(
            check("Bearer bad")
                .unwrap_err()
                .contains("validation failure")
        );
    }
}
