//! Checking a JSON request body against the metadata, as the service's OData reader does:
//! undeclared properties, JSON types that do not fit the declared type, `null` for a
//! non-nullable property, enum and flags text that names no member, and a non-string or
//! unrelated `@odata.type` are `400 BadRequest` with the reader's wording. Messages name
//! properties, types and enum text, never a string value (a body may carry secrets).

use serde_json::{Map, Value};

use super::metadata::{Metadata, TypeRef, qualified};
use crate::error::GraphError;

/// What a body is: an entity or complex type, or an action's parameters.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BodyOf {
    /// An instance of the structured type with this short name.
    Type(&'static str),
    /// The parameters of the bound action with this name.
    Action(&'static str),
    /// `{"displayName": …}` of `applicationTemplate.instantiate`, outside the sync metadata.
    Instantiate,
}

/// Checks `body` as `of`; the first problem found is the error.
pub(crate) fn check(body: &Value, of: BodyOf) -> Result<(), GraphError> {
    let metadata = Metadata::get();
    let Value::Object(object) = body else {
        return Err(GraphError::bad_request(format!(
            "An unexpected '{}' node was found when reading from the JSON reader. A 'StartObject' node was expected.",
            node(body)
        )));
    };
    match of {
        BodyOf::Type(name) => check_object(metadata, object, name, ""),
        BodyOf::Action(name) => {
            let parameters = metadata.action(name).unwrap_or_default();
            for (key, value) in object {
                if is_annotation(key) {
                    continue;
                }
                let Some((_, declared)) = parameters.iter().find(|(n, _)| n == key) else {
                    return Err(GraphError::bad_request(format!(
                        "The parameter '{key}' in the request payload is not a valid parameter for the operation '{name}'."
                    )));
                };
                check_value(metadata, value, declared, key)?;
            }
            Ok(())
        }
        BodyOf::Instantiate => {
            let string = TypeRef {
                name: "Edm.String".to_owned(),
                collection: false,
                nullable: true,
            };
            for (key, value) in object {
                if is_annotation(key) {
                    continue;
                }
                if key != "displayName" && key != "serviceManagementReference" {
                    return Err(GraphError::bad_request(format!(
                        "The parameter '{key}' in the request payload is not a valid parameter for the operation 'instantiate'."
                    )));
                }
                check_value(metadata, value, &string, key)?;
            }
            Ok(())
        }
    }
}

/// `@odata.type`, `prop@odata.type` and other instance or property annotations.
fn is_annotation(key: &str) -> bool {
    key.contains('@')
}

/// The reader's name of a JSON node.
fn node(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "StartObject",
        Value::Array(_) => "StartArray",
        _ => "PrimitiveValue",
    }
}

/// Checks the properties of an object of the structured type `name`.
fn check_object(
    metadata: &Metadata,
    object: &Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<(), GraphError> {
    let mut actual = name.to_owned();
    if let Some(annotation) = object.get("@odata.type") {
        let Value::String(text) = annotation else {
            return Err(GraphError::bad_request(format!(
                "The value of the 'odata.type' annotation{} is not a string; it must name a type.",
                at(path)
            )));
        };
        let short = text
            .trim_start_matches('#')
            .strip_prefix("microsoft.graph.")
            .or_else(|| text.trim_start_matches('#').strip_prefix("graph."))
            .unwrap_or(text);
        if !metadata.derives_from(short, name) {
            return Err(GraphError::bad_request(format!(
                "A type named '{text}' could not be resolved by the model, or is not '{}' or a type derived from it.",
                qualified(name)
            )));
        }
        short.clone_into(&mut actual);
    }
    for (key, value) in object {
        if is_annotation(key) {
            continue;
        }
        let Some(declared) = metadata.property(&actual, key) else {
            if metadata.is_open(&actual) {
                continue;
            }
            return Err(GraphError::bad_request(format!(
                "The property '{key}' does not exist on type '{}'. Make sure to only use property names that are defined by the type or mark the type as open type.",
                qualified(&actual)
            )));
        };
        let inner = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        check_value(metadata, value, declared, &inner)?;
    }
    Ok(())
}

/// ` (at 'path')` when there is a path.
fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" of '{path}'")
    }
}

