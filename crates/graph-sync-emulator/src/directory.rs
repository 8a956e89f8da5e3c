//! The tenant's directory: every service principal with everything it owns, in one map behind
//! one lock, and the gallery of application templates that `instantiate` draws from.
//!
//! A service principal's entry holds its identity (ids and name), its stored secrets, the
//! application it was instantiated with, its synchronization templates and jobs, its target
//! system and its replication lag. Nothing about a service principal lives anywhere else, so
//! one critical section sees (and changes) all of it consistently. The lock is a
//! `std::sync::Mutex`, never held across an `.await`; a poisoned lock (a panic in another test
//! thread) is recovered, because the data stays consistent between operations.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use graph_sync_model::Property;
use graph_sync_model::{
    AppId, Application, Secrets, ServicePrincipalId, ServicePrincipalRef, SynchronizationSchema,
    SynchronizationTemplate, TemplateId,
};

use crate::control::redact::StoredValues;
use crate::provisioning::catalog;
use crate::provisioning::checks::TargetSystem;
use crate::provisioning::events::SourceObject;
use crate::provisioning::job::JobEntry;

/// A service principal the emulator knows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ServicePrincipal {
    /// The object id, as in `/servicePrincipals/{id}`.
    pub id: ServicePrincipalId,
    /// The application (client) id, as in `/servicePrincipals(appId='{appId}')`.
    pub app_id: AppId,
    /// The display name.
    pub display_name: String,
}

impl ServicePrincipal {
    /// A service principal with these ids and name.
    #[must_use]
    pub fn new(id: ServicePrincipalId, app_id: AppId, display_name: impl Into<String>) -> Self {
        Self {
            id,
            app_id,
            display_name: display_name.into(),
        }
    }
}

/// A synchronization template of a service principal, with the schema a reset returns to.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct TemplateEntry {
    pub(crate) template: SynchronizationTemplate,
    pub(crate) factory_schema: SynchronizationSchema,
}

impl TemplateEntry {
    pub(crate) fn new(mut template: SynchronizationTemplate) -> Self {
        let schema = template.schema.take().unwrap_or_default();
        template.schema = Property::Value(schema.clone());
        Self {
            template,
            factory_schema: schema,
        }
    }

    pub(crate) fn id(&self) -> &str {
        self.template.id.get().map_or("", TemplateId::as_str)
    }

    pub(crate) fn schema_mut(&mut self) -> &mut SynchronizationSchema {
        self.template
            .schema
            .get_or_insert_with(SynchronizationSchema::default)
    }
}

/// A service principal's stored secrets: read anywhere, changed only by the [`Tenant`], which
/// keeps its [`StoredValues`] in step with them.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct StoredSecrets(Secrets);

impl std::ops::Deref for StoredSecrets {
    type Target = Secrets;

    fn deref(&self) -> &Secrets {
        &self.0
    }
}

/// One service principal and everything it owns (all of it kept by a state file but the
/// replication lag).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct PrincipalEntry {
    pub(crate) principal: ServicePrincipal,
    /// The stored secrets, unmasked.
    pub(crate) secrets: StoredSecrets,
    /// The application it was instantiated with, if it was.
    pub(crate) application: Option<Application>,
    pub(crate) templates: Vec<TemplateEntry>,
    pub(crate) jobs: Vec<JobEntry>,
    /// What its jobs' credentials are checked against: the development target system unless
    /// told otherwise (every service principal has one, instantiated ones included).
    #[serde(with = "crate::provisioning::checks::stored")]
    pub(crate) target: Option<TargetSystem>,
    /// How many more `GET /servicePrincipals/{id}` answer `404` (directory replication).
    #[serde(skip)]
    pub(crate) invisible_reads: u32,
    /// The users and groups assigned to the application, by id: what an initial cycle
    /// imports, and the attributes provisioning on demand reads.
    #[serde(default)]
    pub(crate) assigned: std::collections::BTreeMap<String, SourceObject>,
}

