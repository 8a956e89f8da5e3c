//! The secrets file of `graph-sync secrets set --from FILE`: parsing, then resolving each value
//! from where it lives.
//!
//! The file is a TOML table or a JSON object that maps secret keys to values, in the order
//! they are sent:
//!
//! ```toml
//! BaseAddress = "https://scim.example.com/scim/v2"   # a literal string
//! SyncAll = false                                     # a literal boolean
//! SecretToken = { env = "SCIM_TOKEN" }                # an environment variable
//! # SecretToken = { file = "scim-token.txt" }         # a file (relative to this file)
//! # SecretToken = { stdin = true }                    # standard input (one key at most)
//!
//! [SyncNotificationSettings]                          # a typed table
//! Enabled = true
//! Recipients = "ops@example.com"                      # or ["a@example.com", "b@example.com"]
//! DeleteThresholdEnabled = true
//! DeleteThresholdValue = 500
//! ```
//!
//! Rules:
//!
//! * Keys are the documented `synchronizationSecret` names, spelled exactly. A key that differs
//!   from a documented one only in case is always refused with the documented spelling; any
//!   other unknown key is refused with the closest documented name unless the caller allows
//!   unknown keys.
//! * A value read from a file or from standard input loses **one** trailing line ending (`\n`
//!   or `\r\n`), the one editors and `echo` add; anything else is kept byte for byte (so a value
//!   that must end with a newline needs two). It must be UTF-8. Environment variables are
//!   taken verbatim.
//! * A relative `file` path is resolved against the directory of the secrets file, so a
//!   manifest and the files it names move together.
//! * Errors name the key, the variable or the path, and never the value: parsing errors report
//!   a line and column instead of quoting the line.
//!
//! Parsing ([`SecretsFile::parse`]) reads nothing but the text; resolving
//! ([`SecretsFile::resolve`]) reads environment variables, files and standard input through
//! [`Sources`], so both are tested without touching the process's environment.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use graph_sync_api::model::{
    SecretKey, SecretString, Secrets, SecretsError, SyncNotificationSettings,
};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use zeroize::Zeroizing;

/// The syntax of a secrets file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FileFormat {
    /// TOML (`.toml`).
    Toml,
    /// JSON (`.json`).
    Json,
}

impl FileFormat {
    /// The format named by a path's extension, if it names one.
    pub(crate) fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "toml" => Some(Self::Toml),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Toml => "TOML",
            Self::Json => "JSON",
        })
    }
}

/// What is wrong with a secrets file or one of its values. Never contains a secret value.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FileError {
    /// The text is not valid TOML or JSON, or not a table of keys.
    #[error("not valid {format} at line {line}, column {column}: {message}")]
    Syntax {
        /// The format that was expected.
        format: FileFormat,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser says (never quoting the input).
        message: String,
    },
    /// The file maps no key.
    #[error("the file maps no secret key; a PUT needs at least one")]
    Empty,
    /// A key is not a documented key.
    #[error("unknown secret key `{key}`{}", suggestion_text(.suggestion.as_ref(), *.case_only))]
    UnknownKey {
        /// The key as written.
        key: String,
        /// The documented key it was probably meant to be.
        suggestion: Option<SecretKey>,
        /// Whether it differs from the suggestion only in case (then it is never allowed).
        case_only: bool,
    },
    /// A key appears twice.
    #[error("secret key `{0}` appears more than once")]
    DuplicateKey(String),
    /// A value has a shape the file format does not allow.
    #[error("the value of `{key}` {reason}")]
    InvalidEntry {
        /// The key.
        key: String,
        /// What is wrong, without quoting the value.
        reason: String,
    },
    /// Two keys ask for standard input.
    #[error(
        "`{first}` and `{second}` both read standard input; at most one key can \
         (use {{ env = \"NAME\" }} or {{ file = \"PATH\" }} for the others)"
    )]
    TwoStdin {
        /// The first key reading stdin.
        first: String,
        /// The second.
        second: String,
    },
    /// An environment variable named by `{ env = … }` is not set (or not Unicode).
    #[error("the value of `{key}` comes from environment variable {variable}, which {problem}")]
    Env {
        /// The key.
        key: String,
        /// The variable.
        variable: String,
        /// "is not set" or "is not valid Unicode".
        problem: &'static str,
    },
    /// A file named by `{ file = … }` cannot be read or is not UTF-8.
    #[error("the value of `{key}` comes from {}, which cannot be read: {problem}", path.display())]
    ValueFile {
        /// The key.
        key: String,
        /// The path, as resolved.
        path: PathBuf,
        /// Why.
        problem: String,
    },
    /// Standard input cannot be read, is a terminal, or is not UTF-8.
    #[error("the value of `{key}` comes from standard input, which {problem}")]
    Stdin {
        /// The key.
        key: String,
        /// Why.
        problem: String,
    },
    /// The model refused a value (wrong kind, masked `*`, a line break in a token…).
    #[error(transparent)]
    Value(#[from] SecretsError),
}

