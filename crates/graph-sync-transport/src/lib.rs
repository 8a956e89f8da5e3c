//! # graph-sync-transport
//!
//! The HTTP layer of graph-sync: one object-safe async trait, [`Transport`], that sends a fully
//! buffered [`http::Request`] and returns a fully buffered [`http::Response`], plus the
//! implementations a project needs to use it.
//!
//! This crate knows nothing about Microsoft Graph, OAuth or retries. It moves bytes. Everything
//! that gives a status code meaning (Graph errors, `Retry-After`, throttling, tokens) lives in
//! `graph-sync-api`, one layer up. That split is the point: a team that must route traffic
//! through its own proxy, TLS stack, recorder or air-gapped rig implements one method and keeps
//! every other part of the client.
//!
//! ## The key decision: buffered bodies, and a non-2xx status is not an error
//!
//! Requests and responses carry [`bytes::Bytes`] bodies. Graph synchronization payloads are
//! small, and a buffered request can be replayed by a retry policy without asking the caller
//! for it again. A `404` or a `429` is a perfectly good HTTP exchange, so [`Transport::send`]
//! returns it as `Ok(response)`; [`TransportError`] is reserved for exchanges that did not
//! complete, and says whether the request may have reached the server, which is what a retry
//! policy needs to know before repeating a non-idempotent request.
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `reqwest` | yes | [`ReqwestTransport`], built on reqwest with timeouts, pooling, no redirects and a response size cap |
//! | `rustls` | yes | TLS through rustls |
//! | `native-tls` | no | TLS through the platform library (OpenSSL on Linux) |
//! | `mock` | no | `MockTransport` (mockall) and [`RecordingTransport`] for tests |
//!

// Numbers from the network, files, arguments and the environment must never panic: every
// integer, `Duration` and `Instant` computation is checked, saturating or clamped (tests,
// whose numbers are their own, are exempt).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]
// The feature table links to items that exist only with their feature; without it, link to
// docs.rs so that `cargo doc` with any feature set has no broken links.
#![cfg_attr(
    feature = "reqwest",
    doc = "[`ReqwestTransport`]: crate::ReqwestTransport"
)]
#![cfg_attr(
    not(feature = "reqwest"),
    doc = "[`ReqwestTransport`]: https://docs.rs/graph-sync-transport/latest/graph_sync_transport/struct.ReqwestTransport.html"
)]
#![cfg_attr(
    feature = "mock",
    doc = "[`RecordingTransport`]: crate::testing::RecordingTransport"
)]
#![cfg_attr(
    not(feature = "mock"),
    doc = "[`RecordingTransport`]: https://docs.rs/graph-sync-transport/latest/graph_sync_transport/testing/struct.RecordingTransport.html"
)]

mod error;
#[cfg(feature = "reqwest")]
mod origins;
#[cfg(feature = "reqwest")]
mod reqwest_transport;
#[cfg(feature = "mock")]
pub mod testing;

pub use bytes::Bytes;
pub use error::{Delivery, TransportError, TransportErrorKind};
pub use http;
#[cfg(feature = "reqwest")]
pub use reqwest_transport::{ReqwestTransport, ReqwestTransportBuilder};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A request with its whole body in memory, so that it can be sent again.
pub type Request = http::Request<Bytes>;

/// A response with its whole body in memory.
pub type Response = http::Response<Bytes>;

/// Sends one HTTP request and returns the response.
///
/// Implementations must be cheap to share (`Arc<dyn Transport>`) and safe to call from many
/// tasks at once. They own connection handling: TLS, timeouts, pooling and redirects
/// (graph-sync expects redirects *not* to be followed, so that credentials never travel to a
/// host the caller did not name).
///
/// # Contract
///
/// * Any completed HTTP exchange is `Ok(response)`, whatever its status code.
/// * A failure is `Err(TransportError)` whose [`kind`](TransportError::kind) says what failed
///   and whose [`delivery`](TransportError::delivery) says whether the server may have seen
///   the request.
///
/// # Example: a custom transport
///
/// ```
/// use graph_sync_transport::{async_trait, Bytes, Request, Response, Transport, TransportError};
///
/// /// Answers every request with `204 No Content`, e.g. for a dry run.
/// #[derive(Debug)]
/// struct DryRun;
///
/// #[async_trait]
/// impl Transport for DryRun {
///     async fn send(&self, _request: Request) -> Result<Response, TransportError> {
///         Ok(http::Response::builder().status(204).body(Bytes::new()).expect("static response"))
///     }
/// }
/// ```
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Transport: Send + Sync + fmt::Debug {
    /// Sends one request. A non-2xx status is `Ok(response)`.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] when no complete response was received: the connection could not
    /// be made, TLS failed, a timeout elapsed, the connection broke, or the response body
    /// exceeded the transport's limit.
    async fn send(&self, request: Request) -> Result<Response, TransportError>;
}

/// The future of [`Transport::send`], as `#[async_trait]` makes it.
pub(crate) type Sent<'a> =
    Pin<Box<dyn Future<Output = Result<Response, TransportError>> + Send + 'a>>;

// The pointers hand on the inner transport's future itself: an `async fn` here would box a
// second future around it on every request.
#[async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send<'life0, 'async_trait>(&'life0 self, request: Request) -> Sent<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        (**self).send(request)
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send<'life0, 'async_trait>(&'life0 self, request: Request) -> Sent<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        (**self).send(request)
    }
}

/// Re-exported so that custom transports need no direct dependency on `async-trait`.
pub use async_trait::async_trait;
