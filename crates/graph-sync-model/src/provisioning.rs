//! Provisioning on demand, bulk upload (API-driven inbound provisioning), and the requests
//! that carry credentials (`validateCredentials`, `acquireAccessToken`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::TemplateId;
use crate::secrets::Secrets;

/// `synchronizationJobApplicationParameters`: which rule to run on which objects (provisionOnDemand).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationJobApplicationParameters {
    /// The rule id, from the schema's `synchronizationRules`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    /// The objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjects: Option<Vec<SynchronizationJobSubject>>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `synchronizationJobSubject`: an object to provision on demand.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationJobSubject {
    /// Linked objects, such as a group's members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<SynchronizationLinkedObjects>,
    /// The object's id in the source (user id, distinguished name, Worker ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// The object type: `User`, `Group`, `user`, `Worker`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_type_name: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `synchronizationLinkedObjects`: objects linked to a subject.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationLinkedObjects {
    /// The manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Box<SynchronizationJobSubject>>,
    /// A group's members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<SynchronizationJobSubject>>,
    /// The owners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owners: Option<Vec<SynchronizationJobSubject>>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `provisionOnDemand (request)`: the objects to provision now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisionOnDemandRequest {
    /// Rules and subjects.
    #[serde(default)]
    pub parameters: Vec<SynchronizationJobApplicationParameters>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl ProvisionOnDemandRequest {
    /// Provision `subjects` with the rule `rule_id` (from the schema's synchronization rules).
    #[must_use]
    pub fn new(rule_id: impl Into<String>, subjects: Vec<SynchronizationJobSubject>) -> Self {
        Self {
            parameters: vec![SynchronizationJobApplicationParameters {
                rule_id: Some(rule_id.into()),
                subjects: Some(subjects),
                ..SynchronizationJobApplicationParameters::default()
            }],
            ..Self::default()
        }
    }
}

impl SynchronizationJobSubject {
    /// The object `object_id` of type `object_type_name` (`User`, `Group`, `user`, `Worker`).
    #[must_use]
    pub fn new(object_id: impl Into<String>, object_type_name: impl Into<String>) -> Self {
        Self {
            object_id: Some(object_id.into()),
            object_type_name: Some(object_type_name.into()),
            ..Self::default()
        }
    }

    /// A group with these members (each a `User` subject).
    #[must_use]
    pub fn group_with_members(group_id: impl Into<String>, member_ids: &[&str]) -> Self {
        let mut group = Self::new(group_id, "Group");
        group.links = Some(SynchronizationLinkedObjects {
            members: Some(member_ids.iter().map(|id| Self::new(*id, "User")).collect()),
            ..SynchronizationLinkedObjects::default()
        });
        group
    }
}

