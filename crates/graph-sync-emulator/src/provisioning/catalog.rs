//! What the emulated service ships with: the `scim` template of the non-gallery application
//! (with a working schema), the scoping-filter operators and the mapping functions.

use graph_sync_model::Property;
use graph_sync_model::{
    AttributeMappingFunctionSchema, FilterOperatorSchema, SynchronizationSchema,
    SynchronizationTemplate,
};
use serde_json::json;

/// The gallery template for non-gallery (custom SCIM) applications.
pub(crate) const NON_GALLERY_TEMPLATE: &str = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";

/// The rule id of the `scim` template's user rule (the `ruleId` of provisionOnDemand).
pub(crate) const SCIM_USER_RULE: &str = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8";

/// The directory names of the `scim` template.
pub(crate) const ENTRA_DIRECTORY: &str = "Azure Active Directory";
/// The target directory of the `scim` template.
pub(crate) const SCIM_DIRECTORY: &str = "customappsso";

fn attribute(name: &str, kind: &str, anchor: bool) -> serde_json::Value {
    json!({
        "anchor": anchor,
        "caseExact": false,
        "flowNullValues": false,
        "multivalued": false,
        "mutability": "ReadWrite",
        "name": name,
        "required": anchor,
        "type": kind
    })
}

fn mapping(target: &str, source: &str, matching: i32) -> serde_json::Value {
    json!({
        "exportMissingReferences": false,
        "flowBehavior": "FlowWhenChanged",
        "flowType": "Always",
        "matchingPriority": matching,
        "targetAttributeName": target,
        "source": {"expression": format!("[{source}]"), "name": source, "type": "Attribute", "parameters": []}
    })
}

/// The default schema of the `scim` template: Entra users to SCIM users.
pub(crate) fn scim_schema() -> SynchronizationSchema {
    let value = json!({
        "id": "scim",
        "version": "Date:2024-01-01T00:00:00.0000000Z",
        "directories": [
            {
                "id": "66e4a8cc-1b7b-435e-95f8-f06cea133828",
                "name": ENTRA_DIRECTORY,
                "discoverabilities": "AttributeNames, AttributeDataTypes, AttributeReadOnly, ReferenceAttributes",
                "readOnly": true,
                "objects": [{
                    "name": "User",
                    "attributes": [
                        attribute("objectId", "String", true),
                        attribute("userPrincipalName", "String", false),
                        attribute("displayName", "String", false),
                        attribute("mail", "String", false),
                        attribute("mailNickname", "String", false),
                        attribute("givenName", "String", false),
                        attribute("surname", "String", false),
                        attribute("preferredLanguage", "String", false),
                        attribute("accountEnabled", "Boolean", false)
                    ]
                }]
            },
            {
                "id": "8ffa6169-f354-4751-9b77-9c00765be92d",
                "name": SCIM_DIRECTORY,
                "discoverabilities": "AttributeNames, AttributeDataTypes",
                "readOnly": false,
                "version": "1",
                "objects": [{
                    "name": "urn:ietf:params:scim:schemas:core:2.0:User",
                    "attributes": [
                        attribute("userName", "String", true),
                        attribute("active", "Boolean", false),
                        attribute("displayName", "String", false),
                        attribute("emails[type eq \"work\"].value", "String", false),
                        attribute("name.givenName", "String", false),
                        attribute("name.familyName", "String", false),
                        attribute("externalId", "String", false),
                        attribute("preferredLanguage", "String", false)
                    ]
                }]
            }
        ],
        "synchronizationRules": [{
            "editable": true,
            "id": SCIM_USER_RULE,
            "name": "USER_OUTBOUND_USER",
            "priority": 1,
            "sourceDirectoryName": ENTRA_DIRECTORY,
            "targetDirectoryName": SCIM_DIRECTORY,
            "metadata": [],
            "objectMappings": [{
                "enabled": true,
                "flowTypes": "Add, Update, Delete",
                "name": "Provision Microsoft Entra ID Users",
                "sourceObjectName": "User",
                "targetObjectName": "urn:ietf:params:scim:schemas:core:2.0:User",
                "metadata": [],
                "attributeMappings": [
                    mapping("userName", "userPrincipalName", 1),
                    mapping("active", "accountEnabled", 0),
                    mapping("displayName", "displayName", 0),
                    mapping("emails[type eq \"work\"].value", "mail", 0),
                    mapping("name.givenName", "givenName", 0),
                    mapping("name.familyName", "surname", 0),
                    mapping("externalId", "mailNickname", 0)
                ]
            }]
        }]
    });
    serde_json::from_value(value).unwrap_or_default()
}

