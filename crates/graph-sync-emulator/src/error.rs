//! Graph error responses: the one place where the emulator decides what an error looks like.
//!
//! A handler fails with a [`GraphError`] (status, code, message). Its `IntoResponse` only marks
//! the response; the envelope middleware then calls [`render`] with the request's
//! [`RequestContext`], which writes the OData body
//! `{"error":{"code","message","innerError":{"request-id","client-request-id","date"}}}` with
//! the same ids as the response headers. Every message here is built from constants, key names
//! and path segments, never from a secret value.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use graph_sync_model::{InnerError, ODataError};

use crate::context::RequestContext;

/// The `WWW-Authenticate` challenge Graph sends with a `401`.
const BEARER_CHALLENGE: &str = "Bearer realm=\"\", \
     authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", \
     client_id=\"00000003-0000-0000-c000-000000000000\"";

/// The `WWW-Authenticate` challenge of continuous access evaluation. The claims are base64 of
/// `{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}`.
pub(crate) const CLAIMS_CHALLENGE: &str = "Bearer realm=\"\", \
     authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", \
     client_id=\"00000003-0000-0000-c000-000000000000\", error=\"insufficient_claims\", \
     claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzAwMDAwMDAwIn19fQ==\"";

/// The `message` of the service's `InvalidNotificationSettings` error: a JSON error document,
/// byte for byte as the service writes it (CRLF line breaks, `null` message), which the
/// service then wraps as the message of an `UnknownError` (msgraph-metadata#127, #347).
const INVALID_NOTIFICATION_SETTINGS_DOCUMENT: &str = "{\r\n  \"error\":{\r\n    \
     \"code\":\"InvalidNotificationSettings\",\"message\":null,\"target\":null,\"details\":[\r\n      \
     \r\n    ],\"innerError\":null\r\n  }\r\n}";

/// A failed request, as Graph would describe it.
#[derive(Clone, Debug)]
pub(crate) struct GraphError {
    status: StatusCode,
    code: &'static str,
    message: String,
    challenge: Option<&'static str>,
    /// `Retry-After` in whole seconds, for a `429`.
    retry_after: Option<u64>,
}

impl GraphError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            challenge: None,
            retry_after: None,
        }
    }

    /// An error with any status, code and message (the synchronization handlers' errors).
    pub(crate) fn with_code(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::new(status, code, message)
    }

    /// `429 TooManyRequests` with `Retry-After: seconds`.
    pub(crate) fn too_many_requests(seconds: u64, message: impl Into<String>) -> Self {
        Self {
            retry_after: Some(seconds),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", message)
        }
    }

    /// `401`: a token issued for another resource than Microsoft Graph.
    pub(crate) fn invalid_audience() -> Self {
        Self {
            challenge: Some(BEARER_CHALLENGE),
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Access token validation failure. Invalid audience.",
            )
        }
    }

    /// `403`: the token holds none of the permissions the operation needs (Graph's body).
    pub(crate) fn request_denied() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// `401`: no bearer token.
    pub(crate) fn empty_token() -> Self {
        Self {
            challenge: Some(BEARER_CHALLENGE),
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Access token is empty.",
            )
        }
    }

    /// `401`: a token the emulator did not issue, or revoked.
    pub(crate) fn invalid_token() -> Self {
        Self {
            challenge: Some(BEARER_CHALLENGE),
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Access token validation failure. Invalid audience.",
            )
        }
    }

    /// `401`: a token from the token endpoint whose lifetime is over.
    pub(crate) fn expired_token() -> Self {
        Self {
            challenge: Some(BEARER_CHALLENGE),
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            )
        }
    }

    /// `401` with a continuous access evaluation claims challenge: the token was not
    /// requested with the claims the service now demands.
    pub(crate) fn insufficient_claims() -> Self {
        Self {
            challenge: Some(CLAIMS_CHALLENGE),
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Continuous access evaluation resulted in challenge with result: \
                 InteractionRequired and code: TokenCreatedWithOutdatedPolicies",
            )
        }
    }

    /// `400`: a service principal id or appId that is not a GUID.
    pub(crate) fn invalid_object_identifier(id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            format!("Invalid object identifier '{id}'."),
        )
    }

    /// `404`: no service principal with this id or appId.
    pub(crate) fn resource_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property \
                 objects are not present."
            ),
        )
    }

    /// `415`: the body is not declared as `application/json`.
    pub(crate) fn unsupported_media_type(content_type: Option<&str>) -> Self {
        let message = match content_type {
            Some(content_type) => format!(
                "Content-Type '{content_type}' is not supported; this request needs \
                 'application/json'."
            ),
            None => "The request has a body but no Content-Type; this request needs \
                 'application/json'."
                .to_owned(),
        };
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            message,
        )
    }

    /// `400`: no body at all (Graph's exact wording).
    pub(crate) fn empty_payload() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Empty Payload. JSON content expected.",
        )
    }

    /// `400` with code `BadRequest` and `message`, which must not contain a secret value.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// `400`: a secret key that is not a `synchronizationSecret` member, worded as the
    /// service's enum parser words it.
    pub(crate) fn unknown_secret_key(key: &str) -> Self {
        Self::bad_request(format!("Requested value '{key}' was not found."))
    }

    /// `400`: an empty or non-JSON `SyncNotificationSettings` value, in the service's
    /// double-encoded form (the real error is a JSON document inside `message`).
    pub(crate) fn invalid_notification_settings() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "UnknownError",
            INVALID_NOTIFICATION_SETTINGS_DOCUMENT,
        )
    }

    /// The body could not be read (too large, or the connection failed).
    pub(crate) fn unreadable_body(rejection: &BytesRejection) -> Self {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(
                status,
                "RequestEntityTooLarge",
                "The request body is larger than the emulator accepts.",
            )
        } else {
            Self::new(status, "BadRequest", "The request body could not be read.")
        }
    }

    /// `400`: a path segment that is not valid percent-encoded UTF-8.
    pub(crate) fn malformed_path() -> Self {
        Self::bad_request("The request path is not valid percent-encoded UTF-8.")
    }

    /// `400`: a path segment that names nothing (the OData router's wording).
    pub(crate) fn segment_not_found(segment: &str) -> Self {
        Self::bad_request(format!("Resource not found for the segment '{segment}'."))
    }

    /// `405`: a known path with a method it does not take (the directory's wording).
    pub(crate) fn method_not_allowed(method: &Method) -> Self {
        tracing::debug!(%method, "a method the path does not take");
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    /// `500`: a broken invariant inside the emulator.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            message,
        )
    }

    /// The HTTP status.
    #[cfg(test)]
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// The Graph error code.
    #[cfg(test)]
    pub(crate) fn code(&self) -> &'static str {
        self.code
    }

    /// The Graph error message.
    #[cfg(test)]
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

