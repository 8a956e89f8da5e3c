//! Service principals and applications as directory objects: `POST
//! /applicationTemplates/{id}/instantiate` (an application and its service principal, with
//! the gallery template's synchronization templates), `GET /servicePrincipals` and
//! `GET /applications` (lists through the query options of directory objects),
//! `GET /servicePrincipals/{id}` (which answers `404` for the first reads after an
//! instantiation, as directory replication does) and `GET /applications/{id}`. Every answer
//! carries Graph's default property set ([`objects`](super::objects)).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use graph_sync_model::{
    AppId, Application, InstantiateRequest, Property, ServicePrincipalId, Timestamp,
};
use serde_json::{Value, json};

use super::lookup::{entry, not_found};
use super::objects::{self, APPLICATION_TEMPLATE_ID, CREATED_DATE_TIME};
use super::paging::Paging;
use crate::clock::Clock;
use crate::directory::{Directory, PrincipalEntry, ServicePrincipal, TemplateEntry};
use crate::error::GraphError;
use crate::http::auth::{Authorized, Principal};
use crate::http::body::read_json;
use crate::http::reply::{Origin, json_response};
use crate::strict::query::Query;

/// `POST /applicationTemplates/{id}/instantiate`.
pub(super) async fn instantiate(
    Authorized(()): Authorized<()>,
    State(directory): State<Arc<Directory>>,
    State(clock): State<Arc<Clock>>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let Path(id) = id.map_err(|_| GraphError::malformed_path())?;
    let request: InstantiateRequest = read_json(&headers, &body)?;
    let display_name = request
        .display_name
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    if display_name.is_empty() {
        return Err(GraphError::with_code(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "displayName is required.",
        ));
    }
    let new_guid = || uuid::Uuid::new_v4().to_string();
    let (sp_id, app_id, object_id) = (new_guid(), new_guid(), new_guid());
    let principal = ServicePrincipal::new(
        ServicePrincipalId::new(sp_id).map_err(|_| GraphError::internal("bad GUID"))?,
        AppId::new(app_id.clone()).map_err(|_| GraphError::internal("bad GUID"))?,
        display_name,
    );
    let mut application = Application::default();
    application.id = Property::Value(object_id.clone());
    application.app_id = Property::Value(app_id.clone());
    application.display_name = request.display_name.clone();
    application
        .extra
        .insert(APPLICATION_TEMPLATE_ID.into(), json!(id));
    application.extra.insert(
        CREATED_DATE_TIME.into(),
        json!(Timestamp::from(time::OffsetDateTime::from(clock.now())).to_string()),
    );
    let body = {
        let mut tenant = directory.lock();
        let templates = tenant
            .gallery
            .get(&id.to_ascii_lowercase())
            .cloned()
            .ok_or_else(|| not_found(&format!("Application template '{id}'")))?;
        let invisible_reads = tenant.replication_lag;
        let entry = tenant.insert(principal);
        entry.templates = templates
            .into_iter()
            .map(|mut template| {
                template.application_id = Property::Value(object_id.clone());
                TemplateEntry::new(template)
            })
            .collect();
        entry.invisible_reads = invisible_reads;
        entry.application = Some(application);
        json!({
            "application": objects::application(entry),
            "servicePrincipal": objects::service_principal(entry),
        })
    };
    json_response(StatusCode::CREATED, &body)
}

/// `GET /servicePrincipals/{id}` (or by appId).
pub(super) async fn get(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
) -> Result<Response, GraphError> {
    let body = entry(&directory, &principal, |entry| {
        if entry.invisible_reads > 0 {
            entry.invisible_reads -= 1;
            return None;
        }
        Some(objects::service_principal(entry))
    })?
    .ok_or_else(|| GraphError::resource_not_found(principal.id.as_str()))?;
    json_response(StatusCode::OK, &body)
}

/// `GET /applications/{id}`.
pub(super) async fn get_application(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
) -> Result<Response, GraphError> {
    let body = entry(&directory, &principal, |entry| objects::application(entry))?
        .ok_or_else(|| GraphError::resource_not_found(principal.id.as_str()))?;
    json_response(StatusCode::OK, &body)
}

/// `GET /servicePrincipals`.
pub(super) async fn list(
    Authorized(()): Authorized<()>,
    State(directory): State<Arc<Directory>>,
    State(paging): State<Arc<Paging>>,
    query: Query,
    uri: Uri,
    origin: Origin,
) -> Result<Response, GraphError> {
    let items = all(&directory, objects::service_principal);
    paging.page_directory(items, &query, &uri, &origin)
}

/// `GET /applications`: the applications of instantiated service principals.
pub(super) async fn list_applications(
    Authorized(()): Authorized<()>,
    State(directory): State<Arc<Directory>>,
    State(paging): State<Arc<Paging>>,
    query: Query,
    uri: Uri,
    origin: Origin,
) -> Result<Response, GraphError> {
    let items = all(&directory, |entry| {
        objects::application(entry).unwrap_or(Value::Null)
    })
    .into_iter()
    .filter(|item| !item.is_null())
    .collect();
    paging.page_directory(items, &query, &uri, &origin)
}

/// Every service principal as `render` writes it, in a stable order (by id, as a directory
/// lists without `$orderby`).
fn all(directory: &Directory, render: impl Fn(&PrincipalEntry) -> Value) -> Vec<Value> {
    let tenant = directory.lock();
    let mut items: Vec<Value> = tenant.entries().map(render).collect();
    items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    items
}