/// The `scim` template (factory `CustomSCIM`) with its default schema.
pub(crate) fn scim_template(application_id: &str) -> SynchronizationTemplate {
    let value = json!({
        "id": "scim",
        "applicationId": application_id,
        "default": true,
        "description": "Provision users to an application that speaks SCIM 2.0",
        "discoverable": true,
        "factoryTag": "CustomSCIM",
        "metadata": [
            {"key": "ConfigurationFields", "value": "[\"BaseAddress\",\"SecretToken\"]"}
        ]
    });
    let mut template: SynchronizationTemplate = serde_json::from_value(value).unwrap_or_default();
    template.schema = Property::Value(scim_schema());
    template
}

/// `…/schema/filterOperators`.
pub(crate) fn filter_operators() -> Vec<FilterOperatorSchema> {
    let all = [
        "String",
        "Integer",
        "Reference",
        "Binary",
        "Boolean",
        "DateTime",
    ];
    let operators = [
        ("EQUALS", "Binary", "Any", &all[..]),
        ("NOT-EQUALS", "Binary", "All", &all[..]),
        ("ISTRUE", "Unary", "All", &["Boolean"][..]),
        ("ISFALSE", "Unary", "All", &["Boolean"][..]),
        ("ISNULL", "Unary", "All", &all[..]),
        ("ISNOTNULL", "Unary", "Any", &all[..]),
        ("REGEX MATCH", "Binary", "Any", &["String"][..]),
        (
            "Greater_Than",
            "Binary",
            "Any",
            &["Integer", "DateTime"][..],
        ),
    ];
    operators
        .iter()
        .filter_map(|(name, arity, comparison, types)| {
            serde_json::from_value(json!({
                "id": name,
                "name": name,
                "arity": arity,
                "multivaluedComparisonType": comparison,
                "supportedAttributeTypes": types
            }))
            .ok()
        })
        .collect()
}

/// A mapping function: its name and its parameters (name, required, may repeat).
pub(crate) struct Function {
    pub(crate) name: &'static str,
    pub(crate) parameters: &'static [(&'static str, bool, bool)],
}

