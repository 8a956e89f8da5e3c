//! Talking to the target system: `acquireAccessToken`, `validateCredentials` (job-bound and
//! collection-bound), `provisionOnDemand` (5 requests per 10 s per job) and `bulkUpload`
//! (`application/scim+json`, at most 50 operations, 40 requests per second, `202` with a
//! `Location`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use graph_sync_model::Property;
use graph_sync_model::{
    AcquireAccessTokenRequest, BULK_REQUEST_SCHEMA, BULK_UPLOAD_MAX_OPERATIONS, BulkRequest,
    ProvisionOnDemandRequest, ProvisionOnDemandResult, SynchronizationJobSubject, Timestamp,
    ValidateCredentialsRequest,
};
use serde_json::json;

use super::lookup::{entry, job_not_found};
use crate::clock::Clock;
use crate::directory::{Directory, PrincipalEntry};
use crate::error::GraphError;
use crate::http::auth::{Authorized, Principal};
use crate::http::body::read_json;
use crate::http::path::JobSegment;
use crate::http::reply::{Origin, json_response};
use crate::provisioning::catalog;
use crate::provisioning::checks::check_credentials;
use crate::provisioning::rate::{BULK_UPLOAD, PROVISION_ON_DEMAND, retry_after_seconds};

/// `POST …/synchronization/acquireAccessToken`: accepts any non-empty credentials.
pub(super) async fn acquire_access_token(
    Authorized(_): Authorized<Principal>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let body: AcquireAccessTokenRequest = read_json(&headers, &body)?;
    if body.credentials.is_empty() {
        return Err(GraphError::bad_request("credentials must not be empty."));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST …/jobs/validateCredentials`: the submitted (or saved) secrets against the target
/// system; a `templateId` must name a template of the service principal.
pub(super) async fn validate_credentials(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    validate(&directory, &principal, None, &headers, &body)
}

/// `POST …/jobs/{job}/validateCredentials`.
pub(super) async fn validate_job_credentials(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    JobSegment(job): JobSegment,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    validate(&directory, &principal, Some(&job), &headers, &body)
}

fn validate(
    directory: &Directory,
    principal: &Principal,
    job: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, GraphError> {
    let body: ValidateCredentialsRequest = read_json(headers, body)?;
    let given = body.credentials.get().cloned().unwrap_or_default();
    let verdict = entry(directory, principal, |entry| {
        if let Some(job) = job {
            entry.job_mut(job).ok_or_else(|| job_not_found(job))?;
        } else if let Some(template) = body.template_id.get() {
            entry.template_mut(template.as_str()).ok_or_else(|| {
                GraphError::bad_request(format!(
                    "The template '{template}' is not a template of this service principal."
                ))
            })?;
        }
        let secrets = if body.use_saved_credentials == Property::Value(true) {
            &entry.secrets
        } else {
            &given
        };
        Ok::<_, GraphError>(check_credentials(entry.target.as_ref(), secrets))
    })??;
    verdict.map_err(|reason| {
        GraphError::with_code(
            StatusCode::BAD_REQUEST,
            "CredentialValidationFailed",
            format!("The credentials could not be validated: {reason}."),
        )
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST …/jobs/{job}/provisionOnDemand`: provisions the first subject, or reports that the
/// target system refused the credentials.
pub(super) async fn provision_on_demand(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    State(clock): State<Arc<Clock>>,
    JobSegment(job): JobSegment,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let body: ProvisionOnDemandRequest = read_json(&headers, &body)?;
    let (subjects, credentials) = entry(&directory, &principal, |entry| {
        let PrincipalEntry {
            jobs,
            secrets,
            target,
            ..
        } = entry;
        let found = jobs
            .iter_mut()
            .find(|e| e.id() == job)
            .ok_or_else(|| job_not_found(&job))?;
        found
            .rates
            .admit("provisionOnDemand".to_owned(), PROVISION_ON_DEMAND, clock.instant())
            .map_err(|wait| {
                GraphError::too_many_requests(
                    retry_after_seconds(wait),
                    "provisionOnDemand is limited to 5 requests per 10 seconds. Please retry after the Retry-After interval.",
                )
            })?;
        let rules: Vec<String> = found
            .schema
            .synchronization_rules
            .iter()
            .flatten()
            .filter_map(|r| r.id.get().cloned())
            .collect();
        let mut subjects = Vec::new();
        for parameter in body.parameters.iter().flatten() {
            let rule = parameter.rule_id.as_deref().unwrap_or_default();
            if !rules.iter().any(|r| r == rule) {
                return Err(GraphError::bad_request(format!(
                    "The rule '{rule}' is not a synchronization rule of this job's schema."
                )));
            }
            subjects.extend(parameter.subjects.iter().flatten().cloned());
        }
        if subjects.is_empty() {
            return Err(GraphError::bad_request("No subjects to provision."));
        }
        Ok((subjects, check_credentials(target.as_ref(), secrets)))
    })??;
    let answer = on_demand_result(&subjects[0], credentials);
    json_response(StatusCode::OK, &answer)
}

/// The answer of provisionOnDemand for `subject`, after the credentials check.
fn on_demand_result(
    subject: &SynchronizationJobSubject,
    credentials: Result<(), &'static str>,
) -> ProvisionOnDemandResult {
    let object_id = subject.object_id.clone().unwrap_or_default();
    let credentials_ok = credentials.is_ok();
    let (result, status, description) = match credentials {
        Ok(()) => (
            "Success",
            "Success",
            format!("The object '{object_id}' was created in the target system."),
        ),
        Err(reason) => (
            "Failure",
            "Failure",
            format!("Provisioning could not authenticate to the target system: {reason}."),
        ),
    };
    let now = Timestamp::from(time::OffsetDateTime::now_utc()).to_string();
    let type_name = subject
        .object_type_name
        .get()
        .cloned()
        .unwrap_or_else(|| "User".to_owned());
    let key = json!({"result": result, "details": {}});
    let value = json!({
        "action": if credentials_ok { "Create" } else { "Other" },
        "changeId": uuid::Uuid::new_v4().to_string(),
        "startTime": now,
        "endTime": now,
        "modifiedProperties": [],
        "provisioningSteps": [
            {"name": "EntryImport", "type": "Import", "status": "Success",
             "description": format!("Retrieved {type_name} '{object_id}' from Azure Active Directory"),
             "timestamp": now, "details": {"objectId": object_id}},
            {"name": "EntrySynchronizationScoping", "type": "Scoping", "status": "Success",
             "description": format!("Determine if {type_name} in scope by evaluating against each scoping filter"),
             "timestamp": now, "details": {"IsActive": "True"}},
            {"name": if credentials_ok { "EntryExportAdd" } else { "EntryExportError" },
             "type": "Export", "status": status, "description": description,
             "timestamp": now, "details": {}}
        ],
        "reportableIdentifier": object_id,
        "statusInfo": {"status": status, "errorCode": if credentials_ok { None } else { Some("CredentialsRejected") }},
        "sourceIdentity": {"id": object_id, "type": type_name, "displayName": null, "details": null},
        "sourceSystem": {"id": null, "name": catalog::ENTRA_DIRECTORY, "details": null},
        "targetSystem": {"id": null, "name": catalog::SCIM_DIRECTORY, "details": null}
    });
    let mut answer = ProvisionOnDemandResult::default();
    answer.key = Property::Value(key.to_string());
    answer.value = Property::Value(value.to_string());
    answer
}

/// `POST …/jobs/{job}/bulkUpload`: stores the SCIM resources for the job; `202`.
pub(super) async fn bulk_upload(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    State(clock): State<Arc<Clock>>,
    JobSegment(job): JobSegment,
    origin: Origin,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let body = read_bulk_request(&headers, &body)?;
    entry(&directory, &principal, |entry| {
        let found = entry.job_mut(&job).ok_or_else(|| job_not_found(&job))?;
        found
            .rates
            .admit("bulkUpload".to_owned(), BULK_UPLOAD, clock.instant())
            .map_err(|wait| {
                GraphError::too_many_requests(
                    retry_after_seconds(wait),
                    "bulkUpload is limited to 40 requests per second. Please retry after the Retry-After interval.",
                )
            })?;
        found.uploaded.extend(
            body.operations
                .iter()
                .map(|op| op.data.clone().unwrap_or_default()),
        );
        Ok::<_, GraphError>(())
    })??;
    let location = format!(
        "{}/auditLogs/provisioning/?$filter=jobid%20eq%20'{job}'",
        origin.graph_root()
    );
    let mut response = StatusCode::ACCEPTED.into_response();
    if let Ok(value) = HeaderValue::try_from(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    Ok(response)
}

/// A SCIM bulk request: its media type, shape, schema and size.
fn read_bulk_request(headers: &HeaderMap, body: &Bytes) -> Result<BulkRequest, GraphError> {
    let media_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    if !media_type.eq_ignore_ascii_case("application/scim+json") {
        return Err(GraphError::bad_request(
            "The request must be sent with Content-Type: application/scim+json.",
        ));
    }
    let body: BulkRequest = serde_json::from_slice(body).map_err(|e| {
        GraphError::bad_request(format!(
            "The SCIM bulk request could not be parsed ({:?} error at line {}, column {}).",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    if !body.schemas.iter().any(|s| s == BULK_REQUEST_SCHEMA) {
        return Err(GraphError::bad_request(format!(
            "The bulk request must declare the schema {BULK_REQUEST_SCHEMA}."
        )));
    }
    if body.operations.len() > BULK_UPLOAD_MAX_OPERATIONS {
        return Err(GraphError::bad_request(format!(
            "The bulk request holds {} operations; at most {BULK_UPLOAD_MAX_OPERATIONS} are allowed.",
            body.operations.len()
        )));
    }
    Ok(body)
}
