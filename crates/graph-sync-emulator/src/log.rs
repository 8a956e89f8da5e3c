//! The request log: every request the emulator answered, in order, without bodies or
//! `Authorization`.

use std::sync::{Mutex, PoisonError};

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
        }
    }

    /// Whether this request was answered `429` by the throttle.
    #[must_use]
    pub fn throttled(&self) -> bool {
        self.status == 429 && self.fault.is_none() && !self.reached_handler
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
}
