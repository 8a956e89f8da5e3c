//! [`ReqwestTransport`]: the default [`Transport`], built on reqwest.
//!
//! The transport owns the connection-level policy: connect and total timeouts, connection
//! pooling, no redirects, no automatic decompression, no proxy taken from the environment, and a
//! cap on the size of a response body. It converts reqwest's errors into [`TransportError`]s
//! that say whether the request may have reached the server, and strips URLs from them so that
//! a query string (which may carry a secret) never lands in a log.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::BytesMut;

use crate::origins::Origins;
use crate::{Delivery, Request, Response, Sent, Transport, TransportError, TransportErrorKind};

/// Default for [`ReqwestTransportBuilder::connect_timeout`].
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default for [`ReqwestTransportBuilder::timeout`].
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(100);
/// Default for [`ReqwestTransportBuilder::read_timeout`].
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Default for [`ReqwestTransportBuilder::pool_idle_timeout`].
const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// Default for [`ReqwestTransportBuilder::max_response_bytes`]: 16 MiB.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// The most memory reserved up front for a body, whatever its announced `Content-Length`.
const MAX_INITIAL_BODY_CAPACITY: usize = 1024 * 1024;

/// A [`Transport`] that sends requests with [reqwest](https://docs.rs/reqwest).
///
/// Cloning is cheap: clones share one connection pool.
///
/// A transport made by [`new`](Self::new), [`default`](Self::default) or
/// [`builder`](Self::builder) never follows redirects (a `3xx` is returned as the response),
/// never decompresses bodies, ignores proxy settings in the environment, applies a connect
/// timeout and a timeout for the whole exchange including the body, and refuses response
/// bodies larger than [`max_response_bytes`](Self::max_response_bytes).
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use graph_sync_transport::ReqwestTransport;
///
/// # fn run() -> Result<(), graph_sync_transport::TransportError> {
/// let transport = ReqwestTransport::builder()
///     .timeout(Duration::from_secs(30))
///     .max_response_bytes(4 * 1024 * 1024)
///     .build()?;
/// assert_eq!(transport.max_response_bytes(), 4 * 1024 * 1024);
/// # Ok(())
/// # }
/// # run().expect("transport builds");
/// ```
#[derive(Clone)]
pub struct ReqwestTransport {
    client: Client,
    /// The settings the client was built with; `None` for a caller-supplied client.
    settings: Option<Settings>,
    max_response_bytes: usize,
    /// The origins requests went to, parsed once (shared by clones, like the pool).
    origins: Arc<Origins>,
}

/// The reqwest client, or the reason it could not be built (see [`ReqwestTransport::new`]).
#[derive(Clone)]
enum Client {
    Ready(reqwest::Client),
    Unavailable(Arc<str>),
}

/// Connection settings chosen through [`ReqwestTransportBuilder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Settings {
    connect_timeout: Duration,
    timeout: Duration,
    read_timeout: Duration,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            pool_max_idle_per_host: usize::MAX,
        }
    }
}

impl ReqwestTransport {
    /// Creates a transport with the default settings (see [`ReqwestTransportBuilder`]).
    ///
    /// This never panics. Building the HTTP client fails only if the TLS backend cannot be
    /// initialised (for example when no usable root certificates are found); in that case the
    /// returned transport fails every request with [`TransportErrorKind::Request`] and
    /// [`Delivery::NotSent`], naming the reason. Use [`builder`](Self::builder) and
    /// [`ReqwestTransportBuilder::build`] to see that error up front instead.
    #[must_use]
    pub fn new() -> Self {
        let builder = Self::builder();
        let settings = builder.settings;
        let max_response_bytes = builder.max_response_bytes;
        builder.build().unwrap_or_else(|error| Self {
            client: Client::Unavailable(error.to_string().into()),
            settings: Some(settings),
            max_response_bytes,
            origins: Arc::default(),
        })
    }

    /// Starts configuring a transport.
    #[must_use]
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder::default()
    }

    /// The largest response body, in bytes, that [`send`](Transport::send) accepts.
    #[must_use]
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }

    /// Returns this transport with a different response size cap, keeping its client (and so
    /// its connection pool). Useful for a transport made [`From`] a caller's `reqwest::Client`.
    #[must_use]
    pub fn with_max_response_bytes(mut self, max_response_bytes: usize) -> Self {
        self.max_response_bytes = max_response_bytes;
        self
    }
}

