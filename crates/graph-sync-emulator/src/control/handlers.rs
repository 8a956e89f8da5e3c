//! The control API's handlers: JSON in, JSON out, errors as
//! `{"error":{"code","message"}}` with a message that says what to send instead.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::control::admin::Admin;
use crate::control::answer::Canned;
use crate::control::kinds;
use crate::control::selection::Selection;
use crate::control::settings::{Settings, SettingsPatch};
use crate::control::{ControlState, OPENAPI};
use crate::faults::{Action, MAX_SCRIPT, Resilience, Scripted};
use crate::log::{RecordedRequest, RequestLog};

/// An error answer.
pub(super) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

/// `400` with `message`.
fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// Reads a JSON body as `T`; the error is the message of a `400`.
fn read<T: DeserializeOwned>(body: &Bytes) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| {
        format!("The body is not the expected JSON: {e} (see docs/emulator.md, \"Control API\").")
    })
}

/// Any other path under `/_emulator`.
pub(super) async fn unknown() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "NotFound",
        "No such control route; GET /_emulator/openapi.json lists them.",
    )
}

/// `GET /_emulator/openapi.json`.
pub(super) async fn openapi() -> Response {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        OPENAPI,
    )
        .into_response()
}

/// `GET /_emulator/settings`.
pub(super) async fn settings_get(State(resilience): State<Arc<Resilience>>) -> Response {
    Json(Settings::current(&resilience).to_json()).into_response()
}

/// `PUT /_emulator/settings`: replaces every setting (a field left out is off).
pub(super) async fn settings_put(
    State(resilience): State<Arc<Resilience>>,
    body: Bytes,
) -> Response {
    change_settings(&resilience, &body, &Settings::default())
}

/// `PATCH /_emulator/settings`: a field left out is kept, `null` turns it off.
pub(super) async fn settings_patch(
    State(resilience): State<Arc<Resilience>>,
    body: Bytes,
) -> Response {
    change_settings(&resilience, &body, &Settings::current(&resilience))
}

fn change_settings(resilience: &Resilience, body: &Bytes, base: &Settings) -> Response {
    let patch: SettingsPatch = match read(body) {
        Ok(patch) => patch,
        Err(message) => return bad_request(&message),
    };
    match patch.apply(base) {
        Ok(settings) => {
            settings.apply(resilience);
            Json(settings.to_json()).into_response()
        }
        Err(message) => bad_request(&message),
    }
}

/// `DELETE /_emulator/settings`: every setting off.
pub(super) async fn settings_delete(State(resilience): State<Arc<Resilience>>) -> StatusCode {
    Settings::default().apply(&resilience);
    StatusCode::NO_CONTENT
}

/// A script: what the next requests to a route get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptJson {
    /// The method the answers are for (any when absent).
    method: Option<String>,
    /// The path pattern the answers are for (any when absent).
    path: Option<String>,
    /// The answers, in order.
    answers: Vec<AnswerJson>,
    /// How many times the answers are queued (default 1).
    times: Option<usize>,
}

/// One scripted answer: a canned response or a fault.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerJson {
    status: Option<u16>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<Value>,
    body_text: Option<String>,
    fault: Option<String>,
}

/// The most answers one script queues (answers × times).
const MAX_PER_SCRIPT: usize = 10_000;