impl PrincipalEntry {
    pub(crate) fn new(principal: ServicePrincipal) -> Self {
        Self {
            principal,
            secrets: StoredSecrets::default(),
            application: None,
            templates: Vec::new(),
            jobs: Vec::new(),
            target: Some(TargetSystem::development()),
            invisible_reads: 0,
            assigned: std::collections::BTreeMap::new(),
        }
    }

    /// The job `id`.
    pub(crate) fn job_mut(&mut self, id: &str) -> Option<&mut JobEntry> {
        self.jobs.iter_mut().find(|entry| entry.id() == id)
    }

    /// The template `id`.
    pub(crate) fn template_mut(&mut self, id: &str) -> Option<&mut TemplateEntry> {
        self.templates.iter_mut().find(|entry| entry.id() == id)
    }
}

/// Everything in the directory, behind the [`Directory`]'s lock; a state file keeps it whole.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Tenant {
    /// By lower-cased object id (Graph ids are case-insensitive GUIDs).
    principals: HashMap<String, PrincipalEntry>,
    /// Gallery application templates by lower-cased id: the synchronization templates an
    /// instantiated application's service principal gets.
    pub(crate) gallery: HashMap<String, Vec<SynchronizationTemplate>>,
    /// How many reads of a newly instantiated service principal answer `404`.
    pub(crate) replication_lag: u32,
    /// Every stored secret value, for the request log to hide wherever it appears; rebuilt
    /// from the entries when a state file is loaded.
    #[serde(skip)]
    stored_values: StoredValues,
    /// The key of each application's service principal, by lower-cased appId (one per
    /// application); rebuilt when a state file is loaded.
    #[serde(skip)]
    by_app_id: HashMap<String, String>,
}

impl Default for Tenant {
    fn default() -> Self {
        let mut gallery = HashMap::new();
        gallery.insert(
            catalog::NON_GALLERY_TEMPLATE.to_owned(),
            vec![catalog::scim_template("")],
        );
        Self {
            principals: HashMap::new(),
            gallery,
            replication_lag: 0,
            stored_values: StoredValues::default(),
            by_app_id: HashMap::new(),
        }
    }
}

/// The lookup key of an object id.
fn key(id: &str) -> String {
    id.to_ascii_lowercase()
}

impl Tenant {
    /// Adds `principal`, replacing any service principal with the same appId (and all it
    /// owns). One with the same object id keeps its templates, jobs and target system but
    /// loses its secrets.
    pub(crate) fn insert(&mut self, principal: ServicePrincipal) -> &mut PrincipalEntry {
        let id = key(principal.id.as_str());
        let app = key(principal.app_id.as_str());
        let stored_values = &mut self.stored_values;
        // Another service principal of the same application goes, with all it owns.
        if let Some(other) = self.by_app_id.get(&app)
            && *other != id
            && let Some(gone) = self.principals.remove(other)
        {
            gone.secrets
                .iter()
                .for_each(|pair| stored_values.remove(pair.value()));
        }
        let entry = self
            .principals
            .entry(id.clone())
            .or_insert_with(|| PrincipalEntry::new(principal.clone()));
        let old_app = key(entry.principal.app_id.as_str());
        if old_app != app && self.by_app_id.get(&old_app) == Some(&id) {
            self.by_app_id.remove(&old_app);
        }
        self.by_app_id.insert(app, id);
        entry.principal = principal;
        for pair in entry.secrets.iter() {
            stored_values.remove(pair.value());
        }
        entry.secrets = StoredSecrets::default();
        entry
    }

    /// Applies a `PUT` of `update` to the secrets of the service principal `id` (see
    /// [`Secrets::apply`]); `None` when it is not registered.
    pub(crate) fn apply_secrets(
        &mut self,
        id: &ServicePrincipalId,
        update: &Secrets,
    ) -> Option<()> {
        let entry = self.principals.get_mut(&key(id.as_str()))?;
        for pair in entry.secrets.iter() {
            self.stored_values.remove(pair.value());
        }
        entry.secrets.0.apply(update);
        for pair in entry.secrets.iter() {
            self.stored_values.add(pair.value());
        }
        Some(())
    }

