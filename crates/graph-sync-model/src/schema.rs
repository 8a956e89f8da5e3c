//! Schemas: directories, object and attribute definitions, synchronization rules, mappings,
//! scoping filters, the operator and function catalogues, and expression parsing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::property::Property;

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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// The rules.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub synchronization_rules: Property<Vec<SynchronizationRule>>,
    /// The schema version.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub version: Property<String>,
    /// The directories (returned inline).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub directories: Property<Vec<DirectoryDefinition>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub container_filter: Property<ContainerFilter>,
    /// Whether the rule can be edited.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub editable: Property<bool>,
    /// Groups in scope (Entra Cloud Sync).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub group_filter: Property<GroupFilter>,
    /// The rule id the engine knows; the `ruleId` of provisionOnDemand.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// Extra settings.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub metadata: Property<Vec<StringKeyStringValuePair>>,
    /// The name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
    /// The object mappings.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub object_mappings: Property<Vec<ObjectMapping>>,
    /// The priority (lowest first).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub priority: Property<i32>,
    /// The source directory's name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub source_directory_name: Property<String>,
    /// The target directory's name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target_directory_name: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub included_containers: Property<Vec<String>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub included_groups: Property<Vec<String>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub attribute_mappings: Property<Vec<AttributeMapping>>,
    /// Whether the mapping is on.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub enabled: Property<bool>,
    /// Which operations it performs (default `Add, Update, Delete`).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub flow_types: Property<ObjectFlowTypes>,
    /// Extra settings.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub metadata: Property<Vec<ObjectMappingMetadataEntry>>,
    /// The name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
    /// The scoping filter.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub scope: Property<Filter>,
    /// The source object type.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub source_object_name: Property<String>,
    /// The target object type.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target_object_name: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub key: Property<ObjectMappingMetadata>,
    /// The value.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub value: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub default_value: Property<String>,
    /// Internal.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub export_missing_references: Property<bool>,
    /// When the value flows.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub flow_behavior: Property<AttributeFlowBehavior>,
    /// For which operations.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub flow_type: Property<AttributeFlowType>,
    /// Above 0: a matching attribute, lowest tried first.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub matching_priority: Property<i32>,
    /// Where the value comes from.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub source: Property<AttributeMappingSource>,
    /// The target attribute.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target_attribute_name: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub expression: Property<String>,
    /// The attribute, constant or function name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
    /// A function's parameters, by name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub parameters: Property<Vec<StringKeyAttributeMappingSourceValuePair>>,
    /// What kind of source this is.
    #[serde(rename = "type", default, skip_serializing_if = "Property::is_absent")]
    pub r#type: Property<AttributeMappingSourceType>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub key: Property<String>,
    /// Its source.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub value: Property<AttributeMappingSource>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub category_filter_groups: Property<Vec<FilterGroup>>,
    /// Normal scoping; leaving scope deprovisions.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub groups: Property<Vec<FilterGroup>>,
    /// Experimental early filter.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub input_filter_groups: Property<Vec<FilterGroup>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub clauses: Property<Vec<FilterClause>>,
    /// The name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub operator_name: Property<String>,
    /// The source attribute.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub source_operand_name: Property<String>,
    /// The values to compare with.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target_operand: Property<FilterOperand>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub values: Property<Vec<String>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// What can be discovered about it.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub discoverabilities: Property<DirectoryDefinitionDiscoverabilities>,
    /// When it was last discovered.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub discovery_date_time: Property<Timestamp>,
    /// The name, unique in the schema.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
    /// The object types.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub objects: Property<Vec<ObjectDefinition>>,
    /// Whether it is read-only.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub read_only: Property<bool>,
    /// The version.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub version: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub attributes: Property<Vec<AttributeDefinition>>,
    /// Extra settings.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub metadata: Property<Vec<ObjectDefinitionMetadataEntry>>,
    /// The name, e.g. `User`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
    /// The APIs it supports.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub supported_apis: Property<Vec<String>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub key: Property<ObjectDefinitionMetadata>,
    /// The value.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub value: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub anchor: Property<bool>,
    /// Undocumented.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub api_expressions: Property<Vec<StringKeyStringValuePair>>,
    /// Whether values compare case-sensitively.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub case_exact: Property<bool>,
    /// The default value.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub default_value: Property<String>,
    /// Whether null values flow.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub flow_null_values: Property<bool>,
    /// Extra settings.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub metadata: Property<Vec<AttributeDefinitionMetadataEntry>>,
    /// Whether it holds several values.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub multivalued: Property<bool>,
    /// Whether and how it can be written.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub mutability: Property<Mutability>,
    /// The name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
    /// For `Reference` attributes, what they point at.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub referenced_objects: Property<Vec<ReferencedObject>>,
    /// Whether it must have a value.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub required: Property<bool>,
    /// The data type.
    #[serde(rename = "type", default, skip_serializing_if = "Property::is_absent")]
    pub r#type: Property<AttributeType>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub key: Property<AttributeDefinitionMetadata>,
    /// The value.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub value: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub referenced_object_name: Property<String>,
    /// The property.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub referenced_property: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// How many operands it takes.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub arity: Property<ScopeOperatorType>,
    /// How it treats multi-valued attributes.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub multivalued_comparison_type: Property<ScopeOperatorMultiValuedComparisonType>,
    /// The attribute types it works on.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub supported_attribute_types: Property<Vec<AttributeType>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// Its parameters.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub parameters: Property<Vec<AttributeMappingParameterSchema>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub allow_multiple_occurrences: Property<bool>,
    /// The name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
    /// Whether it is required.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub required: Property<bool>,
    /// Its type.
    #[serde(rename = "type", default, skip_serializing_if = "Property::is_absent")]
    pub r#type: Property<AttributeType>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub definition: Property<ObjectDefinition>,
    /// The object's property values.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub properties: Property<Vec<StringKeyObjectValuePair>>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub expression: Property<String>,
    /// A test object.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub test_input_object: Property<ExpressionInputObject>,
    /// The attribute the result is for.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target_attribute_definition: Property<AttributeDefinition>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub error: Property<PublicError>,
    /// The values the expression produced.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub evaluation_result: Property<Vec<String>>,
    /// Whether evaluation succeeded.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub evaluation_succeeded: Property<bool>,
    /// The expression as a mapping source.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub parsed_expression: Property<AttributeMappingSource>,
    /// Whether parsing succeeded.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub parsing_succeeded: Property<bool>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub code: Property<String>,
    /// Details.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub details: Property<Vec<PublicErrorDetail>>,
    /// The inner error.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub inner_error: Property<PublicInnerError>,
    /// The message.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub message: Property<String>,
    /// The target.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target: Property<String>,
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
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub code: Property<String>,
    /// Details.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub details: Property<Vec<PublicErrorDetail>>,
    /// The message.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub message: Property<String>,
    /// The target.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target: Property<String>,
    /// The type is open: its other properties, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}