fn suggestion_text(suggestion: Option<&SecretKey>, case_only: bool) -> String {
    match (suggestion, case_only) {
        (Some(key), true) => {
            format!(": keys are case-sensitive and the documented spelling is `{key}`")
        }
        (Some(key), false) => format!(
            ": did you mean `{key}`? (pass --allow-unknown-keys to send an undocumented key)"
        ),
        (None, _) => ": not one of the 45 documented keys (pass --allow-unknown-keys to send \
                       an undocumented key)"
            .to_owned(),
    }
}

/// Where one value comes from.
#[derive(Debug)]
pub(crate) enum ValueSource {
    /// A string written in the file.
    Literal(SecretString),
    /// A boolean written in the file.
    Bool(bool),
    /// `{ env = "NAME" }`.
    Env(String),
    /// `{ file = "PATH" }`, as written.
    File(PathBuf),
    /// `{ stdin = true }`.
    Stdin,
    /// The typed `SyncNotificationSettings` table.
    Notification(SyncNotificationSettings),
}

/// One key and where its value comes from.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The key.
    pub(crate) key: SecretKey,
    /// Where the value comes from.
    pub(crate) source: ValueSource,
}

/// A parsed secrets file: keys in file order, values not yet read.
#[derive(Debug)]
pub(crate) struct SecretsFile {
    entries: Vec<Entry>,
}

/// What parsing accepts beyond the documented keys.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ParseOptions {
    /// Accept keys that are not documented (a key Graph added later).
    pub(crate) allow_unknown_keys: bool,
}

/// Where [`SecretsFile::resolve`] reads values from.
pub(crate) struct Sources<'a> {
    /// Looks up an environment variable.
    pub(crate) env: &'a dyn Fn(&str) -> Option<OsString>,
    /// Reads all of standard input (called at most once).
    pub(crate) stdin: &'a mut dyn FnMut() -> io::Result<Vec<u8>>,
    /// The directory relative `file` paths are resolved against.
    pub(crate) base_dir: PathBuf,
}

impl fmt::Debug for Sources<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sources")
            .field("base_dir", &self.base_dir)
            .finish_non_exhaustive()
    }
}

/// The secrets a file resolved to, and warnings to show (files readable by others).
#[derive(Debug)]
pub(crate) struct Resolved {
    /// The secrets, in file order, each checked by the model.
    pub(crate) secrets: Secrets,
    /// Warnings for stderr.
    pub(crate) warnings: Vec<String>,
}

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
    #[cfg(test)]
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Reads every value and builds the secrets, each checked by the model.
    ///
    /// # Errors
    ///
    /// [`FileError`] naming the key for an unset variable, an unreadable or non-UTF-8 file or
    /// standard input, or a value the key cannot hold.
    pub(crate) fn resolve(self, sources: &mut Sources<'_>) -> Result<Resolved, FileError> {
        let mut secrets = Secrets::new();
        let mut warnings = Vec::new();
        for Entry { key, source } in self.entries {
            let name = key.as_str().to_owned();
            match source {
                ValueSource::Literal(value) => secrets.insert(key, value)?,
                ValueSource::Bool(value) => secrets.insert(key, value)?,
                ValueSource::Notification(settings) => secrets.insert(key, settings)?,
                ValueSource::Env(variable) => {
                    let value = (sources.env)(&variable).ok_or_else(|| FileError::Env {
                        key: name.clone(),
                        variable: variable.clone(),
                        problem: "is not set",
                    })?;
                    let value = value.into_string().map_err(|_| FileError::Env {
                        key: name.clone(),
                        variable,
                        problem: "is not valid Unicode",
                    })?;
                    secrets.insert(key, SecretString::from(value))?;
                }
                ValueSource::File(path) => {
                    let path = sources.base_dir.join(path);
                    if let Some(warning) = permission_warning(&path) {
                        warnings.push(warning);
                    }
                    let bytes =
                        Zeroizing::new(std::fs::read(&path).map_err(|e| FileError::ValueFile {
                            key: name.clone(),
                            path: path.clone(),
                            problem: e.kind().to_string(),
                        })?);
                    let value = text_value(&bytes).ok_or_else(|| FileError::ValueFile {
                        key: name.clone(),
                        path,
                        problem: "it is not UTF-8 text".to_owned(),
                    })?;
                    secrets.insert(key, value)?;
                }
                ValueSource::Stdin => {
                    let bytes =
                        Zeroizing::new((sources.stdin)().map_err(|e| FileError::Stdin {
                            key: name.clone(),
                            problem: e.to_string(),
                        })?);
                    let value = text_value(&bytes).ok_or_else(|| FileError::Stdin {
                        key: name.clone(),
                        problem: "is not UTF-8 text".to_owned(),
                    })?;
                    secrets.insert(key, value)?;
                }
            }
        }
        Ok(Resolved { secrets, warnings })
    }
}

