//! The client's error type.
//!
//! [`Error`] has one variant per thing a caller can act on: fix the input, look at what the
//! service said, check the network, check the credentials, or report a service that answered
//! something unreadable. `Display` prints one line for the variant; the cause is reachable
//! through [`std::error::Error::source`], so a chain prints each part once.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use graph_sync_model::{IdError, ODataError, SecretsError};
use graph_sync_transport::TransportError;
use http::{HeaderMap, StatusCode};

use crate::credential::AuthError;
use crate::redact::Redactor;

/// Everything that can go wrong in a call.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input was rejected before anything was sent.
    #[error(transparent)]
    InvalidInput(InvalidInput),
    /// The request did not complete: see the [`TransportError`] for what failed and whether
    /// the server may have seen the request.
    #[error("request not completed")]
    Transport(#[source] TransportError),
    /// Graph answered with a non-2xx status.
    #[error(transparent)]
    Service(Box<ServiceError>),
    /// Graph answered 2xx with a body that is not what the API documents.
    #[error("unexpected response body")]
    Decode(#[source] DecodeError),
    /// No access token could be had, or it may not be sent where the request goes. `Display`
    /// is the [`AuthError`]'s, which states the cause (what the credential or Entra said);
    /// `source()` is the cause's own source, so a chain prints each part once.
    #[error(transparent)]
    Auth(AuthError),
    /// The retry policy stopped: the attempt or time limit was reached, the service asked to
    /// wait longer than the cap, or a request that is not idempotent may have been applied and
    /// was not repeated. [`RetryError::reason`] says which; the last attempt's error is the
    /// source.
    #[error(transparent)]
    Retry(Box<RetryError>),
}

impl Error {
    /// The service error, if Graph answered with a non-2xx status.
    #[must_use]
    ///
    /// Looks through [`Error::Retry`] to the last attempt's error.
    pub fn as_service(&self) -> Option<&ServiceError> {
        match self {
            Self::Service(error) => Some(error),
            Self::Retry(retry) => retry.last_error().and_then(Self::as_service),
            _ => None,
        }
    }

    /// The retry policy's report, if it stopped retrying this request.
    #[must_use]
    pub fn as_retry(&self) -> Option<&RetryError> {
        match self {
            Self::Retry(error) => Some(error),
            _ => None,
        }
    }

    /// The HTTP status, if Graph answered.
    #[must_use]
    pub fn status(&self) -> Option<StatusCode> {
        self.as_service().map(ServiceError::status)
    }
}

impl From<AuthError> for Error {
    fn from(error: AuthError) -> Self {
        Self::Auth(error)
    }
}

impl From<InvalidInput> for Error {
    fn from(error: InvalidInput) -> Self {
        Self::InvalidInput(error)
    }
}

impl From<SecretsError> for Error {
    fn from(error: SecretsError) -> Self {
        Self::InvalidInput(InvalidInput::from(error))
    }
}

impl From<IdError> for Error {
    fn from(error: IdError) -> Self {
        Self::InvalidInput(InvalidInput::from(error))
    }
}

impl From<ServiceError> for Error {
    fn from(error: ServiceError) -> Self {
        Self::Service(Box::new(error))
    }
}

/// Input rejected before a request was sent. The message names the problem, never a secret.
#[derive(Debug, thiserror::Error)]
#[error("invalid input: {message}")]
pub struct InvalidInput {
    message: String,
    kind: InvalidInputKind,
}

/// What kind of input was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidInputKind {
    /// A secret key, value or collection, with the model's reason.
    Secrets(SecretsError),
    /// A malformed id.
    Id(IdError),
    /// The operation is not available in the client's cloud (the provisioning logs in
    /// China); nothing was sent.
    NotInCloud,
    /// Anything else: configuration, URLs, options.
    Other,
}

