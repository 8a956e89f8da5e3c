//! Service principals as objects: `POST /applicationTemplates/{id}/instantiate` (an
//! application and its service principal, with the gallery template's synchronization
//! templates) and `GET /servicePrincipals/{id}` (which answers `404` for the first reads after
//! an instantiation, as directory replication does).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use graph_sync_model::Property;
use graph_sync_model::{
    AppId, Application, ApplicationServicePrincipal, InstantiateRequest, ServicePrincipalId,
};
use serde_json::json;

use super::lookup::{entry, not_found};
use crate::directory::{Directory, ServicePrincipal, TemplateEntry};
use crate::error::GraphError;
use crate::http::auth::{Authorized, Principal};
use crate::http::body::read_json;
use crate::http::reply::json_response;

/// The key under which an instantiated application remembers its gallery template.
const APPLICATION_TEMPLATE_ID: &str = "applicationTemplateId";

/// `POST /applicationTemplates/{id}/instantiate`.
pub(super) async fn instantiate(
    Authorized(()): Authorized<()>,
    State(directory): State<Arc<Directory>>,
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
        ServicePrincipalId::new(sp_id.clone()).map_err(|_| GraphError::internal("bad GUID"))?,
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
    {
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
        entry.application = Some(application.clone());
    }
    let mut service_principal = graph_sync_model::ServicePrincipal::default();
    service_principal.id = Property::Value(sp_id);
    service_principal.app_id = Property::Value(app_id);
    service_principal.display_name = request.display_name;
    service_principal.application_template_id = Property::Value(id);
    let mut body = ApplicationServicePrincipal::default();
    body.application = Property::Value(application);
    body.service_principal = Property::Value(service_principal);
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
        let mut body = graph_sync_model::ServicePrincipal::default();
        body.id = Property::Value(entry.principal.id.to_string());
        body.app_id = Property::Value(entry.principal.app_id.to_string());
        body.display_name = Property::Value(entry.principal.display_name.clone());
        body.application_template_id = entry
            .application
            .as_ref()
            .and_then(|a| a.extra.get(APPLICATION_TEMPLATE_ID))
            .and_then(|v| v.as_str())
            .map_or(Property::Absent, |id| Property::Value(id.to_owned()));
        Some(body)
    })?
    .ok_or_else(|| GraphError::resource_not_found(principal.id.as_str()))?;
    json_response(StatusCode::OK, &body)
}
