//! Jobs: list, get, create (from a template of the service principal, with a copy of its
//! schema), delete, and the lifecycle actions start, pause and restart. Reading a job runs a
//! scheduled cycle when it is `Active` (see [`JobEntry::tick`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use graph_sync_model::{RestartRequest, SynchronizationJob, SynchronizationJobRestartScope};

use super::logs::{Recorder, cycle_events};
use super::lookup::{entry, job_not_found};
use super::paging::Paging;
use crate::directory::{Directory, PrincipalEntry};
use crate::error::GraphError;
use crate::http::auth::{Authorized, Principal};
use crate::http::body::read_json;
use crate::http::path::JobSegment;
use crate::http::reply::{Origin, json_response};
use crate::provisioning::job::JobEntry;
use crate::strict::query::Query;

/// `GET …/jobs`.
pub(super) async fn list(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    State(paging): State<Arc<Paging>>,
    query: Query,
    recorder: Recorder,
    uri: Uri,
    origin: Origin,
) -> Result<Response, GraphError> {
    let now = recorder.now();
    let (jobs, events) = entry(&directory, &principal, |entry| {
        let PrincipalEntry {
            jobs,
            secrets,
            target,
            ..
        } = entry;
        let jobs = jobs
            .iter_mut()
            .map(|job| {
                job.tick(now, secrets, target.as_ref());
                job.job.clone()
            })
            .collect::<Vec<_>>();
        (jobs, cycle_events(entry))
    })?;
    recorder.record(events);
    paging.page(jobs, &query, &uri, &origin)
}

/// `GET …/jobs/{job}`.
pub(super) async fn get(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    recorder: Recorder,
    JobSegment(job): JobSegment,
) -> Result<Response, GraphError> {
    let now = recorder.now();
    let (found, events) = entry(&directory, &principal, |entry| {
        let PrincipalEntry {
            jobs,
            secrets,
            target,
            ..
        } = entry;
        let found = jobs.iter_mut().find(|e| e.id() == job).map(|found| {
            found.tick(now, secrets, target.as_ref());
            found.job.clone()
        });
        (found, cycle_events(entry))
    })?;
    recorder.record(events);
    json_response(StatusCode::OK, &found.ok_or_else(|| job_not_found(&job))?)
}

/// `POST …/jobs`: a job from `templateId`, disabled and `NotConfigured`.
pub(super) async fn create(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let body: SynchronizationJob = read_json(&headers, &body)?;
    let template_id = body
        .template_id
        .into_option()
        .ok_or_else(|| GraphError::bad_request("templateId is required to create a job."))?;
    let created = entry(&directory, &principal, |entry| {
        let template = entry
            .templates
            .iter()
            .find(|t| t.id().eq_ignore_ascii_case(template_id.as_str()))?;
        let job = JobEntry::create(&template_id, template.template.schema.get()?)?;
        let answer = job.job.clone();
        entry.jobs.push(job);
        Some(answer)
    })?;
    let job = created.ok_or_else(|| {
        GraphError::bad_request(format!(
            "The template '{template_id}' is not a template of this service principal; list them with GET …/synchronization/templates."
        ))
    })?;
    json_response(StatusCode::CREATED, &job)
}

/// `DELETE …/jobs/{job}`.
pub(super) async fn delete(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    JobSegment(job): JobSegment,
) -> Result<Response, GraphError> {
    let removed = entry(&directory, &principal, |entry| {
        let before = entry.jobs.len();
        entry.jobs.retain(|e| e.id() != job);
        entry.jobs.len() < before
    })?;
    if removed {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(job_not_found(&job))
    }
}

/// A lifecycle action on a job.
#[derive(Debug)]
enum Action {
    Start,
    Pause,
    Restart(SynchronizationJobRestartScope),
}

/// Applies `action` to the job; `204`.
fn act(
    directory: &Directory,
    recorder: &Recorder,
    principal: &Principal,
    job: &str,
    action: &Action,
) -> Result<Response, GraphError> {
    let now = recorder.now();
    let (found, events) = entry(directory, principal, |entry| {
        let PrincipalEntry {
            jobs,
            secrets,
            target,
            ..
        } = entry;
        let found = jobs
            .iter_mut()
            .find(|e| e.id() == job)
            .map(|found| match action {
                Action::Start => found.start(now, secrets, target.as_ref()),
                Action::Pause => found.pause(),
                Action::Restart(scope) => found.restart(now, scope, secrets, target.as_ref()),
            });
        (found, cycle_events(entry))
    })?;
    recorder.record(events);
    found.ok_or_else(|| job_not_found(job))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST …/jobs/{job}/start`.
pub(super) async fn start(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    recorder: Recorder,
    JobSegment(job): JobSegment,
) -> Result<Response, GraphError> {
    act(&directory, &recorder, &principal, &job, &Action::Start)
}

/// `POST …/jobs/{job}/pause`.
pub(super) async fn pause(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    recorder: Recorder,
    JobSegment(job): JobSegment,
) -> Result<Response, GraphError> {
    act(&directory, &recorder, &principal, &job, &Action::Pause)
}

/// `POST …/jobs/{job}/restart`: an empty body restarts as the portal does.
pub(super) async fn restart(
    Authorized(principal): Authorized<Principal>,
    State(directory): State<Arc<Directory>>,
    recorder: Recorder,
    JobSegment(job): JobSegment,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let request: RestartRequest = if body.trim_ascii().is_empty() {
        RestartRequest::default()
    } else {
        read_json(&headers, &body)?
    };
    let scope = request
        .criteria
        .into_option()
        .and_then(|c| c.reset_scope.into_option())
        .unwrap_or_else(SynchronizationJobRestartScope::portal_restart);
    act(
        &directory,
        &recorder,
        &principal,
        &job,
        &Action::Restart(scope),
    )
}
