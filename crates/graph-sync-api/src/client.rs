//! The client, its builder, and the request pipeline every operation goes through.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use graph_sync_model::ServicePrincipalRef;
use graph_sync_transport::{Response, Transport};
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use http::{Method, Request};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;
use url::Url;

use crate::cloud::Cloud;
use crate::credential::{AuthError, StaticTokenCredential, TokenCredential, TokenRequest};
use crate::error::{Error, InvalidInput, ServiceError};
use crate::operations::ServicePrincipalApi;

/// The header that carries the client's id for a request, echoed by Graph.
pub const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// The product token this crate puts in `User-Agent`.
pub const USER_AGENT_PRODUCT: &str = concat!("graph-sync/", env!("CARGO_PKG_VERSION"));

/// A client for the Microsoft Graph synchronization API.
///
/// Cheap to clone (an [`Arc`] inside) and safe to share between tasks. Build one with
/// [`GraphSyncClient::builder`], then reach an operation through the resource it belongs to:
///
/// ```no_run
/// use graph_sync_api::GraphSyncClient;
/// use graph_sync_model::{SecretKey, Secrets, ServicePrincipalId};
///
/// # async fn run() -> Result<(), graph_sync_api::Error> {
/// let client = GraphSyncClient::builder().bearer_token("eyJ0eX…").build()?;
/// let sp = ServicePrincipalId::new("3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6")?;
/// let secrets = Secrets::new().with(SecretKey::SyncAll, false)?;
/// client.service_principal(sp).synchronization().secrets().put(&secrets).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct GraphSyncClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Arc<dyn Transport>,
    credential: Arc<dyn TokenCredential>,
    cloud: Cloud,
    user_agent: HeaderValue,
}

impl GraphSyncClient {
    /// Starts building a client.
    #[must_use]
    pub fn builder() -> GraphSyncClientBuilder {
        GraphSyncClientBuilder::default()
    }

    /// Operations on one service principal, addressed by object id or appId.
    #[must_use]
    pub fn service_principal(
        &self,
        service_principal: impl Into<ServicePrincipalRef>,
    ) -> ServicePrincipalApi {
        ServicePrincipalApi::new(self.clone(), service_principal.into())
    }

    /// The cloud this client talks to.
    #[must_use]
    pub fn cloud(&self) -> &Cloud {
        &self.inner.cloud
    }

    /// The URL of `segments` below the Graph root, each percent-encoded as one path segment.
    pub(crate) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.cloud.graph_root().clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Sends one request through the pipeline: token, headers, transport, status mapping.
    ///
    /// Every attempt of the request shares one `client-request-id`, so that the service's
    /// logs tie them together.
    pub(crate) async fn send(&self, call: Call<'_>) -> Result<Response, Error> {
        let inner = &self.inner;
        if !inner.cloud.is_graph_url(&call.url) {
            return Err(Error::Auth(AuthError::new(format!(
                "refusing to send a token for {} to {}",
                inner.cloud.graph_root().origin().ascii_serialization(),
                call.url.origin().ascii_serialization()
            ))));
        }
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let span = tracing::debug_span!(
            "graph_request",
            method = %call.method,
            path = call.url.path(),
            client_request_id = %client_request_id,
        );
        self.attempt(&call, &client_request_id, 1)
            .instrument(span)
            .await
    }

    /// One attempt: a token, the request, the transport, and the status mapped to a result.
    async fn attempt(
        &self,
        call: &Call<'_>,
        client_request_id: &str,
        attempt: u32,
    ) -> Result<Response, Error> {
        let inner = &self.inner;
        let token = inner
            .credential
            .get_token(&TokenRequest::new(inner.cloud.scope()))
            .await
            .map_err(Error::Auth)?;
        let request = build_request(call, &token.token, client_request_id, &inner.user_agent)?;
        tracing::debug!(attempt, "sending");
        let response = inner.transport.send(request).await.map_err(|error| {
            tracing::debug!(
                attempt,
                kind = %error.kind(),
                reached_server = error.may_have_reached_server(),
                "transport failed"
            );
            Error::Transport(error)
        })?;
        let status = response.status();
        let request_id = response
            .headers()
            .get("request-id")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        tracing::debug!(attempt, status = status.as_u16(), request_id, "answered");
        if status.is_success() {
            return Ok(response);
        }
        let (parts, body) = response.into_parts();
        let mut error = ServiceError::from_response(
            parts.status,
            &parts.headers,
            body,
            Some(client_request_id),
        );
        error.redact(call.sensitive);
        Err(Error::from(error))
    }
}

impl fmt::Debug for GraphSyncClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphSyncClient")
            .field("cloud", &self.inner.cloud)
            .field("transport", &self.inner.transport)
            .field("credential", &self.inner.credential)
            .finish()
    }
}

/// One request, as an operation describes it.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Bytes>,
    pub(crate) sensitive: &'a [&'a str],
    /// The body's media type (`application/json` unless an operation says otherwise).
    pub(crate) content_type: &'static str,
}

impl<'a> Call<'a> {
    pub(crate) fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            body: None,
            sensitive: &[],
            content_type: "application/json",
        }
    }

    /// A JSON body that carries the given secret values.
    pub(crate) fn json(mut self, body: Bytes, sensitive: &'a [&'a str]) -> Self {
        self.body = Some(body);
        self.sensitive = sensitive;
        self
    }

    /// A body of another media type, e.g. `application/scim+json`.
    pub(crate) fn content_type(mut self, content_type: &'static str) -> Self {
        self.content_type = content_type;
        self
    }
}

