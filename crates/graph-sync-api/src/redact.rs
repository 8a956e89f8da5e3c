//! The one redaction point: what a string must go through before it leaves the process.
//!
//! Three tools, used by every error and print path of this crate and of the command line:
//!
//! - [`Redactor`]: built from the secret values a request carried and the token it was
//!   sent with, it replaces every occurrence of them in a string or a body with
//!   [`REDACTED`]. Each value is searched in every form a service may echo it in: as sent,
//!   JSON-escaped (once, and twice for a JSON document nested in a string), with `/`
//!   escaped as `\/`, and percent-encoded (form and path encodings, upper and lower case
//!   hex). Values shorter than [`MIN_SECRET_LEN`] bytes and the booleans `true`/`false` are
//!   not searched: replacing them would shred every message and hide nothing.
//! - [`sanitize`]: makes service-supplied text safe for a terminal. Escape sequences (CSI,
//!   OSC, DCS and the other string controls, in their 7-bit and 8-bit forms) are removed
//!   with their parameters, line breaks and tabs become spaces, every other C0 and C1
//!   control, `DEL` and the Unicode bidirectional overrides are dropped, and the result is
//!   capped at [`MAX_FIELD_LEN`] bytes, ending in `… (N bytes more)` when it was cut.
//! - [`display_url`]: a URL as it may be quoted, without its userinfo, query and fragment.
//!
//! Order matters: redact first, sanitize second, so that the cap never cuts a secret in
//! half and leaves the part that was not matched. [`Redactor::clean`] does both.

use std::borrow::Cow;
use std::fmt;

use graph_sync_model::{SecretValueKind, Secrets};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

/// RFC 3986's component encoding: everything but the unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// What a redacted value is replaced with when a value is itself part of [`REDACTED`]
/// (a value `REDA` or `CTED]`): one character, shorter than any value searched for, so no
/// run of it alone can spell a value.
pub const REDACTED_SHORT: &str = "*";

/// Values shorter than this many bytes are not searched for.
pub const MIN_SECRET_LEN: usize = 4;

/// The most bytes of one service-supplied field that [`sanitize`] keeps (4 KiB). Longer
/// text is cut at a character boundary and ends in `… (N bytes more)`.
pub const MAX_FIELD_LEN: usize = 4096;

/// Replaces the secret values of one request (and its token) wherever they appear.
///
/// `Debug` prints only how many values it holds. The forms it searches for are zeroized
/// when it is dropped.
///
/// ```
/// use graph_sync_api::redact::Redactor;
///
/// let redactor = Redactor::new().with_value("s3cr3t/value");
/// assert_eq!(redactor.redact("bad token s3cr3t/value"), "bad token [REDACTED]");
/// assert_eq!(redactor.redact("bad token s3cr3t%2Fvalue"), "bad token [REDACTED]");
/// assert_eq!(redactor.redact(r#"{"t":"s3cr3t\/value"}"#), r#"{"t":"[REDACTED]"}"#);
/// ```
#[derive(Clone)]
pub struct Redactor {
    /// Every form of every value, longest first (so a longer form is replaced before a
    /// shorter one that it contains).
    needles: Vec<Zeroizing<String>>,
    /// [`REDACTED`], or [`REDACTED_SHORT`] once a form is part of [`REDACTED`].
    mask: &'static str,
}

impl Default for Redactor {
    fn default() -> Self {
        Self {
            needles: Vec::new(),
            mask: REDACTED,
        }
    }
}

impl Redactor {
    /// A redactor that replaces nothing (and still sanitizes in [`clean`](Self::clean)).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A redactor for every value of `secrets` that can be secret (booleans are not).
    #[must_use]
    pub fn for_secrets(secrets: &Secrets) -> Self {
        let mut redactor = Self::new();
        redactor.add_secrets(secrets);
        redactor
    }

    /// Adds every value of `secrets` that can be secret (booleans are not).
    pub fn add_secrets(&mut self, secrets: &Secrets) {
        for pair in secrets.iter() {
            if pair.key().kind() != SecretValueKind::Boolean {
                self.add(pair.value().expose_secret());
            }
        }
    }

    /// Adds a token (or any other secret held as a [`SecretString`]).
    pub fn add_secret(&mut self, secret: &SecretString) {
        self.add(secret.expose_secret());
    }

    /// Adds `value`, returning the redactor.
    #[must_use]
    pub fn with_value(mut self, value: &str) -> Self {
        self.add(value);
        self
    }