impl AnswerJson {
    fn action(self) -> Result<Action, String> {
        if let Some(fault) = self.fault {
            if self.status.is_some() || !self.headers.is_empty() || self.body.is_some() {
                return Err(
                    "an answer is either a fault or a status with headers and body, \
                            not both"
                        .to_owned(),
                );
            }
            return kinds::parse_fault(&fault).map(Action::Fault);
        }
        let status = self
            .status
            .and_then(|status| StatusCode::from_u16(status).ok())
            .filter(|status| (200..=599).contains(&status.as_u16()))
            .ok_or("an answer needs a status from 200 to 599, or a fault")?;
        let headers = self
            .headers
            .iter()
            .map(|(name, value)| {
                let name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| format!("{name:?} is not a header name"))?;
                let value = HeaderValue::from_str(value)
                    .map_err(|_| format!("the value of {name} is not a header value"))?;
                Ok((name, value))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let body = match (self.body, self.body_text) {
            (Some(_), Some(_)) => return Err("give body or body_text, not both".to_owned()),
            (Some(json), None) => Some((Bytes::from(json.to_string()), "application/json")),
            (None, Some(text)) => Some((Bytes::from(text), "text/plain; charset=utf-8")),
            (None, None) => None,
        };
        Ok(Action::Answer(Canned {
            status,
            headers,
            body,
        }))
    }
}

impl ScriptJson {
    fn scripted(self) -> Result<Vec<Scripted>, String> {
        let items: Vec<&str> = self
            .method
            .iter()
            .chain(&self.path)
            .map(String::as_str)
            .collect();
        if items
            .iter()
            .any(|item| item.is_empty() || item.contains(','))
        {
            return Err("method and path must be non-empty and hold no comma".to_owned());
        }
        let only = if items.is_empty() {
            Selection::all()
        } else {
            Selection::parse(&items.join(","))?
        };
        let times = self.times.unwrap_or(1);
        if self.answers.is_empty() || times == 0 {
            return Err("a script needs at least one answer, queued at least once".to_owned());
        }
        if self.answers.len().saturating_mul(times) > MAX_PER_SCRIPT {
            return Err(format!("a script queues at most {MAX_PER_SCRIPT} answers"));
        }
        let actions = self
            .answers
            .into_iter()
            .map(AnswerJson::action)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((0..times)
            .flat_map(|_| actions.iter().cloned())
            .map(|action| Scripted {
                only: only.clone(),
                action,
            })
            .collect())
    }
}

/// `POST /_emulator/script`.
pub(super) async fn script_post(
    State(resilience): State<Arc<Resilience>>,
    body: Bytes,
) -> Response {
    let script: ScriptJson = match read(&body) {
        Ok(script) => script,
        Err(message) => return bad_request(&message),
    };
    let scripted = match script.scripted() {
        Ok(scripted) => scripted,
        Err(message) => return bad_request(&message),
    };
    let added = scripted.len();
    if resilience.scripted().saturating_add(added) > MAX_SCRIPT {
        return bad_request(&format!(
            "the script holds at most {MAX_SCRIPT} answers; DELETE /_emulator/script first"
        ));
    }
    let pending = resilience.script_actions(scripted);
    (
        StatusCode::CREATED,
        Json(json!({"queued": added, "pending": pending})),
    )
        .into_response()
}

/// `GET /_emulator/script`.
pub(super) async fn script_get(State(resilience): State<Arc<Resilience>>) -> Response {
    Json(json!({"pending": resilience.scripted()})).into_response()
}

/// `DELETE /_emulator/script`.
pub(super) async fn script_delete(State(resilience): State<Arc<Resilience>>) -> StatusCode {
    resilience.clear_script();
    StatusCode::NO_CONTENT
}

/// The clock as the control API shows it.
fn clock_json(clock: &Clock) -> Response {
    Json(json!({
        "offset_seconds": clock.offset().as_secs_f64(),
        "now": rfc3339(clock.now()),
        "frozen": clock.is_frozen(),
    }))
    .into_response()
}

/// `GET /_emulator/clock`.
pub(super) async fn clock_get(State(clock): State<Arc<Clock>>) -> Response {
    clock_json(&clock)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceJson {
    /// How far to move the clock forward.
    advance_seconds: Option<f64>,
    /// Stop (`true`) or restart (`false`) the clock, before moving it.
    frozen: Option<bool>,
}

/// The furthest one call moves the clock: ten years.
const MAX_ADVANCE: Duration = Duration::from_secs(10 * 366 * 86_400);

/// `POST /_emulator/clock`: freezes or unfreezes the clock, and moves it forward.
pub(super) async fn clock_post(State(clock): State<Arc<Clock>>, body: Bytes) -> Response {
    let advance: AdvanceJson = match read(&body) {
        Ok(advance) => advance,
        Err(message) => return bad_request(&message),
    };
    if advance.advance_seconds.is_none() && advance.frozen.is_none() {
        return bad_request("name advance_seconds, frozen or both");
    }
    let by = match advance.advance_seconds {
        None => Duration::ZERO,
        Some(seconds) => match Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|by| *by <= MAX_ADVANCE)
        {
            Some(by) => by,
            None => {
                return bad_request(
                    "advance_seconds must be from 0 to ten years (the clock only moves forward; \
                     POST /_emulator/reset puts it back)",
                );
            }
        },
    };
    match advance.frozen {
        Some(true) => clock.freeze(),
        Some(false) => clock.unfreeze(),
        None => {}
    }
    clock.advance(by);
    clock_json(&clock)
}

/// `POST /_emulator/reset`: settings back to the start, script, log and clock cleared. The
/// directory (service principals, secrets, jobs) is kept.
pub(super) async fn reset(State(state): State<ControlState>) -> StatusCode {
    reset_state(&state.admin, &state.resilience, &state.log, &state.clock);
    StatusCode::NO_CONTENT
}

fn reset_state(admin: &Admin, resilience: &Resilience, log: &RequestLog, clock: &Clock) {
    admin.baseline().apply(resilience);
    resilience.clear_script();
    log.clear();
    clock.reset();
}

/// `since` and `limit` from the query; `Err` when one is not a whole number, or unknown.
fn log_query(uri: &Uri) -> Result<(Option<usize>, Option<usize>), ()> {
    let (mut since, mut limit) = (None, None);
    for pair in uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').ok_or(())?;
        let value = value.parse::<usize>().map_err(|_| ())?;
        match name {
            "since" => since = Some(value),
            "limit" => limit = Some(value),
            _ => return Err(()),
        }
    }
    Ok((since, limit))
}

