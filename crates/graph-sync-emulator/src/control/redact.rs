//! Redaction for the request log: what a request carried, with every secret value replaced by
//! `[REDACTED]` before it is kept.
//!
//! Redacted are: credential headers (`Authorization`, `Proxy-Authorization`, `Cookie`,
//! `X-IDENTITY-HEADER`); the `value` of every `{"key": …, "value": …}` pair in a JSON body
//! (secrets, `validateCredentials`' credentials; an empty value, which clears a key, is kept);
//! JSON properties, form fields and query parameters that name a credential (`client_secret`,
//! `client_assertion`, `password`, `secretToken`, …); and, anywhere in a header, the query or a
//! body, every secret value the emulator has stored (values of at least
//! [`MIN_SCANNED`] characters, so that a stored `true` does not hide every `true`).

use std::collections::HashMap;

use graph_sync_model::{ExposeSecret, SecretString};
use serde_json::Value;

/// What replaces a secret value.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// The shortest stored value searched for in free text.
pub(crate) const MIN_SCANNED: usize = 4;

/// Headers whose value is always a credential.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-identity-header",
];

/// Whether a property, field or parameter named `name` holds a credential.
fn names_a_credential(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace(['_', '-'], "");
    [
        "secret",
        "password",
        "token",
        "assertion",
        "credential",
        "apikey",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Every stored secret value the log must not show, by its first [`MIN_SCANNED`] bytes, so
/// that finding the values a text holds costs one lookup per byte of the text, however many
/// values are stored (a bulk run stores tens of thousands; scanning a request for each of them
/// made every request cost as much as all before it).
///
/// The directory keeps it up to date as secrets are stored and dropped. A value is counted as
/// often as it is stored, so that dropping one copy keeps the others hidden.
#[derive(Debug, Default)]
pub(crate) struct StoredValues {
    by_prefix: HashMap<[u8; MIN_SCANNED], Vec<SecretString>>,
}

impl StoredValues {
    /// Adds one copy of `value` (values shorter than [`MIN_SCANNED`] are not searched for).
    pub(crate) fn add(&mut self, value: &SecretString) {
        if let Some(prefix) = prefix(value.expose_secret().as_bytes()) {
            self.by_prefix
                .entry(prefix)
                .or_default()
                .push(value.clone());
        }
    }

    /// Drops one copy of `value`.
    pub(crate) fn remove(&mut self, value: &SecretString) {
        let value = value.expose_secret();
        let Some(prefix) = prefix(value.as_bytes()) else {
            return;
        };
        if let Some(values) = self.by_prefix.get_mut(&prefix) {
            if let Some(at) = values.iter().position(|v| v.expose_secret() == value) {
                values.swap_remove(at);
            }
            if values.is_empty() {
                self.by_prefix.remove(&prefix);
            }
        }
    }

    /// The stored values that occur in `text`, each once.
    fn found_in<'a>(&'a self, text: &str) -> Vec<&'a str> {
        let mut found: Vec<&str> = Vec::new();
        if self.by_prefix.is_empty() {
            return found;
        }
        let bytes = text.as_bytes();
        for (at, window) in bytes.windows(MIN_SCANNED).enumerate() {
            let Some(values) = prefix(window).and_then(|p| self.by_prefix.get(&p)) else {
                continue;
            };
            let rest = bytes.get(at..).unwrap_or_default();
            for value in values {
                let value = value.expose_secret();
                if rest.starts_with(value.as_bytes()) && !found.contains(&value) {
                    found.push(value);
                }
            }
        }
        found
    }
}

impl FromIterator<SecretString> for StoredValues {
    fn from_iter<I: IntoIterator<Item = SecretString>>(values: I) -> Self {
        let mut stored = Self::default();
        for value in values {
            stored.add(&value);
        }
        stored
    }
}

/// The first [`MIN_SCANNED`] bytes of `bytes`, if it has as many.
fn prefix(bytes: &[u8]) -> Option<[u8; MIN_SCANNED]> {
    bytes.get(..MIN_SCANNED)?.try_into().ok()
}

/// Redacts what a request carried, hiding the stored values wherever they appear.
#[derive(Debug)]
pub(crate) struct Redactor<'a> {
    stored: &'a StoredValues,
    /// What a stored value is replaced with in free text: [`REDACTED`], or `*` when a stored
    /// value is itself part of `[REDACTED]` (a value `REDA` would otherwise be shown in
    /// every replacement).
    mask: &'static str,
}

impl<'a> Redactor<'a> {
    /// A redactor that also hides `stored` values wherever they appear.
    pub(crate) fn new(stored: &'a StoredValues) -> Self {
        let in_mask = !stored.found_in(REDACTED).is_empty();
        let mask = if in_mask { "*" } else { REDACTED };
        Self { stored, mask }
    }

