//! # graph-sync-emulator
//!
//! A local, in-memory stand-in for the Microsoft Graph synchronization service (the API behind
//! Microsoft Entra app provisioning), in the spirit of Azurite or LocalStack. The real Graph is
//! not reachable from CI, so the client's end-to-end tests, the demo and the benchmarks talk
//! HTTP to this emulator on loopback instead. It is for people who test code that calls Graph,
//! not for production.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use graph_sync_emulator::Emulator;
//!
//! let emulator = Emulator::new();
//! let app = emulator.register_service_principal("Demo SCIM app");
//! let token = emulator.issue_token();
//! let running = emulator.start().await?; // 127.0.0.1 on an ephemeral port
//! // PUT {graph_root}/servicePrincipals/{app.id}/synchronization/secrets
//! // with `Authorization: Bearer {token}`; then check what was stored:
//! let stored = emulator.stored_secrets(&app.id);
//! # let _ = (running.graph_root(), token, stored);
//! running.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! ## What it emulates faithfully
//!
//! Everything is served under `/v1.0`, with the status codes, headers and bodies the service
//! answers with (see the project's API reference):
//!
//! * `PUT …/servicePrincipals/{id}/synchronization/secrets`, also addressed by the alternate
//!   key `servicePrincipals(appId='{appId}')`: `204 No Content` on success; the body is read
//!   with the model's [`Secrets`](graph_sync_model::Secrets) deserializer, so it accepts exactly
//!   `{"value":[…]}` and refuses `credentials`, bare arrays and duplicate keys.
//! * `GET …/servicePrincipals/{id}/synchronization`: the stored secrets, every value masked
//!   as `*`.
//! * Bearer-token checks (`401` with `WWW-Authenticate`), malformed ids (`400`), unknown
//!   service principals (`404`), wrong media types (`415`), empty and malformed payloads
//!   (`400`), undocumented secret keys (`400`), and the double-encoded
//!   `InvalidNotificationSettings` error Graph returns for an empty or non-JSON
//!   `SyncNotificationSettings` value.
//! * Identity: an OAuth2 token endpoint `POST /{tenant}/oauth2/v2.0/token` (client
//!   credentials with a secret, a certificate-signed client assertion checked for signature,
//!   audience and time, or a federated token), the managed-identity endpoints of IMDS
//!   (`/metadata/identity/oauth2/token`) and App Service (`/msi/token`), Entra-shaped error
//!   bodies with `AADSTS` codes, configurable token lifetimes on a clock tests can move
//!   ([`Emulator::advance_clock`]), expired and unknown tokens refused with `401`, and a
//!   continuous access evaluation claims challenge on demand
//!   ([`Emulator::require_claims_challenge`]).
//! * The OData error envelope `{"error":{"code","message","innerError":{…}}}` and the support
//!   headers `request-id`, `client-request-id` (echoed) and `Date` on every response.
//!
//! ### How a PUT changes the stored secrets
//!
//! A PUT **merges** into the stored set: each key sent is inserted or has its value replaced
//! (a key keeps the position where it was first stored), and a key sent with an **empty value
//! is removed**, which is how clients clear keys (Graph has no DELETE for secrets). Keys not
//! sent are left alone. The PUT is checked as a whole before anything is stored, so a rejected
//! PUT changes nothing. Values are not judged beyond what the service is known to reject:
//! only `SyncNotificationSettings` must hold a JSON document.
//!
//! ## The key decision: fail loudly, leak nothing
//!
//! A path the emulator does not serve answers `400` "Resource not found for the segment …" and
//! a method a served path does not take answers `405`, as Graph does (never a `5xx`, which
//! clients would retry), so a test that wanders off the emulated surface fails at once
//! instead of passing against a fake success. Secret values are
//! held in the model's secret types and never reach a response, a header, the request log
//! ([`Emulator::requests`]) or a `tracing` event; only [`Emulator::stored_secrets`] hands them
//! back, for test assertions.
//!
//! ## The provisioning service
//!
//! Beyond secrets, the emulator serves every documented synchronization operation with the
//! service's behaviour, under `/servicePrincipals/{id}` (or `(appId='…')`) and, where
//! documented, `/applications/{id}`:
//!
//! * `POST /applicationTemplates/{id}/instantiate` creates an application and its service
//!   principal with the gallery template's synchronization templates (the non-gallery
//!   template `8adf8e6e-…` gives a `scim` template with a working schema);
//!   `GET /servicePrincipals/{id}` answers `404` for the first reads after that
//!   ([`Emulator::set_replication_lag`]).
//! * Templates per application ([`Emulator::add_template`]): list, get, update, and their
//!   schema. Jobs are created from a template, with a copy of its schema.
//! * Job status moves as the service's does: `NotConfigured` and disabled until started;
//!   a start runs a cycle that checks the saved secrets against the service principal's
//!   [`TargetSystem`] and gives `Active`, or `Quarantine` with reason
//!   `EncounteredQuarantineException` and an error; an `Active` job runs a cycle each time it is
//!   read, so secrets broken later quarantine it; pause, restart (clearing what the scope
//!   names: a restart without `QuarantineState` leaves a quarantine in place) and delete.
//! * `validateCredentials` (job- and collection-bound) checks the submitted or saved secrets
//!   against the target system; `acquireAccessToken` accepts credentials.
//! * Schema PUT replaces the schema after the service's checks (`400 InvalidSchema` for a
//!   target attribute mapped twice or an attribute missing from its directory definition);
//!   DELETE resets it; filterOperators, functions, parseExpression (a real parser and
//!   evaluator of the expression language), directory discover.
//! * provisionOnDemand (5 requests per 10 s per job) and bulkUpload (`application/scim+json`,
//!   at most 50 operations, 40 requests per second, `202` with a `Location`) answer `429` with
//!   `Retry-After` and `400` as the service does. The windows run on tokio's clock.
//! * Lists longer than the page size ([`Emulator::set_page_size`]) are paged with
//!   `@odata.nextLink`.
//!
//! ## Throttling and faults
//!
//! [`Emulator::set_throttle`] throttles each client (each bearer token) with a token bucket,
//! or with [`ThrottleConfig::per_application`] each application (the tokens of
//! [`Emulator::issue_token_for_application`] share their application's bucket, as Graph
//! throttles per application and tenant): an empty bucket answers `429` with Graph's documented body and a fractional `Retry-After`
//! computed from the bucket. [`Emulator::script_faults`] and [`Emulator::set_fault_rate`]
//! inject [`Fault`]s (`503` with and without `Retry-After`, `504`, connection resets before
//! and after the request is read, slow answers, truncated bodies), scripted or at a seeded
//! random rate. The request log says for each request which fault it got and whether it
//! reached its handler (was applied), so a test can prove that nothing was applied twice.
//! Connections are served with hyper directly, so that a fault can close one unanswered.
//!
//! ## How the code is organised
//!
//! The state is a set of independent substates (directory, identity, resilience, request log,
//! clock, paging), each behind its own lock and handed to handlers through axum's `FromRef`;
//! one service principal's data (secrets, templates, jobs, target system) lives in one map
//! entry. Every Graph operation is a row of one routing table, and every protected handler
//! takes an `Authorized<Principal>` extractor that checks the token and finds the service
//! principal. The pipeline, in order: envelope (ids, error bodies, request log), throttle and
//! faults, routes, fallback. The modules import each other without a cycle (`cargo xtask tidy`
//! checks it).
//!
//! ## HTTPS and Entra for Microsoft's SDKs
//!
//! [`Emulator::start_tls`] serves HTTPS with a certificate for `127.0.0.1`, `localhost` and
//! `::1` signed by a development authority generated at start ([`TlsCertificate`];
//! [`RunningEmulator::write_ca_files`] writes what clients must trust). The identity side
//! serves per tenant the OpenID configuration (`/{tenant}/v2.0/.well-known/openid-configuration`),
//! instance discovery, the JWKS, and issues RS256-signed JWT access tokens (`aud`, `iss`, `tid`,
//! `oid`, `appid`, `azp`, `roles`, `exp`, `nbf`); a token for another audience than Graph is
//! refused with `401`. [`Emulator::register_development_credentials`] registers well-known
//! development credentials, as Azurite has its development account; the official Python Graph
//! SDK with azure-identity runs the provisioning workflow against it (`cargo xtask compat`).
//!
//! ## A tenant you can describe
//!
//! A [`TenantFile`] (`--tenant-file tenant.toml`) declares app registrations with their
//! credentials and granted application permissions, managed identities, application
//! templates, service principals with target systems and jobs, and the `[emulator]` table;
//! [`Emulator::load_tenant`] loads it. Tokens carry the granted permissions in `roles`, and an
//! operation whose permissions (Microsoft's permission table) the token lacks answers
//! `403 Authorization_RequestDenied` ([`Emulator::grant_roles`]).
//!
//! ## State that lasts when asked
//!
//! [`Emulator::open_state_file`] (`--state FILE`) keeps the directory and the identity state
//! in a versioned JSON file, rewritten atomically after every request that may change it and
//! loaded at the next start; without it everything stays in memory.

mod accept;
mod banner;
mod clock;
mod context;
mod control;
mod development;
mod directory;
mod emulator;
mod error;
mod faults;
mod http;
mod identity;
mod log;
mod provisioning;
mod router;
mod server;
mod state;
mod state_file;
mod strict;
mod synchronization;
mod tenant;
mod throttle;
mod tls;

pub use banner::{CaFiles, connection_details, development_details};
pub use control::kinds::{fault_kind, fault_text, parse_fault, parse_fault_kinds};
pub use control::selection::Selection;
pub use control::settings::{Flags, Settings, parse_latency, parse_probability, parse_throttle};
pub use development::DevelopmentCredentials;
pub use directory::ServicePrincipal;
pub use emulator::Emulator;
pub use faults::{Fault, FaultRate, Latency};
pub use identity::InvalidCertificate;
pub use log::RecordedRequest;
pub use provisioning::checks::TargetSystem;
pub use provisioning::events::SourceObject;
pub use server::RunningEmulator;
pub use state_file::StateFileError;
pub use tenant::{TenantFile, TenantFileError};
pub use throttle::{ThrottleConfig, ThrottleKey};
pub use tls::{TlsCertificate, TlsError};
