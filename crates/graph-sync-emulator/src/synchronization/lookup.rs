//! Finding what a request addresses below its service principal, and the `404`s when it is
//! not there.

use axum::http::StatusCode;

use crate::directory::{Directory, PrincipalEntry};
use crate::error::GraphError;
use crate::http::auth::Principal;

/// Runs `f` on the entry of the service principal the request addresses; `404` when it was
/// removed since the request was authorized.
pub(super) fn entry<R>(
    directory: &Directory,
    principal: &Principal,
    f: impl FnOnce(&mut PrincipalEntry) -> R,
) -> Result<R, GraphError> {
    directory
        .with(&principal.id, f)
        .ok_or_else(|| GraphError::resource_not_found(principal.id.as_str()))
}

pub(super) fn not_found(what: &str) -> GraphError {
    GraphError::with_code(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("{what} does not exist."),
    )
}

pub(super) fn job_not_found(job: &str) -> GraphError {
    not_found(&format!("The job '{job}'"))
}

pub(super) fn template_not_found(template: &str) -> GraphError {
    not_found(&format!("The template '{template}'"))
}
