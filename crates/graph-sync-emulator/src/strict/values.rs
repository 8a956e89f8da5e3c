//! Values as Graph writes them, applied to every answer whose type the metadata describes:
//! flags text in declaration order with `", "` between members, and an empty set written as
//! the enum's zero member (`None`) rather than `""`.

use serde_json::Value;

use super::metadata::{Metadata, TypeRef};

/// Normalises `value`, an instance of the structured type `name`, in place.
pub(crate) fn normalize(value: &mut Value, name: &str) {
    let metadata = Metadata::get();
    let Value::Object(object) = value else {
        return;
    };
    for (key, item) in object.iter_mut() {
        if let Some(declared) = metadata.property(name, key) {
            normalize_value(metadata, item, declared);
        }
    }
}

fn normalize_value(metadata: &Metadata, value: &mut Value, declared: &TypeRef) {
    if declared.collection {
        if let Value::Array(items) = value {
            let item = TypeRef {
                collection: false,
                ..declared.clone()
            };
            for element in items {
                normalize_value(metadata, element, &item);
            }
        }
        return;
    }
    if metadata.structure(&declared.name).is_some() {
        normalize(value, &declared.name);
        return;
    }
    let Some(enumeration) = metadata.enumeration(&declared.name) else {
        return;
    };
    if !enumeration.flags {
        return;
    }
    let Value::String(text) = value else {
        return;
    };
    let named: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    // Unknown names are left as sent: normalising is not judging.
    if named
        .iter()
        .any(|n| !enumeration.members.iter().any(|m| m == n))
    {
        return;
    }
    let ordered: Vec<&str> = enumeration
        .members
        .iter()
        .map(String::as_str)
        .filter(|m| named.contains(m))
        .collect();
    let written = match ordered.as_slice() {
        [] => enumeration.members.first().cloned().unwrap_or_default(),
        // The zero member means nothing alongside others.
        [zero, rest @ ..]
            if !rest.is_empty()
                && Some(*zero) == enumeration.members.first().map(String::as_str)
                && *zero == "None" =>
        {
            rest.join(", ")
        }
        all => all.join(", "),
    };
    *text = written;
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn flags_are_written_in_declaration_order_and_empty_as_none() {
        let mut schema = json!({"directories": [
            {"discoverabilities": ""},
            {"discoverabilities": "AttributeDataTypes,AttributeNames"},
            {"discoverabilities": "None, AttributeNames"},
            {"discoverabilities": "Custom"},
        ]});
        normalize(&mut schema, "synchronizationSchema");
        assert_eq!(
            schema["directories"],
            json!([
                {"discoverabilities": "None"},
                {"discoverabilities": "AttributeNames, AttributeDataTypes"},
                {"discoverabilities": "AttributeNames"},
                {"discoverabilities": "Custom"},
            ])
        );
    }
}
