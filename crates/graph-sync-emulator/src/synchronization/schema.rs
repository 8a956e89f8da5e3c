//! The schema of a job or of a template: get, replace (after the service's checks: `400
//! InvalidSchema`), reset (DELETE), and the operations below it: filterOperators, functions,
//! parseExpression and directory discovery.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use graph_sync_model::Property;
use graph_sync_model::{ParseExpressionRequest, SynchronizationSchema, Timestamp};

use super::lookup::{entry, job_not_found, not_found, template_not_found};
use crate::directory::Directory;
use crate::error::GraphError;
use crate::http::auth::{Authorized, Principal};
use crate::http::body::read_json;
use crate::http::path::{DirectorySegment, JobSegment, TemplateSegment};
use crate::http::reply::{Origin, json_response};
use crate::provisioning::{catalog, checks, expression};
use crate::strict::list_response;
use crate::strict::query::Query;

/// Whose schema the path addresses: `…/jobs/{job}/schema` or `…/templates/{template}/schema`.
#[derive(Debug)]
pub(super) enum SchemaOf {
    Job(String),
    Template(String),
}

impl<S: Send + Sync> FromRequestParts<S> for SchemaOf {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, GraphError> {
        if let Ok(JobSegment(job)) = JobSegment::from_request_parts(parts, state).await {
            return Ok(Self::Job(job));
        }
        let TemplateSegment(template) = TemplateSegment::from_request_parts(parts, state).await?;
        Ok(Self::Template(template))
    }
}

/// Runs `f` on the stored schema of `of` and its default (the template's, for a reset).
fn with_schema<R>(
    directory: &Directory,
    principal: &Principal,
    of: &SchemaOf,
    f: impl FnOnce(&mut SynchronizationSchema, SynchronizationSchema) -> Result<R, GraphError>,
) -> Result<R, GraphError> {
    entry(directory, principal, |entry| match of {
        SchemaOf::Job(job) => {
            let found = entry.job_mut(job).ok_or_else(|| job_not_found(job))?;
            let default = found.template_schema.clone();
            f(&mut found.schema, default)
        }
        SchemaOf::Template(template) => {
            let found = entry
                .template_mut(template)
                .ok_or_else(|| template_not_found(template))?;
            let default = found.factory_schema.clone();
            f(found.schema_mut(), default)
        }
    })?
}

/// `GET …/schema`.
pub(super) async fn get(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    of: SchemaOf,
) -> Result<Response, GraphError> {
    let schema = with_schema(&directory, &principal, &of, |schema, _| Ok(schema.clone()))?;
    json_response(StatusCode::OK, &schema)
}

/// `PUT …/schema`: replaces the schema (keeping its id) after the service's checks.
pub(super) async fn put(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    of: SchemaOf,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let schema: SynchronizationSchema = read_json(&headers, &body)?;
    checks::check_schema(&schema).map_err(|message| {
        GraphError::with_code(StatusCode::BAD_REQUEST, "InvalidSchema", message)
    })?;
    with_schema(&directory, &principal, &of, move |stored, _| {
        let id = stored.id.clone();
        *stored = schema;
        stored.id = id;
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE …/schema`: back to the default schema.
pub(super) async fn delete(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    of: SchemaOf,
) -> Result<Response, GraphError> {
    with_schema(&directory, &principal, &of, |stored, default| {
        *stored = default;
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET …/schema/filterOperators`.
pub(super) async fn filter_operators(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    of: SchemaOf,
    query: Query,
    uri: Uri,
    origin: Origin,
) -> Result<Response, GraphError> {
    with_schema(&directory, &principal, &of, |_, _| Ok(()))?;
    list_response(
        catalog::filter_operators(),
        &query,
        usize::MAX,
        &uri,
        &origin,
    )
}

/// `GET …/schema/functions`.
pub(super) async fn functions(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    of: SchemaOf,
    query: Query,
    uri: Uri,
    origin: Origin,
) -> Result<Response, GraphError> {
    with_schema(&directory, &principal, &of, |_, _| Ok(()))?;
    list_response(catalog::functions(), &query, usize::MAX, &uri, &origin)
}

/// `POST …/schema/parseExpression`.
pub(super) async fn parse_expression(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    of: SchemaOf,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let request: ParseExpressionRequest = read_json(&headers, &body)?;
    with_schema(&directory, &principal, &of, |_, _| Ok(()))?;
    json_response(StatusCode::OK, &expression::parse_expression(&request))
}

/// `POST …/schema/directories/{directory}/discover`: a new discovery date and version.
pub(super) async fn discover(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    of: SchemaOf,
    DirectorySegment(name): DirectorySegment,
) -> Result<Response, GraphError> {
    let found = with_schema(&directory, &principal, &of, |schema, _| {
        let found = schema
            .directories
            .iter_mut()
            .flatten()
            .find(|d| d.id.as_deref() == Some(name.as_str()))
            .ok_or_else(|| not_found(&format!("The directory '{name}'")))?;
        found.discovery_date_time =
            Property::Value(Timestamp::from(time::OffsetDateTime::now_utc()));
        let version = found
            .version
            .as_deref()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        found.version = Property::Value(version.saturating_add(1).to_string());
        Ok(found.clone())
    })?;
    json_response(StatusCode::OK, &found)
}
