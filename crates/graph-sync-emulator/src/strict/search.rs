//! `$search` on directory objects: `"property:text"` clauses in double quotes, joined by
//! `AND` or `OR` (`AND` binds tighter), as Graph's directory search takes them. A clause
//! matches as the directory's tokenized search does: the property's value and the text are
//! cut into words (at spaces, punctuation and lower-to-upper case changes), and every word of
//! the text must begin a word of the value, case ignored (`"displayName:scim"` finds
//! "Demo SCIM app", `"displayName:app de"` too, `"displayName:emo"` does not).

use serde_json::Value;

use super::properties::Properties;
use crate::error::GraphError;

/// A parsed `$search`: clauses in disjunctive form (any group whose clauses all match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Search {
    /// `OR` of `AND` groups of (property, words).
    groups: Vec<Vec<(String, Vec<String>)>>,
}

/// Graph's `400` for a `$search` it cannot read.
fn invalid(source: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Invalid $search '{source}': the directory's $search takes \"property:text\" clauses in double quotes, joined by AND or OR."
    ))
}

/// The words of `text`: cut at anything not alphanumeric and where a lower-case letter or
/// digit is followed by an upper-case one; lower-cased.
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let boundary = !c.is_alphanumeric()
            || (c.is_uppercase()
                && previous.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()));
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        }
        previous = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

impl Search {
    /// Reads `source` (the decoded option value), checking property names against `of`.
    pub(crate) fn parse(source: &str, of: Option<&dyn Properties>) -> Result<Self, GraphError> {
        let mut groups = vec![Vec::new()];
        let mut rest = source.trim();
        let mut expect_clause = true;
        while !rest.is_empty() {
            if expect_clause {
                let body = rest.strip_prefix('"').ok_or_else(|| invalid(source))?;
                let end = body.find('"').ok_or_else(|| invalid(source))?;
                let clause = body.get(..end).unwrap_or_default();
                rest = body.get(end + 1..).unwrap_or_default().trim_start();
                let (property, text) = clause.split_once(':').ok_or_else(|| invalid(source))?;
                let property = property.trim();
                if let Some(of) = of
                    && !of.has(property)
                {
                    return Err(GraphError::bad_request(format!(
                        "Could not find a property named '{property}' on type '{}'.",
                        of.type_name()
                    )));
                }
                let words = words(text);
                if property.is_empty() || words.is_empty() {
                    return Err(invalid(source));
                }
                if let Some(group) = groups.last_mut() {
                    group.push((property.to_owned(), words));
                }
                expect_clause = false;
            } else {
                let (word, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                match word {
                    "AND" => {}
                    "OR" => groups.push(Vec::new()),
                    _ => return Err(invalid(source)),
                }
                rest = after.trim_start();
                expect_clause = true;
            }
        }
        if expect_clause {
            return Err(invalid(source));
        }
        Ok(Self { groups })
    }

    /// Whether `item` is found.
    pub(crate) fn matches(&self, item: &Value) -> bool {
        self.groups.iter().any(|group| {
            group.iter().all(|(property, wanted)| {
                let Some(Value::String(value)) = item.get(property) else {
                    return false;
                };
                let have = words(value);
                wanted
                    .iter()
                    .all(|want| have.iter().any(|word| word.starts_with(want.as_str())))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn clauses_match_word_prefixes_case_ignored() {
        let item = json!({"displayName": "Demo SCIM app", "description": "ContosoHR sync"});
        for yes in [
            "\"displayName:scim\"",
            "\"displayName:app de\"",
            "\"displayName:DEMO\"",
            "\"description:hr\"",
            "\"displayName:nothing\" OR \"description:contoso\"",
            "\"displayName:demo\" AND \"description:sync\"",
        ] {
            assert!(Search::parse(yes, None).unwrap().matches(&item), "{yes}");
        }
        for no in [
            "\"displayName:emo\"",
            "\"displayName:demo\" AND \"description:nothing\"",
            "\"notes:demo\"",
        ] {
            assert!(!Search::parse(no, None).unwrap().matches(&item), "{no}");
        }
    }

    #[test]
    fn malformed_searches_are_refused() {
        for bad in [
            "displayName:x",
            "\"displayName x\"",
            "\"displayName:x",
            "\"displayName:x\" XOR \"a:b\"",
            "\"displayName:x\" AND",
            "\"displayName:\"",
            "",
        ] {
            assert!(Search::parse(bad, None).is_err(), "{bad}");
        }
    }
}