    /// `text` with every stored value replaced; if the replacements spell a stored value
    /// again, nothing of the text is kept.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        // Longest first: a value that starts another must not leave the other's tail shown.
        let mut found = self.stored.found_in(&text);
        found.sort_by_key(|value| std::cmp::Reverse(value.len()));
        for value in found {
            if text.contains(value) {
                text = text.replace(value, self.mask);
            }
        }
        if !self.stored.found_in(&text).is_empty() {
            return self.mask.to_owned();
        }
        text
    }

    /// A header value as logged.
    pub(crate) fn header(&self, name: &str, value: &str) -> String {
        if SECRET_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
            REDACTED.to_owned()
        } else {
            self.scrub(value)
        }
    }

    /// A query string or form body (`a=1&client_secret=…`) as logged.
    pub(crate) fn form(&self, text: &str) -> String {
        let pairs: Vec<String> = text
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if names_a_credential(&percent_decoded(name)) => {
                    format!("{name}={REDACTED}")
                }
                _ => pair.to_owned(),
            })
            .collect();
        self.scrub(&pairs.join("&"))
    }

    /// A JSON document as logged.
    pub(crate) fn json(&self, mut value: Value) -> Value {
        self.walk(&mut value);
        value
    }

    fn walk(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                let is_pair =
                    map.get("key").is_some_and(Value::is_string) && map.contains_key("value");
                for (name, item) in map.iter_mut() {
                    let secret = (is_pair && name == "value") || names_a_credential(name);
                    match item {
                        Value::String(text) if secret && !text.is_empty() => {
                            *text = REDACTED.to_owned();
                        }
                        // A credential given as a document: nothing of it is shown.
                        Value::Object(_) if secret => {
                            *item = Value::String(REDACTED.to_owned());
                        }
                        // A list of credentials (`"credentials": [{"key", "value"}]`): its
                        // strings are hidden, its pairs keep their keys.
                        Value::Array(items) if secret => {
                            for element in items {
                                match element {
                                    Value::String(text) if !text.is_empty() => {
                                        *text = REDACTED.to_owned();
                                    }
                                    other => self.walk(other),
                                }
                            }
                        }
                        _ => self.walk(item),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.walk(item)),
            Value::String(text) => *text = self.scrub(text),
            _ => {}
        }
    }
}

/// `text` with `%XX` escapes and `+` decoded, lossily (for matching names only).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (byte, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn stored() -> StoredValues {
        [
            SecretString::from("stored-canary-1234"),
            SecretString::from("ok"),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn secret_pairs_and_credential_names_are_redacted() {
        let body = json!({
            "value": [
                {"key": "SecretToken", "value": "new-canary"},
                {"key": "BaseAddress", "value": "https://x/stored-canary-1234/"},
                {"key": "Password", "value": ""},
            ],
            "clientSecret": "c",
            "credentials": [{"key": "SecretToken", "value": "canary-2"}, "canary-3"],
            "nested": {"password": {"a": 1}, "note": "ok stored-canary-1234"},
            "count": 3,
        });
        let logged = Redactor::new(&stored()).json(body).to_string();
        assert!(!logged.contains("canary"), "{logged}");
        assert_eq!(
            Redactor::new(&stored()).json(json!({"value":[{"key":"Password","value":""}]})),
            json!({"value":[{"key":"Password","value":""}]}),
            "a clear stays visible"
        );
        assert!(logged.contains(r#""note":"ok [REDACTED]""#), "{logged}");
        assert!(logged.contains(r#""count":3"#));
        assert!(
            logged.contains(r#""key":"SecretToken""#),
            "keys stay visible"
        );
    }

    #[test]
    fn headers_forms_and_queries_are_redacted() {
        let stored = stored();
        let r = Redactor::new(&stored);
        assert_eq!(r.header("Authorization", "Bearer abc"), REDACTED);
        assert_eq!(r.header("X-Identity-Header", "abc"), REDACTED);
        assert_eq!(r.header("x-custom", "a stored-canary-1234"), "a [REDACTED]");
        assert_eq!(
            r.header("accept", "ok"),
            "ok",
            "short stored values are not scanned"
        );
        assert_eq!(
            r.form(
                "grant_type=client_credentials&client_secret=s3cr3t&client%5Fassertion=x&scope=a"
            ),
            "grant_type=client_credentials&client_secret=[REDACTED]&client%5Fassertion=[REDACTED]&scope=a"
        );
        assert_eq!(
            r.form("$filter=x eq 'stored-canary-1234'"),
            "$filter=x eq '[REDACTED]'"
        );
        assert_eq!(percent_decoded("a%2"), "a%2");
    }

    #[test]
    fn a_stored_value_that_is_part_of_the_mask_is_not_shown_by_it() {
        let stored: StoredValues = [SecretString::from("CTED]".to_owned())]
            .into_iter()
            .collect();
        assert_eq!(Redactor::new(&stored).scrub("a CTED] b"), "a * b");
        let stored: StoredValues = [
            SecretString::from("****".to_owned()),
            SecretString::from("[RED".to_owned()),
        ]
        .into_iter()
        .collect();
        assert_eq!(Redactor::new(&stored).scrub("a **[RED** b"), "*");
    }

    #[test]
    fn values_are_found_by_prefix_and_counted_as_often_as_stored() {
        let value = |text: &str| SecretString::from(text.to_owned());
        // Values sharing a prefix, one the start of another, and one stored twice.
        let mut stored: StoredValues = ["abcd-1", "abcd-12", "abcd-2", "abcd-2", "wxyz"]
            .into_iter()
            .map(value)
            .collect();
        let r = Redactor::new(&stored);
        assert_eq!(
            r.scrub("x abcd-12 y abcd-2 z wxyz"),
            "x [REDACTED] y [REDACTED] z [REDACTED]"
        );
        assert_eq!(r.scrub("abcd-1 abcd-3 abc"), "[REDACTED] abcd-3 abc");
        stored.remove(&value("abcd-2"));
        stored.remove(&value("wxyz"));
        stored.remove(&value("never-stored"));
        let r = Redactor::new(&stored);
        assert_eq!(
            r.scrub("abcd-2 wxyz"),
            "[REDACTED] wxyz",
            "one copy of abcd-2 is left"
        );
        stored.remove(&value("abcd-2"));
        assert_eq!(Redactor::new(&stored).scrub("abcd-2 é wx"), "abcd-2 é wx");
    }
}
