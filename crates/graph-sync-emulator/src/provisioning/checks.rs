//! What the service checks: a schema before it replaces the stored one, and credentials
//! against the target system.

use std::collections::{HashMap, HashSet};

use graph_sync_model::Property;
use graph_sync_model::{
    AttributeMappingSource, AttributeMappingSourceType, BaseAddress, ExposeSecret,
    ObjectDefinition, SecretKey, Secrets, SynchronizationSchema,
};

/// The target system a provisioning job talks to: what the emulator expects in the secrets.
///
/// Every service principal has one: [`TargetSystem::development`] until
/// [`Emulator::set_target_system`](crate::Emulator::set_target_system) names another. The
/// secrets' `BaseAddress` and `SecretToken` must be exactly the expected values.
#[derive(Clone)]
pub struct TargetSystem {
    base_address: String,
    secret_token: String,
}

/// A state file's form of an optional target system (its token included: the state file
/// keeps secrets, and is written readable by its owner only). Not a public `Serialize`, so no
/// other serialization of a [`TargetSystem`] can carry its token.
pub(crate) mod stored {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::TargetSystem;

    #[derive(Serialize, Deserialize)]
    struct Stored {
        base_address: String,
        secret_token: String,
    }

    pub(crate) fn serialize<S: Serializer>(
        target: &Option<TargetSystem>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        target
            .as_ref()
            .map(|target| Stored {
                base_address: target.base_address.clone(),
                secret_token: target.secret_token.clone(),
            })
            .serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<TargetSystem>, D::Error> {
        Ok(Option::<Stored>::deserialize(deserializer)?
            .map(|stored| TargetSystem::new(stored.base_address, stored.secret_token)))
    }
}

/// The development target system's SCIM endpoint (well known, printed by the banner).
pub(crate) const DEVELOPMENT_SCIM_URL: &str = "https://scim.example.com/scim/v2";
/// The bearer token the development target system accepts (well known, printed by the banner).
pub(crate) const DEVELOPMENT_SCIM_TOKEN: &str = "emulator-scim-token";

impl TargetSystem {
    /// The development target system every service principal has until told otherwise:
    /// `BaseAddress` `https://scim.example.com/scim/v2` with `SecretToken`
    /// `emulator-scim-token`. Well-known values, like Azurite's development account.
    #[must_use]
    pub fn development() -> Self {
        Self::new(DEVELOPMENT_SCIM_URL, DEVELOPMENT_SCIM_TOKEN)
    }

    /// The `BaseAddress` (tenant URL) it expects.
    #[must_use]
    pub fn base_address(&self) -> &str {
        &self.base_address
    }

    /// A target at `base_address` that accepts the bearer token `secret_token`.
    #[must_use]
    pub fn new(base_address: impl Into<String>, secret_token: impl Into<String>) -> Self {
        Self {
            base_address: base_address.into(),
            secret_token: secret_token.into(),
        }
    }
}

impl std::fmt::Debug for TargetSystem {
    /// The token is a secret: only the address is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TargetSystem")
            .field("base_address", &self.base_address)
            .field("secret_token", &"[REDACTED]")
            .finish()
    }
}

/// Checks `secrets` against `target`; the error is a reason that never quotes a value.
pub(crate) fn check_credentials(
    target: Option<&TargetSystem>,
    secrets: &Secrets,
) -> Result<(), &'static str> {
    let base = secrets
        .get(&SecretKey::BaseAddress)
        .map(|v| v.expose_secret().trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or("no BaseAddress (tenant URL) is set")?;
    if BaseAddress::parse(&base).is_err() {
        return Err("the BaseAddress is not an absolute http(s) URL");
    }
    let token = secrets
        .get(&SecretKey::SecretToken)
        .map(|v| v.expose_secret().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or("no SecretToken is set")?;
    if let Some(target) = target {
        if base.trim_end_matches('/') != target.base_address.trim_end_matches('/') {
            return Err("the target system could not be reached at the BaseAddress");
        }
        if token != target.secret_token {
            return Err("the target system rejected the SecretToken (401 Unauthorized)");
        }
    }
    Ok(())
}

/// Checks a schema the way the service does before a PUT replaces the stored one: rules name
/// directories and objects of the schema, a target attribute is mapped only once per object
/// mapping, and every mapped attribute exists in its directory definition.
pub(crate) fn check_schema(schema: &SynchronizationSchema) -> Result<(), String> {
    let directories: HashMap<&str, &[ObjectDefinition]> = schema
        .directories
        .iter()
        .flatten()
        .filter_map(|d| Some((d.name.as_deref()?, d.objects.as_deref().unwrap_or_default())))
        .collect();
    for rule in schema.synchronization_rules.iter().flatten() {
        let rule_id = rule.id.as_deref().unwrap_or_default();
        let (source_name, source_objects) =
            find_directory(&directories, rule.source_directory_name.as_deref(), rule_id)?;
        let (target_name, target_objects) =
            find_directory(&directories, rule.target_directory_name.as_deref(), rule_id)?;
        for mapping in rule.object_mappings.iter().flatten() {
            let source_attributes = object_attributes(
                source_objects,
                source_name,
                mapping.source_object_name.as_deref(),
            )?;
            let target_attributes = object_attributes(
                target_objects,
                target_name,
                mapping.target_object_name.as_deref(),
            )?;
            let target_object = mapping.target_object_name.as_deref().unwrap_or_default();
            let mut mapped = HashSet::new();
            for attribute_mapping in mapping.attribute_mappings.iter().flatten() {
                let target = attribute_mapping
                    .target_attribute_name
                    .as_deref()
                    .unwrap_or_default();
                if !target_attributes.contains(target) {
                    return Err(format!(
                        "The attribute '{target}' is not defined for object '{target_object}' in the directory '{target_name}'. An attribute must exist in the directory definition before it is mapped."
                    ));
                }
                if !mapped.insert(target) {
                    return Err(format!(
                        "The target attribute '{target}' of object '{target_object}' is mapped more than once. A target attribute can be mapped only once."
                    ));
                }
                if let Property::Value(source) = &attribute_mapping.source {
                    check_source(source, &source_attributes, source_name)?;
                }
            }
        }
    }
    Ok(())
}

fn find_directory<'s>(
    directories: &HashMap<&'s str, &'s [ObjectDefinition]>,
    name: Option<&'s str>,
    rule: &str,
) -> Result<(&'s str, &'s [ObjectDefinition]), String> {
    let name = name.unwrap_or_default();
    directories
        .get(name)
        .map(|objects| (name, *objects))
        .ok_or_else(|| {
            format!("The directory '{name}' named by rule '{rule}' is not defined in the schema.")
        })
}

