//! [`SchemaDocument`]: a schema together with the exact JSON text it was read from, so that a
//! schema read from Graph and written back is byte-for-byte what was read.

use std::fmt;

use crate::schema::SynchronizationSchema;

/// A synchronization schema and the JSON text it came from.
///
/// The typed [`schema`](Self::schema) is for reading and comparing; the text is what goes back
/// on the wire. Keys keep their order, numbers and strings their exact spelling; only the
/// whitespace between tokens is dropped ([`compact`](Self::compact)) or laid out
/// ([`pretty`](Self::pretty)), so `GET` → file → `PUT` sends exactly the bytes Graph sent.
#[derive(Clone, PartialEq)]
pub struct SchemaDocument {
    compact: String,
    schema: SynchronizationSchema,
}

impl fmt::Debug for SchemaDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaDocument")
            .field("bytes", &self.compact.len())
            .field("schema", &self.schema)
            .finish()
    }
}

impl SchemaDocument {
    /// Reads a schema from JSON text (compact or laid out).
    ///
    /// # Errors
    ///
    /// The JSON error when `json` is not one JSON object that reads as a
    /// `synchronizationSchema` (trailing text, invalid UTF-8 and wrongly typed properties
    /// included).
    pub fn from_json(json: &[u8]) -> Result<Self, serde_json::Error> {
        let schema: SynchronizationSchema = serde_json::from_slice(json)?;
        // serde_json accepted it, so it is UTF-8 (strings are checked, and outside strings
        // only ASCII tokens and whitespace are allowed).
        let text = String::from_utf8_lossy(json);
        Ok(Self {
            compact: compact(&text),
            schema,
        })
    }

    /// The document of a schema built or changed in code (written in the model's order).
    ///
    /// # Errors
    ///
    /// The JSON error if the schema cannot be written (a map key that is not a string, which
    /// the model's types never produce).
    pub fn from_schema(schema: &SynchronizationSchema) -> Result<Self, serde_json::Error> {
        Ok(Self {
            compact: serde_json::to_string(schema)?,
            schema: schema.clone(),
        })
    }

    /// The typed schema.
    #[must_use]
    pub fn schema(&self) -> &SynchronizationSchema {
        &self.schema
    }

    /// The JSON text without whitespace between tokens: the body a `PUT` sends.
    #[must_use]
    pub fn compact(&self) -> &str {
        &self.compact
    }

    /// The JSON text laid out for people (two-space indent, `"key": value`), in the
    /// document's own key order.
    #[must_use]
    pub fn pretty(&self) -> String {
        pretty(&self.compact)
    }
}

/// Tells, character by character, whether JSON text is inside a string (quotes included).
#[derive(Default)]
struct Strings {
    inside: bool,
    escaped: bool,
}

impl Strings {
    /// Whether `c`, the next character, is part of a string.
    fn step(&mut self, c: char) -> bool {
        if self.inside {
            if self.escaped {
                self.escaped = false;
            } else if c == '\\' {
                self.escaped = true;
            } else if c == '"' {
                self.inside = false;
            }
            true
        } else {
            self.inside = c == '"';
            self.inside
        }
    }
}

/// `json` without the whitespace between its tokens (strings are kept exactly).
#[must_use]
pub fn compact(json: &str) -> String {
    let mut strings = Strings::default();
    json.chars()
        .filter(|c| strings.step(*c) || !matches!(c, ' ' | '\t' | '\n' | '\r'))
        .collect()
}

/// Compact JSON `json` laid out with a two-space indent, as `serde_json::to_string_pretty`
/// writes it, but in the text's own key order and spelling.
#[must_use]
pub fn pretty(json: &str) -> String {
    let json = compact(json);
    let mut out = String::with_capacity(json.len().saturating_mul(2));
    let mut depth: usize = 0;
    let mut strings = Strings::default();
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(c) = chars.next() {
        if strings.step(c) {
            out.push(c);
            continue;
        }
        match c {
            '{' | '[' => {
                out.push(c);
                if matches!(chars.peek(), Some('}' | ']')) {
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth = depth.saturating_add(1);
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ODD: &str = r#"{"@odata.context":"x","version":"v","synchronizationRules":[{"name":"a \"q\" , : { [","priority":1,"weight":1.50,"objectMappings":[]}],"id":"s","directories":[],"extra":{}}"#;

    #[test]
    fn pretty_and_back_is_the_same_text() {
        let document = SchemaDocument::from_json(ODD.as_bytes()).unwrap();
        assert_eq!(document.compact(), ODD);
        let pretty = document.pretty();
        assert!(pretty.contains("\"a \\\"q\\\" , : { [\""), "{pretty}");
        assert!(pretty.contains("\"weight\": 1.50"), "{pretty}");
        assert!(pretty.contains("\"objectMappings\": []"), "{pretty}");
        let again = SchemaDocument::from_json(pretty.as_bytes()).unwrap();
        assert_eq!(again.compact(), ODD);
        assert_eq!(again.schema(), document.schema());
    }

    #[test]
    fn pretty_matches_serde_json_for_model_output() {
        let value = serde_json::json!({"a": [1, {"b": []}, {}], "c": {"d": null}});
        let text = serde_json::to_string(&value).unwrap();
        assert_eq!(pretty(&text), serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn what_is_not_a_schema_is_refused() {
        for bad in [
            "",
            "[]",
            "{} x",
            "{\"id\":1}",
            "{\"synchronizationRules\":{}}",
            "{",
        ] {
            assert!(SchemaDocument::from_json(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
