//! The `synchronization` resource of a service principal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::job::SynchronizationJob;
use crate::property::Property;
use crate::secrets::Secrets;
use crate::template::SynchronizationTemplate;

/// `GET /servicePrincipals/{id}/synchronization`: the container of a service principal's
/// provisioning configuration. Its `secrets` come back masked: a sensitive value reads `*`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Synchronization {
    /// The resource id.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// The saved secrets, in the service's order; sensitive values read `*`.
    #[serde(
        default,
        skip_serializing_if = "Property::is_absent",
        serialize_with = "Secrets::serialize_property_as_array",
        deserialize_with = "Secrets::deserialize_property_from_array"
    )]
    pub secrets: Property<Secrets>,
    /// The jobs, when returned inline.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub jobs: Property<Vec<SynchronizationJob>>,
    /// The templates, when returned inline.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub templates: Property<Vec<SynchronizationTemplate>>,
    /// Properties this version does not model (OData annotations), kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}
