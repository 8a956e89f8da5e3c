//! [`Call`]: one request as an operation describes it, and the `http::Request` each attempt
//! builds from it.

use bytes::Bytes;
use graph_sync_model::Secrets;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use http::{Method, Request, Uri};
use secrecy::ExposeSecret;
use url::Url;

use crate::error::{Error, InvalidInput};
use crate::redact::Redactor;

/// The header that carries the client's id for a request, echoed by Graph.
pub const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// The header that numbers a retry (`1` on the first retry), as the Graph SDKs send it.
pub const RETRY_ATTEMPT: HeaderName = HeaderName::from_static("retry-attempt");

/// The header that asks directory objects for an advanced query (`$search`, `$count`, …).
pub(crate) const CONSISTENCY_LEVEL: HeaderName = HeaderName::from_static("consistencylevel");

/// One request, as an operation describes it.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) body: Option<Bytes>,
    /// The secrets the body carries, redacted from a service error that echoes them.
    pub(crate) secrets: Option<&'a Secrets>,
    /// The body's media type (`application/json` unless an operation says otherwise).
    pub(crate) content_type: &'static str,
    /// Whether the request carries `ConsistencyLevel: eventual`.
    pub(crate) eventual: bool,
}

impl<'a> Call<'a> {
    pub(crate) fn new(method: Method, uri: Uri) -> Self {
        Self {
            method,
            uri,
            body: None,
            secrets: None,
            content_type: "application/json",
            eventual: false,
        }
    }

    /// A call to a URL parsed elsewhere (a `@odata.nextLink`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the URL is not one an HTTP request can carry.
    pub(crate) fn to_url(method: Method, url: &Url) -> Result<Self, Error> {
        let uri = Uri::try_from(url.as_str()).map_err(|e| {
            Error::InvalidInput(InvalidInput::new(format!(
                "cannot build a request for {}: {e}",
                url.path()
            )))
        })?;
        Ok(Self::new(method, uri))
    }

    /// With `eventual`, the request carries `ConsistencyLevel: eventual` (Graph's advanced
    /// queries on directory objects).
    pub(crate) fn eventual_consistency(mut self, eventual: bool) -> Self {
        self.eventual = eventual;
        self
    }

    /// A JSON body.
    pub(crate) fn json(mut self, body: Bytes) -> Self {
        self.body = Some(body);
        self
    }

    /// A JSON body that carries the values of `secrets`.
    pub(crate) fn json_with_secrets(mut self, body: Bytes, secrets: &'a Secrets) -> Self {
        self.body = Some(body);
        self.secrets = Some(secrets);
        self
    }

    /// A redactor for the secret values this request carries (made only when an answer
    /// needs redacting, so that a request that succeeds never collects them).
    pub(crate) fn redactor(&self) -> Redactor {
        self.secrets
            .iter()
            .flat_map(|secrets| secrets.iter())
            .map(|pair| pair.value().expose_secret())
            .filter(|value| !value.is_empty())
            .fold(Redactor::new(), |redactor, value| {
                redactor.with_value(value)
            })
    }

    /// A body of another media type, e.g. `application/scim+json`.
    pub(crate) fn content_type(mut self, content_type: &'static str) -> Self {
        self.content_type = content_type;
        self
    }

    /// The request of attempt number `attempt` (from 1), carrying `authorization`.
    pub(super) fn request(
        &self,
        authorization: HeaderValue,
        request_id: &HeaderValue,
        user_agent: &HeaderValue,
        attempt: u32,
    ) -> Request<Bytes> {
        // Put together in place: `http::request::Builder` moves the whole request through a
        // `Result` for every header.
        let mut request = Request::new(self.body.clone().unwrap_or_default());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        let headers = request.headers_mut();
        headers.reserve(8);
        headers.insert(AUTHORIZATION, authorization);
        headers.insert(CLIENT_REQUEST_ID, request_id.clone());
        headers.insert(USER_AGENT, user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if self.body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        }
        if self.eventual {
            headers.insert(CONSISTENCY_LEVEL, HeaderValue::from_static("eventual"));
        }
        if attempt > 1 {
            headers.insert(RETRY_ATTEMPT, HeaderValue::from(attempt.saturating_sub(1)));
        }
        request
    }
}
