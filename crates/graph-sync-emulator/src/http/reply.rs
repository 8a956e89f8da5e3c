//! Writing Graph's JSON answers: the OData media type and the [`Origin`] the client addressed
//! (for `@odata.context`, next links and the token endpoint's audience).

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::GraphError;

/// The media type of a successful Graph JSON response.
pub(crate) const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// `body` as an OData JSON answer with `status`.
pub(crate) fn json_response<T: Serialize>(
    status: StatusCode,
    body: &T,
) -> Result<Response, GraphError> {
    let bytes = serde_json::to_vec(body)
        .map_err(|_| GraphError::internal("A response body did not serialize."))?;
    Ok((
        status,
        [(CONTENT_TYPE, HeaderValue::from_static(ODATA_JSON))],
        bytes,
    )
        .into_response())
}

/// The scheme of the connection a request came on, set by the accept loop (absent when the
/// router is embedded elsewhere: then `http`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    Http,
    Https,
}

/// `scheme://host[:port]` as the client addressed the emulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin(String);

impl Origin {
    /// The origin of a request with these parts.
    pub(crate) fn of(parts: &Parts) -> Self {
        let scheme = match parts.extensions.get::<Scheme>() {
            Some(Scheme::Https) => "https",
            _ => "http",
        };
        let host = parts
            .headers
            .get(HOST)
            .and_then(|host| host.to_str().ok())
            .filter(|host| !host.is_empty())
            .unwrap_or("localhost");
        Self(format!("{scheme}://{host}"))
    }

    /// `scheme://host[:port]`.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The Graph root: `scheme://host[:port]/v1.0`.
    pub(crate) fn graph_root(&self) -> String {
        format!("{}/v1.0", self.0)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self::of(parts))
    }
}