/// The text of a value file or standard input: UTF-8, one trailing `\n` or `\r\n` removed.
fn text_value(bytes: &[u8]) -> Option<SecretString> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    Some(SecretString::from(text))
}

/// A warning when `path` is readable or writable by its group or others (unix mode & 0o077).
pub(crate) fn permission_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "warning: {} holds secrets but is accessible to other users (mode {mode:03o}); \
                 restrict it with: chmod 600 {}",
                path.display(),
                path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The key a name in the file stands for.
fn parse_key(name: &str, options: ParseOptions) -> Result<SecretKey, FileError> {
    let key = SecretKey::parse(name)?;
    if !matches!(key, SecretKey::Other(_)) {
        return Ok(key);
    }
    if let Some(documented) = key.documented_spelling() {
        return Err(FileError::UnknownKey {
            key: name.to_owned(),
            suggestion: Some(documented),
            case_only: true,
        });
    }
    if options.allow_unknown_keys {
        return Ok(key);
    }
    Err(FileError::UnknownKey {
        key: name.to_owned(),
        suggestion: closest_key(name),
        case_only: false,
    })
}

/// Parses a key given on the command line (`secrets clear KEY…`) with the file's rules.
///
/// # Errors
///
/// As for a key in the file.
pub(crate) fn parse_key_argument(
    name: &str,
    options: ParseOptions,
) -> Result<SecretKey, FileError> {
    parse_key(name, options)
}

/// The documented key closest to `name` (edit distance at most 3, ASCII case ignored).
fn closest_key(name: &str) -> Option<SecretKey> {
    let name = name.to_ascii_lowercase();
    SecretKey::ALL
        .iter()
        .map(|key| {
            (
                edit_distance(&name, &key.as_str().to_ascii_lowercase()),
                key,
            )
        })
        .filter(|(distance, _)| *distance <= 3)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, key)| key.clone())
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
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
                Err(de::Error::custom(
                    "the file is an array; it must map secret keys to values",
                ))
            }
        }
        deserializer.deserialize_map(FileVisitor)
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

#[cfg(test)]
mod tests {
    use graph_sync_api::model::ExposeSecret;

    use super::*;

    fn parse(text: &str, format: FileFormat) -> Result<SecretsFile, FileError> {
        SecretsFile::parse(text, format, ParseOptions::default())
    }

    fn resolve_with(
        file: SecretsFile,
        env: &[(&str, &str)],
        stdin: &[u8],
        base_dir: &Path,
    ) -> Result<Resolved, FileError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let lookup = move |name: &str| {
            env.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        };
        let stdin = stdin.to_vec();
        let mut read_stdin = move || Ok(stdin.clone());
        file.resolve(&mut Sources {
            env: &lookup,
            stdin: &mut read_stdin,
            base_dir: base_dir.to_path_buf(),
        })
    }

    fn values(secrets: &Secrets) -> Vec<(String, String)> {
        secrets
            .iter()
            .map(|pair| {
                (
                    pair.key().as_str().to_owned(),
                    pair.value().expose_secret().to_owned(),
                )
            })
            .collect()
    }

    const TOML: &str = r#"
BaseAddress = "https://scim.example.com/scim/v2"
SecretToken = { env = "SCIM_TOKEN" }
SyncAll = false
Password = { stdin = true }

