//! Which requests a setting applies to: a set of methods and a set of path patterns, as in
//! `--only 'POST'` or `--only '*/secrets'`.
//!
//! A pattern is a path whose `*` segments match any one segment; a pattern that starts with
//! `*/` matches any path that ends with the rest (`*/secrets` is every secrets path, whatever
//! the service principal). Paths are compared without the query and ignoring ASCII case, as
//! Graph compares them. An empty selection selects every request.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The requests a setting applies to: every request whose method is one of `methods` (any
/// method when empty) and whose path matches one of `paths` (any path when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// Upper-case methods, e.g. `POST`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    methods: Vec<String>,
    /// Path patterns, e.g. `*/synchronization/secrets`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    paths: Vec<String>,
}

/// The longest pattern or method accepted, and how many of each.
const MAX_TEXT: usize = 2048;
const MAX_ITEMS: usize = 64;

impl Selection {
    /// Every request.
    #[must_use]
    pub fn all() -> Self {
        Self::default()
    }

    /// Reads a comma-separated list of methods and path patterns: an item that starts with `/`
    /// or `*` is a path pattern, any other item a method (`POST,*/secrets`).
    ///
    /// # Errors
    ///
    /// A message naming the item that is neither an HTTP method nor a path pattern.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut selection = Self::default();
        for item in text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            selection.add(item)?;
        }
        if selection.is_all() {
            return Err("--only needs at least one method or path pattern".to_owned());
        }
        Ok(selection)
    }

    /// Adds one method or path pattern.
    fn add(&mut self, item: &str) -> Result<(), String> {
        if item.len() > MAX_TEXT || self.methods.len() + self.paths.len() >= MAX_ITEMS {
            return Err(format!(
                "a selection holds at most {MAX_ITEMS} items of at most {MAX_TEXT} characters"
            ));
        }
        if item.starts_with('/') || item.starts_with('*') {
            if item
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '?')
            {
                return Err(format!(
                    "{item:?} is not a path pattern (no spaces, control characters or query)"
                ));
            }
            self.paths.push(item.to_owned());
        } else if item.bytes().all(|b| b.is_ascii_alphabetic()) {
            self.methods.push(item.to_ascii_uppercase());
        } else {
            return Err(format!(
                "{item:?} is neither an HTTP method (POST) nor a path pattern (/v1.0/…, */secrets)"
            ));
        }
        Ok(())
    }

    /// Checks a selection read from JSON as [`parse`](Self::parse) checks text.
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse).
    pub fn validated(self) -> Result<Self, String> {
        let mut checked = Self::default();
        for item in self.methods.iter().chain(&self.paths) {
            if item.is_empty() {
                return Err("a selection item is empty".to_owned());
            }
            checked.add(item)?;
        }
        // A method given in `paths` or a path in `methods` is put where it belongs.
        Ok(checked)
    }

    /// Whether this selects every request.
    #[must_use]
    pub fn is_all(&self) -> bool {
        self.methods.is_empty() && self.paths.is_empty()
    }

    /// Whether a request with `method` to `path` (without its query) is selected.
    #[must_use]
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok =
            self.methods.is_empty() || self.methods.iter().any(|m| m.eq_ignore_ascii_case(method));
        method_ok && (self.paths.is_empty() || self.paths.iter().any(|p| path_matches(p, path)))
    }
}

impl fmt::Display for Selection {
    /// `POST,*/secrets`, or `every request`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("every request");
        }
        let items: Vec<&str> = self
            .methods
            .iter()
            .chain(&self.paths)
            .map(String::as_str)
            .collect();
        f.write_str(&items.join(","))
    }
}

/// Whether `path` matches `pattern` (segment-wise, `*` any one segment; a leading `*/` any
/// prefix).
fn path_matches(pattern: &str, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let wanted: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let actual: Vec<&str> = path.split('/').collect();
    let segment = |p: &str, a: &str| p == "*" || p.eq_ignore_ascii_case(a);
    if let Some(rest) = pattern.strip_prefix("*/") {
        // A suffix pattern: the path ends with the rest, after at least one segment.
        let rest: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        return actual.len() > rest.len() + 1
            && actual[actual.len() - rest.len()..]
                .iter()
                .zip(&rest)
                .all(|(a, p)| segment(p, a));
    }
    wanted.len() == actual.len() && wanted.iter().zip(&actual).all(|(p, a)| segment(p, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_and_patterns_select_requests() {
        let only = Selection::parse("post, */synchronization/secrets").unwrap();
        assert!(only.matches("POST", "/v1.0/servicePrincipals/x/synchronization/secrets"));
        assert!(!only.matches("PUT", "/v1.0/servicePrincipals/x/synchronization/secrets"));
        assert!(!only.matches("POST", "/v1.0/servicePrincipals/x/synchronization/jobs"));
        assert_eq!(only.to_string(), "POST,*/synchronization/secrets");

        let exact =
            Selection::parse("/v1.0/servicePrincipals/*/synchronization/jobs/*/start").unwrap();
        assert!(exact.matches(
            "POST",
            "/v1.0/servicePrincipals/a/synchronization/jobs/b/start"
        ));
        assert!(exact.matches(
            "GET",
            "/V1.0/servicePrincipals/a/synchronization/jobs/b/start/"
        ));
        assert!(!exact.matches("POST", "/v1.0/servicePrincipals/a/synchronization/jobs/b"));
        assert!(!exact.matches(
            "POST",
            "/x/v1.0/servicePrincipals/a/synchronization/jobs/b/start"
        ));

        let suffix = Selection::parse("*/secrets").unwrap();
        assert!(suffix.matches("PUT", "/v1.0/servicePrincipals/a/synchronization/secrets"));
        assert!(
            !suffix.matches("PUT", "/secrets"),
            "a suffix pattern needs a prefix"
        );
        assert!(Selection::all().matches("DELETE", "/anything"));
        assert_eq!(Selection::all().to_string(), "every request");
    }

    #[test]
    fn bad_items_are_refused_with_their_name() {
        for bad in ["", " , ", "PO ST", "/a b", "/a?b=1", "42"] {
            assert!(Selection::parse(bad).is_err(), "{bad:?}");
        }
        let huge = "/".repeat(MAX_TEXT + 1);
        assert!(Selection::parse(&huge).is_err());
        let many = vec!["GET"; MAX_ITEMS + 1].join(",");
        assert!(Selection::parse(&many).is_err());
        let from_json: Selection =
            serde_json::from_str(r#"{"methods":["*/secrets"],"paths":["post"]}"#).unwrap();
        let checked = from_json.validated().unwrap();
        assert!(checked.matches("POST", "/v1.0/a/secrets"));
        assert!(
            serde_json::from_str::<Selection>(r#"{"method":["GET"]}"#).is_err(),
            "unknown fields are refused"
        );
    }
}
