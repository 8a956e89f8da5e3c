//! [`Authorized`]: the extractor every protected Graph handler takes instead of repeating a
//! preamble. It applies the service's checks in the service's order:
//!
//! 1. the path names its owner in a form the emulator knows (`servicePrincipals/{id}`,
//!    `servicePrincipals(appId='…')`, `applications/{id}`); another `{key}` segment is Graph's
//!    `400` "Resource not found for the segment …";
//! 2. the bearer token is valid ([`check_bearer`]): `401` otherwise;
//! 3. the token's `roles` hold a permission the operation needs (the route's [`Resource`] in
//!    Microsoft's permission table): `403 Authorization_RequestDenied` otherwise;
//! 4. the id is well formed (`400`) and the object exists (`404`).
//!
//! What it yields says what was authorized: `Authorized<()>` a caller, `Authorized<Principal>`
//! a caller and the service principal the path addresses.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use graph_sync_model::{AppId, ServicePrincipalId, ServicePrincipalRef};

use crate::directory::Directory;
use crate::error::GraphError;
use crate::identity::permissions::Resource;
use crate::identity::{Caller, Identity, check_bearer};

/// A request whose bearer token was accepted, and what it addresses.
#[derive(Debug)]
pub(crate) struct Authorized<T>(pub(crate) T);

/// The service principal a path addresses, found in the directory.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    /// Its object id.
    pub(crate) id: ServicePrincipalId,
}

/// How the path addresses the owner of what it names, before the id is validated.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Address {
    /// `servicePrincipals/{id}`.
    ObjectId(String),
    /// `servicePrincipals(appId='{appId}')`.
    AppId(String),
    /// `applications/{id}`: the application's service principal.
    Application(String),
}

/// The path parameter names the routes use for the owner.
pub(crate) mod param {
    /// `servicePrincipals/{id}`.
    pub(crate) const ID: &str = "id";
    /// The alternate key segment `servicePrincipals(appId='…')`.
    pub(crate) const KEY: &str = "key";
    /// `applications/{app}`.
    pub(crate) const APPLICATION: &str = "app";
}

impl Address {
    fn parse_key_segment(segment: &str) -> Option<Self> {
        let app_id = segment
            .strip_prefix("servicePrincipals(appId='")?
            .strip_suffix("')")?;
        Some(Self::AppId(app_id.to_owned()))
    }

    /// The owner named by the route's path parameters.
    async fn from_parts(parts: &mut Parts) -> Result<Self, GraphError> {
        let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, &())
            .await
            .map_err(|_| GraphError::malformed_path())?;
        if let Some(id) = params.remove(param::ID) {
            return Ok(Self::ObjectId(id));
        }
        if let Some(id) = params.remove(param::APPLICATION) {
            return Ok(Self::Application(id));
        }
        params
            .remove(param::KEY)
            .as_deref()
            .and_then(Self::parse_key_segment)
            .ok_or_else(|| {
                let segment = parts
                    .uri
                    .path()
                    .trim_start_matches("/v1.0/")
                    .split('/')
                    .next()
                    .unwrap_or_default();
                GraphError::segment_not_found(segment)
            })
    }

    /// Validates the id and finds the service principal.
    fn resolve(&self, directory: &Directory) -> Result<Principal, GraphError> {
        let tenant = directory.lock();
        let found = match self {
            Self::ObjectId(id) => {
                let id = ServicePrincipalId::new(id.as_str())
                    .map_err(|_| GraphError::invalid_object_identifier(id))?;
                tenant.find(&ServicePrincipalRef::Id(id))
            }
            Self::AppId(app_id) => {
                let reference = AppId::new(app_id.as_str())
                    .map_err(|_| GraphError::invalid_object_identifier(app_id))?;
                tenant.find(&ServicePrincipalRef::AppId(reference))
            }
            Self::Application(id) => tenant.find_by_application(id),
        };
        let shown = match self {
            Self::ObjectId(id) | Self::AppId(id) | Self::Application(id) => id,
        };
        found
            .map(|entry| Principal {
                id: entry.principal.id.clone(),
            })
            .ok_or_else(|| GraphError::resource_not_found(shown))
    }
}

/// Checks the `Authorization: Bearer …` header against the issued tokens, and says what the
/// token may do.
pub(crate) fn authorize(identity: &Identity, headers: &HeaderMap) -> Result<Caller, GraphError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(GraphError::empty_token());
    };
    let Ok(text) = value.to_str() else {
        return Err(GraphError::invalid_token());
    };
    let token = text
        .trim()
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token.trim());
    if token.is_empty() {
        Err(GraphError::empty_token())
    } else {
        check_bearer(identity, token)
    }
}

/// Checks the bearer token, then that it may call the route's operation.
fn authorize_operation(identity: &Identity, parts: &Parts) -> Result<(), GraphError> {
    let caller = authorize(identity, &parts.headers)?;
    match parts.extensions.get::<Resource>() {
        Some(resource) if !caller.may(parts.method.as_str(), resource) => {
            Err(GraphError::request_denied())
        }
        _ => Ok(()),
    }
}

impl<S> FromRequestParts<S> for Authorized<()>
where
    S: Send + Sync,
    Arc<Identity>: FromRef<S>,
{
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, GraphError> {
        authorize_operation(&Arc::<Identity>::from_ref(state), parts)?;
        Ok(Self(()))
    }
}

impl<S> FromRequestParts<S> for Authorized<Principal>
where
    S: Send + Sync,
    Arc<Identity>: FromRef<S>,
    Arc<Directory>: FromRef<S>,
{
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, GraphError> {
        let address = Address::from_parts(parts).await?;
        authorize_operation(&Arc::<Identity>::from_ref(state), parts)?;
        let principal = address.resolve(&Arc::<Directory>::from_ref(state))?;
        Ok(Self(principal))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_alternate_key_segment_is_parsed_strictly() {
        assert_eq!(
            Address::parse_key_segment("servicePrincipals(appId='abc')"),
            Some(Address::AppId("abc".to_owned()))
        );
        for other in [
            "servicePrincipals",
            "applications(appId='abc')",
            "servicePrincipals(appId=abc)",
            "servicePrincipals(displayName='abc')",
        ] {
            assert_eq!(Address::parse_key_segment(other), None, "{other}");
        }
    }

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let identity = Identity::new(Arc::default());
        identity.add_token("good".to_owned(), None);
        let check = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_static(value));
            authorize(&identity, &headers).map_err(|e| e.message().to_owned())
        };
        assert_eq!(check("Bearer good"), Ok(Caller::Unrestricted));
        assert_eq!(check("bearer  good "), Ok(Caller::Unrestricted));
        let empty = Err("Access token is empty.".to_owned());
        assert_eq!(check("Bearer"), empty);
        assert_eq!(check("Bearer   "), empty);
        assert_eq!(check("Basic Z29vZA=="), empty);
        assert!(
            check("Bearer bad")
                .unwrap_err()
                .contains("validation failure")
        );
        identity.revoke_token("good");
        assert!(check("Bearer good").is_err());
    }
}