/// What `provisionOnDemand` returns: a `stringKeyStringValuePair` whose `key` and `value` are
/// JSON documents encoded as strings. The raw strings are kept exactly;
/// [`decode_key`](Self::decode_key) and [`decode_value`](Self::decode_value) parse them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisionOnDemandResult {
    /// The outcome, a JSON document in a string: `{"result":"Success","details":{…}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The provisioning log, a JSON document in a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `@odata.context` (which may name an internal service) and other annotations, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// Why the JSON inside a provisionOnDemand result cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProvisionOnDemandDecodeError {
    /// The property is absent or null.
    #[error("the provisionOnDemand result has no `{0}`")]
    Missing(&'static str),
    /// The property is not the JSON document expected.
    #[error("the provisionOnDemand `{property}` is not the expected JSON document")]
    Json {
        /// `key` or `value`.
        property: &'static str,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
}

impl ProvisionOnDemandResult {
    /// Parses `key`: the outcome of the provisioning.
    ///
    /// # Errors
    ///
    /// [`ProvisionOnDemandDecodeError`] when `key` is absent or not the expected document.
    pub fn decode_key(&self) -> Result<ProvisioningOutcome, ProvisionOnDemandDecodeError> {
        decode("key", self.key.as_deref())
    }

    /// Parses `value`: the provisioning log, step by step.
    ///
    /// # Errors
    ///
    /// [`ProvisionOnDemandDecodeError`] when `value` is absent or not the expected document.
    pub fn decode_value(&self) -> Result<ProvisioningLog, ProvisionOnDemandDecodeError> {
        decode("value", self.value.as_deref())
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    property: &'static str,
    text: Option<&str>,
) -> Result<T, ProvisionOnDemandDecodeError> {
    let text = text.ok_or(ProvisionOnDemandDecodeError::Missing(property))?;
    serde_json::from_str(text)
        .map_err(|source| ProvisionOnDemandDecodeError::Json { property, source })
}

/// The `key` document of a provisionOnDemand result: `{"result":"Success","details":{…}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisioningOutcome {
    /// `Success`, `Skipped`, `Failure`, `Warning`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Details (free-form; `errorCode` and `errorMessage` when skipped or failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<BTreeMap<String, Value>>,
    /// Other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// The `value` document of a provisionOnDemand result: the provisioning log of the object,
/// as the documentation's examples show it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisioningLog {
    /// What was done: `Create`, `Update`, `Delete`, `Other`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The change's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    /// When processing started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// When processing ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// The properties changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_properties: Option<Vec<ModifiedProperty>>,
    /// The steps: import, matching, scoping, export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_steps: Option<Vec<ProvisioningStep>>,
    /// The object's readable identifier, e.g. its user principal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reportable_identifier: Option<String>,
    /// The outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_info: Option<ProvisioningStatusInfo>,
    /// The object in the source system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<ProvisionedIdentity>,
    /// The source system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_system: Option<ProvisioningSystem>,
    /// The object in the target system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_identity: Option<ProvisionedIdentity>,
    /// The target system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_system: Option<ProvisioningSystem>,
    /// Other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// One step of a provisioning log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisioningStep {
    /// The step's name, e.g. `EntryImport`, `EntrySynchronizationScoping`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The step's type: `Import`, `Matching`, `Scoping`, `Processing`, `Export`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub step_type: Option<String>,
    /// `Success`, `Failure`, `Skipped`, `Warning`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// What happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Details (free-form: attribute names and values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<BTreeMap<String, Value>>,
    /// Other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// The outcome in a provisioning log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisioningStatusInfo {
    /// `Success`, `Failure`, `Skipped`, `Warning`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The error code, on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// More about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_details: Option<String>,
    /// The error's category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_category: Option<String>,
    /// What to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_action: Option<String>,
    /// Other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// An object on one side of a provisioning log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisionedIdentity {
    /// Its id in that system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its type, e.g. `User`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub identity_type: Option<String>,
    /// Its display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Details (free-form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    /// Other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A system on one side of a provisioning log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisioningSystem {
    /// Its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name, e.g. `Azure Active Directory` or `customappsso`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Details (free-form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    /// Other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A property changed by provisioning.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModifiedProperty {
    /// The property.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The value before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<String>,
    /// The value after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<String>,
    /// Other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// The SCIM schema URN of a bulk request.
pub const BULK_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

/// The most operations one bulkUpload request may carry.
pub const BULK_UPLOAD_MAX_OPERATIONS: usize = 50;

/// The body of `POST …/jobs/{id}/bulkUpload`: a SCIM `BulkRequest`, sent as
/// `application/scim+json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BulkRequest {
    /// `["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]`.
    pub schemas: Vec<String>,
    /// The operations (at most [`BULK_UPLOAD_MAX_OPERATIONS`]).
    #[serde(rename = "Operations")]
    pub operations: Vec<BulkOperation>,
    /// Stop after this many errors.
    #[serde(
        rename = "failOnErrors",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub fail_on_errors: Option<i64>,
    /// Other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl Default for BulkRequest {
    fn default() -> Self {
        Self {
            schemas: vec![BULK_REQUEST_SCHEMA.to_owned()],
            operations: Vec::new(),
            fail_on_errors: None,
            extra: BTreeMap::new(),
        }
    }
}

impl BulkRequest {
    /// An empty bulk request with the SCIM schema set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `POST /Users` of `user` (a SCIM user: core and enterprise schemas, `externalId`)
    /// under `bulk_id`.
    #[must_use]
    pub fn with_user(mut self, bulk_id: impl Into<String>, user: Value) -> Self {
        self.operations
            .push(BulkOperation::post_user(bulk_id, user));
        self
    }

    /// Sets `failOnErrors`.
    #[must_use]
    pub fn fail_on_errors(mut self, count: i64) -> Self {
        self.fail_on_errors = Some(count);
        self
    }
}

/// One operation of a [`BulkRequest`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkOperation {
    /// `POST`.
    pub method: String,
    /// The client's id for the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<String>,
    /// `/Users`.
    pub path: String,
    /// The SCIM resource.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub data: Value,
    /// Other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl BulkOperation {
    /// `POST /Users` of `user`.
    #[must_use]
    pub fn post_user(bulk_id: impl Into<String>, user: Value) -> Self {
        Self {
            method: "POST".to_owned(),
            bulk_id: Some(bulk_id.into()),
            path: "/Users".to_owned(),
            data: user,
            extra: BTreeMap::new(),
        }
    }
}

/// The body of `validateCredentials` (job-bound or collection-bound).
///
/// `credentials` are secrets: redacted in `Debug`, read only when serialized.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ValidateCredentialsRequest {
    /// The application's identifier (for the collection-bound form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_identifier: Option<String>,
    /// The template (for the collection-bound form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<TemplateId>,
    /// Check the saved secrets instead of `credentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_saved_credentials: Option<bool>,
    /// The secrets to check.
    #[serde(
        default,
        skip_serializing_if = "Secrets::is_empty",
        serialize_with = "Secrets::serialize_as_array",
        deserialize_with = "Secrets::deserialize_from_array"
    )]
    pub credentials: Secrets,
}

impl ValidateCredentialsRequest {
    /// Check the secrets already saved for the service principal.
    #[must_use]
    pub fn saved() -> Self {
        Self {
            use_saved_credentials: Some(true),
            ..Self::default()
        }
    }

    /// Check `credentials` (not saved). `useSavedCredentials` is left out, as in the
    /// documentation's example.
    #[must_use]
    pub fn with_credentials(credentials: Secrets) -> Self {
        Self {
            credentials,
            ..Self::default()
        }
    }

    /// Sets the template id (collection-bound form).
    #[must_use]
    pub fn template_id(mut self, template_id: TemplateId) -> Self {
        self.template_id = Some(template_id);
        self
    }

    /// Sets the application identifier (collection-bound form).
    #[must_use]
    pub fn application_identifier(mut self, identifier: impl Into<String>) -> Self {
        self.application_identifier = Some(identifier.into());
        self
    }
}

/// The body of `acquireAccessToken`: `{"credentials":[…]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AcquireAccessTokenRequest {
    /// The secrets to exchange for a token.
    #[serde(
        default,
        serialize_with = "Secrets::serialize_as_array",
        deserialize_with = "Secrets::deserialize_from_array"
    )]
    pub credentials: Secrets,
}

impl AcquireAccessTokenRequest {
    /// A request carrying `credentials`.
    #[must_use]
    pub fn new(credentials: Secrets) -> Self {
        Self { credentials }
    }
}