fn object_attributes<'s>(
    objects: &'s [ObjectDefinition],
    directory: &str,
    name: Option<&str>,
) -> Result<HashSet<&'s str>, String> {
    let name = name.unwrap_or_default();
    objects
        .iter()
        .find(|o| o.name.as_deref() == Some(name))
        .map(|o| {
            o.attributes
                .iter()
                .flatten()
                .filter_map(|a| a.name.as_deref())
                .collect()
        })
        .ok_or_else(|| {
            format!("The object '{name}' is not defined in the directory '{directory}'.")
        })
}

/// Every attribute a source (or a function's nested sources) reads must exist.
fn check_source(
    source: &AttributeMappingSource,
    attributes: &HashSet<&str>,
    directory: &str,
) -> Result<(), String> {
    if source.r#type == graph_sync_model::Property::Value(AttributeMappingSourceType::Attribute) {
        let name = source.name.as_deref().unwrap_or_default();
        if !attributes.contains(name) {
            return Err(format!(
                "The source attribute '{name}' is not defined in the directory '{directory}'. An attribute must exist in the directory definition before it is mapped."
            ));
        }
    }
    for parameter in source.parameters.iter().flatten() {
        if let Property::Value(nested) = &parameter.value {
            check_source(nested, attributes, directory)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provisioning::catalog::scim_schema;

    #[test]
    fn credentials_are_checked_against_the_target() {
        let secrets = |base: &str, token: &str| {
            Secrets::new()
                .with(SecretKey::BaseAddress, base)
                .unwrap()
                .with(SecretKey::SecretToken, token)
                .unwrap()
        };
        let target = TargetSystem::new("https://scim.example.com/scim/", "right");
        assert!(
            check_credentials(
                Some(&target),
                &secrets("https://scim.example.com/scim", "right")
            )
            .is_ok()
        );
        assert!(
            check_credentials(
                Some(&target),
                &secrets("https://scim.example.com/scim", "wrong")
            )
            .unwrap_err()
            .contains("rejected the SecretToken")
        );
        assert!(
            check_credentials(
                Some(&target),
                &secrets("https://other.example.com", "right")
            )
            .is_err()
        );
        assert!(check_credentials(None, &secrets("https://any.example.com", "t")).is_ok());
        assert!(
            check_credentials(None, &Secrets::new())
                .unwrap_err()
                .contains("BaseAddress")
        );
        assert!(!format!("{target:?}").contains("right"));
    }

    #[test]
    fn schema_errors_name_the_attribute() {
        let mut schema = scim_schema();
        let rules = schema.synchronization_rules.get_mut().unwrap();
        let mappings = rules[0].object_mappings.get_mut().unwrap()[0]
            .attribute_mappings
            .get_mut()
            .unwrap();
        let mut duplicate = mappings[2].clone();
        mappings.push(duplicate.clone());
        assert!(
            check_schema(&schema)
                .unwrap_err()
                .contains("'displayName' of object")
        );
        let mappings = schema.synchronization_rules.get_mut().unwrap()[0]
            .object_mappings
            .get_mut()
            .unwrap()[0]
            .attribute_mappings
            .get_mut()
            .unwrap();
        mappings.pop();
        duplicate.target_attribute_name = Property::Value("nickName".into());
        mappings.push(duplicate);
        assert!(
            check_schema(&schema)
                .unwrap_err()
                .contains("'nickName' is not defined")
        );
    }
}
