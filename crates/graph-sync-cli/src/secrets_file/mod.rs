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
//! By concern: [`parse`] reads nothing but the text ([`SecretsFile::parse`]); [`keys`] judges
//! key names; [`resolve`] reads environment variables, files and standard input through
//! [`Sources`] ([`SecretsFile::resolve`]), so both are tested without touching the process's
//! environment; [`load`] is what commands call: read a file from disk, parse, resolve, print
//! warnings.

mod keys;
mod load;
mod parse;
mod resolve;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use graph_sync_api::model::{SecretKey, SecretString, SecretsError, SyncNotificationSettings};

pub(crate) use keys::{parse_key_argument, parse_key_position};
pub(crate) use load::{
    advice, advise, load_secrets, read_secrets_file, resolve_secrets, warn_or_refuse,
};
pub(crate) use parse::{SecretsTable, line_column};
pub(crate) use resolve::{Sources, permission_warning};

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
    #[error("unknown secret key `{key}`{}", keys::suggestion_text(.suggestion.as_ref(), *.case_only))]
    UnknownKey {
        /// The key as written.
        key: String,
        /// The documented key it was probably meant to be.
        suggestion: Option<SecretKey>,
        /// Whether it differs from the suggestion only in case (then it is never allowed).
        case_only: bool,
    },
    /// A key argument on the command line is not a documented key; it is not repeated, since
    /// it may be a value typed after its key by mistake.
    #[error(
        "argument {position} is not a documented secret key (not repeated here: it may be a \
         value){}",
        keys::suggestion_text(.suggestion.as_ref(), *.case_only)
    )]
    UnknownArgument {
        /// 1-based position among the key arguments.
        position: usize,
        /// The documented key it was probably meant to be.
        suggestion: Option<SecretKey>,
        /// Whether it differs from the suggestion only in case.
        case_only: bool,
    },
    /// A key argument on the command line carries a value (`NAME=VALUE`).
    #[error(
        "argument {position} looks like NAME=VALUE: secret values are never accepted as \
         command-line arguments; save values with `secrets set --from FILE`"
    )]
    ValueArgument {
        /// 1-based position among the key arguments.
        position: usize,
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
    /// A value resolved to the empty string. Saving it would clear the key on the service, which
    /// only `secrets clear` does; the message names the key and where the value came from.
    #[error(
        "the value of `{key}` from {from} is empty; an empty value would clear the key on the \
         service (use `graph-sync secrets clear` for that). Nothing was sent"
    )]
    EmptyValue {
        /// The key.
        key: String,
        /// Where the value came from ("environment variable SCIM_TOKEN", "standard input", …).
        from: String,
    },
    /// The model refused a value (wrong kind, masked `*`, a line break in a token…).
    #[error(transparent)]
    Value(#[from] SecretsError),
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
