//! The identity side of the emulator: the state of an Entra tenant's app registrations,
//! managed identities and issued tokens, and the check of those tokens on the protected Graph
//! endpoints. The registry (state) is in
//! `registry.rs`, the endpoints that issue tokens in `endpoints.rs`.
//!
//! * `POST /{tenant}/oauth2/v2.0/token`, form-encoded, `grant_type=client_credentials` with
//!   `client_secret`, or with a `client_assertion` that is either a registered federated
//!   token or an RS256 JWT whose signature is checked against the certificate registered
//!   for the app, along with its `x5t#S256`, audience (this endpoint's URL), issuer and
//!   subject (the client id) and time range. Errors are Entra's bodies: `error`,
//!   `error_description` starting with the `AADSTS` code, `error_codes`, `timestamp`,
//!   `trace_id`, `correlation_id` (the client's `client-request-id` when it sent one).
//! * `GET /metadata/identity/oauth2/token` (IMDS: `Metadata: true` required) and
//!   `GET /msi/token` (App Service: `X-IDENTITY-HEADER` required), for a system-assigned
//!   identity or user-assigned ones by `client_id`.
//! * Tokens live a configurable time on the emulator's clock, which tests can move forward
//!   ([`Emulator::advance_clock`](crate::Emulator::advance_clock)); protected endpoints
//!   answer `401` to expired and unknown tokens, and, when told to, a continuous access
//!   evaluation claims challenge to every token not requested with claims.
//!
//! * A token carries the application permissions granted to its client in its `roles` claim;
//!   a protected endpoint refuses a token without one of the permissions its operation needs
//!   (`permissions.rs`, Microsoft's permission table) with `403 Authorization_RequestDenied`.
//!
//! Secrets, assertions and tokens never reach a log, a response or `Debug`.

mod endpoints;
pub(crate) mod permissions;
mod registry;
mod signing;

pub(crate) use self::endpoints::routes;
pub use self::registry::InvalidCertificate;
pub(crate) use self::registry::{
    Caller, DEVELOPMENT_TENANT_ID, Identity, IdentitySnapshot, SYSTEM_ASSIGNED_CLIENT_ID,
    check_bearer, check_certificate,
};
