//! Templates (`synchronizationTemplate`) and the start of the workflow: instantiating an
//! application from the gallery, which creates an application and its service principal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::property::Property;

use crate::enums::SynchronizationMetadata;
use crate::ids::TemplateId;
use crate::schema::SynchronizationSchema;

/// `synchronizationTemplate`: a preconfigured synchronization setup for an application, from which jobs are created.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationTemplate {
    /// The template id, e.g. `scim` or `BoxOutDelta`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<TemplateId>,
    /// The id of the application the template belongs to (a GUID).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub application_id: Property<String>,
    /// Whether this is the recommended default template.
    #[serde(
        rename = "default",
        default,
        skip_serializing_if = "Property::is_absent"
    )]
    pub default: Property<bool>,
    /// A description.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub description: Property<String>,
    /// Whether the template is offered for discovery.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub discoverable: Property<bool>,
    /// The synchronization engine implementation, e.g. `CustomSCIM`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub factory_tag: Property<String>,
    /// Extra settings; do not change unless told to.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub metadata: Property<Vec<SynchronizationMetadataEntry>>,
    /// The template's default schema (contained navigation property).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub schema: Property<SynchronizationSchema>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub key: Property<SynchronizationMetadata>,
    /// The value.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub value: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub application: Property<Application>,
    /// The service principal (where provisioning is configured).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub service_principal: Property<ServicePrincipal>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// The application (client) id.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub app_id: Property<String>,
    /// The display name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub display_name: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// The application (client) id.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub app_id: Property<String>,
    /// The display name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub display_name: Property<String>,
    /// The application template it was instantiated from.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub application_template_id: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub display_name: Property<String>,
    /// A service management reference (optional).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub service_management_reference: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl InstantiateRequest {
    /// A request to create an application named `display_name`.
    #[must_use]
    pub fn new(display_name: impl Into<String>) -> Self {
        Self {
            display_name: Property::Value(display_name.into()),
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
            .find(|entry| entry.key.get() == Some(key))
            .and_then(|entry| entry.value.as_deref())
    }
}