[SyncNotificationSettings]
Enabled = true
Recipients = ["ops@example.com", "oncall@example.com"]
DeleteThresholdEnabled = true
DeleteThresholdValue = 500
"#;

    #[test]
    fn toml_keeps_document_order_and_resolves_every_source() {
        let file = parse(TOML, FileFormat::Toml).unwrap();
        let keys: Vec<&str> = file.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "BaseAddress",
                "SecretToken",
                "SyncAll",
                "Password",
                "SyncNotificationSettings"
            ]
        );
        let resolved = resolve_with(
            file,
            &[("SCIM_TOKEN", "tok-1")],
            b"pass-word\n",
            Path::new("."),
        )
        .unwrap();
        let values = values(&resolved.secrets);
        assert_eq!(values[0].1, "https://scim.example.com/scim/v2");
        assert_eq!(values[1].1, "tok-1");
        assert_eq!(values[2].1, "false");
        assert_eq!(values[3].1, "pass-word", "one trailing newline is removed");
        let settings = SyncNotificationSettings::from_json(&values[4].1).unwrap();
        assert!(settings.enabled);
        assert_eq!(
            settings.recipients.as_deref(),
            Some("ops@example.com;oncall@example.com")
        );
        assert_eq!(settings.delete_threshold_value, Some(500));
    }

    #[test]
    fn json_reads_the_same_shapes() {
        let text = r#"{
            "SyncAll": true,
            "BaseAddress": "https://scim.example.com/scim",
            "SecretToken": {"file": "token.txt"},
            "SyncNotificationSettings": {"Enabled": false}
        }"#;
        let file = parse(text, FileFormat::Json).unwrap();
        let keys: Vec<&str> = file.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "SyncAll",
                "BaseAddress",
                "SecretToken",
                "SyncNotificationSettings"
            ]
        );
        assert!(
            matches!(&file.entries()[2].source, ValueSource::File(p) if p == Path::new("token.txt"))
        );
    }

    #[test]
    fn value_files_lose_one_trailing_line_ending_and_resolve_relative_to_the_file() {
        let dir = std::env::temp_dir().join(format!("gs-cli-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("crlf.txt"), "tok-crlf\r\n").unwrap();
        std::fs::write(dir.join("two.txt"), "line\n\n").unwrap();
        let file = parse(
            "SecretToken = { file = \"crlf.txt\" }\nSandbox = { file = \"two.txt\" }",
            FileFormat::Toml,
        )
        .unwrap();
        let resolved = resolve_with(file, &[], b"", &dir).unwrap();
        let values = values(&resolved.secrets);
        assert_eq!(values[0].1, "tok-crlf");
        assert_eq!(values[1].1, "line\n", "only one line ending is removed");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unknown_keys_are_refused_with_a_suggestion() {
        let error = parse("baseaddress = \"https://x.example\"", FileFormat::Toml).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("documented spelling is `BaseAddress`"),
            "{error}"
        );
        let error = parse("SecretTokn = \"x\"", FileFormat::Toml).unwrap_err();
        assert!(
            error.to_string().contains("did you mean `SecretToken`"),
            "{error}"
        );
        let error = parse("Zzzzzzzzzzzz = \"x\"", FileFormat::Toml).unwrap_err();
        assert!(
            error.to_string().contains("--allow-unknown-keys"),
            "{error}"
        );

        let allowed = SecretsFile::parse(
            "NewKeyFromGraph = \"x\"",
            FileFormat::Toml,
            ParseOptions {
                allow_unknown_keys: true,
            },
        )
        .unwrap();
        assert_eq!(allowed.entries()[0].key.as_str(), "NewKeyFromGraph");
        // A miscapitalised documented key stays refused even then.
        assert!(
            SecretsFile::parse(
                "secrettoken = \"x\"",
                FileFormat::Toml,
                ParseOptions {
                    allow_unknown_keys: true
                }
            )
            .is_err()
        );
    }

    #[test]
    fn malformed_files_report_a_position_without_quoting_the_input() {
        let canary = "CANARY-s3cr3t-VALUE";
        let toml = format!("SecretToken = \"{canary}\nSyncAll = false\n");
        let error = parse(&toml, FileFormat::Toml).unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, FileError::Syntax { line: 1, .. }), "{text}");
        assert!(!text.contains(canary), "{text}");

        let json = format!("{{\"SecretToken\": \"{canary}\" \"SyncAll\": true}}");
        let error = parse(&json, FileFormat::Json).unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, FileError::Syntax { line: 1, .. }), "{text}");
        assert!(!text.contains(canary), "{text}");

        let error = parse(&format!("[\"{canary}\"]"), FileFormat::Json).unwrap_err();
        assert!(!error.to_string().contains(canary));
        assert!(matches!(parse("", FileFormat::Toml), Err(FileError::Empty)));
        assert!(matches!(
            parse("{}", FileFormat::Json),
            Err(FileError::Empty)
        ));
    }

    #[test]
    fn values_of_the_wrong_shape_are_refused() {
        for (text, expected) in [
            ("SecretToken = 42", "a number"),
            ("SecretToken = [\"a\"]", "an array"),
            ("SecretToken = 1979-05-27T07:32:00Z", "a date-time"),
            (
                "SecretToken = { env = \"A\", file = \"b\" }",
                "more than one source",
            ),
            ("SecretToken = { stdin = false }", "must be `true`"),
            (
                "SecretToken = { env = 3 }",
                "name of an environment variable",
            ),
            (
                "SecretToken = { nope = 1 }",
                "only SyncNotificationSettings",
            ),
            (
                "[SyncNotificationSettings]\nenabled = true",
                "did you mean `Enabled`",
            ),
            (
                "[SyncNotificationSettings]\nEnabled = \"yes\"",
                "true or false",
            ),
            (
                "[SyncNotificationSettings]\nEnabled = true",
                "no Recipients",
            ),
            (
                "[SyncNotificationSettings]\nDeleteThresholdValue = -1",
                "whole number",
            ),
        ] {
            let error = parse(text, FileFormat::Toml).unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
        let error = parse(r#"{"SyncAll": null}"#, FileFormat::Json).unwrap_err();
        assert!(error.to_string().contains("null"), "{error}");
        let error = parse(r#"{"SyncAll": true, "SyncAll": false}"#, FileFormat::Json).unwrap_err();
        assert!(matches!(error, FileError::DuplicateKey(_)), "{error}");
    }

    #[test]
    fn at_most_one_key_reads_stdin() {
        let error = parse(
            "SecretToken = { stdin = true }\nPassword = { stdin = true }",
            FileFormat::Toml,
        )
        .unwrap_err();
        assert!(matches!(error, FileError::TwoStdin { .. }), "{error}");
    }

    #[test]
    fn resolving_names_the_missing_source_and_never_the_value() {
        let file = parse(
            "SecretToken = { env = \"NOT_SET_ANYWHERE\" }",
            FileFormat::Toml,
        )
        .unwrap();
        let error = resolve_with(file, &[], b"", Path::new(".")).unwrap_err();
        assert!(error.to_string().contains("NOT_SET_ANYWHERE"), "{error}");
        assert!(error.to_string().contains("is not set"), "{error}");

        let file = parse("SecretToken = { stdin = true }", FileFormat::Toml).unwrap();
        let error = resolve_with(file, &[], &[0xff, 0xfe], Path::new(".")).unwrap_err();
        assert!(matches!(error, FileError::Stdin { .. }), "{error}");

        let file = parse("SecretToken = { file = \"missing.txt\" }", FileFormat::Toml).unwrap();
        let error = resolve_with(file, &[], b"", Path::new("/nonexistent-dir")).unwrap_err();
        assert!(error.to_string().contains("missing.txt"), "{error}");

        // The model's check runs on resolved values: a token with a line break inside.
        let canary = "CANARY-line1\nline2";
        let file = parse("SecretToken = { env = \"T\" }", FileFormat::Toml).unwrap();
        let error = resolve_with(file, &[("T", canary)], b"", Path::new(".")).unwrap_err();
        assert!(error.to_string().contains("single line"), "{error}");
        assert!(!error.to_string().contains("CANARY"), "{error}");
        let file = parse("BaseAddress = \"*\"", FileFormat::Toml).unwrap();
        assert!(matches!(
            resolve_with(file, &[], b"", Path::new(".")),
            Err(FileError::Value(SecretsError::Masked { .. }))
        ));
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(
            FileFormat::from_path(Path::new("a.toml")),
            Some(FileFormat::Toml)
        );
        assert_eq!(
            FileFormat::from_path(Path::new("a.JSON")),
            Some(FileFormat::Json)
        );
        assert_eq!(FileFormat::from_path(Path::new("a.txt")), None);
        assert_eq!(FileFormat::from_path(Path::new("secrets")), None);
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