impl Default for ReqwestTransport {
    /// Same as [`ReqwestTransport::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl From<reqwest::Client> for ReqwestTransport {
    /// Wraps a caller-configured client, used as is.
    ///
    /// Its redirect policy, timeouts, proxy, TLS, decompression and pool settings are the
    /// caller's: graph-sync expects redirects *not* to be followed (so that credentials never
    /// travel to a host the caller did not name), so configure the client with
    /// `redirect(reqwest::redirect::Policy::none())`. The response size cap is the default,
    /// 16 MiB; change it with [`ReqwestTransport::with_max_response_bytes`].
    fn from(client: reqwest::Client) -> Self {
        Self {
            client: Client::Ready(client),
            settings: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            origins: Arc::default(),
        }
    }
}

impl fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("ReqwestTransport");
        match &self.settings {
            Some(settings) => {
                s.field("connect_timeout", &settings.connect_timeout)
                    .field("timeout", &settings.timeout)
                    .field("read_timeout", &settings.read_timeout)
                    .field("pool_idle_timeout", &settings.pool_idle_timeout)
                    .field("pool_max_idle_per_host", &settings.pool_max_idle_per_host);
            }
            None => {
                s.field("client", &format_args!("caller-supplied"));
            }
        }
        s.field("max_response_bytes", &self.max_response_bytes);
        if let Client::Unavailable(_) = self.client {
            s.field("unavailable", &true);
        }
        s.finish()
    }
}

#[async_trait]
impl Transport for ReqwestTransport {
    // The signature `#[async_trait]` gives `async fn send`, written out so that the request is
    // converted before the future is made: the boxed future every request allocates holds
    // reqwest's form of the request, not the `http::Request` as well. reqwest's own future is
    // still made at the first poll (it starts the timeouts' timers, which need the runtime).
    fn send<'life0, 'async_trait>(&'life0 self, request: Request) -> Sent<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        let ready = match &self.client {
            Client::Ready(client) => to_reqwest(with_length_of_empty_body(request), &self.origins)
                .map(|request| (client, request)),
            Client::Unavailable(reason) => Err(unavailable(reason)),
        };
        let cap = self.max_response_bytes;
        Box::pin(async move {
            let (client, request) = ready?;
            let response = client.execute(request).await.map_err(map_reqwest_error)?;
            read_response(response, cap).await
        })
    }
}

/// The reqwest form of `request`.
///
/// reqwest's own conversion (`TryFrom<http::Request>`) formats the URI into a new string and
/// parses all of it; here the URL comes from [`Origins`], which parses a known origin once and
/// then only each request's path and query. A request that carries extensions goes through
/// reqwest's conversion, which keeps them.
fn to_reqwest(request: Request, origins: &Origins) -> Result<reqwest::Request, TransportError> {
    if !request.extensions().is_empty() {
        return converted(request);
    }
    let (parts, body) = request.into_parts();
    let url = match (parts.uri.scheme_str(), parts.uri.authority()) {
        (Some(scheme), Some(authority)) => {
            let path = parts.uri.path_and_query().map_or("/", |path| path.as_str());
            origins.url(scheme, authority.as_str(), path)
        }
        _ => None,
    };
    let Some(url) = url else {
        // A relative or unparsable URI: reqwest's conversion gives the error it always gave.
        return converted(http::Request::from_parts(parts, body));
    };
    let mut out = reqwest::Request::new(parts.method, url);
    *out.headers_mut() = parts.headers;
    *out.version_mut() = parts.version;
    *out.body_mut() = Some(reqwest::Body::from(body));
    Ok(out)
}

/// The error of every request through a transport whose HTTP client could not be built.
#[cold]
#[inline(never)]
fn unavailable(reason: &str) -> TransportError {
    TransportError::new(TransportErrorKind::Request, Delivery::NotSent)
        .with_detail(format!("HTTP client could not be built: {reason}"))
}

/// reqwest's own conversion, for the requests [`Origins`] does not build.
#[cold]
#[inline(never)]
fn converted(request: Request) -> Result<reqwest::Request, TransportError> {
    reqwest::Request::try_from(request).map_err(|source| {
        TransportError::new(TransportErrorKind::Request, Delivery::NotSent)
            .with_source(source.without_url())
    })
}

