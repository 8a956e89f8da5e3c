//! Parsing a secrets file (TOML or JSON) or an embedded `[secrets]` table into keys and value
//! sources, without reading any value: syntax errors report a line and column, never the input.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;

use graph_sync_api::model::{SecretKey, SecretString, SyncNotificationSettings};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::keys::parse_key;
use super::{Entry, FileError, FileFormat, ParseOptions, SecretsFile, ValueSource};

impl SecretsFile {
    /// Parses `text` as `format`.
    ///
    /// # Errors
    ///
    /// [`FileError`] for a syntax error, an empty file, an unknown or repeated key, a value of
    /// the wrong shape, or two keys reading standard input.
    pub(crate) fn parse(
        text: &str,
        format: FileFormat,
        options: ParseOptions,
    ) -> Result<Self, FileError> {
        let raw = match format {
            FileFormat::Toml => toml::from_str::<RawFile>(text).map_err(|e| {
                let (line, column) = e
                    .span()
                    .map_or((1, 1), |span| line_column(text, span.start));
                FileError::Syntax {
                    format,
                    line,
                    column,
                    message: e.message().trim_end().to_owned(),
                }
            })?,
            FileFormat::Json => {
                serde_json::from_str::<RawFile>(text).map_err(|e| FileError::Syntax {
                    format,
                    line: e.line(),
                    column: e.column(),
                    message: json_message(&e),
                })?
            }
        };
        Self::from_raw(raw, options)
    }

    /// Parses a secrets table embedded in another document (the `[secrets]` table of a
    /// `provision` manifest), with the same rules as a whole file.
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse), except for syntax errors (the enclosing document's).
    pub(crate) fn from_table(
        table: SecretsTable,
        options: ParseOptions,
    ) -> Result<Self, FileError> {
        Self::from_raw(table.0, options)
    }

    fn from_raw(raw: RawFile, options: ParseOptions) -> Result<Self, FileError> {
        if raw.0.is_empty() {
            return Err(FileError::Empty);
        }
        let mut seen = BTreeSet::new();
        let mut stdin_key: Option<String> = None;
        let mut entries = Vec::with_capacity(raw.0.len());
        for (name, value) in raw.0 {
            if !seen.insert(name.clone()) {
                return Err(FileError::DuplicateKey(name));
            }
            let key = parse_key(&name, options)?;
            let source = interpret(&key, value)?;
            if matches!(source, ValueSource::Stdin) {
                if let Some(first) = stdin_key.take() {
                    return Err(FileError::TwoStdin {
                        first,
                        second: name,
                    });
                }
                stdin_key = Some(name);
            }
            entries.push(Entry { key, source });
        }
        Ok(Self { entries })
    }

    /// Entries built by another reader (a row of a `bulk secrets` CSV file), resolved with
    /// the same rules as a file's.
    pub(crate) fn from_entries(entries: Vec<Entry>) -> Self {
        Self { entries }
    }

    /// The entries, in file order.
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

/// Turns a raw value into a source, given its key.
fn interpret(key: &SecretKey, value: RawValue) -> Result<ValueSource, FileError> {
    let invalid = |reason: String| FileError::InvalidEntry {
        key: key.as_str().to_owned(),
        reason,
    };
    match value {
        RawValue::Str(value) => Ok(ValueSource::Literal(value)),
        RawValue::Bool(value) => Ok(ValueSource::Bool(value)),
        RawValue::Other(kind) => Err(invalid(format!(
            "is {kind}; expected a string, true/false, {{ env = \"NAME\" }}, \
             {{ file = \"PATH\" }} or {{ stdin = true }}{}",
            if kind == "a number" {
                " (write a number as a string, e.g. \"42\")"
            } else {
                ""
            }
        ))),
        RawValue::Table(fields) => {
            let is_source = !fields.is_empty()
                && fields
                    .iter()
                    .all(|(name, _)| matches!(name.as_str(), "env" | "file" | "stdin"));
            if is_source {
                source_table(fields).map_err(invalid)
            } else if *key == SecretKey::SyncNotificationSettings {
                notification_table(fields)
                    .map(ValueSource::Notification)
                    .map_err(invalid)
            } else {
                let names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
                Err(invalid(format!(
                    "is a table with {names:?}; a table must be exactly one of \
                     {{ env = \"NAME\" }}, {{ file = \"PATH\" }} or {{ stdin = true }} \
                     (only SyncNotificationSettings takes a table of settings)"
                )))
            }
        }
    }
}

/// `{ env = … }`, `{ file = … }` or `{ stdin = true }`.
fn source_table(fields: Vec<(String, Value)>) -> Result<ValueSource, String> {
    let [(name, value)]: [(String, Value); 1] = fields.try_into().map_err(|_| {
        "names more than one source; use exactly one of env, file or stdin".to_owned()
    })?;
    match (name.as_str(), value) {
        ("env", Value::String(variable)) if !variable.is_empty() && !variable.contains('=') => {
            Ok(ValueSource::Env(variable))
        }
        ("env", _) => {
            Err("has `env`, which must be the name of an environment variable".to_owned())
        }
        ("file", Value::String(path)) if !path.is_empty() => {
            Ok(ValueSource::File(PathBuf::from(path)))
        }
        ("file", _) => Err("has `file`, which must be a path".to_owned()),
        ("stdin", Value::Bool(true)) => Ok(ValueSource::Stdin),
        _ => Err("has `stdin`, which must be `true` (remove it otherwise)".to_owned()),
    }
}

/// The field names of the typed `SyncNotificationSettings` table.
const NOTIFICATION_FIELDS: [&str; 4] = [
    "Enabled",
    "Recipients",
    "DeleteThresholdEnabled",
    "DeleteThresholdValue",
];

/// The typed `SyncNotificationSettings` table.
fn notification_table(fields: Vec<(String, Value)>) -> Result<SyncNotificationSettings, String> {
    let mut settings = SyncNotificationSettings::disabled();
    for (name, value) in fields {
        match (name.as_str(), value) {
            ("Enabled", Value::Bool(enabled)) => settings.enabled = enabled,
            ("DeleteThresholdEnabled", Value::Bool(enabled)) => {
                settings.delete_threshold_enabled = enabled;
            }
            ("Recipients", Value::String(recipients)) => settings.recipients = Some(recipients),
            ("Recipients", Value::Array(items)) => {
                let addresses: Option<Vec<String>> = items
                    .into_iter()
                    .map(|item| match item {
                        Value::String(address) => Some(address),
                        _ => None,
                    })
                    .collect();
                let addresses =
                    addresses.ok_or("has Recipients with an entry that is not a string")?;
                settings.recipients = Some(addresses.join(";"));
            }
            ("DeleteThresholdValue", Value::Number(number)) => {
                let threshold = number.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or(
                    "has DeleteThresholdValue, which must be a whole number from 0 to 4294967295",
                )?;
                settings.delete_threshold_value = Some(threshold);
            }
            ("Enabled" | "DeleteThresholdEnabled", _) => {
                return Err(format!("has {name}, which must be true or false"));
            }
            ("Recipients", _) => {
                return Err(
                    "has Recipients, which must be a string (addresses separated by `;`) or a \
                     list of strings"
                        .to_owned(),
                );
            }
            ("DeleteThresholdValue", _) => {
                return Err("has DeleteThresholdValue, which must be a number".to_owned());
            }
            (other, _) => {
                let hint = NOTIFICATION_FIELDS
                    .iter()
                    .find(|field| field.eq_ignore_ascii_case(other))
                    .map_or_else(
                        || format!("; the settings are {}", NOTIFICATION_FIELDS.join(", ")),
                        |field| format!("; did you mean `{field}`?"),
                    );
                return Err(format!("has an unknown setting `{other}`{hint}"));
            }
        }
    }
    settings.check()?;
    Ok(settings)
}

/// The 1-based line and column of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |last| last.chars().count() + 1);
    (line, column)
}