impl InvalidInput {
    /// An input error with `message`.
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind: InvalidInputKind::Other,
        }
    }

    /// An input error of `kind` with `message`.
    #[must_use]
    pub fn with_kind(message: impl Into<String>, kind: InvalidInputKind) -> Self {
        Self {
            message: message.into(),
            kind,
        }
    }

    /// What was rejected, for callers that branch on it.
    #[must_use]
    pub fn kind(&self) -> &InvalidInputKind {
        &self.kind
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<SecretsError> for InvalidInput {
    fn from(error: SecretsError) -> Self {
        Self {
            message: error.to_string(),
            kind: InvalidInputKind::Secrets(error),
        }
    }
}

impl From<IdError> for InvalidInput {
    fn from(error: IdError) -> Self {
        Self {
            message: error.to_string(),
            kind: InvalidInputKind::Id(error),
        }
    }
}

/// A 2xx response whose body could not be read as the documented type.
///
/// It records what was expected and where parsing stopped, never a fragment of the body.
#[derive(Debug, thiserror::Error)]
#[error("expected {expected}: {problem}{}", position(*.line, *.column))]
pub struct DecodeError {
    expected: &'static str,
    problem: &'static str,
    line: usize,
    column: usize,
}

impl DecodeError {
    pub(crate) fn from_json(expected: &'static str, error: &serde_json::Error) -> Self {
        let problem = match error.classify() {
            serde_json::error::Category::Io => "unreadable body",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "JSON of the wrong shape",
            serde_json::error::Category::Eof => "truncated JSON",
        };
        Self {
            expected,
            problem,
            line: error.line(),
            column: error.column(),
        }
    }

    /// A body (or header) that is well-formed but unusable, e.g. a next-page link that leaves
    /// Graph.
    pub(crate) fn invalid(expected: &'static str, problem: &'static str) -> Self {
        Self {
            expected,
            problem,
            line: 0,
            column: 0,
        }
    }

    /// The type the body should have held.
    #[must_use]
    pub fn expected(&self) -> &'static str {
        self.expected
    }
}

/// ` at line L, column C` for a JSON error; nothing for a body that parsed.
fn position(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" at line {line}, column {column}")
    }
}

/// Graph's answer to a request that failed: status, error code and message, and everything
/// support asks for (`request-id`, `client-request-id`, date).
///
/// When the synchronization service wraps a whole JSON error document in `message` (it does,
/// e.g. `UnknownError` around `InvalidNotificationSettings`), the document is unpacked:
/// [`message`](Self::message) and [`inner_code`](Self::inner_code) come from the inside.
#[derive(Clone)]
pub struct ServiceError {
    status: StatusCode,
    code: Option<String>,
    message: Option<String>,
    inner_code: Option<String>,
    request_id: Option<String>,
    client_request_id: Option<String>,
    date: Option<String>,
    retry_after: Option<Duration>,
    odata: Option<ODataError>,
    raw_body: Bytes,
}

impl ServiceError {
    /// Reads a non-2xx response, with no secret to redact (its text is still sanitized:
    /// see [`from_response_redacted`](Self::from_response_redacted)).
    ///
    /// `client_request_id` is the id this client sent, used when the service does not echo it.
    #[must_use]
    pub fn from_response(
        status: StatusCode,
        headers: &HeaderMap,
        body: Bytes,
        client_request_id: Option<&str>,
    ) -> Self {
        Self::from_response_redacted(status, headers, body, client_request_id, &Redactor::new())
    }

