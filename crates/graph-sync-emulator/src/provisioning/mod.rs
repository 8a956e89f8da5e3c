//! The provisioning service's domain, without HTTP: the gallery catalog (the `scim` template
//! and its schema, filter operators, functions), the expression language, a job's status
//! machine, the checks the service applies (credentials against a target system, schemas
//! before a PUT) and the documented rate windows.
//!
//! Nothing here knows about requests, locks or the emulator's state; the state
//! ([`crate::directory`]) and the handlers ([`crate::synchronization`]) build on it.

pub(crate) mod catalog;
pub(crate) mod checks;
pub(crate) mod events;
pub(crate) mod expression;
pub(crate) mod job;
pub(crate) mod rate;