/// Checks one property value against its declared type.
fn check_value(
    metadata: &Metadata,
    value: &Value,
    declared: &TypeRef,
    path: &str,
) -> Result<(), GraphError> {
    if value.is_null() {
        // A collection is never null (OData JSON writes an empty array); `Nullable` on a
        // collection speaks of its items.
        if declared.nullable && !declared.collection {
            return Ok(());
        }
        let expected = if declared.collection {
            format!("Collection({})[Nullable=False]", declared.qualified())
        } else {
            format!("{}[Nullable=False]", declared.qualified())
        };
        return Err(GraphError::bad_request(format!(
            "A null value was found for the property named '{path}', which has the expected type '{expected}'. The expected type '{expected}' does not allow null values."
        )));
    }
    if declared.collection {
        let Value::Array(items) = value else {
            return Err(unexpected_node(value, "StartArray", path));
        };
        let item = TypeRef {
            collection: false,
            nullable: false,
            ..declared.clone()
        };
        for (index, element) in items.iter().enumerate() {
            check_value(metadata, element, &item, &format!("{path}[{index}]"))?;
        }
        return Ok(());
    }
    if metadata.structure(&declared.name).is_some() {
        let Value::Object(object) = value else {
            return Err(unexpected_node(value, "StartObject", path));
        };
        return check_object(metadata, object, &declared.name, path);
    }
    if let Some(enumeration) = metadata.enumeration(&declared.name) {
        let Value::String(text) = value else {
            return Err(unexpected_node(value, "PrimitiveValue", path));
        };
        return check_enum(text, enumeration.flags, &enumeration.members);
    }
    check_primitive(value, &declared.name, path)
}

/// `400`: a JSON node of the wrong kind.
fn unexpected_node(value: &Value, expected: &str, path: &str) -> GraphError {
    let found = match value {
        Value::Object(_) => "StartObject",
        Value::Array(_) => "StartArray",
        _ => "PrimitiveValue",
    };
    if found == "PrimitiveValue" && expected == "PrimitiveValue" {
        return GraphError::bad_request(format!(
            "Cannot convert a JSON {} to the type of property '{path}'.",
            json_kind(value)
        ));
    }
    GraphError::bad_request(format!(
        "An unexpected '{found}' node was found for property named '{path}' when reading from the JSON reader. A '{expected}' node was expected."
    ))
}

/// `number`, `string`, `boolean`.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Null => "null",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Enum text: one member; flags text: members separated by commas (spaces around them
/// allowed), as the service's enum parser reads it. The service's wording names the first
/// text that is no member.
pub(crate) fn check_enum(text: &str, flags: bool, members: &[String]) -> Result<(), GraphError> {
    let names: Vec<&str> = if flags {
        text.split(',').map(str::trim).collect()
    } else {
        vec![text]
    };
    for name in names {
        if !members.iter().any(|m| m == name) {
            return Err(GraphError::bad_request(format!(
                "Requested value '{text}' was not found."
            )));
        }
    }
    Ok(())
}

/// Checks a primitive against its `Edm` type.
fn check_primitive(value: &Value, edm: &str, path: &str) -> Result<(), GraphError> {
    let fits = match (edm, value) {
        ("Edm.String", Value::String(_)) | ("Edm.Boolean", Value::Bool(_)) => true,
        ("Edm.Int64", Value::Number(n)) => n.is_i64(),
        ("Edm.Int32", Value::Number(n)) => n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        ("Edm.Guid", Value::String(s)) => is_guid(s),
        ("Edm.DateTimeOffset", Value::String(s)) => is_timestamp(s),
        ("Edm.Duration", Value::String(s)) => is_duration(s),
        ("Edm.Binary", Value::String(_)) => true,
        _ => false,
    };
    if fits {
        return Ok(());
    }
    Err(match value {
        Value::Object(_) | Value::Array(_) => unexpected_node(value, "PrimitiveValue", path),
        _ => GraphError::bad_request(format!(
            "Cannot convert the literal in property '{path}' (a JSON {}) to the expected type '{edm}'.",
            json_kind(value)
        )),
    })
}

/// `8-4-4-4-12` hex digits.
pub(crate) fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// An ISO 8601 timestamp with an offset.
fn is_timestamp(text: &str) -> bool {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok()
}

/// An ISO 8601 duration: `[-]P[nD][T[nH][nM][n[.n]S]]`, at least one part.
fn is_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('-').unwrap_or(text).strip_prefix('P') else {
        return false;
    };
    let (days, time) = match rest.split_once('T') {
        Some((days, time)) => (days, Some(time)),
        None => (rest, None),
    };
    let days_ok = days.is_empty()
        || days
            .strip_suffix('D')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let time_ok = time.is_none_or(|time| !time.is_empty() && time_parts(time));
    days_ok && time_ok && (!days.is_empty() || time.is_some())
}