impl ParseExpressionRequest {
    /// A request to parse `expression`.
    #[must_use]
    pub fn new(expression: impl Into<String>) -> Self {
        Self {
            expression: Property::Value(expression.into()),
            ..Self::default()
        }
    }

    /// Evaluates the expression on `object` too.
    #[must_use]
    pub fn test_input_object(mut self, object: ExpressionInputObject) -> Self {
        self.test_input_object = Property::Value(object);
        self
    }

    /// Evaluates for `attribute`.
    #[must_use]
    pub fn target_attribute_definition(mut self, attribute: AttributeDefinition) -> Self {
        self.target_attribute_definition = Property::Value(attribute);
        self
    }
}

impl ObjectMapping {
    /// `flowTypes`, or the documented default `Add, Update, Delete` when absent or `null`.
    /// The default is never written: a mapping read without `flowTypes` is written without it.
    #[must_use]
    pub fn flow_types(&self) -> ObjectFlowTypes {
        self.flow_types
            .get()
            .cloned()
            .unwrap_or_else(ObjectFlowTypes::all)
    }
}

impl AttributeMapping {
    /// `flowBehavior`, or the documented default `FlowWhenChanged` when absent or `null`
    /// (never written).
    #[must_use]
    pub fn flow_behavior(&self) -> AttributeFlowBehavior {
        self.flow_behavior
            .value_or(AttributeFlowBehavior::FlowWhenChanged)
    }

    /// `flowType`, or the documented default `Always` when absent or `null` (never written).
    #[must_use]
    pub fn flow_type(&self) -> AttributeFlowType {
        self.flow_type.value_or(AttributeFlowType::Always)
    }
}