    /// Adds `value` in every form it may be echoed in.
    pub fn add(&mut self, value: &str) {
        if value.len() < MIN_SECRET_LEN
            || value.eq_ignore_ascii_case("true")
            || value.eq_ignore_ascii_case("false")
        {
            return;
        }
        let json = json_escaped(value);
        let forms = [
            value.to_owned(),
            json_escaped(&json),
            json.replace('/', "\\/"),
            utf8_percent_encode(value, NON_ALPHANUMERIC).to_string(),
            utf8_percent_encode(value, COMPONENT).to_string(),
            url::form_urlencoded::byte_serialize(value.as_bytes()).collect(),
            json,
        ];
        for form in forms {
            let lower = lower_percent_hex(&form);
            for candidate in [Some(form), lower].into_iter().flatten() {
                if !self.needles.iter().any(|n| **n == candidate) {
                    self.needles.push(Zeroizing::new(candidate));
                }
            }
        }
        self.needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        if self.needles.iter().any(|n| REDACTED.contains(n.as_str())) {
            self.mask = REDACTED_SHORT;
        }
    }

    /// What this redactor replaces a value with: [`REDACTED`], unless one of its values is
    /// part of that text, then [`REDACTED_SHORT`].
    #[must_use]
    pub fn mask(&self) -> &'static str {
        self.mask
    }

    /// Whether there is nothing to replace.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// Whether `text` holds any form of any value.
    #[must_use]
    pub fn finds(&self, text: &[u8]) -> bool {
        self.needles
            .iter()
            .any(|needle| find(text, needle.as_bytes(), 0).is_some())
    }

    /// `text` with every form of every value replaced by [`mask`](Self::mask). If the
    /// replacements and the text around them spell a value again, the whole text is the mask.
    #[must_use]
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.finds(text.as_bytes()) {
            return Cow::Borrowed(text);
        }
        let mut text = text.to_owned();
        for needle in &self.needles {
            if text.contains(needle.as_str()) {
                text = text.replace(needle.as_str(), self.mask);
            }
        }
        // A value that ends in `[REDACT…` or starts in `…D]` can be whole again next to a
        // replacement: then nothing of the text is kept.
        if self.finds(text.as_bytes()) {
            return Cow::Borrowed(self.mask);
        }
        Cow::Owned(text)
    }

    /// `bytes` (a body, perhaps not UTF-8) with every form of every value replaced.
    #[must_use]
    pub fn redact_bytes<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        if !self.finds(bytes) {
            return Cow::Borrowed(bytes);
        }
        let mut bytes = bytes.to_vec();
        for needle in &self.needles {
            bytes = replace_bytes(&bytes, needle.as_bytes(), self.mask.as_bytes());
        }
        if self.finds(&bytes) {
            return Cow::Borrowed(self.mask.as_bytes());
        }
        Cow::Owned(bytes)
    }

    /// Every string of a JSON value (object keys too) redacted after decoding, which
    /// catches values a service spelled with `\u` escapes. Returns whether anything changed.
    pub fn redact_json(&self, value: &mut serde_json::Value) -> bool {
        use serde_json::Value;
        if self.is_empty() {
            return false;
        }
        match value {
            Value::String(text) => match self.redact(text) {
                Cow::Owned(clean) => {
                    *text = clean;
                    true
                }
                Cow::Borrowed(_) => false,
            },
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |changed, item| self.redact_json(item) | changed),
            Value::Object(map) => {
                let mut changed = false;
                if map.keys().any(|key| self.finds(key.as_bytes())) {
                    let entries = std::mem::take(map);
                    for (key, value) in entries {
                        map.insert(self.redact(&key).into_owned(), value);
                    }
                    changed = true;
                }
                map.values_mut()
                    .fold(changed, |changed, item| self.redact_json(item) | changed)
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => false,
        }
    }

    /// `text` redacted, then [`sanitize`]d: what may be shown of a service-supplied field.
    ///
    /// It redacts both before and after the control characters are removed (a value may
    /// itself hold a line break; a value spelt with controls between its characters is
    /// whole again once they are gone), and caps last, so the cap never cuts a value in two.
    #[must_use]
    pub fn clean(&self, text: &str) -> String {
        let redacted = self.redact(text);
        if !redacted.chars().any(is_unsafe) {
            return sanitize(&redacted).into_owned();
        }
        let stripped = strip_controls(&redacted);
        sanitize(&self.redact(&stripped)).into_owned()
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("forms", &self.needles.len())
            .finish()
    }
}