impl IntoResponse for GraphError {
    /// A bodiless response with the status, carrying the error in its extensions for the
    /// envelope middleware to [`render`] with the request's ids.
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// The full Graph error response for `error` in request `context`.
pub(crate) fn render(error: &GraphError, context: &RequestContext) -> Response {
    let mut inner = InnerError::default();
    inner.date = Some(context.iso_date());
    inner.request_id = Some(context.request_id().to_owned());
    inner.client_request_id = Some(context.client_request_id());
    let mut body = ODataError::new(error.code, error.message.clone());
    body.error.inner_error = Some(inner);

    let mut response = (error.status, Json(body)).into_response();
    if let Some(challenge) = error.challenge {
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    }
    if let Some(seconds) = error.retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderMap;
    use serde_json::Value;

    use super::*;

    async fn body_of(response: Response) -> Value {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn rendered_errors_carry_code_message_and_inner_error() {
        let context = RequestContext::new(&HeaderMap::new());
        let response = render(&GraphError::empty_token(), &context);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[WWW_AUTHENTICATE], BEARER_CHALLENGE);
        let body = body_of(response).await;
        assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
        assert_eq!(body["error"]["message"], "Access token is empty.");
        let inner = &body["error"]["innerError"];
        assert_eq!(inner["request-id"], context.request_id());
        assert_eq!(inner["client-request-id"], context.request_id());
        assert_eq!(inner["date"].as_str().unwrap().len(), 19);
    }

    #[tokio::test]
    async fn only_401_has_a_challenge() {
        let context = RequestContext::new(&HeaderMap::new());
        let response = render(&GraphError::resource_not_found("x"), &context);
        assert!(!response.headers().contains_key(WWW_AUTHENTICATE));
    }

    #[test]
    fn the_notification_settings_document_is_the_services() {
        let error = GraphError::invalid_notification_settings();
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error.code(), "UnknownError");
        let inner: Value = serde_json::from_str(error.message()).unwrap();
        assert_eq!(inner["error"]["code"], "InvalidNotificationSettings");
        assert_eq!(inner["error"]["message"], Value::Null);
        assert_eq!(inner["error"]["details"], Value::Array(Vec::new()));
        assert_eq!(
            error.message(),
            concat!(
                "{\r\n  \"error\":{\r\n    \"code\":\"InvalidNotificationSettings\",",
                "\"message\":null,\"target\":null,\"details\":[\r\n      \r\n    ],",
                "\"innerError\":null\r\n  }\r\n}"
            )
        );
    }
}
