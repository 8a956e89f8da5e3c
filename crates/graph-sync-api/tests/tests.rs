//! Integration tests of graph-sync-api: the client against `MockTransport` (the api layer
//! alone), and the whole stack over loopback HTTP against graph-sync-emulator.

#![allow(
    clippy::unwrap_used,
    reason = "a test that meets an unexpected error should fail loudly"
)]

mod auth;
mod auth_emulator;
mod canary;
#[cfg(feature = "pkcs12")]
mod certs;
mod emulator;
mod hostile;
mod list_budget;
mod mock;
mod operations;
mod pacing;
mod provisioning_logs;
mod resilience;
mod retry;
mod service_principals;
mod support;
mod workflow;
