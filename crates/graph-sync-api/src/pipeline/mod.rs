//! The request pipeline: every operation's request goes through these stages, in this order.
//!
//! | # | stage | file | what it does |
//! |---|---|---|---|
//! | 1 | host check | `mod.rs` | refuses to send a token anywhere but the [`Cloud`]'s Graph host |
//! | 2 | request id | `mod.rs` | one `client-request-id` and one tracing span (`graph_request`) shared by every attempt of the request |
//! | 3 | throttle gate | `retry/gate.rs` | waits while a shared [`ThrottleGate`] is closed |
//! | 4 | authorization | `authorize.rs`, `token_cache.rs` | a token from the per-scope, single-flight cache, with its `Authorization` value (sensitive, zeroized) made once per token |
//! | 5 | request | `request.rs` | builds the `http::Request`: URL, `Authorization`, `client-request-id`, `User-Agent`, `Accept`, `Content-Type`, `Retry-Attempt` on retries |
//! | 6 | transport | — | the client's [`Transport`] sends it |
//! | 7 | reauthorization | `authorize.rs` | on `401`, one fresh token (with the claims of a CAE challenge, if any) and one resend |
//! | 8 | status | `mod.rs` | a 2xx is the answer; anything else becomes a [`ServiceError`] with echoed secrets redacted |
//! | 9 | retry | `retry/` | [`decide`](retry::decide) whether to try again, wait (`Retry-After` or [`Backoff`] with jitter) and go back to 3, or give up with a [`RetryError`](crate::RetryError) |
//!
//! Stages 3 to 9 are the retry loop, [`retry::run`]; stages 4 to 8 are one attempt,
//! [`Pipeline::attempt`].
//! Above the per-request stages, [`wait_until_visible`] (`visible.rs`) repeats whole calls
//! until a new resource reads back consistently.
//!
//! Like azure_core's `Pipeline`, the stages are listed where the pipeline is built; unlike
//! it, they are fixed: what varies per request is the [`Policy`] (retry, consistency,
//! throttle gate), not the list.

mod authorize;
mod request;
pub(crate) mod retry;
mod token_cache;
mod visible;

use std::fmt;
use std::sync::Arc;

use graph_sync_transport::{Response, Transport};
use http::{HeaderValue, StatusCode};
use tracing::Instrument;

use crate::cloud::Cloud;
use crate::credential::{AuthError, AuthErrorKind, TokenCredential};
use crate::error::{Error, ServiceError};
use crate::redact::Redactor;

#[cfg(feature = "fuzzing")]
pub(crate) use authorize::claims_challenge;
pub(crate) use request::Call;
pub use request::{CLIENT_REQUEST_ID, RETRY_ATTEMPT};
pub use retry::{
    Backoff, ConsistencyConfig, RetryConfig, RetryObserver, RetryWait, ThrottleGate,
    is_consistency_error, is_idempotent, is_throttled,
};
pub(crate) use retry::{Jitter, Policy};
use token_cache::TokenCache;
pub use visible::{Visibility, wait_until_visible};

/// What stays the same for every request of a client: where requests go, how they travel,
/// and where their tokens come from.
pub(crate) struct Pipeline {
    transport: Arc<dyn Transport>,
    tokens: TokenCache,
    cloud: Cloud,
    user_agent: HeaderValue,
}

impl Pipeline {
    pub(crate) fn new(
        transport: Arc<dyn Transport>,
        credential: Arc<dyn TokenCredential>,
        cloud: Cloud,
        user_agent: HeaderValue,
    ) -> Self {
        Self {
            transport,
            tokens: TokenCache::new(credential),
            cloud,
            user_agent,
        }
    }

    /// The cloud requests go to.
    pub(crate) fn cloud(&self) -> &Cloud {
        &self.cloud
    }

