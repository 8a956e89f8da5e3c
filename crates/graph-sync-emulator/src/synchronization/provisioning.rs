//! Talking to the target system: `acquireAccessToken`, `validateCredentials` (job-bound and
//! collection-bound), `provisionOnDemand` (5 requests per 10 s per job) and `bulkUpload`
//! (`application/scim+json`, at most 50 operations, 40 requests per second, `202` with a
//! `Location`).

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use graph_sync_model::Property;
use graph_sync_model::audit::ProvisioningObjectSummary;
use graph_sync_model::{
    AcquireAccessTokenRequest, BULK_REQUEST_SCHEMA, BULK_UPLOAD_MAX_OPERATIONS, BulkOperation,
    BulkRequest, InitiatorType, ProvisionOnDemandRequest, ProvisionOnDemandResult,
    ProvisioningAction, Timestamp, ValidateCredentialsRequest,
};
use serde_json::json;

use super::logs::{Recorder, source_object};
use super::lookup::{entry, job_not_found};
use crate::directory::{Directory, PrincipalEntry};
use crate::error::GraphError;
use crate::http::auth::{Authorized, Principal};
use crate::http::body::read_json;
use crate::http::path::JobSegment;
use crate::http::reply::{Origin, json_response};
use crate::provisioning::catalog;
use crate::provisioning::checks::check_credentials;
use crate::provisioning::events::{Run, SourceObject};
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

/// `POST …/jobs/{job}/provisionOnDemand`: provisions every subject now (each one logged,
/// see [`crate::provisioning::events`]) and answers with the first one's outcome and steps.
pub(super) async fn provision_on_demand(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    recorder: Recorder,
    JobSegment(job): JobSegment,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let body: ProvisionOnDemandRequest = read_json(&headers, &body)?;
    let events = entry(&directory, &principal, |entry| {
        let subjects = {
            let found = entry.job_mut(&job).ok_or_else(|| job_not_found(&job))?;
            found
                .rates
                .admit("provisionOnDemand".to_owned(), PROVISION_ON_DEMAND, recorder.clock.instant())
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
            subjects
        };
        let objects: Vec<SourceObject> = subjects
            .iter()
            .map(|subject| {
                let id = subject.object_id.as_deref().unwrap_or_default();
                let kind = subject.object_type_name.as_deref().unwrap_or("User");
                source_object(entry, id, kind)
            })
            .collect();
        Ok(process_now(
            entry,
            &job,
            objects,
            InitiatorType::Application,
            None,
        ))
    })??;
    let answer = on_demand_result(&events[0], recorder.now());
    recorder.record(events);
    json_response(StatusCode::OK, &answer)
}

/// Stages `objects` in the job and processes them at once, as provisioning on demand and
/// bulk upload do; `inbound` names the source of an API-driven inbound job (its target is
/// the directory, and the SCIM target's credentials play no part).
fn process_now(
    entry: &mut PrincipalEntry,
    job: &str,
    objects: Vec<SourceObject>,
    initiator: InitiatorType,
    inbound: Option<&str>,
) -> Vec<ProvisioningObjectSummary> {
    let PrincipalEntry {
        principal,
        jobs,
        secrets,
        target,
        ..
    } = entry;
    let credentials = match inbound {
        Some(_) => Ok(()),
        None => check_credentials(target.as_ref(), secrets),
    };
    let Some(found) = jobs.iter_mut().find(|e| e.id() == job) else {
        return Vec::new();
    };
    let ids: Vec<String> = objects.iter().map(|o| o.id.clone()).collect();
    for object in objects {
        found.ledger.stage(object);
    }
    let run = Run {
        service_principal_id: principal.id.as_str(),
        service_principal_name: &principal.display_name,
        job_id: found
            .job
            .id
            .get()
            .map_or("", graph_sync_model::JobId::as_str),
        cycle_id: uuid::Uuid::new_v4().to_string(),
        schema: &found.schema,
        credentials,
        initiator,
        source_system: inbound.unwrap_or(catalog::ENTRA_DIRECTORY),
        target_system: if inbound.is_some() {
            catalog::ENTRA_DIRECTORY
        } else {
            catalog::SCIM_DIRECTORY
        },
    };
    let mut ledger = std::mem::take(&mut found.ledger);
    let events = ids
        .iter()
        .filter_map(|id| ledger.process(id, &run))
        .collect();
    found.ledger = ledger;
    events
}