fn build_request(
    call: &Call<'_>,
    token: &SecretString,
    client_request_id: &str,
    user_agent: &HeaderValue,
) -> Result<Request<Bytes>, Error> {
    let mut authorization = HeaderValue::try_from(format!("Bearer {}", token.expose_secret()))
        .map_err(|_| {
            Error::Auth(AuthError::new(
                "the access token holds characters that cannot go in an HTTP header",
            ))
        })?;
    authorization.set_sensitive(true);
    let mut builder = Request::builder()
        .method(call.method.clone())
        .uri(call.url.as_str())
        .header(AUTHORIZATION, authorization)
        .header(CLIENT_REQUEST_ID, client_request_id)
        .header(USER_AGENT, user_agent.clone())
        .header(ACCEPT, HeaderValue::from_static("application/json"));
    if call.body.is_some() {
        builder = builder.header(CONTENT_TYPE, HeaderValue::from_static(call.content_type));
    }
    builder
        .body(call.body.clone().unwrap_or_default())
        .map_err(|e| {
            Error::InvalidInput(InvalidInput::new(format!(
                "cannot build a request for {}: {e}",
                call.url.path()
            )))
        })
}

/// Builds a [`GraphSyncClient`].
#[derive(Default)]
pub struct GraphSyncClientBuilder {
    transport: Option<Arc<dyn Transport>>,
    credential: Option<Arc<dyn TokenCredential>>,
    cloud: Option<Cloud>,
    graph_root: Option<String>,
    user_agent: Option<String>,
}

impl GraphSyncClientBuilder {
    /// The cloud to talk to (default: [`Cloud::global`]).
    #[must_use]
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = Some(cloud);
        self
    }

    /// Sends requests to another Graph root, such as a proxy or the local emulator
    /// (`http://127.0.0.1:PORT/v1.0`). The token scope follows the root's host. Plain HTTP is
    /// accepted only for loopback addresses.
    #[must_use]
    pub fn graph_root(mut self, graph_root: impl Into<String>) -> Self {
        self.graph_root = Some(graph_root.into());
        self
    }

    /// Where tokens come from.
    #[must_use]
    pub fn credential(mut self, credential: impl TokenCredential + 'static) -> Self {
        self.credential = Some(Arc::new(credential));
        self
    }

    /// A credential already shared elsewhere.
    #[must_use]
    pub fn shared_credential(mut self, credential: Arc<dyn TokenCredential>) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Uses a fixed bearer token ([`StaticTokenCredential`]).
    #[must_use]
    pub fn bearer_token(self, token: impl Into<SecretString>) -> Self {
        self.credential(StaticTokenCredential::new(token))
    }

    /// The HTTP transport (default: `ReqwestTransport` with its default settings, when the
    /// `reqwest` feature is on). Any [`Transport`] works, including one of your own.
    #[must_use]
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// A transport already shared elsewhere.
    #[must_use]
    pub fn shared_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// A product token for your application, sent before graph-sync's own in `User-Agent`,
    /// e.g. `provisioner/2.1`.
    #[must_use]
    pub fn user_agent(mut self, product: impl Into<String>) -> Self {
        self.user_agent = Some(product.into());
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when no credential was given, the Graph root is not a valid
    /// HTTPS URL (HTTP only on loopback), or the user agent is not a valid header value;
    /// [`Error::Transport`] when no transport was given and the default one cannot start.
    pub fn build(self) -> Result<GraphSyncClient, Error> {
        let credential = self.credential.ok_or_else(|| {
            InvalidInput::new(
                "no credential: call .credential(…) or .bearer_token(…) on the builder",
            )
        })?;
        let mut cloud = self.cloud.unwrap_or_default();
        if let Some(root) = &self.graph_root {
            cloud = cloud.with_graph_root(root)?;
        }
        let user_agent = match &self.user_agent {
            Some(product) => format!("{product} {USER_AGENT_PRODUCT}"),
            None => USER_AGENT_PRODUCT.to_owned(),
        };
        let user_agent = HeaderValue::try_from(user_agent).map_err(|_| {
            InvalidInput::new("the user agent holds characters that cannot go in an HTTP header")
        })?;
        let transport = match self.transport {
            Some(transport) => transport,
            None => default_transport()?,
        };
        Ok(GraphSyncClient {
            inner: Arc::new(Inner {
                transport,
                credential,
                cloud,
                user_agent,
            }),
        })
    }
}

#[cfg(feature = "reqwest")]
fn default_transport() -> Result<Arc<dyn Transport>, Error> {
    let transport = graph_sync_transport::ReqwestTransport::builder()
        .build()
        .map_err(Error::Transport)?;
    Ok(Arc::new(transport))
}

#[cfg(not(feature = "reqwest"))]
fn default_transport() -> Result<Arc<dyn Transport>, Error> {
    Err(Error::InvalidInput(InvalidInput::new(
        "no transport: enable the `reqwest` feature or call .transport(…) on the builder",
    )))
}

impl fmt::Debug for GraphSyncClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphSyncClientBuilder")
            .field("cloud", &self.cloud)
            .field("graph_root", &self.graph_root)
            .field("transport", &self.transport)
            .field("credential", &self.credential)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}
