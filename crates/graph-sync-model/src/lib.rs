//! # graph-sync-model
//!
//! The types of the Microsoft Graph synchronization API (Microsoft Entra app provisioning),
//! with serde, and nothing else: no HTTP client, no async runtime, no I/O. A tool that only
//! needs to read or write provisioning payloads depends on this crate alone; the client
//! (`graph-sync-api`) and the emulator (`graph-sync-emulator`) share it, so both sides of every
//! test speak exactly the same wire format.
//!
//! ## What is here
//!
//! * [ids]: typed, validated identifiers ([`ServicePrincipalId`], [`AppId`], [`JobId`],
//!   [`TemplateId`], [`ApplicationObjectId`]) and [`ServicePrincipalRef`], which addresses a
//!   service principal by object id or by appId.
//! * [secrets]: the 45 documented [`SecretKey`]s plus an open variant for keys Graph adds
//!   later, secret values held in [`secrecy::SecretString`], the ordered, duplicate-free
//!   [`Secrets`] collection that is the body of `PUT …/synchronization/secrets`, and typed
//!   helpers for values that are not plain strings ([`SyncNotificationSettings`],
//!   [`BaseAddress`], booleans).
//! * [error]: the OData error envelope Graph answers with ([`ODataError`]).
//! * [`Synchronization`]: the `synchronization` resource of a service principal, whose secrets
//!   come back masked.
//!
//! ## The key decision: secrets are unreadable by accident
//!
//! A secret value is a [`secrecy::SecretString`] from the moment it enters this crate. Its
//! `Debug` prints `[REDACTED]`, it is zeroized on drop, and the only place it is read is the
//! `Serialize` implementation that puts it on the wire. Errors name the key and the rule a
//! value broke, never the value. Graph adds enum members without a version bump, so every
//! enum here is open: an unknown member is kept verbatim and sent back unchanged.

pub mod error;
pub mod ids;
pub mod secrets;
mod synchronization;

pub use error::{ErrorDetail, InnerError, MainError, ODataError};
pub use ids::{
    AppId, ApplicationObjectId, IdError, JobId, ServicePrincipalId, ServicePrincipalRef, TemplateId,
};
pub use secrets::{
    BaseAddress, IntoSecretValue, MASKED_VALUE, SecretKey, SecretKeyValue, SecretValueKind,
    Secrets, SecretsError, SyncNotificationSettings,
};
pub use synchronization::Synchronization;

/// Re-exported so that users of this crate name the same secret type.
pub use secrecy::{ExposeSecret, SecretString};
