//! The client and its builder. The stages a request goes through are in
//! [`pipeline`](crate::pipeline).

use std::fmt;
use std::sync::Arc;

use graph_sync_transport::{Response, Transport};
use http::HeaderValue;
use secrecy::SecretString;

use crate::cloud::Cloud;
use crate::credential::{StaticTokenCredential, TokenCredential};
use crate::error::{Error, InvalidInput};
use crate::pipeline::{
    Call, ConsistencyConfig, Jitter, Pipeline, Policy, RetryConfig, ThrottleGate,
};

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
    pipeline: Arc<Pipeline>,
    /// Retry, consistency and throttle settings: the client's defaults, or a per-request
    /// override made with [`GraphSyncClient::with_retry`] and friends.
    policy: Arc<Policy>,
}

impl GraphSyncClient {
    /// Starts building a client.
    #[must_use]
    pub fn builder() -> GraphSyncClientBuilder {
        GraphSyncClientBuilder::default()
    }

    /// The cloud this client talks to.
    #[must_use]
    pub fn cloud(&self) -> &Cloud {
        self.pipeline.cloud()
    }

    /// A clone of this client whose calls use `retry` instead of the client's default: the
    /// per-request override. Cheap (two `Arc` clones); the original is unchanged.
    ///
    /// ```no_run
    /// use graph_sync_api::{GraphSyncClient, RetryConfig};
    /// use graph_sync_model::ServicePrincipalId;
    ///
    /// # async fn run(client: GraphSyncClient, sp: ServicePrincipalId) -> Result<(), graph_sync_api::Error> {
    /// // This one read fails fast; every other call keeps the client's policy.
    /// client.with_retry(RetryConfig::none()).service_principal(sp).synchronization().get().await?;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_retry(&self, retry: RetryConfig) -> Self {
        self.with_policy(|policy| {
            if let Some(seed) = retry.jitter_seed() {
                policy.jitter = Jitter::seeded(seed);
            }
            policy.retry = retry;
        })
    }

    /// A clone of this client whose calls also retry Graph's eventual-consistency answers
    /// (see [`ConsistencyConfig`]); `None` turns that off. Use it for the calls that follow a
    /// create.
    #[must_use]
    pub fn with_consistency(&self, consistency: Option<ConsistencyConfig>) -> Self {
        self.with_policy(|policy| policy.consistency = consistency)
    }

    /// A clone of this client whose calls wait at `gate` before every attempt and close it
    /// when throttled, together with every other client sharing it.
    #[must_use]
    pub fn with_throttle_gate(&self, gate: ThrottleGate) -> Self {
        self.with_policy(|policy| policy.gate = Some(gate))
    }

    /// The retry settings calls made through this client use.
    #[must_use]
    pub fn retry_config(&self) -> &RetryConfig {
        &self.policy.retry
    }

    /// The consistency settings calls made through this client use, if enabled.
    #[must_use]
    pub fn consistency_config(&self) -> Option<&ConsistencyConfig> {
        self.policy.consistency.as_ref()
    }

    /// The throttle gate this client shares, if any.
    #[must_use]
    pub fn throttle_gate(&self) -> Option<ThrottleGate> {
        self.policy.gate.clone()
    }

    fn with_policy(&self, change: impl FnOnce(&mut Policy)) -> Self {
        let mut policy = Policy::clone(&self.policy);
        change(&mut policy);
        Self {
            pipeline: Arc::clone(&self.pipeline),
            policy: Arc::new(policy),
        }
    }

    /// Sends one request through the [`pipeline`](crate::pipeline), with this client's
    /// [`Policy`].
    ///
    /// The pipeline's own future, not one wrapped around it: a wrapper would hold a second
    /// copy of `call` and add a level to every poll.
    pub(crate) fn send<'a>(
        &'a self,
        call: Call<'a>,
    ) -> impl Future<Output = Result<Response, Error>> + Send + 'a {
        self.pipeline.send(&self.policy, call)
    }
}

impl fmt::Debug for GraphSyncClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphSyncClient")
            .field("cloud", self.pipeline.cloud())
            .field("transport", self.pipeline.transport())
            .field("credential", self.pipeline.credential())
            .field("retry", &self.policy.retry)
            .field("consistency", &self.policy.consistency)
            .finish()
    }
}

/// Builds a [`GraphSyncClient`].
#[derive(Default)]
pub struct GraphSyncClientBuilder {
    transport: Option<Arc<dyn Transport>>,
    credential: Option<Arc<dyn TokenCredential>>,
    cloud: Option<Cloud>,
    graph_root: Option<String>,
    user_agent: Option<String>,
    policy: Policy,
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

    /// The retry policy of every call (default: [`RetryConfig::default`]); override it per
    /// request with [`GraphSyncClient::with_retry`].
    #[must_use]
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        if let Some(seed) = retry.jitter_seed() {
            self.policy.jitter = Jitter::seeded(seed);
        }
        self.policy.retry = retry;
        self
    }

    /// Retries Graph's eventual-consistency answers on every call (default: off). Usually
    /// better enabled per request, with [`GraphSyncClient::with_consistency`].
    #[must_use]
    pub fn consistency(mut self, consistency: ConsistencyConfig) -> Self {
        self.policy.consistency = Some(consistency);
        self
    }

    /// A throttle gate shared with other clients (default: none; [`Bulk`](crate::Bulk) installs
    /// one).
    #[must_use]
    pub fn throttle_gate(mut self, gate: ThrottleGate) -> Self {
        self.policy.gate = Some(gate);
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
            pipeline: Arc::new(Pipeline::new(transport, credential, cloud, user_agent)),
            policy: Arc::new(self.policy),
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
            .field("retry", &self.policy.retry)
            .finish()
    }
}