    /// Reads a non-2xx response to a request whose secrets `redactor` knows.
    ///
    /// Every value the redactor knows is replaced by [`REDACTED`](crate::redact::REDACTED)
    /// wherever the service echoed it: in the raw body (as sent, JSON-escaped or
    /// percent-encoded; if only the decoded JSON reveals it, the body is re-encoded from the
    /// redacted document), and so in the whole [`odata`](Self::odata) tree, and in every
    /// header-derived field. The text fields (code, inner code, message, request ids, date)
    /// are then [`sanitize`](crate::redact::sanitize)d: free of control characters and
    /// capped at [`MAX_FIELD_LEN`](crate::redact::MAX_FIELD_LEN) bytes, so that `Display`
    /// is safe to print on a terminal.
    #[must_use]
    pub fn from_response_redacted(
        status: StatusCode,
        headers: &HeaderMap,
        body: Bytes,
        client_request_id: Option<&str>,
        redactor: &Redactor,
    ) -> Self {
        let body = redact_body(body, redactor);
        let clean = |text: &str| redactor.clean(text);
        let header = |name: &str| {
            headers
                .get(name)
                .map(|value| clean(&String::from_utf8_lossy(value.as_bytes())))
        };
        let odata = ODataError::from_slice(&body);
        let main = odata.as_ref().map(|e| &e.error);
        let inner = main.and_then(|e| e.inner_error.as_ref());
        let mut code = main.and_then(|e| e.code.clone());
        let mut message = main.and_then(|e| e.message.clone());
        let mut inner_code = inner.and_then(|e| e.innermost_code()).map(str::to_owned);
        if let Some(nested) = message.as_deref().and_then(nested_error) {
            if code.is_none() {
                code.clone_from(&nested.code);
            }
            inner_code = nested.code.or(inner_code);
            // The outer message was the document itself: it is replaced even when the
            // document has no message of its own.
            message = nested.message;
        }
        if code.is_none() && message.is_none() && !body.is_empty() {
            message = Some(format!("{} bytes of {}", body.len(), content_kind(headers)));
        }
        let inner_field = |field: Option<&String>| field.map(|text| clean(text));
        Self {
            status,
            code: code.as_deref().map(clean),
            message: message.as_deref().map(clean),
            inner_code: inner_code.as_deref().map(clean),
            request_id: header("request-id")
                .or_else(|| inner_field(inner.and_then(|e| e.request_id.as_ref()))),
            client_request_id: header("client-request-id")
                .or_else(|| inner_field(inner.and_then(|e| e.client_request_id.as_ref())))
                .or_else(|| client_request_id.map(clean)),
            date: header("date").or_else(|| inner_field(inner.and_then(|e| e.date.as_ref()))),
            retry_after: crate::pipeline::retry::retry_after::parse(headers, SystemTime::now()),
            odata,
            raw_body: body,
        }
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Graph's error code (`error.code`), e.g. `Request_ResourceNotFound`. Branch on this.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The message, unpacked from a JSON document nested in `error.message` when there is one.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The most specific code: from a nested error document, else the innermost
    /// `innerError.code`.
    #[must_use]
    pub fn inner_code(&self) -> Option<&str> {
        self.inner_code.as_deref()
    }

    /// The `request-id` to give Microsoft support.
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The `client-request-id` of the request.
    #[must_use]
    pub fn client_request_id(&self) -> Option<&str> {
        self.client_request_id.as_deref()
    }

    /// When the service answered (the `Date` header, else `innerError.date`), as written.
    #[must_use]
    pub fn date(&self) -> Option<&str> {
        self.date.as_deref()
    }

    /// How long the service asked the client to wait (`Retry-After`, in seconds or as a
    /// date), if it did.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The parsed OData error body, when the body was one.
    #[must_use]
    pub fn odata(&self) -> Option<&ODataError> {
        self.odata.as_ref()
    }

    /// The body exactly as received.
    #[must_use]
    pub fn raw_body(&self) -> &Bytes {
        &self.raw_body
    }

    /// `429 Too Many Requests`.
    #[must_use]
    pub fn is_throttled(&self) -> bool {
        self.status == StatusCode::TOO_MANY_REQUESTS
    }

    /// `404 Not Found`.
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
    }

    /// `401 Unauthorized`.
    #[must_use]
    pub fn is_unauthorized(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Graph answered {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, ": {code}")?;
        }
        if let Some(inner) = self
            .inner_code
            .as_deref()
            .filter(|inner| Some(*inner) != self.code.as_deref())
        {
            write!(f, " ({inner})")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " [request-id {request_id}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("inner_code", &self.inner_code)
            .field("request_id", &self.request_id)
            .field("client_request_id", &self.client_request_id)
            .field("date", &self.date)
            .field("retry_after", &self.retry_after)
            .field("raw_body_len", &self.raw_body.len())
            .finish_non_exhaustive()
    }
}

