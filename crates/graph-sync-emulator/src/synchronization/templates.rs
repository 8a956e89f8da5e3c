//! Synchronization templates of a service principal: list, get, and update (PATCH or PUT
//! replace the whole template but its schema, which is a contained navigation property
//! updated through `…/schema`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use graph_sync_model::SynchronizationTemplate;

use super::lookup::{entry, template_not_found};
use super::paging::Paging;
use crate::directory::Directory;
use crate::error::GraphError;
use crate::http::auth::{Authorized, Principal};
use crate::http::body::read_json;
use crate::http::path::TemplateSegment;
use crate::http::reply::{Origin, json_response};
use crate::strict::query::Query;

/// `GET …/templates`.
pub(super) async fn list(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    State(paging): State<Arc<Paging>>,
    query: Query,
    uri: Uri,
    origin: Origin,
) -> Result<Response, GraphError> {
    let templates = entry(&directory, &principal, |entry| {
        entry
            .templates
            .iter()
            .map(|t| t.template.clone())
            .collect::<Vec<_>>()
    })?;
    paging.page(templates, &query, &uri, &origin)
}

/// `GET …/templates/{template}`.
pub(super) async fn get(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    TemplateSegment(template): TemplateSegment,
) -> Result<Response, GraphError> {
    let found = entry(&directory, &principal, |entry| {
        entry.template_mut(&template).map(|t| t.template.clone())
    })?;
    json_response(
        StatusCode::OK,
        &found.ok_or_else(|| template_not_found(&template))?,
    )
}

/// `PATCH` or `PUT …/templates/{template}`.
pub(super) async fn update(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    TemplateSegment(template): TemplateSegment,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let mut body: SynchronizationTemplate = read_json(&headers, &body)?;
    if body.id.get().is_some_and(|id| id.as_str() != template) {
        return Err(GraphError::bad_request(
            "The template id in the body does not match the path.",
        ));
    }
    entry(&directory, &principal, |entry| {
        let stored = entry
            .template_mut(&template)
            .ok_or_else(|| template_not_found(&template))?;
        // The whole template is replaced: properties left out are erased. The schema is a
        // contained navigation property, updated through …/schema.
        body.id.clone_from(&stored.template.id);
        body.schema = stored.template.schema.take();
        stored.template = body;
        Ok::<_, GraphError>(())
    })??;
    Ok(StatusCode::NO_CONTENT.into_response())
}
