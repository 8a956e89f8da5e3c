//! Canned answers: a response (status, headers, body) the control API queues for the next
//! requests to a route, beside the emulator's faults (the queue is the fault plan's, in
//! `faults.rs`).
//!
//! A canned error status without a body gets Graph's error body for that status, so a client
//! under test reads the same shape it would from Graph.

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A canned response.
#[derive(Debug, Clone)]
pub(crate) struct Canned {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// The body and its media type; `None` for Graph's error body (or none, below 400).
    pub(crate) body: Option<(Bytes, &'static str)>,
}

impl Canned {
    /// The response: the canned body, or `graph_error(status, code, message)` for an error
    /// status without one; then the canned headers.
    pub(crate) fn respond(
        &self,
        graph_error: impl FnOnce(StatusCode, &str, &str) -> Response,
    ) -> Response {
        let mut response = match &self.body {
            Some((bytes, media_type)) => {
                let mut response = (self.status, Body::from(bytes.clone())).into_response();
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static(media_type));
                response
            }
            None if self.status.as_u16() >= 400 => {
                let (code, message) = graph_code(self.status);
                graph_error(self.status, code, message)
            }
            None => self.status.into_response(),
        };
        for (name, value) in &self.headers {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        response
    }
}

/// The Graph error code and message the service answers with for `status`.
fn graph_code(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("BadRequest", "The request is invalid."),
        401 => (
            "InvalidAuthenticationToken",
            "Access token validation failure.",
        ),
        403 => (
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ),
        404 => (
            "Request_ResourceNotFound",
            "The requested resource does not exist.",
        ),
        409 => ("Conflict", "The request conflicts with the current state."),
        429 => ("TooManyRequests", "Please retry again later."),
        502 => ("badGateway", "The gateway answered badly."),
        503 => (
            "serviceNotAvailable",
            "The service is temporarily unavailable.",
        ),
        504 => ("gatewayTimeout", "The gateway timed out."),
        _ => (
            "generalException",
            "An error occurred (scripted by the emulator).",
        ),
    }
}
