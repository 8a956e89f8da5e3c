//! The `synchronization` resource of a service principal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::job::SynchronizationJob;
use crate::secrets::Secrets;
use crate::template::SynchronizationTemplate;

/// `GET /servicePrincipals/{id}/synchronization`: the container of a service principal's
/// provisioning configuration. Its `secrets` come back masked: a sensitive value reads `*`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Synchronization {
    /// The resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The saved secrets, in the service's order; sensitive values read `*`.
    #[serde(
        default,
        serialize_with = "Secrets::serialize_as_array",
        deserialize_with = "Secrets::deserialize_from_array"
    )]
    pub secrets: Secrets,
    /// The jobs, when returned inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<Vec<SynchronizationJob>>,
    /// The templates, when returned inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Vec<SynchronizationTemplate>>,
    /// Properties this version does not model (OData annotations), kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}