/// serde_json's message without its " at line L column C" suffix (reported separately).
fn json_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(index) => text[..index].to_owned(),
        None => text,
    }
}

/// The file as read: keys in document order with their raw values.
struct RawFile(Vec<(String, RawValue)>);

/// A table of secrets inside another document, read with the secrets file's rules by
/// [`SecretsFile::from_table`]. Its values stay in [`SecretString`]s.
pub(crate) struct SecretsTable(RawFile);

impl fmt::Debug for SecretsTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.0.iter().map(|(key, _)| key))
            .finish()
    }
}

impl<'de> Deserialize<'de> for SecretsTable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawFile::deserialize(deserializer).map(Self)
    }
}

/// A value as read, before its key decides what it means. Strings go straight into a
/// [`SecretString`]; other scalars are kept only as a description.
enum RawValue {
    Str(SecretString),
    Bool(bool),
    Table(Vec<(String, Value)>),
    Other(&'static str),
}

/// TOML presents a date-time as a table with this one key.
const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for RawFile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FileVisitor;
        impl<'de> Visitor<'de> for FileVisitor {
            type Value = RawFile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table (object) that maps secret keys to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFile, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<RawValue>()?;
                    entries.push((key, value));
                }
                Ok(RawFile(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<RawFile, A::Error> {
                Err(not_a_table("an array"))
            }
            // Every other shape is refused without quoting it: serde's default message would
            // repeat a bare string, which may well be the secret itself.
            fn visit_str<E: de::Error>(self, _: &str) -> Result<RawFile, E> {
                Err(not_a_table("a string"))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawFile, E> {
                Err(not_a_table("a boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawFile, E> {
                Err(not_a_table("a number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawFile, E> {
                Err(not_a_table("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawFile, E> {
                Err(not_a_table("a number"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawFile, E> {
                Err(not_a_table("null"))
            }
        }
        fn not_a_table<E: de::Error>(what: &str) -> E {
            E::custom(format!(
                "the file is {what}; it must map secret keys to values"
            ))
        }
        deserializer.deserialize_any(FileVisitor)
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = RawValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a boolean or a table")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<RawValue, E> {
                Ok(RawValue::Str(SecretString::from(value)))
            }
            fn visit_string<E: de::Error>(self, value: String) -> Result<RawValue, E> {
                Ok(RawValue::Str(SecretString::from(value)))
            }
            fn visit_bool<E: de::Error>(self, value: bool) -> Result<RawValue, E> {
                Ok(RawValue::Bool(value))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawValue, E> {
                Ok(RawValue::Other("a number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawValue, E> {
                Ok(RawValue::Other("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawValue, E> {
                Ok(RawValue::Other("a number"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawValue, E> {
                Ok(RawValue::Other("null"))
            }
            fn visit_none<E: de::Error>(self) -> Result<RawValue, E> {
                Ok(RawValue::Other("null"))
            }
            fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<RawValue, E> {
                Ok(RawValue::Other("bytes"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawValue::Other("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
                let mut fields = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    if name == TOML_DATETIME_KEY {
                        map.next_value::<IgnoredAny>()?;
                        return Ok(RawValue::Other("a date-time"));
                    }
                    fields.push((name, map.next_value::<Value>()?));
                }
                Ok(RawValue::Table(fields))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}