/// The most entries one page of the log holds.
const MAX_PAGE: usize = 10_000;

/// `GET /_emulator/log?since=N&limit=M`.
pub(super) async fn log_get(State(log): State<Arc<RequestLog>>, uri: Uri) -> Response {
    let Ok((since, limit)) = log_query(&uri) else {
        return bad_request("the log takes since=N and limit=N, whole numbers");
    };
    let first = since.unwrap_or(0);
    let limit = limit.unwrap_or(MAX_PAGE).min(MAX_PAGE);
    let (page, total) = log.page(first, limit);
    let next = first.saturating_add(page.len()).min(total.max(first));
    let requests: Vec<Value> = page
        .iter()
        .enumerate()
        .map(|(offset, request)| entry(first.saturating_add(offset), request))
        .collect();
    Json(json!({"requests": requests, "next": next, "total": total})).into_response()
}

/// `DELETE /_emulator/log`.
pub(super) async fn log_delete(State(log): State<Arc<RequestLog>>) -> StatusCode {
    log.clear();
    StatusCode::NO_CONTENT
}

/// One log entry as JSON.
fn entry(seq: usize, request: &RecordedRequest) -> Value {
    let headers: serde_json::Map<String, Value> = request
        .headers
        .iter()
        .fold(BTreeMap::<&str, String>::new(), |mut map, (name, value)| {
            map.entry(name)
                .and_modify(|joined| {
                    joined.push_str(", ");
                    joined.push_str(value);
                })
                .or_insert_with(|| value.clone());
            map
        })
        .into_iter()
        .map(|(name, value)| (name.to_owned(), Value::String(value)))
        .collect();
    let body = request.body.as_deref().map(|text| {
        serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_owned()))
    });
    json!({
        "seq": seq,
        "method": request.method,
        "path": request.path_only(),
        "query": request.query,
        "headers": headers,
        "body": body,
        "status": request.status,
        "client_request_id": request.client_request_id,
        "request_id": request.request_id,
        "operation": request.operation,
        "reached_handler": request.reached_handler,
        "throttled": request.throttled(),
        "fault": request.fault.as_ref().map(kinds::fault_text),
        "scripted": request.scripted,
        "received_at": rfc3339(request.received),
        "duration_ms": request.duration.as_secs_f64() * 1000.0,
    })
}

/// `GET /_emulator/counters`.
pub(super) async fn counters(State(log): State<Arc<RequestLog>>) -> Response {
    let requests = log.requests();
    let mut by_status = BTreeMap::<String, usize>::new();
    let mut faults = BTreeMap::<&str, usize>::new();
    for request in &requests {
        *by_status.entry(request.status.to_string()).or_default() += 1;
        if let Some(fault) = &request.fault {
            *faults.entry(kinds::fault_kind(fault)).or_default() += 1;
        }
    }
    let count = |keep: fn(&RecordedRequest) -> bool| requests.iter().filter(|r| keep(r)).count();
    Json(json!({
        "requests": requests.len(),
        "throttled": count(RecordedRequest::throttled),
        "status_429": count(|r| r.status == 429),
        "scripted": count(|r| r.scripted),
        "reached_handler": count(|r| r.reached_handler),
        "by_status": by_status,
        "faults": faults,
    }))
    .into_response()
}

/// `time` as RFC 3339 in UTC with milliseconds.
fn rfc3339(time: std::time::SystemTime) -> String {
    let time = time::OffsetDateTime::from(time);
    let millis = time.millisecond();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
}
