//! # graph-sync-api
//!
//! A typed client for the Microsoft Graph synchronization API, the API behind Microsoft Entra
//! app provisioning. Its centre is `PUT /servicePrincipals/{id}/synchronization/secrets`, the
//! call that hands a provisioning job the credentials of its target system.
//!
//! ```no_run
//! use graph_sync_api::GraphSyncClient;
//! use graph_sync_api::model::{BaseAddress, SecretKey, SecretString, Secrets, ServicePrincipalId, SyncNotificationSettings};
//!
//! # async fn run() -> Result<(), graph_sync_api::Error> {
//! let client = GraphSyncClient::builder()
//!     .bearer_token(std::env::var("GRAPH_TOKEN").unwrap_or_default())
//!     .build()?;
//! let secrets = Secrets::new()
//!     .with(SecretKey::BaseAddress, BaseAddress::parse("https://scim.example.com/scim")?)?
//!     .with(SecretKey::SecretToken, SecretString::from(std::env::var("SCIM_TOKEN").unwrap_or_default()))?
//!     .with(SecretKey::SyncNotificationSettings, SyncNotificationSettings::disabled())?
//!     .with(SecretKey::SyncAll, false)?;
//! let sp = ServicePrincipalId::new("3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6")?;
//! client.service_principal(sp).synchronization().secrets().put(&secrets).await?;
//! # Ok(())
//! # }
//! ```
//!
//! ## The operations
//!
//! Every documented operation of the synchronization API has one typed call, reached through
//! the resource it acts on: [`GraphSyncClient::application_template`] (instantiate),
//! [`GraphSyncClient::service_principal`] (get; then `synchronization()`: get, secrets,
//! acquireAccessToken, `jobs()`, `job(id)`, `templates()`, `template(id)`),
//! [`JobApi`] (get, delete, start, pause, restart, validateCredentials, provisionOnDemand,
//! bulkUpload, `schema()`), [`SchemaApi`] (get, put, delete, filterOperators, functions,
//! parseExpression, `directory(id).discover()`), [`TemplateApi`] and
//! [`GraphSyncClient::application`] for the paths documented under `/applications/{id}`, and
//! [`GraphSyncClient::provisioning_logs`] (`/auditLogs/provisioning`: [`LogQuery`] builds
//! `$filter`, `$orderby` and `$top` from typed criteria).
//! Lists follow `@odata.nextLink` (staying on the Graph host), collected or as a stream
//! ([`ItemStream`]). The workflow, step by step: `docs/guide.md`.
//!
//! ## How a call travels
//!
//! 1. The typed call checks its input (ids, keys, values) and fails with
//!    [`Error::InvalidInput`] before anything is sent.
//! 2. The pipeline builds an `http::Request<Bytes>`: the URL from the [`Cloud`]'s Graph root,
//!    `Authorization` from the client's token cache in front of its [`TokenCredential`]
//!    (marked sensitive, and only ever for the cloud's Graph host), a fresh
//!    `client-request-id`, and a `User-Agent` naming this crate. A `401` gets one fresh
//!    token (with the claims of a continuous access evaluation challenge, if any) and one
//!    resend.
//! 3. The [`Transport`](graph_sync_transport::Transport) sends it. Any transport works:
//!    the default reqwest one, a mock, or one of your own. The retry policy
//!    ([`RetryConfig`]) repeats what is safe to repeat: `429`, `503` and `504` after their
//!    `Retry-After` (honoured exactly, up to a cap, never shortened), transport failures
//!    that never reached the server, and idempotent requests after a connection loss; never
//!    a `POST` that may have been applied. Every attempt carries the same
//!    `client-request-id`, a fresh token and, on retries, `Retry-Attempt`. Opt-in:
//!    [`ConsistencyConfig`] for Graph's replication lag after creates,
//!    [`wait_until_visible`], and [`Bulk`] for many operations behind one throttle gate.
//!    See `docs/resilience.md`.
//! 4. A 2xx is decoded into model types; anything else becomes a [`ServiceError`] with the
//!    status, Graph's code and message (unpacked when the service nests a JSON document in
//!    it), `request-id`, `client-request-id`, date, `Retry-After` and the raw body.
//!
//! ## The key decision: nothing Graph-specific below this crate, nothing HTTP-specific above
//!
//! URLs, tokens, Graph's error JSON and `Retry-After` are known here and only here. The model
//! crate is pure data; the transport moves bytes and returns every status as a response. So
//! each layer is tested alone (this crate against `MockTransport`), and a team that must send
//! traffic through its own stack swaps the transport without touching anything else. No
//! reqwest type appears in this crate's API.
//!
//! ## Secrets
//!
//! Secret values and tokens are [`secrecy::SecretString`]s: redacted in `Debug`, zeroized on
//! drop, read only to be put on the wire. Request bodies that carry secrets are zeroized
//! when the transport lets go of them, the `Authorization` header is marked sensitive,
//! tracing records method, path, status and ids but never headers or bodies, and a service
//! error that echoes a value this request sent has it replaced by `[REDACTED]`.
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `reqwest` | yes | the default transport, `graph_sync_transport::ReqwestTransport` |
//! | `rustls` | yes | TLS through rustls (forwarded to graph-sync-transport) |
//! | `native-tls` | no | TLS through the platform library (forwarded to graph-sync-transport) |
//! | `certificate` | no | `ClientCertificateCredential` and `ClientCertificate::from_pem`: RS256 client assertions (RustCrypto `rsa`, `x509-cert`) |
//! | `pkcs12` | no | `ClientCertificate::from_pkcs12` (PFX archives) on the same X.509 stack (RustCrypto `pkcs12`, `cms`, `pkcs5`); implies `certificate` |
//! | `mock` | no | `MockTokenCredential`, a mockall mock of [`TokenCredential`] |
//! | `azure-cli` | no | `AzureCliCredential`: the `az login` session, through `az account get-access-token` (tokio's `process`) |
//! | `azure-core` | no | `AzureCoreCredential`: any azure_core (azure_identity) credential |
//!
//! ## Authentication
//!
//! Static token, client secret, workload identity, managed identity (IMDS and App Service),
//! the `AZURE_*` environment, and chains of these, with the default features; client
//! certificate (PEM with the `certificate` feature, PKCS#12 with `pkcs12`; RS256 assertions
//! signed by the pure-Rust `rsa` crate) opt-in, so that a build that authenticates with a
//! secret, a token or a managed identity compiles no RSA, X.509 or PKCS#12 code. Tokens are cached per scope, refreshed
//! ahead of expiry, one refresh at a time. See `docs/authentication.md`.

