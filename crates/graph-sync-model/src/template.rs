//! Templates (`synchronizationTemplate`) and the start of the workflow: instantiating an
//! application from the gallery, which creates an application and its service principal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::enums::SynchronizationMetadata;
use crate::ids::TemplateId;
use crate::schema::SynchronizationSchema;

/// `synchronizationTemplate`: a preconfigured synchronization setup for an application, from which jobs are created.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationTemplate {
    /// The template id, e.g. `scim` or `BoxOutDelta`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<TemplateId>,
    /// The id of the application the template belongs to (a GUID).
    #[serde(default)]
    pub application_id: String,
    /// Whether this is the recommended default template.
    #[serde(rename = "default", default)]
    pub default: bool,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the template is offered for discovery.
    #[serde(default)]
    pub discoverable: bool,
    /// The synchronization engine implementation, e.g. `CustomSCIM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factory_tag: Option<String>,
    /// Extra settings; do not change unless told to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<SynchronizationMetadataEntry>>,
    /// The template's default schema (contained navigation property).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<SynchronizationSchema>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `synchronizationMetadataEntry`: one metadata entry of a template.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationMetadataEntry {
    /// The key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<SynchronizationMetadata>,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `applicationServicePrincipal`: what `POST /applicationTemplates/{id}/instantiate` returns: the new application and its service principal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApplicationServicePrincipal {
    /// The application registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<Application>,
    /// The service principal (where provisioning is configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_principal: Option<ServicePrincipal>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `application`: an application registration (the properties provisioning needs; the rest kept in `extra`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Application {
    /// The object id, as in `/applications/{id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The application (client) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `servicePrincipal`: a service principal (the properties provisioning needs; the rest kept in `extra`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServicePrincipal {
    /// The object id, as in `/servicePrincipals/{id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The application (client) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The application template it was instantiated from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_template_id: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `POST /applicationTemplates/{id}/instantiate`: the request body: the name of the new application.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InstantiateRequest {
    /// The name of the new application.
    #[serde(default)]
    pub display_name: String,
    /// A service management reference (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_management_reference: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl InstantiateRequest {
    /// A request to create an application named `display_name`.
    #[must_use]
    pub fn new(display_name: impl Into<String>) -> Self {
        Self {
            display_name: display_name.into(),
            ..Self::default()
        }
    }
}

impl SynchronizationTemplate {
    /// The value of the metadata entry `key`, if present.
    #[must_use]
    pub fn metadata_value(&self, key: &SynchronizationMetadata) -> Option<&str> {
        self.metadata
            .iter()
            .flatten()
            .find(|entry| entry.key.as_ref() == Some(key))
            .and_then(|entry| entry.value.as_deref())
    }
}
