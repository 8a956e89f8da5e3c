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

/// The stored secret values the log must not show.
#[derive(Debug)]
pub(crate) struct Redactor {
    stored: Vec<SecretString>,
    /// What a stored value is replaced with in free text: [`REDACTED`], or `*` when a stored
    /// value is itself part of `[REDACTED]` (a value `REDA` would otherwise be shown in
    /// every replacement).
    mask: &'static str,
}

impl Redactor {
    /// A redactor that also hides `stored` values wherever they appear.
    pub(crate) fn new(stored: Vec<SecretString>) -> Self {
        let in_mask = stored.iter().any(|value| {
            let value = value.expose_secret();
            value.len() >= MIN_SCANNED && REDACTED.contains(value)
        });
        let mask = if in_mask { "*" } else { REDACTED };
        Self { stored, mask }
    }

    /// `text` with every stored value replaced; if the replacements spell a stored value
    /// again, nothing of the text is kept.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for value in &self.stored {
            let value = value.expose_secret();
            if value.len() >= MIN_SCANNED && text.contains(value) {
                text = text.replace(value, self.mask);
            }
        }
        let whole_again = self.stored.iter().any(|value| {
            let value = value.expose_secret();
            value.len() >= MIN_SCANNED && text.contains(value)
        });
        if whole_again {
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

    fn redactor() -> Redactor {
        Redactor::new(vec![
            SecretString::from("stored-canary-1234"),
            SecretString::from("ok"),
        ])
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
        let logged = redactor().json(body).to_string();
        assert!(!logged.contains("canary"), "{logged}");
        assert_eq!(
            redactor().json(json!({"value":[{"key":"Password","value":""}]})),
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
        let r = redactor();
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
        let r = Redactor::new(vec![SecretString::from("CTED]".to_owned())]);
        assert_eq!(r.scrub("a CTED] b"), "a * b");
        let r = Redactor::new(vec![
            SecretString::from("****".to_owned()),
            SecretString::from("[RED".to_owned()),
        ]);
        assert_eq!(r.scrub("a **[RED** b"), "*");
    }
}