    /// Every stored secret value.
    pub(crate) fn stored_values(&self) -> &StoredValues {
        &self.stored_values
    }

    /// Builds the indexes (stored values, appIds) from the entries, after a state file is
    /// read: the file does not keep them.
    pub(crate) fn reindex(&mut self) {
        self.stored_values = self
            .principals
            .values()
            .flat_map(|entry| entry.secrets.iter())
            .map(|pair| pair.value().clone())
            .collect();
        self.by_app_id = self
            .principals
            .iter()
            .map(|(id, entry)| (key(entry.principal.app_id.as_str()), id.clone()))
            .collect();
    }

    /// The entry of the service principal `id`.
    pub(crate) fn get_mut(&mut self, id: &ServicePrincipalId) -> Option<&mut PrincipalEntry> {
        self.principals.get_mut(&key(id.as_str()))
    }

    /// The entry of the service principal `id`.
    pub(crate) fn get(&self, id: &ServicePrincipalId) -> Option<&PrincipalEntry> {
        self.principals.get(&key(id.as_str()))
    }

    /// The service principal `reference` points at.
    pub(crate) fn find(&self, reference: &ServicePrincipalRef) -> Option<&PrincipalEntry> {
        match reference {
            ServicePrincipalRef::Id(id) => self.get(id),
            ServicePrincipalRef::AppId(app_id) => self
                .by_app_id
                .get(&key(app_id.as_str()))
                .and_then(|id| self.principals.get(id)),
        }
    }

    /// The service principal of the application with object id `object_id`.
    pub(crate) fn find_by_application(&self, object_id: &str) -> Option<&PrincipalEntry> {
        self.principals.values().find(|entry| {
            entry
                .application
                .as_ref()
                .and_then(|application| application.id.as_deref())
                .is_some_and(|id| id.eq_ignore_ascii_case(object_id))
        })
    }

    /// Every service principal's entry, in no particular order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = &PrincipalEntry> {
        self.principals.values()
    }

    /// Every service principal, by display name then object id.
    pub(crate) fn principals(&self) -> Vec<ServicePrincipal> {
        let mut all: Vec<ServicePrincipal> = self
            .principals
            .values()
            .map(|entry| entry.principal.clone())
            .collect();
        all.sort_by(|a, b| {
            (a.display_name.as_str(), a.id.as_str()).cmp(&(b.display_name.as_str(), b.id.as_str()))
        });
        all
    }

    /// How many service principals there are.
    pub(crate) fn len(&self) -> usize {
        self.principals.len()
    }
}

/// The directory substate.
#[derive(Default)]
pub(crate) struct Directory {
    tenant: Mutex<Tenant>,
}

impl Directory {
    /// The locked tenant. Keep the guard for one short, synchronous critical section.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Tenant> {
        self.tenant.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the entry of the service principal `id`; `None` when it is not registered.
    pub(crate) fn with<R>(
        &self,
        id: &ServicePrincipalId,
        f: impl FnOnce(&mut PrincipalEntry) -> R,
    ) -> Option<R> {
        self.lock().get_mut(id).map(f)
    }
}

