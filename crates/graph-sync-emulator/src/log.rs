//! The request log: every request the emulator answered, in order, with what it carried
//! redacted (no `Authorization`, no secret value: see the control module's `redact`).

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use crate::faults::{Fault, Intercepted};

/// One request the emulator answered, as kept in
/// [`Emulator::requests`](crate::Emulator::requests).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, e.g. `PUT`.
    pub method: String,
    /// The path with its query, as sent (percent-encoding kept).
    pub path: String,
    /// The status answered (or the handler's status, when a fault then dropped the
    /// connection or cut the body).
    pub status: u16,
    /// The `client-request-id` header the client sent, if any (and if it was text).
    pub client_request_id: Option<String>,
    /// Whether the request reached its handler (and so, for a PUT, was applied). `false` when
    /// it was throttled or a fault answered or dropped it first.
    pub reached_handler: bool,
    /// The fault injected into this request, if any.
    pub fault: Option<Fault>,
    /// The emulated operation that answered it (e.g. `jobs.start`), if a route matched.
    pub operation: Option<&'static str>,
    /// Whether a scripted answer or fault (from the control API) answered it.
    pub scripted: bool,
    /// The `request-id` the emulator answered with.
    pub request_id: String,
    /// The request headers in order, credential headers and secret values redacted.
    pub headers: Vec<(String, String)>,
    /// The query (after `?`), credential parameters and secret values redacted.
    pub query: Option<String>,
    /// The body as text, secret values redacted and capped at 64 KiB; `None` when empty.
    pub body: Option<String>,
    /// When the request was received.
    pub received: SystemTime,
    /// How long it took to answer (for a dropped connection: until the drop was decided).
    pub duration: Duration,
}

/// What the capture stage read of a request, redacted.
#[derive(Clone, Debug, Default)]
pub(crate) struct Captured {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Option<String>,
    pub(crate) body: Option<String>,
}

/// When a request was received and answered, and under which `request-id`.
#[derive(Clone, Debug)]
pub(crate) struct Timing {
    pub(crate) request_id: String,
    pub(crate) received: SystemTime,
    pub(crate) duration: Duration,
}

impl RecordedRequest {
    pub(crate) fn new(
        method: String,
        path: String,
        status: u16,
        client_request_id: Option<String>,
        intercepted: Option<Intercepted>,
        operation: Option<&'static str>,
    ) -> Self {
        Self {
            method,
            path,
            status,
            client_request_id,
            reached_handler: intercepted.is_none_or(|i| i.reached_handler),
            fault: intercepted.and_then(|i| i.fault),
            operation,
            scripted: intercepted.is_some_and(|i| i.scripted),
            request_id: String::new(),
            headers: Vec::new(),
            query: None,
            body: None,
            received: SystemTime::UNIX_EPOCH,
            duration: Duration::ZERO,
        }
    }

    /// This record with what was captured of the request and when it was answered.
    pub(crate) fn with_details(mut self, captured: Option<Captured>, timing: Timing) -> Self {
        let captured = captured.unwrap_or_default();
        self.headers = captured.headers;
        self.query = captured.query;
        self.body = captured.body;
        self.request_id = timing.request_id;
        self.received = timing.received;
        self.duration = timing.duration;
        self
    }

    /// The path without its query.
    #[must_use]
    pub fn path_only(&self) -> &str {
        self.path
            .split_once('?')
            .map_or(&self.path, |(path, _)| path)
    }

    /// Whether this request was answered `429` by the throttle.
    #[must_use]
    pub fn throttled(&self) -> bool {
        self.status == 429 && self.fault.is_none() && !self.reached_handler && !self.scripted
    }
}

/// The request log substate.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    requests: Mutex<Vec<RecordedRequest>>,
}

impl RequestLog {
    /// Appends to the log.
    pub(crate) fn record(&self, request: RecordedRequest) {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
    }

    /// The log so far.
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many entries the log holds.
    pub(crate) fn len(&self) -> usize {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The log from entry `first` on (entries are numbered from 0), at most `limit` of them,
    /// and the number of entries in all.
    pub(crate) fn page(&self, first: usize, limit: usize) -> (Vec<RecordedRequest>, usize) {
        let requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        let page = requests.iter().skip(first).take(limit).cloned().collect();
        (page, requests.len())
    }

    /// Forgets every entry.
    pub(crate) fn clear(&self) {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