/// Gives a body-less `POST`, `PUT` or `PATCH` an explicit `Content-Length: 0`.
///
/// hyper frames an empty request body with neither `Content-Length` nor `Transfer-Encoding`,
/// which RFC 9110 §8.6 allows but which servers and proxies may answer with `411 Length
/// Required`; a user agent "SHOULD send Content-Length" for a method that defines a body.
/// Other methods are left alone (a `GET` carries no length), as is a request that states its
/// framing itself.
fn with_length_of_empty_body(mut request: Request) -> Request {
    let defines_body = matches!(
        *request.method(),
        http::Method::POST | http::Method::PUT | http::Method::PATCH
    );
    let headers = request.headers();
    if defines_body
        && request.body().is_empty()
        && !headers.contains_key(http::header::CONTENT_LENGTH)
        && !headers.contains_key(http::header::TRANSFER_ENCODING)
    {
        request.headers_mut().insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from_static("0"),
        );
    }
    request
}

/// The whole response, its body read, failing as soon as the body is known to exceed `cap`
/// bytes.
///
/// An `async` block rather than an `async fn`, whose future would hold `response` twice.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn's future keeps a by-value argument twice"
)]
fn read_response(
    mut response: reqwest::Response,
    cap: usize,
) -> impl Future<Output = Result<Response, TransportError>> {
    async move {
        // `content_length` is the body's exact length as hyper knows it: the header for a
        // normal response, zero for `HEAD`, `204` and `304` whatever the header says.
        let announced = response
            .content_length()
            .map(|len| usize::try_from(len).unwrap_or(usize::MAX));
        if announced.is_some_and(|len| len > cap) {
            return Err(body_too_large(cap));
        }
        let initial = announced.unwrap_or(0).min(MAX_INITIAL_BODY_CAPACITY);
        let mut body = BytesMut::with_capacity(initial);
        while let Some(chunk) = response.chunk().await.map_err(map_reqwest_error)? {
            if chunk.len() > cap.saturating_sub(body.len()) {
                return Err(body_too_large(cap));
            }
            body.extend_from_slice(&chunk);
        }
        let mut out = http::Response::new(body.freeze());
        *out.status_mut() = response.status();
        *out.version_mut() = response.version();
        *out.headers_mut() = std::mem::take(response.headers_mut());
        Ok(out)
    }
}

#[cold]
fn body_too_large(cap: usize) -> TransportError {
    TransportError::new(TransportErrorKind::TooLarge, Delivery::MaybeSent)
        .with_detail(format!("response body exceeds {cap} bytes"))
}

impl ReqwestTransportBuilder {
    /// How long to wait for a connection (TCP and TLS) to be established. Default: 10 seconds.
    ///
    /// A request that fails this way was never sent.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// How long a whole exchange may take, from connecting to reading the last byte of the
    /// response body. Default: 100 seconds.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// How long the server may stay silent while the response is awaited or read: the
    /// longest wait for the status line and headers, and between two chunks of the body.
    /// Default: 60 seconds, so that a server that accepts a request and never answers
    /// fails it after a minute (with [`TransportErrorKind::Timeout`]) rather than after the
    /// whole-exchange [`timeout`](Self::timeout).
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.settings.read_timeout = timeout;
        self
    }

    /// How long an idle pooled connection is kept open. Default: 90 seconds.
    #[must_use]
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.pool_idle_timeout = timeout;
        self
    }

    /// The most idle connections kept per host. Default: unlimited. `0` disables pooling.
    #[must_use]
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.settings.pool_max_idle_per_host = max;
        self
    }

    /// The largest response body, in bytes, that is accepted. Default: 16 MiB.
    ///
    /// A larger body fails the request with [`TransportErrorKind::TooLarge`]; when the response
    /// announces its length the body is not read at all.
    #[must_use]
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// Also trusts the root certificates of `pem` (one or more `CERTIFICATE` blocks), besides
    /// the platform's: a TLS-inspecting proxy's authority, a private CA, or the development
    /// authority of `graph-sync emulator --tls`. Can be called more than once.
    ///
    /// The PEM is checked by [`build`](Self::build).
    #[must_use]
    pub fn add_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_roots_pem.push(pem.into());
        self
    }

    /// Builds the transport.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] of kind [`TransportErrorKind::Request`] if `connect_timeout` or
    /// `timeout` is zero, if a PEM given to
    /// [`add_root_certificates_pem`](Self::add_root_certificates_pem) holds no certificate or
    /// cannot be read, or if the HTTP client cannot be built (in practice: the TLS backend
    /// cannot be initialised).
    pub fn build(self) -> Result<ReqwestTransport, TransportError> {
        let settings = self.settings;
        if settings.connect_timeout.is_zero()
            || settings.timeout.is_zero()
            || settings.read_timeout.is_zero()
        {
            return Err(
                TransportError::new(TransportErrorKind::Request, Delivery::NotSent)
                    .with_detail("timeouts must be greater than zero"),
            );
        }
        let client = with_extra_roots(reqwest::Client::builder(), &self.extra_roots_pem)?
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .no_proxy()
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .no_zstd()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .read_timeout(settings.read_timeout)
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_max_idle_per_host(settings.pool_max_idle_per_host)
            .build()
            .map_err(|e| {
                TransportError::new(TransportErrorKind::Request, Delivery::NotSent)
                    .with_detail("HTTP client could not be built")
                    .with_source(e.without_url())
            })?;
        Ok(ReqwestTransport {
            client: Client::Ready(client),
            settings: Some(settings),
            max_response_bytes: self.max_response_bytes,
            origins: Arc::default(),
        })
    }
}