/// `[nH][nM][n[.n]S]` in that order.
fn time_parts(mut text: &str) -> bool {
    for unit in ['H', 'M', 'S'] {
        if let Some(end) = text.find(unit) {
            let number = &text[..end];
            let valid = if unit == 'S' {
                let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
                !whole.is_empty()
                    && whole.bytes().all(|b| b.is_ascii_digit())
                    && !fraction.is_empty()
                    && fraction.bytes().all(|b| b.is_ascii_digit())
            } else {
                !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
            };
            if !valid {
                return false;
            }
            text = &text[end + 1..];
        }
    }
    text.is_empty()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn message(body: &Value, of: BodyOf) -> String {
        check(body, of).unwrap_err().message().to_owned()
    }

    #[test]
    fn documented_bodies_pass() {
        let job = BodyOf::Type("synchronizationJob");
        check(&json!({"templateId": "scim"}), job).unwrap();
        check(
            &json!({"criteria": {"resetScope": "Watermark, Escrows, QuarantineState"}}),
            BodyOf::Action("restart"),
        )
        .unwrap();
        check(
            &json!({"secrets": [{"key": "BaseAddress", "value": "https://x"}]}),
            BodyOf::Type("synchronization"),
        )
        .unwrap();
        check(
            &json!({"@odata.type": "#microsoft.graph.synchronizationJob", "schedule": {"interval": "PT40M", "state": "Active", "expiration": null}}),
            job,
        )
        .unwrap();
        check(&json!({}), BodyOf::Action("start")).unwrap();
    }

    #[test]
    fn what_the_metadata_forbids_is_refused_with_the_readers_wording() {
        let job = BodyOf::Type("synchronizationJob");
        assert!(message(&json!({"bogus": 1}), job).starts_with(
            "The property 'bogus' does not exist on type 'microsoft.graph.synchronizationJob'."
        ));
        assert_eq!(
            message(&json!({"schedule": {"state": "Bogus"}}), job),
            "Requested value 'Bogus' was not found."
        );
        assert!(message(&json!({"templateId": 5}), job).contains("'Edm.String'"));
        assert!(message(&json!({"@odata.type": 5}), job).contains("not a string"));
        assert!(
            message(&json!({"@odata.type": "#microsoft.graph.bulkUpload"}), job)
                .contains("could not be resolved")
        );
        assert_eq!(
            message(
                &json!({"criteria": {"resetScope": "Bogus"}}),
                BodyOf::Action("restart")
            ),
            "Requested value 'Bogus' was not found."
        );
        assert!(message(&json!({"x": 1}), BodyOf::Action("start")).contains("'x'"));
        assert!(message(&json!([]), job).contains("StartArray"));
        assert!(message(&json!({"schedule": {"interval": null}}), job).contains("Nullable=False"));
        assert_eq!(
            message(&json!({"synchronizationJobSettings": null}), job),
            "A null value was found for the property named 'synchronizationJobSettings', which has the expected type 'Collection(microsoft.graph.keyValuePair)[Nullable=False]'. The expected type 'Collection(microsoft.graph.keyValuePair)[Nullable=False]' does not allow null values."
        );
        assert!(message(&json!({"schedule": {"interval": "forever"}}), job).contains("Duration"));
    }

    #[test]
    fn flags_allow_member_lists_and_durations_follow_iso_8601() {
        let members = ["None".to_owned(), "Watermark".to_owned(), "Full".to_owned()];
        check_enum("Watermark, Full", true, &members).unwrap();
        check_enum("Watermark,Full", true, &members).unwrap();
        assert!(check_enum("Watermark, Full", false, &members).is_err());
        assert!(check_enum("", true, &members).is_err());
        for good in [
            "PT40M",
            "P10675199DT2H48M5.4775807S",
            "P1D",
            "-PT1S",
            "PT1H2M3S",
        ] {
            assert!(is_duration(good), "{good}");
        }
        for bad in ["", "P", "PT", "40M", "PT1S2M", "PTxS", "P1DT"] {
            assert!(!is_duration(bad), "{bad}");
        }
        assert!(is_guid("8adf8e6e-67b2-4cf2-a259-e3dc5476c621"));
        assert!(!is_guid("8adf8e6e67b24cf2a259e3dc5476c621"));
    }
}
