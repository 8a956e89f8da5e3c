//! Schemas: directories, object and attribute definitions, synchronization rules, mappings,
//! scoping filters, the operator and function catalogues, and expression parsing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::enums::{
    AttributeDefinitionMetadata, AttributeFlowBehavior, AttributeFlowType,
    AttributeMappingSourceType, AttributeType, Mutability, ObjectDefinitionMetadata,
    ObjectMappingMetadata, ScopeOperatorMultiValuedComparisonType, ScopeOperatorType,
};
use crate::flags::{DirectoryDefinitionDiscoverabilities, ObjectFlowTypes};
use crate::pairs::{StringKeyObjectValuePair, StringKeyStringValuePair};
use crate::time::Timestamp;

/// `synchronizationSchema`: the directories and the rules that map one to the other.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationSchema {
    /// The schema id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronization_rules: Option<Vec<SynchronizationRule>>,
    /// The schema version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The directories (returned inline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directories: Option<Vec<DirectoryDefinition>>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `synchronizationRule`: how objects flow from a source directory to a target directory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationRule {
    /// Containers in scope (Entra Cloud Sync).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_filter: Option<ContainerFilter>,
    /// Whether the rule can be edited.
    #[serde(default)]
    pub editable: bool,
    /// Groups in scope (Entra Cloud Sync).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_filter: Option<GroupFilter>,
    /// The rule id the engine knows; the `ruleId` of provisionOnDemand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Extra settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<StringKeyStringValuePair>>,
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The object mappings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_mappings: Option<Vec<ObjectMapping>>,
    /// The priority (lowest first).
    #[serde(default)]
    pub priority: i32,
    /// The source directory's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_directory_name: Option<String>,
    /// The target directory's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_directory_name: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `containerFilter`: the containers (OU distinguished names) in scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContainerFilter {
    /// The containers; empty means no filtering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included_containers: Option<Vec<String>>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `groupFilter`: the groups in scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GroupFilter {
    /// The groups; empty means no filtering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included_groups: Option<Vec<String>>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `objectMapping`: how one object type maps to another.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ObjectMapping {
    /// The attribute mappings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_mappings: Option<Vec<AttributeMapping>>,
    /// Whether the mapping is on.
    #[serde(default)]
    pub enabled: bool,
    /// Which operations it performs (default `Add, Update, Delete`).
    #[serde(default)]
    pub flow_types: ObjectFlowTypes,
    /// Extra settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<ObjectMappingMetadataEntry>>,
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The scoping filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Filter>,
    /// The source object type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_object_name: Option<String>,
    /// The target object type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_object_name: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `objectMappingMetadataEntry`: one metadata entry of an object mapping.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ObjectMappingMetadataEntry {
    /// The key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<ObjectMappingMetadata>,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `attributeMapping`: how one target attribute gets its value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttributeMapping {
    /// The value used when the source gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    /// Internal.
    #[serde(default)]
    pub export_missing_references: bool,
    /// When the value flows.
    #[serde(default)]
    pub flow_behavior: AttributeFlowBehavior,
    /// For which operations.
    #[serde(default)]
    pub flow_type: AttributeFlowType,
    /// Above 0: a matching attribute, lowest tried first.
    #[serde(default)]
    pub matching_priority: i32,
    /// Where the value comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<AttributeMappingSource>,
    /// The target attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_attribute_name: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `attributeMappingSource`: an attribute, a constant or a function of nested sources.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttributeMappingSource {
    /// The text form, e.g. `Join(" ", [givenName], [surname])`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// The attribute, constant or function name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A function's parameters, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<StringKeyAttributeMappingSourceValuePair>>,
    /// What kind of source this is.
    #[serde(rename = "type", default)]
    pub r#type: AttributeMappingSourceType,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `stringKeyAttributeMappingSourceValuePair`: a named parameter of a function source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StringKeyAttributeMappingSourceValuePair {
    /// The parameter name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Its source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<AttributeMappingSource>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `filter`: a scoping filter: true when any group is true; a group is true when all its clauses are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Filter {
    /// Experimental.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_filter_groups: Option<Vec<FilterGroup>>,
    /// Normal scoping; leaving scope deprovisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<FilterGroup>>,
    /// Experimental early filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_filter_groups: Option<Vec<FilterGroup>>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `filterGroup`: clauses that must all be true.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FilterGroup {
    /// The clauses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clauses: Option<Vec<FilterClause>>,
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `filterClause`: one condition of a scoping filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FilterClause {
    /// The operator, e.g. `EQUALS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_name: Option<String>,
    /// The source attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_operand_name: Option<String>,
    /// The values to compare with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_operand: Option<FilterOperand>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `filterOperand`: the values of a filter clause.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FilterOperand {
    /// The values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `directoryDefinition`: a directory of a schema and the objects it holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DirectoryDefinition {
    /// The directory id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What can be discovered about it.
    #[serde(default)]
    pub discoverabilities: DirectoryDefinitionDiscoverabilities,
    /// When it was last discovered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_date_time: Option<Timestamp>,
    /// The name, unique in the schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The object types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<Vec<ObjectDefinition>>,
    /// Whether it is read-only.
    #[serde(default)]
    pub read_only: bool,
    /// The version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `objectDefinition`: an object type of a directory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ObjectDefinition {
    /// The attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<AttributeDefinition>>,
    /// Extra settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<ObjectDefinitionMetadataEntry>>,
    /// The name, e.g. `User`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The APIs it supports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_apis: Option<Vec<String>>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `objectDefinitionMetadataEntry`: one metadata entry of an object definition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ObjectDefinitionMetadataEntry {
    /// The key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<ObjectDefinitionMetadata>,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `attributeDefinition`: an attribute of an object type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttributeDefinition {
    /// Whether it is the anchor (exactly one per object).
    #[serde(default)]
    pub anchor: bool,
    /// Undocumented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_expressions: Option<Vec<StringKeyStringValuePair>>,
    /// Whether values compare case-sensitively.
    #[serde(default)]
    pub case_exact: bool,
    /// The default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    /// Whether null values flow.
    #[serde(default)]
    pub flow_null_values: bool,
    /// Extra settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<AttributeDefinitionMetadataEntry>>,
    /// Whether it holds several values.
    #[serde(default)]
    pub multivalued: bool,
    /// Whether and how it can be written.
    #[serde(default)]
    pub mutability: Mutability,
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// For `Reference` attributes, what they point at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referenced_objects: Option<Vec<ReferencedObject>>,
    /// Whether it must have a value.
    #[serde(default)]
    pub required: bool,
    /// The data type.
    #[serde(rename = "type", default)]
    pub r#type: AttributeType,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `attributeDefinitionMetadataEntry`: one metadata entry of an attribute definition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttributeDefinitionMetadataEntry {
    /// The key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<AttributeDefinitionMetadata>,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `referencedObject`: what a reference attribute points at.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReferencedObject {
    /// The object type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referenced_object_name: Option<String>,
    /// The property.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referenced_property: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `filterOperatorSchema`: an operator usable in scoping filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FilterOperatorSchema {
    /// The operator name, e.g. `EQUALS`. (Examples also carry `name`, kept in `extra`.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// How many operands it takes.
    #[serde(default)]
    pub arity: ScopeOperatorType,
    /// How it treats multi-valued attributes.
    #[serde(default)]
    pub multivalued_comparison_type: ScopeOperatorMultiValuedComparisonType,
    /// The attribute types it works on.
    #[serde(default)]
    pub supported_attribute_types: Vec<AttributeType>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `attributeMappingFunctionSchema`: a function usable in attribute mappings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttributeMappingFunctionSchema {
    /// The function name. (Examples carry `name` instead, kept in `extra`.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<AttributeMappingParameterSchema>>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `attributeMappingParameterSchema`: a parameter of a mapping function.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttributeMappingParameterSchema {
    /// Whether it may be given several times.
    #[serde(default)]
    pub allow_multiple_occurrences: bool,
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether it is required.
    #[serde(default)]
    pub required: bool,
    /// Its type.
    #[serde(rename = "type", default)]
    pub r#type: AttributeType,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `expressionInputObject`: a test object to evaluate an expression against.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ExpressionInputObject {
    /// The object's definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<ObjectDefinition>,
    /// The object's property values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Vec<StringKeyObjectValuePair>>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `parseExpression (request)`: the expression to parse, and optionally a test object to evaluate it on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ParseExpressionRequest {
    /// The expression, e.g. `Join(", ", [displayName], [mailNickname])`.
    #[serde(default)]
    pub expression: String,
    /// A test object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_input_object: Option<ExpressionInputObject>,
    /// The attribute the result is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_attribute_definition: Option<AttributeDefinition>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `parseExpressionResponse`: the outcome of parsing (and evaluating) an expression; failures come back here with `200`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ParseExpressionResponse {
    /// The parse or evaluation error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<PublicError>,
    /// The values the expression produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_result: Option<Vec<String>>,
    /// Whether evaluation succeeded.
    #[serde(default)]
    pub evaluation_succeeded: bool,
    /// The expression as a mapping source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parsed_expression: Option<AttributeMappingSource>,
    /// Whether parsing succeeded.
    #[serde(default)]
    pub parsing_succeeded: bool,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `publicError`: an error reported inside a successful response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublicError {
    /// The code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<PublicErrorDetail>>,
    /// The inner error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner_error: Option<PublicInnerError>,
    /// The message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `publicErrorDetail`: a detail of a public error. It has the shape of a detail of the
/// OData error envelope (`code`, `message`, `target`, unknown properties kept), so it is that
/// type.
pub type PublicErrorDetail = crate::error::ErrorDetail;

/// `publicInnerError`: the inner error of a public error (an open type).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublicInnerError {
    /// The code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<PublicErrorDetail>>,
    /// The message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The type is open: its other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}
impl ParseExpressionRequest {
    /// A request to parse `expression`.
    #[must_use]
    pub fn new(expression: impl Into<String>) -> Self {
        Self {
            expression: expression.into(),
            ..Self::default()
        }
    }

    /// Evaluates the expression on `object` too.
    #[must_use]
    pub fn test_input_object(mut self, object: ExpressionInputObject) -> Self {
        self.test_input_object = Some(object);
        self
    }

    /// Evaluates for `attribute`.
    #[must_use]
    pub fn target_attribute_definition(mut self, attribute: AttributeDefinition) -> Self {
        self.target_attribute_definition = Some(attribute);
        self
    }
}
