//! The emulator's in-memory state: service principals with their stored secrets, the valid
//! bearer tokens, and the request log.
//!
//! One `std::sync::Mutex` guards it all. Every critical section is short and synchronous, so
//! a lock is never held across an `.await`; a poisoned lock (a panic in another test thread)
//! is recovered rather than propagated, because the data stays consistent between
//! operations.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use graph_sync_model::{Secrets, ServicePrincipalId, ServicePrincipalRef};

use crate::emulator::{RecordedRequest, ServicePrincipal};
use crate::identity::Identity;

/// State shared by the [`Emulator`](crate::Emulator) handle and the HTTP handlers.
#[derive(Default)]
pub(crate) struct Shared {
    data: Mutex<Data>,
    /// App registrations, managed identities and the tokens issued for them.
    identity: Identity,
    /// Throttling and fault injection.
    pub(crate) resilience: crate::faults::Resilience,
    /// Templates, jobs, target systems and rate windows (see [`crate::sync`]).
    pub(crate) sync: Mutex<crate::sync::SyncState>,
}

#[derive(Default)]
struct Data {
    /// Service principals by lower-cased object id (Graph ids are case-insensitive GUIDs).
    service_principals: HashMap<String, Registered>,
    /// Bearer tokens that are currently valid.
    tokens: HashSet<String>,
    /// Every request answered, in order.
    requests: Vec<RecordedRequest>,
}

struct Registered {
    principal: ServicePrincipal,
    secrets: Secrets,
}

/// The service principal is gone (replaced between lookup and update).
#[derive(Debug)]
pub(crate) struct NotFound;

impl Shared {
    fn data(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `principal` with no secrets, replacing any service principal with the same
    /// object id or the same appId (and its secrets).
    pub(crate) fn insert_service_principal(&self, principal: ServicePrincipal) {
        let mut data = self.data();
        data.service_principals.retain(|_, registered| {
            !registered
                .principal
                .app_id
                .as_str()
                .eq_ignore_ascii_case(principal.app_id.as_str())
        });
        data.service_principals.insert(
            principal.id.as_str().to_ascii_lowercase(),
            Registered {
                principal,
                secrets: Secrets::new(),
            },
        );
    }

    /// The service principal `reference` points at.
    pub(crate) fn find(&self, reference: &ServicePrincipalRef) -> Option<ServicePrincipal> {
        let data = self.data();
        match reference {
            ServicePrincipalRef::Id(id) => data
                .service_principals
                .get(&id.as_str().to_ascii_lowercase())
                .map(|registered| registered.principal.clone()),
            ServicePrincipalRef::AppId(app_id) => data
                .service_principals
                .values()
                .find(|registered| {
                    registered
                        .principal
                        .app_id
                        .as_str()
                        .eq_ignore_ascii_case(app_id.as_str())
                })
                .map(|registered| registered.principal.clone()),
        }
    }

    /// The secrets stored for `id`, unmasked.
    pub(crate) fn stored_secrets(&self, id: &ServicePrincipalId) -> Option<Secrets> {
        self.data()
            .service_principals
            .get(&id.as_str().to_ascii_lowercase())
            .map(|registered| registered.secrets.clone())
    }

    /// Applies a PUT of `incoming` to the secrets of `id` ([`Secrets::apply`]).
    pub(crate) fn apply_secrets(
        &self,
        id: &ServicePrincipalId,
        incoming: &Secrets,
    ) -> Result<(), NotFound> {
        let mut data = self.data();
        let registered = data
            .service_principals
            .get_mut(&id.as_str().to_ascii_lowercase())
            .ok_or(NotFound)?;
        registered.secrets.apply(incoming);
        Ok(())
    }

    /// Makes `token` valid.
    pub(crate) fn add_token(&self, token: String) {
        self.data().tokens.insert(token);
    }

    /// Makes `token` invalid.
    pub(crate) fn revoke_token(&self, token: &str) {
        self.data().tokens.remove(token);
    }

    /// Whether `token` is valid.
    pub(crate) fn is_valid_token(&self, token: &str) -> bool {
        self.data().tokens.contains(token)
    }

    /// The identity side: token endpoint, managed identity, issued tokens.
    pub(crate) fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Appends to the request log.
    pub(crate) fn record(&self, request: RecordedRequest) {
        self.data().requests.push(request);
    }

    /// The request log.
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.data().requests.clone()
    }
}

impl fmt::Debug for Shared {
    /// Counts only: the state holds tokens and secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = self.data();
        f.debug_struct("Shared")
            .field("service_principals", &data.service_principals.len())
            .field("tokens", &data.tokens.len())
            .field("requests", &data.requests.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use graph_sync_model::AppId;

    use super::*;

    #[test]
    fn service_principals_are_found_by_either_id_in_any_case() {
        let shared = Shared::default();
        let principal = ServicePrincipal::new(
            ServicePrincipalId::new("AAAAAAAA-0000-0000-0000-000000000001").unwrap(),
            AppId::new("bbbbbbbb-0000-0000-0000-000000000002").unwrap(),
            "App",
        );
        shared.insert_service_principal(principal.clone());
        for reference in [
            "aaaaaaaa-0000-0000-0000-000000000001",
            "appId=BBBBBBBB-0000-0000-0000-000000000002",
        ] {
            let reference = ServicePrincipalRef::parse(reference).unwrap();
            assert_eq!(shared.find(&reference), Some(principal.clone()));
        }
        assert_eq!(
            shared
                .find(&ServicePrincipalRef::parse("cccccccc-0000-0000-0000-000000000003").unwrap()),
            None
        );
    }

    #[test]
    fn inserting_replaces_by_id_and_by_app_id() {
        let shared = Shared::default();
        let id = |n: u8| ServicePrincipalId::new(format!("aaaaaaaa-0000-0000-0000-00000000000{n}"));
        let app = |n: u8| AppId::new(format!("bbbbbbbb-0000-0000-0000-00000000000{n}"));
        shared.insert_service_principal(ServicePrincipal::new(
            id(1).unwrap(),
            app(1).unwrap(),
            "a",
        ));
        shared
            .apply_secrets(
                &id(1).unwrap(),
                &serde_json::from_str::<Secrets>(
                    r#"{"value":[{"key":"SecretToken","value":"t"}]}"#,
                )
                .unwrap(),
            )
            .unwrap();
        assert_eq!(shared.stored_secrets(&id(1).unwrap()).unwrap().len(), 1);

        shared.insert_service_principal(ServicePrincipal::new(
            id(1).unwrap(),
            app(2).unwrap(),
            "b",
        ));
        assert!(shared.stored_secrets(&id(1).unwrap()).unwrap().is_empty());
        shared.insert_service_principal(ServicePrincipal::new(
            id(3).unwrap(),
            app(2).unwrap(),
            "c",
        ));
        assert!(shared.stored_secrets(&id(1).unwrap()).is_none());
        assert!(format!("{shared:?}").contains("service_principals: 1"));
    }

    #[test]
    fn tokens_can_be_revoked() {
        let shared = Shared::default();
        shared.add_token("token-7f1e".to_owned());
        assert!(shared.is_valid_token("token-7f1e"));
        assert!(!format!("{shared:?}").contains("token-7f1e"));
        shared.revoke_token("token-7f1e");
        assert!(!shared.is_valid_token("token-7f1e"));
    }
}
