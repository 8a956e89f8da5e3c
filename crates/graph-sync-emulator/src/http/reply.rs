//! Writing Graph's JSON answers: the OData media type and the Graph root as the client
//! addressed it (for `@odata.context` and next links).

use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
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

/// The Graph root as the client addressed it, for `@odata.context`.
pub(crate) fn graph_root(headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| !host.is_empty())
        .unwrap_or("localhost");
    format!("http://{host}/v1.0")
}