/// `value` as it appears between the quotes of a JSON string.
fn json_escaped(value: &str) -> String {
    let quoted = serde_json::Value::from(value).to_string();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(&quoted)
        .to_owned()
}

/// `form` with the hex digits of its percent escapes in lower case, if it has any letters
/// there.
fn lower_percent_hex(form: &str) -> Option<String> {
    if !form.contains('%') {
        return None;
    }
    let mut out = String::with_capacity(form.len());
    let mut chars = form.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for _ in 0..2 {
                if let Some(hex) = chars.next() {
                    out.push(hex.to_ascii_lowercase());
                }
            }
        }
    }
    (out != form).then_some(out)
}

/// The first index at or after `from` where `needle` starts in `haystack`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut start = from;
    while let Some(rest) = haystack.get(start..) {
        let offset = rest.iter().position(|&b| b == first)?;
        let at = start.checked_add(offset)?;
        if haystack.get(at..)?.starts_with(needle) {
            return Some(at);
        }
        start = at.checked_add(1)?;
    }
    None
}

fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut copied = 0;
    while let Some(at) = find(haystack, needle, copied) {
        out.extend_from_slice(haystack.get(copied..at).unwrap_or_default());
        out.extend_from_slice(with);
        copied = at.saturating_add(needle.len());
    }
    out.extend_from_slice(haystack.get(copied..).unwrap_or_default());
    out
}

/// `text` made safe for a terminal and capped at [`MAX_FIELD_LEN`] bytes (see the module
/// documentation for what is removed).
///
/// ```
/// use graph_sync_api::redact::sanitize;
///
/// assert_eq!(sanitize("ok\x1b[31m red\x1b]0;title\x07\r\nnext"), "ok red next");
/// let long = "x".repeat(5000);
/// assert!(sanitize(&long).ends_with("… (904 bytes more)"));
/// ```
#[must_use]
pub fn sanitize(text: &str) -> Cow<'_, str> {
    sanitize_to(text, MAX_FIELD_LEN)
}

/// [`sanitize`] with another cap, in bytes.
#[must_use]
pub fn sanitize_to(text: &str, limit: usize) -> Cow<'_, str> {
    if text.len() <= limit && !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let clean = strip_controls(text);
    if clean.len() <= limit {
        return Cow::Owned(clean);
    }
    let mut cut = limit;
    while !clean.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    let more = clean.len().saturating_sub(cut);
    let mut capped = clean.get(..cut).unwrap_or_default().to_owned();
    capped.push_str(&format!("… ({more} bytes more)"));
    Cow::Owned(capped)
}

/// A character that [`sanitize`] removes or replaces.
fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// The Unicode bidirectional embeddings, overrides and isolates, which reorder what a
/// terminal shows.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Removes escape sequences and controls (see [`sanitize`]).
fn strip_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_FIELD_LEN.saturating_mul(2)));
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' | '\r' => {
                // One space for a line break, however it is spelt.
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(' ');
            }
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // nF sequences (character set selection and the like): intermediates
                // 0x20-0x2F, then one final character.
                Some('\u{20}'..='\u{2f}') => {
                    while chars
                        .next_if(|c| ('\u{20}'..='\u{2f}').contains(c))
                        .is_some()
                    {}
                    chars.next();
                }
                // Any other escape is ESC and one character.
                Some(_) | None => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Skips a CSI sequence's parameters and intermediates up to and including its final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) || !('\u{20}'..='\u{3f}').contains(&c) {
            return;
        }
    }
}

/// Skips a control string (OSC, DCS, SOS, PM, APC) up to and including its terminator:
/// BEL, ST (`ESC \` or U+009C).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

