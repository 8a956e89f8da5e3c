//! Transport failures: what failed, and whether the server may have seen the request.

use std::error::Error as StdError;
use std::fmt;

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What went wrong while sending a request.
///
/// Each kind documents when a request that failed with it can be retried. The authoritative
/// answer for a given error is [`TransportError::delivery`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportErrorKind {
    /// No connection could be made (refused, unreachable, DNS failure). The request was never
    /// sent: any method may be retried.
    Connect,
    /// The TLS handshake failed (bad certificate, protocol mismatch). The request was never
    /// sent, but a retry will usually fail the same way.
    Tls,
    /// A connect or request timeout elapsed. The request may have reached the server: retry
    /// only idempotent requests.
    Timeout,
    /// The connection broke while the request or response was in flight. Retry only
    /// idempotent requests, unless [`TransportError::delivery`] says it was never sent.
    Io,
    /// The response body could not be read in full. The server received and processed the
    /// request: retry only idempotent requests.
    Body,
    /// The response body exceeded the transport's size cap. The server answered; asking again
    /// gets the same answer: never retried.
    TooLarge,
    /// The response is not valid HTTP (a status line, header or length that cannot be parsed,
    /// or too many or too long headers). Asking again gets the same answer: never retried.
    Protocol,
    /// The request itself could not be sent as given (for example an invalid URL or header).
    /// Retrying the same request will not help.
    Request,
    /// Any other failure.
    Other,
}

impl TransportErrorKind {
    /// A short lower-case description, used in `Display`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connection failed",
            Self::Tls => "TLS handshake failed",
            Self::Timeout => "timed out",
            Self::Io => "connection broken",
            Self::Body => "response body unreadable",
            Self::TooLarge => "response body over the size cap",
            Self::Protocol => "response is not valid HTTP",
            Self::Request => "invalid request",
            Self::Other => "transport failure",
        }
    }
}

impl TransportErrorKind {
    /// Whether a request that failed this way fails the same way when sent again
    /// ([`Tls`](Self::Tls), [`Request`](Self::Request), [`TooLarge`](Self::TooLarge),
    /// [`Protocol`](Self::Protocol)): a retry policy gives up at once.
    #[must_use]
    pub const fn is_permanent(self) -> bool {
        matches!(
            self,
            Self::Tls | Self::Request | Self::TooLarge | Self::Protocol
        )
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a failed request may have reached the server.
///
/// A retry policy may repeat any request that was [`NotSent`](Self::NotSent), but must not
/// blindly repeat a non-idempotent request (a `POST`) that [`MaybeSent`](Self::MaybeSent).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// The request provably never left this process or never reached the server.
    NotSent,
    /// Some or all of the request may have reached the server.
    MaybeSent,
}

/// A request that did not complete with a response.
///
/// The error is opaque: read it through [`kind`](Self::kind), [`delivery`](Self::delivery) and
/// [`source`](StdError::source). Its `Display` names the kind and a short detail, never a URL
/// query, a header or a body, so it is safe to log.
pub struct TransportError {
    kind: TransportErrorKind,
    delivery: Delivery,
    detail: Option<String>,
    source: Option<BoxError>,
}

impl TransportError {
    /// Creates an error of `kind`, stating whether the request may have reached the server.
    ///
    /// Custom [`Transport`](crate::Transport) implementations use this to report their failures.
    #[must_use]
    pub fn new(kind: TransportErrorKind, delivery: Delivery) -> Self {
        Self {
            kind,
            delivery,
            detail: None,
            source: None,
        }
    }

    /// Adds a short human-readable detail (shown by `Display`). It must not contain secrets.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Attaches the underlying error, reachable through [`source`](StdError::source).
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What failed.
    #[must_use]
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the request may have reached the server.
    #[must_use]
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// `true` unless the request provably never reached the server.
    #[must_use]
    pub fn may_have_reached_server(&self) -> bool {
        self.delivery == Delivery::MaybeSent
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("delivery", &self.delivery)
            .field("detail", &self.detail)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}