impl fmt::Debug for Directory {
    /// Counts only: the directory holds secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Directory")
            .field("service_principals", &self.lock().len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ServicePrincipalId {
        ServicePrincipalId::new(format!("aaaaaaaa-0000-0000-0000-00000000000{n}")).unwrap()
    }

    fn app(n: u8) -> AppId {
        AppId::new(format!("bbbbbbbb-0000-0000-0000-00000000000{n}")).unwrap()
    }

    #[test]
    fn service_principals_are_found_by_either_id_in_any_case() {
        let directory = Directory::default();
        let principal = ServicePrincipal::new(
            ServicePrincipalId::new("AAAAAAAA-0000-0000-0000-000000000001").unwrap(),
            app(2),
            "App",
        );
        directory.lock().insert(principal.clone());
        for reference in [
            "aaaaaaaa-0000-0000-0000-000000000001",
            "appId=BBBBBBBB-0000-0000-0000-000000000002",
        ] {
            let reference = ServicePrincipalRef::parse(reference).unwrap();
            let tenant = directory.lock();
            assert_eq!(
                tenant.find(&reference).map(|e| e.principal.clone()),
                Some(principal.clone())
            );
        }
        let other = ServicePrincipalRef::parse("cccccccc-0000-0000-0000-000000000003").unwrap();
        assert!(directory.lock().find(&other).is_none());
    }

    #[test]
    fn inserting_replaces_by_id_and_by_app_id() {
        let directory = Directory::default();
        directory
            .lock()
            .insert(ServicePrincipal::new(id(1), app(1), "a"));
        let secrets: Secrets =
            serde_json::from_str(r#"{"value":[{"key":"SecretToken","value":"t"}]}"#).unwrap();
        directory.lock().apply_secrets(&id(1), &secrets).unwrap();
        directory.with(&id(1), |entry| {
            entry
                .templates
                .push(TemplateEntry::new(catalog::scim_template("")));
        });
        assert_eq!(directory.with(&id(1), |e| e.secrets.len()), Some(1));

        // Same object id: secrets dropped, templates kept.
        directory
            .lock()
            .insert(ServicePrincipal::new(id(1), app(2), "b"));
        assert_eq!(directory.with(&id(1), |e| e.secrets.len()), Some(0));
        assert_eq!(directory.with(&id(1), |e| e.templates.len()), Some(1));
        // Same appId, another object id: the old one is gone.
        directory
            .lock()
            .insert(ServicePrincipal::new(id(3), app(2), "c"));
        assert!(directory.with(&id(1), |_| ()).is_none());
        assert!(format!("{directory:?}").contains("service_principals: 1"));
        let by_app = |n| {
            let reference = ServicePrincipalRef::AppId(app(n));
            directory
                .lock()
                .find(&reference)
                .map(|e| e.principal.id.clone())
        };
        assert_eq!(by_app(2), Some(id(3)));
        assert_eq!(by_app(1), None);
    }

    #[test]
    fn the_indexes_follow_inserts_and_are_rebuilt_after_a_state_file() {
        let mut tenant = Tenant::default();
        tenant.insert(ServicePrincipal::new(id(1), app(1), "a"));
        let secrets: Secrets =
            serde_json::from_str(r#"{"value":[{"key":"SecretToken","value":"stored-canary"}]}"#)
                .unwrap();
        tenant.apply_secrets(&id(1), &secrets).unwrap();
        let logged = |tenant: &Tenant| {
            crate::control::redact::Redactor::new(tenant.stored_values()).scrub("x stored-canary")
        };
        assert_eq!(logged(&tenant), "x [REDACTED]");
        // Read back from a state file, the indexes are rebuilt from the entries.
        let mut read: Tenant =
            serde_json::from_str(&serde_json::to_string(&tenant).unwrap()).unwrap();
        assert_eq!(
            logged(&read),
            "x stored-canary",
            "nothing indexed before reindex"
        );
        read.reindex();
        assert_eq!(logged(&read), "x [REDACTED]");
        let reference = ServicePrincipalRef::AppId(app(1));
        assert!(read.find(&reference).is_some());
        // The same object id under another application: the old appId no longer finds it,
        // and its secrets are dropped from the index too.
        read.insert(ServicePrincipal::new(id(1), app(2), "b"));
        assert!(read.find(&reference).is_none());
        assert!(read.find(&ServicePrincipalRef::AppId(app(2))).is_some());
        assert_eq!(logged(&read), "x stored-canary");
    }
}