/// `url` as it may be quoted: scheme, host, port and path only. The userinfo (which may
/// hold a password), the query and the fragment (which may hold tokens or signatures) are
/// dropped, and the rest is [`sanitize`]d. Works on text that does not parse as a URL too.
///
/// ```
/// use graph_sync_api::redact::display_url;
///
/// assert_eq!(
///     display_url("https://user:PW@graph.example/v1.0/x?sig=abc#f"),
///     "https://graph.example/v1.0/x"
/// );
/// ```
#[must_use]
pub fn display_url(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let url = url.get(..end).unwrap_or_default();
    let (scheme, rest) = match url.find("://") {
        Some(at) => url.split_at(at.saturating_add(3)),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '\\']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = authority.rfind('@').map_or(authority, |at| {
        authority.get(at.saturating_add(1)..).unwrap_or_default()
    });
    sanitize(&format!("{scheme}{host}{path}")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "CANARY-s3cr3t/+ é\"x";

    #[test]
    fn every_echoed_form_is_replaced() {
        let redactor = Redactor::new().with_value(CANARY);
        let json = json_escaped(CANARY);
        for form in [
            CANARY.to_owned(),
            json.clone(),
            json_escaped(&json),
            json.replace('/', "\\/"),
            utf8_percent_encode(CANARY, NON_ALPHANUMERIC).to_string(),
            utf8_percent_encode(CANARY, COMPONENT).to_string(),
            url::form_urlencoded::byte_serialize(CANARY.as_bytes()).collect(),
            lower_percent_hex(&utf8_percent_encode(CANARY, NON_ALPHANUMERIC).to_string()).unwrap(),
        ] {
            let text = format!("before {form} after");
            assert_eq!(redactor.redact(&text), "before [REDACTED] after", "{form}");
            assert_eq!(
                redactor.redact_bytes(text.as_bytes()).as_ref(),
                b"before [REDACTED] after"
            );
        }
    }

    #[test]
    fn unicode_escapes_are_caught_after_decoding() {
        let redactor = Redactor::new().with_value("CANARY-1");
        let mut value: serde_json::Value =
            serde_json::from_str(r#"{"a":["\u0043ANARY-1"],"CANARY-1":1}"#).unwrap();
        assert!(redactor.redact_json(&mut value));
        assert!(!value.to_string().contains("CANARY-1"));
    }

    #[test]
    fn short_values_and_booleans_are_not_searched() {
        let redactor = Redactor::new()
            .with_value("abc")
            .with_value("true")
            .with_value("False");
        assert!(redactor.is_empty());
        assert_eq!(redactor.redact("abc true"), "abc true");
        assert_eq!(format!("{redactor:?}"), "Redactor { forms: 0 }");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_redacted() {
        let redactor = Redactor::new().with_value("tok-123");
        let body = b"\xff\xfetok-123\xfftok-123";
        assert_eq!(
            redactor.redact_bytes(body).as_ref(),
            b"\xff\xfe[REDACTED]\xff[REDACTED]"
        );
    }

    #[test]
    fn escape_sequences_and_controls_are_stripped() {
        for (dirty, clean) in [
            ("plain", "plain"),
            ("a\x1b[2J\x1b[1;31mb", "ab"),
            ("a\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),
            ("a\x1b]0;title\x07b", "ab"),
            ("a\u{9b}31mb\u{9d}x\u{9c}c", "abc"),
            ("a\x1bPq#0\x1b\\b", "ab"),
            ("a\x1b(Bb", "ab"),
            ("a\x1b#8b", "ab"),
            ("a\x1b7b\x1b8", "ab"),
            ("a\rb\r\nc\nd\te", "a b c d e"),
            ("a\x00\x07\x08\x7f\u{85}b", "ab"),
            ("a\u{202E}b\u{2066}c", "abc"),
            ("trailing\x1b", "trailing"),
            ("trailing\x1b[", "trailing"),
        ] {
            assert_eq!(sanitize(dirty), clean, "{dirty:?}");
        }
    }

    #[test]
    fn long_fields_are_capped_at_a_character_boundary() {
        let text = "é".repeat(3000);
        let capped = sanitize(&text);
        assert!(capped.starts_with(&"é".repeat(2048)));
        assert!(capped.ends_with("… (1904 bytes more)"), "{capped}");
        assert!(capped.len() < MAX_FIELD_LEN + 32);
        assert_eq!(sanitize_to("abcdef", 3), "abc… (3 bytes more)");
    }

    #[test]
    fn clean_redacts_before_it_caps() {
        let secret = "SECRET-VALUE-123";
        let redactor = Redactor::new().with_value(secret);
        let text = format!("{}{secret}", "x".repeat(MAX_FIELD_LEN - 5));
        let clean = redactor.clean(&text);
        assert!(!clean.contains("SECRE"), "{clean}");
    }

    #[test]
    fn a_value_made_whole_by_a_replacement_empties_the_text() {
        let redactor = Redactor::new().with_value("D]xD");
        assert_eq!(redactor.redact("a D]xDxD b"), REDACTED);
        assert_eq!(
            redactor.redact_bytes(b"a D]xDxD b").as_ref(),
            REDACTED.as_bytes()
        );
    }

    #[test]
    fn a_value_that_is_part_of_the_mask_is_replaced_by_the_short_mask() {
        // Found by the `redact` fuzz target: the value `CTED]` was left in `[REDACTED]`.
        for value in ["CTED]", "REDA", "[REDACTED]", "ACTE"] {
            let redactor = Redactor::new().with_value(value);
            assert_eq!(redactor.mask(), REDACTED_SHORT);
            let text = format!("x {value} y {value}");
            assert_eq!(redactor.redact(&text), "x * y *", "{value}");
            let twice = format!("{value}{value}");
            let bytes = redactor.redact_bytes(twice.as_bytes());
            assert_eq!(bytes.as_ref(), b"**", "{value}");
        }
        // A run of the short mask that spells a value again empties the text.
        let redactor = Redactor::new().with_value("****").with_value("[RED");
        assert_eq!(redactor.redact("a **[RED** b"), REDACTED_SHORT);
        assert_eq!(Redactor::new().with_value("s3cr3t").mask(), REDACTED);
    }

    #[test]
    fn a_value_spelt_around_controls_is_still_redacted() {
        let redactor = Redactor::new()
            .with_value("tok-SECRET-1")
            .with_value("line one\nline two");
        assert_eq!(
            redactor.clean("x tok-\x01SECRET-\x1b[0m1 y"),
            "x [REDACTED] y"
        );
        assert_eq!(redactor.clean("x line one\nline two"), "x [REDACTED]");
    }

    #[test]
    fn urls_lose_userinfo_query_and_fragment() {
        for (url, shown) in [
            (
                "https://u:p@h.example:8443/a/b?x=1#f",
                "https://h.example:8443/a/b",
            ),
            ("https://h.example", "https://h.example"),
            ("https://a@b@h.example/x", "https://h.example/x"),
            ("not a url?token=1", "not a url"),
            ("user:pw@host/path", "host/path"),
            ("https://h.example/\x1b[31m", "https://h.example/"),
        ] {
            assert_eq!(display_url(url), shown, "{url}");
        }
    }

    /// A secret in any form a service may echo it in, anywhere in any text, never survives
    /// [`Redactor::clean`]; what `clean` and [`sanitize`] give is capped and free of control
    /// characters.
    #[test]
    fn no_form_of_a_secret_survives_clean_and_output_is_bounded() {
        use proptest::prelude::*;
        let secret = "[!-~]{4,24}( [!-~]{1,8})?".prop_filter("not a boolean", |s| {
            !s.eq_ignore_ascii_case("true") && !s.eq_ignore_ascii_case("false")
        });
        let text = prop_oneof![
            any::<String>(),
            "[ -~]{0,64}",
            Just("\u{1b}[31m\u{1b}]0;t\u{7}\r\n\u{9b}2J".to_owned()),
        ];
        let forms = 0..5_usize;
        let repeat = 0..3_usize;
        crate::property_runner()
            .run(
                &(secret, text.clone(), text, forms, repeat),
                |(secret, before, after, form, repeat)| {
                    let shown = match form {
                        0 => secret.clone(),
                        1 => json_escaped(&secret),
                        2 => json_escaped(&json_escaped(&secret)),
                        3 => utf8_percent_encode(&secret, COMPONENT).to_string(),
                        _ => json_escaped(&secret).replace('/', "\\/"),
                    };
                    let padding = "x".repeat(repeat * MAX_FIELD_LEN);
                    let text = format!("{before}{shown}{padding}{after}{shown}");
                    prop_assume!(!before.contains(&secret) && !after.contains(&secret));
                    let redactor = Redactor::new().with_value(&secret);
                    let cleaned = redactor.clean(&text);
                    prop_assert!(!cleaned.contains(&secret), "{secret:?} in {cleaned:?}");
                    prop_assert!(!cleaned.chars().any(char::is_control), "{cleaned:?}");
                    prop_assert!(cleaned.len() <= MAX_FIELD_LEN + 64, "{}", cleaned.len());
                    let sanitized = sanitize(&text);
                    prop_assert!(!sanitized.chars().any(char::is_control));
                    prop_assert!(sanitized.len() <= MAX_FIELD_LEN + 64);
                    let mut json =
                        serde_json::json!({"a": [text.clone(), {"b": text}], "c": secret});
                    redactor.redact_json(&mut json);
                    prop_assert!(!json.to_string().contains(&secret), "{json}");
                    Ok(())
                },
            )
            .unwrap();
    }
}