/// Configures a [`ReqwestTransport`]; start with [`ReqwestTransport::builder`].
#[derive(Debug, Clone)]
pub struct ReqwestTransportBuilder {
    settings: Settings,
    max_response_bytes: usize,
    /// PEM bundles of extra root certificates (public certificates, not secrets).
    extra_roots_pem: Vec<Vec<u8>>,
}

impl Default for ReqwestTransportBuilder {
    fn default() -> Self {
        Self {
            settings: Settings::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            extra_roots_pem: Vec::new(),
        }
    }
}

/// Converts a reqwest error, dropping its URL (a query string may carry a secret).
#[cold]
#[inline(never)]
fn map_reqwest_error(error: reqwest::Error) -> TransportError {
    let flags = ErrorFlags {
        builder: error.is_builder(),
        connect: error.is_connect(),
        timeout: error.is_timeout(),
        tls: is_tls_failure(&error),
        body: error.is_body() || error.is_decode(),
        request: error.is_request(),
        protocol: is_protocol_failure(&error),
    };
    let (kind, delivery) = classify(flags);
    TransportError::new(kind, delivery).with_source(error.without_url())
}

/// What a reqwest error says about itself, as plain booleans so the mapping can be tested.
#[derive(Debug, Clone, Copy, Default)]
struct ErrorFlags {
    builder: bool,
    connect: bool,
    timeout: bool,
    tls: bool,
    body: bool,
    request: bool,
    protocol: bool,
}

/// The one place that decides kind and delivery for a reqwest failure.
fn classify(flags: ErrorFlags) -> (TransportErrorKind, Delivery) {
    use Delivery::{MaybeSent, NotSent};
    use TransportErrorKind as K;
    if flags.builder {
        (K::Request, NotSent)
    } else if flags.connect && flags.timeout {
        (K::Timeout, NotSent)
    } else if flags.connect && flags.tls {
        (K::Tls, NotSent)
    } else if flags.connect {
        (K::Connect, NotSent)
    } else if flags.timeout {
        (K::Timeout, MaybeSent)
    } else if flags.protocol {
        (K::Protocol, MaybeSent)
    } else if flags.body {
        (K::Body, MaybeSent)
    } else if flags.request {
        (K::Io, MaybeSent)
    } else {
        (K::Other, MaybeSent)
    }
}