impl std::error::Error for ServiceError {}

/// Why the retry policy stopped and returned an error.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaveUp {
    /// The request is not idempotent (a `POST`) and its transport failure may have reached the
    /// server: it may have been applied, so it was not repeated. Check the resource before
    /// sending it again.
    MaybeApplied,
    /// The attempt limit was reached.
    Attempts,
    /// The next wait would have ended past the time limit.
    Elapsed,
    /// The service asked to wait longer than the configured cap; the wait is in
    /// [`RetryError::retry_after`].
    RetryAfterTooLong,
    /// [`wait_until_visible`](crate::wait_until_visible) ran out of time before the resource
    /// had been read the required number of times in a row.
    NotVisible,
}

impl GaveUp {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::MaybeApplied => {
                "not retried: the request is not idempotent and may have reached the server, so it may have been applied"
            }
            Self::Attempts => "gave up: attempt limit reached",
            Self::Elapsed => "gave up: time limit reached",
            Self::RetryAfterTooLong => {
                "gave up: the service asked to wait longer than the configured Retry-After cap"
            }
            Self::NotVisible => "gave up: the resource did not become visible in time",
        }
    }
}

/// A request the retry policy stopped retrying: why, after how many attempts and how long,
/// and the last attempt's error ([`last_error`](Self::last_error), also the
/// [`source`](std::error::Error::source)).
#[derive(Debug)]
pub struct RetryError {
    reason: GaveUp,
    attempts: u32,
    elapsed: Duration,
    retry_after: Option<Duration>,
    last: Option<Error>,
}

impl RetryError {
    pub(crate) fn new(
        reason: GaveUp,
        attempts: u32,
        elapsed: Duration,
        last: Option<Error>,
    ) -> Self {
        let retry_after = last
            .as_ref()
            .and_then(Error::as_service)
            .and_then(|service| service.retry_after());
        Self {
            reason,
            attempts,
            elapsed,
            retry_after,
            last,
        }
    }

    /// Why the policy stopped.
    #[must_use]
    pub fn reason(&self) -> GaveUp {
        self.reason
    }

    /// How many attempts were made (or reads, for [`GaveUp::NotVisible`]).
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The time from the first attempt to giving up.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The `Retry-After` of the last answer, if it had one.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The last attempt's error (`None` only for [`GaveUp::NotVisible`] when the last read
    /// succeeded).
    #[must_use]
    pub fn last_error(&self) -> Option<&Error> {
        self.last.as_ref()
    }

    /// Takes the last attempt's error.
    #[must_use]
    pub fn into_last_error(self) -> Option<Error> {
        self.last
    }
}

impl fmt::Display for RetryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} after {} attempt{} in {:.3} s",
            self.reason.describe(),
            self.attempts,
            if self.attempts == 1 { "" } else { "s" },
            self.elapsed.as_secs_f64()
        )?;
        if let Some(wait) = self.retry_after {
            write!(f, " (Retry-After {:.3} s)", wait.as_secs_f64())?;
        }
        Ok(())
    }
}

impl std::error::Error for RetryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.last
            .as_ref()
            .map(|error| error as &(dyn std::error::Error + 'static))
    }
}

/// A JSON error document nested in a message: `{"error":{"code":…,"message":…}}` or
/// `{"code":…,"message":…}`.
struct Nested {
    code: Option<String>,
    message: Option<String>,
}

fn nested_error(message: &str) -> Option<Nested> {
    let text = message.trim();
    if !text.starts_with('{') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = value.get("error").unwrap_or(&value);
    let field = |name: &str| {
        object
            .get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let nested = Nested {
        code: field("code"),
        message: field("message"),
    };
    (nested.code.is_some() || nested.message.is_some()).then_some(nested)
}

/// What the body was, from `Content-Type`, for a message that cannot quote the body.
fn content_kind(headers: &HeaderMap) -> String {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|kind| kind.split(';').next())
        .map(str::trim)
        .filter(|kind| {
            kind.len() <= 100
                && kind
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/+-.".contains(&b))
        })
        .map_or_else(|| "body".to_owned(), |kind| format!("{kind} body"))
}