    /// The transport requests travel through.
    pub(crate) fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }

    /// The credential tokens come from.
    pub(crate) fn credential(&self) -> &Arc<dyn TokenCredential> {
        self.tokens.credential()
    }

    /// Sends one request through every stage, retried as `policy` says.
    ///
    /// Every attempt of the request shares one `client-request-id`, so that the service's
    /// logs tie them together.
    ///
    /// An `async` block rather than an `async fn`: an `async fn` keeps its by-value arguments
    /// twice in its future (as passed, and moved into the body), and `call` is the largest.
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn's future keeps a by-value argument twice"
    )]
    pub(crate) fn send<'a>(
        &'a self,
        policy: &'a Policy,
        call: Call<'a>,
    ) -> impl Future<Output = Result<Response, Error>> + Send + 'a {
        async move {
            if !self.cloud.is_graph_uri(&call.uri) {
                return Err(self.foreign_host(&call.uri));
            }
            // Built once; every attempt's request shares the header's bytes.
            let request_id = HeaderValue::try_from(crate::random::guid()).map_err(|_| {
                Error::InvalidInput(crate::error::InvalidInput::new(
                    "the client-request-id is not a header value",
                ))
            })?;
            let span = tracing::debug_span!(
                "graph_request",
                method = %call.method,
                path = call.uri.path(),
                client_request_id = request_id.to_str().unwrap_or_default(),
            );
            let attempts = retry::run(policy, &call.method, |attempt| {
                self.attempt(&call, &request_id, attempt)
            });
            // With no subscriber listening, the request goes without a span to enter and
            // leave at every poll. Each event of an attempt carries its number. The
            // instrumented loop is boxed, so that the request's own future and poll code
            // hold one copy of the loop, not two.
            if span.is_disabled() {
                attempts.await
            } else {
                Box::pin(attempts.instrument(span)).await
            }
        }
    }

    /// One attempt: a token, the request, the transport, one reauthorization on `401`, and
    /// the status mapped to a result.
    async fn attempt(
        &self,
        call: &Call<'_>,
        request_id: &HeaderValue,
        attempt: u32,
    ) -> Result<Response, Error> {
        let scope = self.cloud.scope();
        let transport = self.transport.as_ref();
        let build =
            |authorization| call.request(authorization, request_id, &self.user_agent, attempt);
        let token = self.tokens.get(scope).await.map_err(Error::Auth)?;
        // A statement of its own: the request moves into the transport's future, and no
        // temporary holding it stays in this one across the wait.
        let request = build(token.header().map_err(Error::Auth)?);
        let response = authorize::send(transport, request, attempt).await?;
        let (response, sent_token) = if response.status() == StatusCode::UNAUTHORIZED {
            // Rare: out of line, so that the future every request goes through stays small.
            Box::pin(authorize::reauthorize(
                &self.tokens,
                transport,
                scope,
                attempt,
                build,
                response,
                token,
            ))
            .await?
        } else {
            (response, token)
        };
        // The token this attempt was sent with, so that a service echoing it is redacted.
        let redactor = || {
            let mut redactor = call.redactor();
            redactor.add_secret(&sent_token.access.token);
            redactor
        };
        if tracing::enabled!(tracing::Level::DEBUG) {
            log_answer(&response, attempt, &redactor);
        }
        if response.status().is_success() {
            return Ok(response);
        }
        Err(service_error(response, request_id, &redactor()))
    }

    /// The refusal to send a token to `uri`, which is not on the cloud's Graph host.
    #[cold]
    #[inline(never)]
    fn foreign_host(&self, uri: &http::Uri) -> Error {
        Error::Auth(AuthError::of_kind(
            AuthErrorKind::Refused,
            format!(
                "refusing to send a token for {} to {}://{}",
                self.cloud.graph_root().origin().ascii_serialization(),
                uri.scheme_str().unwrap_or_default(),
                // The host and port alone: userinfo may hold a password.
                uri.authority().map_or("", |authority| {
                    let authority = authority.as_str();
                    authority
                        .rsplit_once('@')
                        .map_or(authority, |(_, host)| host)
                }),
            ),
        ))
    }
}

/// Logs an attempt's answer at debug level.
#[cold]
#[inline(never)]
fn log_answer(response: &Response, attempt: u32, redactor: &dyn Fn() -> Redactor) {
    // The header is the service's text: redacted and sanitized before it is logged.
    let request_id = response
        .headers()
        .get("request-id")
        .map(|value| redactor().clean(&String::from_utf8_lossy(value.as_bytes())))
        .unwrap_or_default();
    let status = response.status().as_u16();
    tracing::debug!(attempt, status, %request_id, "answered");
}

/// The error of a non-2xx answer, with the secrets it echoes redacted.
#[cold]
#[inline(never)]
fn service_error(response: Response, request_id: &HeaderValue, redactor: &Redactor) -> Error {
    let (parts, body) = response.into_parts();
    Error::from(ServiceError::from_response_redacted(
        parts.status,
        &parts.headers,
        body,
        request_id.to_str().ok(),
        redactor,
    ))
}

impl fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("cloud", &self.cloud)
            .field("transport", &self.transport)
            .field("credential", self.credential())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use graph_sync_transport::testing::MockTransport;
    use http::Method;

    use super::*;
    use crate::credential::MockTokenCredential;

    /// The error of a `GET` of `url`, which must be an authentication error.
    async fn auth_error(pipeline: &Pipeline, url: &str) -> AuthError {
        let url = url::Url::parse(url).unwrap();
        let error = pipeline
            .send(&Policy::default(), Call::to_url(Method::GET, &url).unwrap())
            .await
            .unwrap_err();
        match error {
            Error::Auth(auth) => auth,
            other => panic!("expected an auth error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_token_is_never_sent_to_another_host() {
        let mut transport = MockTransport::new();
        transport.expect_send().times(0);
        let mut credential = MockTokenCredential::new();
        credential.expect_get_token().times(0);
        let pipeline = Pipeline::new(
            Arc::new(transport),
            Arc::new(credential),
            Cloud::global(),
            HeaderValue::from_static("test"),
        );
        for foreign in [
            "https://graph.microsoft.com.evil.example/v1.0/x",
            "http://graph.microsoft.com/v1.0/x",
            "https://login.microsoftonline.com/v1.0/x",
            "https://graph.microsoft.us/v1.0/x",
        ] {
            let auth = auth_error(&pipeline, foreign).await;
            assert!(
                auth.to_string().contains("refusing to send a token"),
                "{auth}"
            );
        }
    }

    #[tokio::test]
    async fn a_token_no_header_can_carry_is_refused_before_sending_and_asked_for_once() {
        let mut transport = MockTransport::new();
        transport.expect_send().times(0);
        let mut credential = MockTokenCredential::new();
        // Cached like any token: the credential is not asked again for every request.
        credential.expect_get_token().times(1).returning(|_| {
            Ok(crate::credential::AccessToken::new(
                secrecy::SecretString::from("line\nbreak"),
                None,
            ))
        });
        let pipeline = Pipeline::new(
            Arc::new(transport),
            Arc::new(credential),
            Cloud::global(),
            HeaderValue::from_static("test"),
        );
        for _ in 0..2 {
            let auth = auth_error(&pipeline, "https://graph.microsoft.com/v1.0/x").await;
            assert_eq!(auth.kind(), AuthErrorKind::Refused);
            assert!(
                auth.to_string().contains("cannot go in an HTTP header"),
                "{auth}"
            );
            let error = Error::Auth(auth);
            assert!(!format!("{error:?} {error}").contains("break"), "{error:?}");
        }
    }
}
