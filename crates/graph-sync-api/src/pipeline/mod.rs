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
//! [`Pipeline::attempt`]. A request's first attempt is made in place, without the loop, when
//! it has nothing to wait for (no gate, a cached token) and nothing traces it; only an answer
//! other than a success then goes on to the loop (see [`Pipeline::send`]).
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
use std::pin::Pin;
use std::sync::Arc;

use graph_sync_transport::{Response, Transport, TransportError};
use http::{HeaderValue, StatusCode};
use tokio::time::Instant;
use tracing::{Instrument, Level};

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
use token_cache::{Bearer, TokenCache};
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
    /// Most requests take a token from the cache and succeed at once: their first attempt is
    /// made here, in place ([`Pipeline::in_place`] says when it can be), and a success is the
    /// answer. Anything else (a request that meets the gate, waits for a token, is traced at
    /// debug level, or whose first answer is not a success) goes on in [`Pipeline::retried`],
    /// boxed: the future every request holds and the code every request runs stay small.
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
            // A block of its own: what it leaves to the loop is moved into the loop's future,
            // and this one keeps no room for it while that runs.
            let rest = {
                // Built once; every attempt's request shares the header's bytes.
                let request_id = HeaderValue::try_from(crate::random::guid()).map_err(|_| {
                    Error::InvalidInput(crate::error::InvalidInput::new(
                        "the client-request-id is not a header value",
                    ))
                })?;
                let start = Instant::now();
                // Made once: a request traced at debug level goes to the loop with its span.
                let span = request_span(&call, &request_id);
                // The transport's future is made in a statement of its own, so that neither the
                // request nor a temporary holding the token's header waits across its answer.
                let first = span
                    .is_disabled()
                    .then(|| self.in_place(policy))
                    .flatten()
                    .map(|(token, authorization)| {
                        let request = call.request(authorization, &request_id, &self.user_agent, 1);
                        (token, self.transport.send(request))
                    });
                let made = match first {
                    Some((token, sent)) => match sent.await {
                        Ok(response) if response.status().is_success() => return Ok(response),
                        sent => Some((token, sent)),
                    },
                    None => None,
                };
                self.retried(policy, call, request_id, start, made, span)
            };
            rest.await
        }
    }

    /// The token and its `Authorization` value for a first attempt made in place, without the
    /// retry loop: only when there is no throttle gate to wait at, no debug-level tracing to
    /// record the attempt (the caller checks the request's span), and a cached token to use at
    /// once.
    fn in_place(&self, policy: &Policy) -> Option<(Arc<Bearer>, HeaderValue)> {
        if policy.gate.is_some() || tracing::enabled!(Level::DEBUG) {
            return None;
        }
        let token = self.tokens.cached(self.cloud.scope())?;
        let authorization = token.header().ok()?;
        Some((token, authorization))
    }

    /// A request after (or without) its first attempt made in place: the retry loop, in the
    /// request's `span`. `made` is that attempt's token and what the transport gave.
    ///
    /// Boxed, and made out of line: the poll code every request runs does not reserve stack
    /// for a future that only requests which need the loop build.
    #[inline(never)]
    fn retried<'a>(
        &'a self,
        policy: &'a Policy,
        call: Call<'a>,
        request_id: HeaderValue,
        start: Instant,
        made: Option<(Arc<Bearer>, Result<Response, TransportError>)>,
        span: tracing::Span,
    ) -> Pin<Box<dyn Future<Output = Result<Response, Error>> + Send + 'a>> {
        Box::pin(async move {
            let made = match made {
                Some((token, sent)) => Some(retry::Made {
                    start,
                    result: self.answered(&call, &request_id, 1, token, sent).await,
                }),
                None => None,
            };
            let attempts = retry::run(policy, &call.method, made, |attempt| {
                self.attempt(&call, &request_id, attempt)
            });
            // With no subscriber listening, the request goes without a span to enter and
            // leave at every poll. Each event of an attempt carries its number.
            if span.is_disabled() {
                attempts.await
            } else {
                attempts.instrument(span).await
            }
        })
    }

    /// One attempt: a token, the request, the transport, and what it [answered](Self::answered).
    async fn attempt(
        &self,
        call: &Call<'_>,
        request_id: &HeaderValue,
        attempt: u32,
    ) -> Result<Response, Error> {
        let token = self
            .tokens
            .get(self.cloud.scope())
            .await
            .map_err(Error::Auth)?;
        // A statement of its own: the request moves into the transport's future, and no
        // temporary holding it stays in this one across the wait.
        let request = call.request(
            token.header().map_err(Error::Auth)?,
            request_id,
            &self.user_agent,
            attempt,
        );
        let sent = authorize::send(self.transport.as_ref(), request, attempt).await;
        self.answered(call, request_id, attempt, token, sent).await
    }

    /// What an attempt sent with `token` comes to: one reauthorization on `401`, and the
    /// status mapped to a result.
    async fn answered(
        &self,
        call: &Call<'_>,
        request_id: &HeaderValue,
        attempt: u32,
        token: Arc<Bearer>,
        sent: Result<Response, TransportError>,
    ) -> Result<Response, Error> {
        let response = sent.map_err(|error| authorize::transport_failed(error, attempt))?;
        let (response, sent_token) = if response.status() == StatusCode::UNAUTHORIZED {
            // Rare: out of line, so that the future of an attempt stays small.
            Box::pin(authorize::reauthorize(
                &self.tokens,
                self.transport.as_ref(),
                self.cloud.scope(),
                attempt,
                |authorization| call.request(authorization, request_id, &self.user_agent, attempt),
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

/// The span every attempt of a request is traced in.
fn request_span(call: &Call<'_>, request_id: &HeaderValue) -> tracing::Span {
    tracing::debug_span!(
        "graph_request",
        method = %call.method,
        path = call.uri.path(),
        client_request_id = request_id.to_str().unwrap_or_default(),
    )
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
    use std::time::Duration;

    use graph_sync_transport::testing::{MockTransport, RecordingTransport};
    use http::header::AUTHORIZATION;
    use http::{Method, Uri};
    use secrecy::ExposeSecret;

    use super::*;
    use crate::credential::{AccessToken, MockTokenCredential};
    use crate::error::GaveUp;

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

    /// A pipeline over `transport` whose credential hands out `token-1`, `token-2`, … (never
    /// expiring), one each time it is asked.
    fn counting_pipeline(transport: Arc<RecordingTransport>) -> Pipeline {
        let mut credential = MockTokenCredential::new();
        let mut issued = 0;
        credential.expect_get_token().returning(move |_| {
            issued += 1;
            Ok(AccessToken::new(
                secrecy::SecretString::from(format!("token-{issued}")),
                None,
            ))
        });
        Pipeline::new(
            transport,
            Arc::new(credential),
            Cloud::global(),
            HeaderValue::from_static("test"),
        )
    }

    /// [`counting_pipeline`] after one request, so that `token-1` is cached.
    async fn warmed() -> (Pipeline, Arc<RecordingTransport>) {
        let transport = Arc::new(RecordingTransport::new());
        let pipeline = counting_pipeline(transport.clone());
        transport.push_status(StatusCode::NO_CONTENT, "");
        pipeline.send(&Policy::default(), get()).await.unwrap();
        (pipeline, transport)
    }

    fn get() -> Call<'static> {
        Call::new(
            Method::GET,
            Uri::from_static("https://graph.microsoft.com/v1.0/x"),
        )
    }

    fn header(request: &http::Request<bytes::Bytes>, name: &http::HeaderName) -> Option<String> {
        request
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    }

    #[tokio::test]
    async fn a_first_attempt_is_made_in_place_only_with_a_cached_token_no_gate_and_no_tracing() {
        let transport = Arc::new(RecordingTransport::new());
        let pipeline = counting_pipeline(transport.clone());
        let policy = Policy::default();
        // No token cached yet: the loop asks the credential.
        assert!(pipeline.in_place(&policy).is_none());
        transport.push_status(StatusCode::NO_CONTENT, "");
        pipeline.send(&policy, get()).await.unwrap();
        let (token, authorization) = pipeline.in_place(&policy).unwrap();
        assert_eq!(token.access.token.expose_secret(), "token-1");
        assert!(authorization.is_sensitive());
        // A gate to wait at: the loop.
        let gated = Policy {
            gate: Some(ThrottleGate::new()),
            ..Policy::default()
        };
        assert!(pipeline.in_place(&gated).is_none());
        // A subscriber listening at debug level: the loop, which records every attempt; one
        // listening at info level only: in place.
        for (level, in_place) in [(Level::DEBUG, false), (Level::INFO, true)] {
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(level)
                .with_writer(std::io::sink)
                .finish();
            tracing::subscriber::with_default(subscriber, || {
                assert_eq!(pipeline.in_place(&policy).is_some(), in_place, "{level}");
            });
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_first_attempt_made_in_place_that_fails_goes_on_to_the_retry_loop() {
        let (pipeline, transport) = warmed().await;
        let policy = Policy {
            jitter: Jitter::seeded(1),
            ..Policy::default()
        };

        let throttled = http::Response::builder()
            .status(StatusCode::SERVICE_UNAVAILABLE)
            .header("retry-after", "2")
            .body(bytes::Bytes::new())
            .unwrap();
        transport.push_response(throttled);
        transport.push_status(StatusCode::OK, "{}");
        let start = Instant::now();
        let response = pipeline.send(&policy, get()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        let requests = transport.requests();
        let [first, second] = &requests[1..] else {
            panic!("{} requests", requests.len());
        };
        assert_eq!(
            header(first, &CLIENT_REQUEST_ID),
            header(second, &CLIENT_REQUEST_ID)
        );
        assert_eq!(header(first, &RETRY_ATTEMPT), None);
        assert_eq!(header(second, &RETRY_ATTEMPT).as_deref(), Some("1"));
        assert_eq!(
            header(second, &AUTHORIZATION).as_deref(),
            Some("Bearer token-1")
        );

        // Counted as the first of the loop's attempts: with two allowed, a second failure is
        // the answer.
        let twice = Policy {
            retry: RetryConfig::default().with_max_attempts(2),
            jitter: Jitter::seeded(1),
            ..Policy::default()
        };
        for _ in 0..3 {
            transport.push_status(StatusCode::GATEWAY_TIMEOUT, "");
        }
        let error = pipeline.send(&twice, get()).await.unwrap_err();
        let retry = error.as_retry().unwrap();
        assert_eq!((retry.reason(), retry.attempts()), (GaveUp::Attempts, 2));
        assert_eq!(transport.remaining(), 1);
    }

    #[tokio::test]
    async fn a_401_to_a_first_attempt_made_in_place_is_answered_with_a_fresh_token() {
        let (pipeline, transport) = warmed().await;
        let policy = Policy::default();

        transport.push_status(StatusCode::UNAUTHORIZED, "");
        transport.push_status(StatusCode::NO_CONTENT, "");
        pipeline.send(&policy, get()).await.unwrap();
        let requests = transport.requests();
        let tokens: Vec<_> = requests
            .iter()
            .map(|request| header(request, &AUTHORIZATION).unwrap())
            .collect();
        assert_eq!(
            tokens,
            ["Bearer token-1", "Bearer token-1", "Bearer token-2"]
        );
        // The resend is the same attempt, not a retry.
        assert_eq!(header(&requests[2], &RETRY_ATTEMPT), None);
        // The fresh token is cached and used in place.
        transport.push_status(StatusCode::NO_CONTENT, "");
        pipeline.send(&policy, get()).await.unwrap();
        assert_eq!(
            header(&transport.last_request().unwrap(), &AUTHORIZATION).as_deref(),
            Some("Bearer token-2")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_transport_failure_of_a_first_attempt_made_in_place_is_retried_when_unsent() {
        let (pipeline, transport) = warmed().await;
        let policy = Policy::default();

        transport.push_error(graph_sync_transport::TransportError::new(
            graph_sync_transport::TransportErrorKind::Connect,
            graph_sync_transport::Delivery::NotSent,
        ));
        transport.push_status(StatusCode::NO_CONTENT, "");
        pipeline.send(&policy, get()).await.unwrap();
        assert_eq!(transport.request_count(), 3);
        assert_eq!(transport.remaining(), 0);
    }

    /// Counts the spans a subscriber is told of.
    struct SpanCount(Arc<std::sync::atomic::AtomicUsize>);

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for SpanCount {
        fn on_new_span(
            &self,
            _: &tracing::span::Attributes<'_>,
            _: &tracing::span::Id,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[tokio::test]
    async fn a_request_traced_by_its_span_alone_goes_to_the_loop_in_that_one_span() {
        use tracing_subscriber::Layer as _;
        use tracing_subscriber::layer::SubscriberExt as _;

        let spans = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        // Only the request's span is enabled, not the events: the request goes to the loop
        // (which runs in the span), and the span is made once, not once to ask and again.
        let subscriber = tracing_subscriber::registry().with(SpanCount(spans.clone()).with_filter(
            tracing_subscriber::filter::filter_fn(|meta| {
                meta.is_span() && meta.name() == "graph_request"
            }),
        ));
        let _default = tracing::subscriber::set_default(subscriber);
        let transport = Arc::new(RecordingTransport::new());
        let pipeline = counting_pipeline(transport.clone());
        for _ in 0..2 {
            transport.push_status(StatusCode::NO_CONTENT, "");
            pipeline.send(&Policy::default(), get()).await.unwrap();
        }
        assert_eq!(spans.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