/// Whether an error's source chain describes a response that is not valid HTTP: a status
/// line, header or length hyper refused to parse, or a head over hyper's size limit (too
/// many or too long headers). Sending the request again gets the same answer.
///
/// hyper is not a dependency of this crate, so this matches hyper's messages
/// (`invalid HTTP header parsed`, `message head is too large`, `invalid content-length
/// parsed`, `unexpected transfer-encoding parsed`, …).
fn is_protocol_failure(error: &(dyn StdError + 'static)) -> bool {
    const NEEDLES: [&str; 5] = [
        "invalid http",
        "message head is too large",
        "content-length parsed",
        "transfer-encoding parsed",
        "invalid uri parsed",
    ];
    source_chain_mentions(error, &NEEDLES)
}

/// Whether an error's source chain describes a TLS failure.
///
/// Neither TLS backend's error type is a dependency of this crate, so this matches messages.
/// What the backends report for a plain-HTTP server answering a TLS client hello:
///
/// * rustls: `received corrupt message of type InvalidContentType`;
/// * OpenSSL (native-tls): `error:0A00010B:SSL routines:ssl3_get_record:wrong version number`.
///
/// Certificate problems mention `certificate` (rustls `invalid peer certificate: …`,
/// OpenSSL `certificate verify failed`), and alerts mention `alert` or `handshake`.
fn is_tls_failure(error: &(dyn StdError + 'static)) -> bool {
    const NEEDLES: [&str; 8] = [
        "tls",
        "ssl",
        "certificate",
        "handshake",
        "invalidcontenttype",
        "corrupt message",
        "wrong version number",
        "alert",
    ];
    source_chain_mentions(error, &NEEDLES)
}

/// Whether a source of `error` (not `error` itself) has a message that contains one of
/// `needles` (lowercase), ignoring case.
fn source_chain_mentions(error: &(dyn StdError + 'static), needles: &[&str]) -> bool {
    let mut current = error.source();
    while let Some(error) = current {
        let message = error.to_string().to_ascii_lowercase();
        if needles.iter().any(|needle| message.contains(needle)) {
            return true;
        }
        current = error.source();
    }
    false
}

/// Adds the root certificates of `pems` to the client's trust store (besides the platform's).
#[cfg(any(feature = "rustls", feature = "native-tls"))]
fn with_extra_roots(
    builder: reqwest::ClientBuilder,
    pems: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, TransportError> {
    let mut roots = Vec::new();
    for pem in pems {
        let certificates = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
            TransportError::new(TransportErrorKind::Request, Delivery::NotSent)
                .with_detail("a root certificate PEM could not be read")
                .with_source(e.without_url())
        })?;
        if certificates.is_empty() {
            return Err(
                TransportError::new(TransportErrorKind::Request, Delivery::NotSent)
                    .with_detail("a root certificate PEM holds no CERTIFICATE block"),
            );
        }
        roots.extend(certificates);
    }
    Ok(builder.tls_certs_merge(roots))
}

/// Without a TLS backend there is nothing to trust a root certificate for: asking for one is
/// an error that names the features to enable.
#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
fn with_extra_roots(
    builder: reqwest::ClientBuilder,
    pems: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, TransportError> {
    if pems.is_empty() {
        Ok(builder)
    } else {
        Err(
            TransportError::new(TransportErrorKind::Request, Delivery::NotSent).with_detail(
                "root certificates need a TLS backend: enable the `rustls` or `native-tls` feature",
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use bytes::Bytes;

    use super::*;

    fn flags() -> ErrorFlags {
        ErrorFlags::default()
    }

    #[test]
    fn classify_covers_every_case() {
        use Delivery::{MaybeSent, NotSent};
        use TransportErrorKind as K;
        let cases = [
            (
                ErrorFlags {
                    builder: true,
                    ..flags()
                },
                (K::Request, NotSent),
            ),
            (
                ErrorFlags {
                    connect: true,
                    ..flags()
                },
                (K::Connect, NotSent),
            ),
            (
                ErrorFlags {
                    connect: true,
                    tls: true,
                    ..flags()
                },
                (K::Tls, NotSent),
            ),
            (
                ErrorFlags {
                    connect: true,
                    timeout: true,
                    ..flags()
                },
                (K::Timeout, NotSent),
            ),
            (
                ErrorFlags {
                    request: true,
                    protocol: true,
                    ..flags()
                },
                (K::Protocol, MaybeSent),
            ),
            (
                ErrorFlags {
                    connect: true,
                    timeout: true,
                    tls: true,
                    ..flags()
                },
                (K::Timeout, NotSent),
            ),
            (
                ErrorFlags {
                    timeout: true,
                    ..flags()
                },
                (K::Timeout, MaybeSent),
            ),
            // A total timeout while reading the body is reported as a body error that times out.
            (
                ErrorFlags {
                    timeout: true,
                    body: true,
                    ..flags()
                },
                (K::Timeout, MaybeSent),
            ),
            (
                ErrorFlags {
                    body: true,
                    ..flags()
                },
                (K::Body, MaybeSent),
            ),
            (
                ErrorFlags {
                    request: true,
                    ..flags()
                },
                (K::Io, MaybeSent),
            ),
            // A "tls" message outside a connect error does not make it a TLS failure.
            (
                ErrorFlags {
                    request: true,
                    tls: true,
                    ..flags()
                },
                (K::Io, MaybeSent),
            ),
            (flags(), (K::Other, MaybeSent)),
        ];
        for (input, expected) in cases {
            assert_eq!(classify(input), expected, "{input:?}");
        }
    }

    #[derive(Debug)]
    struct Chain(&'static str, Option<io::Error>);

    impl fmt::Display for Chain {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Chain {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_ref().map(|e| e as &(dyn StdError + 'static))
        }
    }

    fn chain(inner: &str) -> Chain {
        Chain(
            "client error (Connect)",
            Some(io::Error::new(io::ErrorKind::InvalidData, inner.to_owned())),
        )
    }

    #[test]
    fn tls_failures_are_recognised_in_the_source_chain() {
        for message in [
            "received corrupt message of type InvalidContentType",
            "invalid peer certificate: UnknownIssuer",
            "error:0A00010B:SSL routines:ssl3_get_record:wrong version number",
            "received fatal alert: HandshakeFailure",
        ] {
            assert!(is_tls_failure(&chain(message)), "{message}");
        }
    }

    #[test]
    fn other_failures_are_not_tls() {
        assert!(!is_tls_failure(&chain("Connection refused (os error 111)")));
        assert!(!is_tls_failure(&Chain("error sending request", None)));
        // Only the sources count, not the top-level message.
        assert!(!is_tls_failure(&Chain("tls", None)));
    }

    #[test]
    fn builder_defaults() {
        let builder = ReqwestTransport::builder();
        assert_eq!(builder.settings, Settings::default());
        assert_eq!(builder.settings.connect_timeout, Duration::from_secs(10));
        assert_eq!(builder.settings.timeout, Duration::from_secs(100));
        assert_eq!(builder.settings.pool_idle_timeout, Duration::from_secs(90));
        assert_eq!(builder.max_response_bytes, 16 * 1024 * 1024);
    }

    #[test]
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    fn extra_roots_must_be_pem_certificates() {
        let error = ReqwestTransport::builder()
            .add_root_certificates_pem(b"no certificate here".to_vec())
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::Request);
        assert!(
            ReqwestTransport::builder()
                .add_root_certificates_pem(TEST_ROOT_PEM)
                .build()
                .is_ok()
        );
    }

    /// A self-signed certificate (the emulator's development authority of one run).
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    const TEST_ROOT_PEM: &str = include_str!("../tests/fixtures/test-root.pem");

    #[test]
    fn builder_rejects_zero_timeouts() {
        let error = ReqwestTransport::builder()
            .timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::Request);
        let error = ReqwestTransport::builder()
            .connect_timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::Request);
    }

    #[test]
    fn debug_prints_only_settings() {
        let transport = ReqwestTransport::builder()
            .timeout(Duration::from_secs(7))
            .pool_max_idle_per_host(3)
            .max_response_bytes(1024)
            .build()
            .unwrap();
        assert_eq!(
            format!("{transport:?}"),
            "ReqwestTransport { connect_timeout: 10s, timeout: 7s, read_timeout: 60s, pool_idle_timeout: 90s, \
             pool_max_idle_per_host: 3, max_response_bytes: 1024 }"
        );
        let from_client = ReqwestTransport::from(reqwest::Client::builder().build().unwrap());
        assert_eq!(
            format!("{from_client:?}"),
            "ReqwestTransport { client: caller-supplied, max_response_bytes: 16777216 }"
        );
        assert_eq!(
            from_client.with_max_response_bytes(5).max_response_bytes(),
            5
        );
    }

    #[test]
    fn new_and_default_use_the_defaults() {
        let transport = ReqwestTransport::new();
        assert!(matches!(transport.client, Client::Ready(_)));
        assert_eq!(transport.settings, Some(Settings::default()));
        assert_eq!(
            ReqwestTransport::default().max_response_bytes(),
            DEFAULT_MAX_RESPONSE_BYTES
        );
    }

    #[tokio::test]
    async fn unavailable_client_fails_every_request_without_sending() {
        let transport = ReqwestTransport {
            client: Client::Unavailable("no roots".into()),
            settings: Some(Settings::default()),
            max_response_bytes: 1,
            origins: Arc::default(),
        };
        let request = http::Request::new(Bytes::new());
        let error = transport.send(request).await.unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::Request);
        assert_eq!(error.delivery(), Delivery::NotSent);
        assert_eq!(
            error.to_string(),
            "invalid request: HTTP client could not be built: no roots"
        );
    }

    #[tokio::test]
    async fn relative_uri_is_an_invalid_request() {
        let transport = ReqwestTransport::new();
        let request = http::Request::builder()
            .uri("/relative?token=x")
            .body(Bytes::new())
            .unwrap();
        let error = transport.send(request).await.unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::Request);
        assert_eq!(error.delivery(), Delivery::NotSent);
        assert!(error.source().is_some());
    }
}