// Numbers from the network, files, arguments and the environment must never panic: every
// integer, `Duration` and `Instant` computation is checked, saturating or clamped (tests,
// whose numbers are their own, are exempt).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

mod bulk;
mod client;
mod cloud;
mod credential;
mod error;
pub mod odata;
mod operations;
pub(crate) mod pipeline;
mod random;
pub mod redact;

pub use bulk::Bulk;
pub use client::{GraphSyncClient, GraphSyncClientBuilder, USER_AGENT_PRODUCT};
pub use cloud::Cloud;
#[cfg(feature = "azure-core")]
pub use credential::AzureCoreCredential;
#[cfg(any(test, feature = "mock"))]
pub use credential::MockTokenCredential;
#[cfg(feature = "azure-cli")]
pub use credential::{AZURE_CLI_TIMEOUT, AzureCliCredential};
pub use credential::{
    AccessToken, AuthError, AuthErrorKind, ChainedTokenCredential, ClientSecretCredential,
    EnvironmentCredential, IMDS_ENDPOINT, MAX_TOKEN_LIFETIME, ManagedIdentity,
    ManagedIdentityCredential, StaticTokenCredential, TokenCredential, TokenRequest,
    WorkloadIdentityCredential,
};
#[cfg(feature = "certificate")]
pub use credential::{ClientCertificate, ClientCertificateCredential};
pub use error::{
    DecodeError, Error, GaveUp, InvalidInput, InvalidInputKind, RetryError, ServiceError,
};
pub use operations::{
    ApplicationApi, ApplicationSynchronizationApi, ApplicationTemplateApi, BulkUploadAccepted,
    DirectoryApi, ItemStream, JobApi, JobsApi, LogFilter, LogOrder, LogQuery, MAX_CANDIDATES,
    MAX_COLLECTED_ITEMS, MAX_LIST_TIME, MAX_PAGE_ITEMS, ProvisioningLogsApi, SchemaApi, SecretsApi,
    ServicePrincipalApi, ServicePrincipalsApi, SynchronizationApi, TemplateApi, TemplatesApi,
    TextMatch,
};
pub use pipeline::{
    Backoff, CLIENT_REQUEST_ID, ConsistencyConfig, RETRY_ATTEMPT, RetryConfig, RetryObserver,
    RetryWait, ThrottleGate, Visibility, is_consistency_error, is_idempotent, is_throttled,
    wait_until_visible,
};

/// Internal parsers of external input, exposed for the fuzz targets in `fuzz/` (feature
/// `fuzzing`). Not part of the API: no stability promise.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use std::time::{Duration, SystemTime};

    /// The claims of a `WWW-Authenticate` continuous access evaluation challenge.
    #[must_use]
    pub fn claims_challenge(headers: &http::HeaderMap) -> Option<String> {
        crate::pipeline::claims_challenge(headers)
    }

    /// `Retry-After` as the retry policy reads it.
    #[must_use]
    pub fn retry_after(headers: &http::HeaderMap, now: SystemTime) -> Option<Duration> {
        crate::pipeline::retry::retry_after::parse(headers, now)
    }
}

/// The property tests' runner: a fixed seed (every run makes the same cases; set
/// `PROPTEST_RNG_SEED` to explore), no regression files, 256 cases.
#[cfg(test)]
pub(crate) fn property_runner() -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, RngSeed, TestRunner};
    let mut config = Config::with_cases(256);
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok());
    config.rng_seed = RngSeed::Fixed(seed.unwrap_or(0x6772_6170_6873_796e));
    config.failure_persistence = None;
    TestRunner::new(config)
}

/// The model crate, re-exported so that one dependency is enough.
pub use graph_sync_model as model;
/// The transport crate, re-exported so that one dependency is enough.
pub use graph_sync_transport as transport;

/// The README's examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The guide's examples (`docs/guide.md`), compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide.md")]
pub struct GuideDoctests;
