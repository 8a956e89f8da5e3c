//! What every Graph handler shares about HTTP, below the handlers and above the state: the
//! [`Authorized`](auth::Authorized) extractor (bearer token, then the addressed service
//! principal), reading JSON bodies, and writing OData JSON answers.

pub(crate) mod auth;
pub(crate) mod body;
pub(crate) mod path;
pub(crate) mod reply;
