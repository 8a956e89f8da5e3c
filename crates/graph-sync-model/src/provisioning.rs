//! Provisioning on demand, bulk upload (API-driven inbound provisioning), and the requests
//! that carry credentials (`validateCredentials`, `acquireAccessToken`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::property::Property;

use crate::ids::TemplateId;
use crate::secrets::Secrets;

/// `synchronizationJobApplicationParameters`: which rule to run on which objects (provisionOnDemand).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationJobApplicationParameters {
    /// The rule id, from the schema's `synchronizationRules`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub rule_id: Property<String>,
    /// The objects.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub subjects: Property<Vec<SynchronizationJobSubject>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub links: Property<SynchronizationLinkedObjects>,
    /// The object's id in the source (user id, distinguished name, Worker ID).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub object_id: Property<String>,
    /// The object type: `User`, `Group`, `user`, `Worker`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub object_type_name: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub manager: Property<Box<SynchronizationJobSubject>>,
    /// A group's members.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub members: Property<Vec<SynchronizationJobSubject>>,
    /// The owners.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub owners: Property<Vec<SynchronizationJobSubject>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub parameters: Property<Vec<SynchronizationJobApplicationParameters>>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl ProvisionOnDemandRequest {
    /// Provision `subjects` with the rule `rule_id` (from the schema's synchronization rules).
    #[must_use]
    pub fn new(rule_id: impl Into<String>, subjects: Vec<SynchronizationJobSubject>) -> Self {
        Self {
            parameters: Property::Value(vec![SynchronizationJobApplicationParameters {
                rule_id: Property::Value(rule_id.into()),
                subjects: Property::Value(subjects),
                ..SynchronizationJobApplicationParameters::default()
            }]),
            ..Self::default()
        }
    }
}

impl SynchronizationJobSubject {
    /// The object `object_id` of type `object_type_name` (`User`, `Group`, `user`, `Worker`).
    #[must_use]
    pub fn new(object_id: impl Into<String>, object_type_name: impl Into<String>) -> Self {
        Self {
            object_id: Property::Value(object_id.into()),
            object_type_name: Property::Value(object_type_name.into()),
            ..Self::default()
        }
    }

    /// A group with these members (each a `User` subject).
    #[must_use]
    pub fn group_with_members(group_id: impl Into<String>, member_ids: &[&str]) -> Self {
        let mut group = Self::new(group_id, "Group");
        group.links = Property::Value(SynchronizationLinkedObjects {
            members: Property::Value(member_ids.iter().map(|id| Self::new(*id, "User")).collect()),
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub key: Property<String>,
    /// The provisioning log, a JSON document in a string.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub value: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub result: Property<String>,
    /// Details (free-form; `errorCode` and `errorMessage` when skipped or failed).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub details: Property<BTreeMap<String, Value>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub action: Property<String>,
    /// The change's id.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub change_id: Property<String>,
    /// When processing started.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub start_time: Property<String>,
    /// When processing ended.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub end_time: Property<String>,
    /// The properties changed.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub modified_properties: Property<Vec<ModifiedProperty>>,
    /// The steps: import, matching, scoping, export.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub provisioning_steps: Property<Vec<ProvisioningStep>>,
    /// The object's readable identifier, e.g. its user principal name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub reportable_identifier: Property<String>,
    /// The outcome.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub status_info: Property<ProvisioningStatusInfo>,
    /// The object in the source system.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub source_identity: Property<ProvisionedIdentity>,
    /// The source system.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub source_system: Property<ProvisioningSystem>,
    /// The object in the target system.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target_identity: Property<ProvisionedIdentity>,
    /// The target system.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target_system: Property<ProvisioningSystem>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
    /// The step's type: `Import`, `Matching`, `Scoping`, `Processing`, `Export`.
    #[serde(rename = "type", default, skip_serializing_if = "Property::is_absent")]
    pub step_type: Property<String>,
    /// `Success`, `Failure`, `Skipped`, `Warning`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub status: Property<String>,
    /// What happened.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub description: Property<String>,
    /// When.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub timestamp: Property<String>,
    /// Details (free-form: attribute names and values).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub details: Property<BTreeMap<String, Value>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub status: Property<String>,
    /// The error code, on failure.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub error_code: Property<String>,
    /// Why.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub reason: Property<String>,
    /// More about it.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub additional_details: Property<String>,
    /// The error's category.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub error_category: Property<String>,
    /// What to do.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub recommended_action: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// Its type, e.g. `User`.
    #[serde(rename = "type", default, skip_serializing_if = "Property::is_absent")]
    pub identity_type: Property<String>,
    /// Its display name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub display_name: Property<String>,
    /// Details (free-form).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub details: Property<Value>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// Its name, e.g. `Azure Active Directory` or `customappsso`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
    /// Details (free-form).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub details: Property<Value>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub display_name: Property<String>,
    /// The value before.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub old_value: Property<String>,
    /// The value after.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub new_value: Property<String>,
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
        skip_serializing_if = "Property::is_absent"
    )]
    pub fail_on_errors: Property<i64>,
    /// Other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl Default for BulkRequest {
    fn default() -> Self {
        Self {
            schemas: vec![BULK_REQUEST_SCHEMA.to_owned()],
            operations: Vec::new(),
            fail_on_errors: Property::Absent,
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
        self.fail_on_errors = Property::Value(count);
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub bulk_id: Property<String>,
    /// `/Users`.
    pub path: String,
    /// The SCIM resource.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub data: Property<Value>,
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
            bulk_id: Property::Value(bulk_id.into()),
            path: "/Users".to_owned(),
            data: Property::Value(user),
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub application_identifier: Property<String>,
    /// The template (for the collection-bound form).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub template_id: Property<TemplateId>,
    /// Check the saved secrets instead of `credentials`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub use_saved_credentials: Property<bool>,
    /// The secrets to check.
    #[serde(
        default,
        skip_serializing_if = "Property::is_absent",
        serialize_with = "Secrets::serialize_property_as_array",
        deserialize_with = "Secrets::deserialize_property_from_array"
    )]
    pub credentials: Property<Secrets>,
}

impl ValidateCredentialsRequest {
    /// Check the secrets already saved for the service principal.
    #[must_use]
    pub fn saved() -> Self {
        Self {
            use_saved_credentials: Property::Value(true),
            ..Self::default()
        }
    }

    /// Check `credentials` (not saved). `useSavedCredentials` is left out, as in the
    /// documentation's example.
    #[must_use]
    pub fn with_credentials(credentials: Secrets) -> Self {
        Self {
            credentials: Property::Value(credentials),
            ..Self::default()
        }
    }

    /// Sets the template id (collection-bound form).
    #[must_use]
    pub fn template_id(mut self, template_id: TemplateId) -> Self {
        self.template_id = Property::Value(template_id);
        self
    }

    /// Sets the application identifier (collection-bound form).
    #[must_use]
    pub fn application_identifier(mut self, identifier: impl Into<String>) -> Self {
        self.application_identifier = Property::Value(identifier.into());
        self
    }
}

/// The body of `acquireAccessToken`: `{"credentials":[…]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AcquireAccessTokenRequest {
    /// The secrets to exchange for a token (required: a body without them does not read).
    #[serde(
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