/// The functions the emulator parses and evaluates: those of Microsoft's reference
/// ("Reference for writing expressions for attribute mappings in Microsoft Entra ID") whose
/// result does not depend on the clock, chance or the directory (no `Now`, `Guid`,
/// `RandomString`, `SelectUniqueValue`, app role assignments or date arithmetic). Any other
/// name is an unknown function, as it is for Graph. docs/emulator.md lists them.
pub(crate) const FUNCTIONS: &[Function] = &[
    Function {
        name: "Append",
        parameters: &[("source", true, false), ("suffix", true, false)],
    },
    Function {
        name: "CBool",
        parameters: &[("Expression", true, false)],
    },
    Function {
        name: "Coalesce",
        parameters: &[("source", true, true)],
    },
    Function {
        name: "ConvertToBase64",
        parameters: &[("source", true, false)],
    },
    Function {
        name: "ConvertToUTF8Hex",
        parameters: &[("source", true, false)],
    },
    Function {
        name: "Count",
        parameters: &[("attribute", true, false)],
    },
    Function {
        name: "CStr",
        parameters: &[("value", true, false)],
    },
    Function {
        name: "IIF",
        parameters: &[
            ("condition", true, false),
            ("valueIfTrue", true, false),
            ("valueIfFalse", true, false),
        ],
    },
    Function {
        name: "InStr",
        parameters: &[
            ("value1", true, false),
            ("value2", true, false),
            ("start", false, false),
            ("compareType", false, false),
        ],
    },
    Function {
        name: "IsNull",
        parameters: &[("Expression", true, false)],
    },
    Function {
        name: "IsNullOrEmpty",
        parameters: &[("Expression", true, false)],
    },
    Function {
        name: "IsPresent",
        parameters: &[("Expression", true, false)],
    },
    Function {
        name: "Join",
        parameters: &[("separator", true, false), ("source", true, true)],
    },
    Function {
        name: "Left",
        parameters: &[("String", true, false), ("NumChars", true, false)],
    },
    Function {
        name: "Mid",
        parameters: &[
            ("source", true, false),
            ("start", true, false),
            ("length", true, false),
        ],
    },
    Function {
        name: "NormalizeDiacritics",
        parameters: &[("source", true, false)],
    },
    Function {
        name: "Not",
        parameters: &[("source", true, false)],
    },
    Function {
        name: "PCase",
        parameters: &[("source", true, false), ("wordSeparators", false, false)],
    },
    Function {
        name: "RemoveDuplicates",
        parameters: &[("attribute", true, false)],
    },
    Function {
        name: "Replace",
        parameters: &[
            ("source", true, false),
            ("oldValue", false, false),
            ("regexPattern", false, false),
            ("regexGroupName", false, false),
            ("replacementValue", false, false),
            ("replacementAttributeName", false, false),
            ("template", false, false),
        ],
    },
    Function {
        name: "Split",
        parameters: &[("String", true, false), ("delimiter", true, false)],
    },
    Function {
        name: "StripSpaces",
        parameters: &[("source", true, false)],
    },
    Function {
        name: "Switch",
        parameters: &[
            ("source", true, false),
            ("defaultValue", true, false),
            ("key", true, true),
            ("value", true, true),
        ],
    },
    Function {
        name: "ToLower",
        parameters: &[("source", true, false), ("culture", false, false)],
    },
    Function {
        name: "ToUpper",
        parameters: &[("source", true, false), ("culture", false, false)],
    },
    Function {
        name: "Word",
        parameters: &[
            ("String", true, false),
            ("WordNumber", true, false),
            ("Delimiters", true, false),
        ],
    },
];

impl Function {
    /// The name of the parameter argument `index` (0-based) fills: the parameters in order,
    /// then the repeating ones in turn (`Join`'s sources, `Switch`'s key and value pairs).
    pub(crate) fn parameter(&self, index: usize) -> Option<&'static str> {
        if let Some((name, _, _)) = self.parameters.get(index) {
            return Some(name);
        }
        let first = self.parameters.iter().position(|p| p.2)?;
        let repeating = self.parameters.get(first..)?;
        let beyond = index.checked_sub(first)?;
        repeating
            .get(beyond.checked_rem(repeating.len())?)
            .map(|(name, _, _)| *name)
    }
}

/// `…/schema/functions`.
pub(crate) fn functions() -> Vec<AttributeMappingFunctionSchema> {
    FUNCTIONS
        .iter()
        .filter_map(|function| {
            let parameters: Vec<_> = function
                .parameters
                .iter()
                .map(|(name, required, multiple)| {
                    json!({"allowMultipleOccurrences": multiple, "name": name, "required": required, "type": "String"})
                })
                .collect();
            serde_json::from_value(json!({"id": function.name, "name": function.name, "parameters": parameters})).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_is_complete() {
        let schema = scim_schema();
        assert_eq!(schema.directories.get().unwrap().len(), 2);
        assert_eq!(schema.synchronization_rules.get().unwrap().len(), 1);
        assert!(crate::provisioning::checks::check_schema(&schema).is_ok());
        assert_eq!(scim_template("x").schema, Property::Value(schema));
        assert_eq!(filter_operators().len(), 8);
        assert_eq!(functions().len(), FUNCTIONS.len());
    }
}