/// The body with every secret `redactor` knows replaced, in the forms it was sent and, for
/// a JSON body, after decoding (which catches `\u` escapes).
fn redact_body(body: Bytes, redactor: &Redactor) -> Bytes {
    if redactor.is_empty() {
        return body;
    }
    let body = match redactor.redact_bytes(&body) {
        Cow::Borrowed(_) => body,
        Cow::Owned(clean) => Bytes::from(clean),
    };
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return body;
    };
    if redactor.redact_json(&mut value) {
        Bytes::from(value.to_string())
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16, body: &str) -> ServiceError {
        ServiceError::from_response(
            StatusCode::from_u16(status).unwrap(),
            &HeaderMap::new(),
            Bytes::from(body.to_owned()),
            Some("client-1"),
        )
    }

    #[test]
    fn unpacks_a_json_document_nested_in_message() {
        let body = r#"{"error":{"code":"UnknownError","message":"{\r\n  \"error\":{\r\n    \"code\":\"InvalidNotificationSettings\",\r\n    \"message\":\"Notification settings are not valid.\"\r\n  }\r\n}","innerError":{"date":"2023-01-11T10:00:00","request-id":"r-1","client-request-id":"c-1"}}}"#;
        let e = error(400, body);
        assert_eq!(e.code(), Some("UnknownError"));
        assert_eq!(e.inner_code(), Some("InvalidNotificationSettings"));
        assert_eq!(e.message(), Some("Notification settings are not valid."));
        assert_eq!(e.request_id(), Some("r-1"));
        assert_eq!(e.client_request_id(), Some("c-1"));
        assert_eq!(e.date(), Some("2023-01-11T10:00:00"));
        assert_eq!(
            e.to_string(),
            "Graph answered 400 Bad Request: UnknownError (InvalidNotificationSettings): Notification settings are not valid. [request-id r-1]"
        );
    }

    #[test]
    fn non_json_bodies_are_described_not_quoted() {
        let e = error(502, "<html>bad gateway</html>");
        assert_eq!(e.code(), None);
        assert_eq!(e.message(), Some("24 bytes of body"));
        assert_eq!(e.client_request_id(), Some("client-1"));
        assert_eq!(e.raw_body().as_ref(), b"<html>bad gateway</html>");
    }

    #[test]
    fn an_auth_error_converts_with_a_question_mark_and_states_its_cause() {
        fn build() -> Result<crate::ClientSecretCredential, Error> {
            Ok(crate::ClientSecretCredential::new(
                "contoso.onmicrosoft.com",
                "",
                "secret",
            )?)
        }
        let error = build().unwrap_err();
        let Error::Auth(auth) = &error else {
            panic!("expected an auth error, got {error:?}")
        };
        assert_eq!(error.to_string(), auth.to_string());
        assert!(
            error.to_string().contains("ClientSecretCredential"),
            "{error}"
        );
        assert!(!error.to_string().contains("secret\""), "{error}");
    }

    #[test]
    fn redaction_scrubs_echoed_secrets() {
        let e = error(
            400,
            r#"{"error":{"code":"BadRequest","message":"token tok-SECRET-1 is bad"}}"#,
        );
        let e = ServiceError::from_response_redacted(
            e.status(),
            &HeaderMap::new(),
            e.raw_body().clone(),
            None,
            &Redactor::new().with_value("tok-SECRET-1"),
        );
        assert_eq!(e.message(), Some("token [REDACTED] is bad"));
        assert!(!String::from_utf8_lossy(e.raw_body()).contains("tok-SECRET-1"));
        assert!(!format!("{e:?}{e}").contains("tok-SECRET-1"));
    }
}