/// The answer of provisionOnDemand: the event's outcome (`key`) and its log (`value`), in the
/// shape of the documented examples (PascalCase members, `type` for the step type).
fn on_demand_result(event: &ProvisioningObjectSummary, now: SystemTime) -> ProvisionOnDemandResult {
    let pascal = |text: &str| {
        let mut chars = text.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_ascii_uppercase().to_string() + chars.as_str()
        })
    };
    let now = Timestamp::from(time::OffsetDateTime::from(now)).to_string();
    let status = event
        .status()
        .map_or_else(String::new, |s| pascal(s.as_str()));
    let error = event.error();
    let mut details = serde_json::Map::new();
    if let Some(error) = error {
        details.insert("errorCode".to_owned(), json!(error.error_code.get()));
        details.insert("errorMessage".to_owned(), json!(error.reason.get()));
    }
    let key = json!({"result": status, "details": details});
    let steps: Vec<serde_json::Value> = event
        .steps()
        .iter()
        .map(|step| {
            json!({
                "name": step.name.get(),
                "type": step.provisioning_step_type.get().map(|t| pascal(t.as_str())),
                "status": step.status.get().map(|s| pascal(s.as_str())),
                "description": step.description.get(),
                "timestamp": now,
                "details": step.details.get(),
            })
        })
        .collect();
    let source = event.source_identity.get();
    let value = json!({
        "action": event.provisioning_action.get().map(|a| match a {
            ProvisioningAction::OtherAction => "Other".to_owned(),
            other => pascal(other.as_str()),
        }),
        "changeId": event.change_id.get(),
        "startTime": now,
        "endTime": now,
        "modifiedProperties": event.modified_properties.get(),
        "provisioningSteps": steps,
        "reportableIdentifier": source.and_then(|s| s.display_name.get()),
        "statusInfo": {"status": status, "errorCode": error.and_then(|e| e.error_code.get())},
        "sourceIdentity": {"id": source.and_then(|s| s.id.get()), "type": source.and_then(|s| s.identity_type.get()),
                           "displayName": source.and_then(|s| s.display_name.get()), "details": null},
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
    recorder: Recorder,
    JobSegment(job): JobSegment,
    origin: Origin,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let body = read_bulk_request(&headers, &body)?;
    let events = entry(&directory, &principal, |entry| {
        let found = entry.job_mut(&job).ok_or_else(|| job_not_found(&job))?;
        found
            .rates
            .admit("bulkUpload".to_owned(), BULK_UPLOAD, recorder.clock.instant())
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
        let objects = body.operations.iter().map(scim_object).collect();
        Ok::<_, GraphError>(process_now(
            entry,
            &job,
            objects,
            InitiatorType::Application,
            Some(API_SOURCE),
        ))
    })??;
    recorder.record(events);
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

/// The source system of API-driven inbound provisioning, as its events name it.
const API_SOURCE: &str = "API";

/// The SCIM resource of a bulk operation as a source object: its id is `externalId` (the
/// matching attribute of inbound provisioning), else the `bulkId`; its attributes are the
/// resource's string, number and boolean members, nested ones as `name.givenName`.
fn scim_object(operation: &BulkOperation) -> SourceObject {
    let data = operation.data.get().cloned().unwrap_or_default();
    let mut attributes = std::collections::BTreeMap::new();
    flatten("", &data, &mut attributes);
    attributes.remove("schemas");
    let id = attributes
        .get("externalId")
        .cloned()
        .or_else(|| operation.bulk_id.get().cloned())
        .unwrap_or_default();
    SourceObject {
        id,
        type_name: "User".to_owned(),
        attributes,
    }
}

fn flatten(
    prefix: &str,
    value: &serde_json::Value,
    out: &mut std::collections::BTreeMap<String, String>,
) {
    use serde_json::Value;
    let text = match value {
        Value::Object(members) => {
            for (name, member) in members {
                // An extension schema's members sit beside the core ones.
                let path = match (name.starts_with("urn:"), prefix.is_empty()) {
                    (true, _) => prefix.to_owned(),
                    (false, true) => name.clone(),
                    (false, false) => format!("{prefix}.{name}"),
                };
                flatten(&path, member, out);
            }
            return;
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                flatten(prefix, first, out);
            }
            return;
        }
        Value::String(text) => text.clone(),
        Value::Bool(flag) => if *flag { "True" } else { "False" }.to_owned(),
        Value::Number(number) => number.to_string(),
        Value::Null => return,
    };
    if !prefix.is_empty() {
        out.insert(prefix.to_owned(), text);
    }
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
