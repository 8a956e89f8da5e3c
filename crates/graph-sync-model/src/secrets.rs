//! Synchronization secrets: the keys, the values, and the collection sent to
//! `PUT /servicePrincipals/{id}/synchronization/secrets`.
//!
//! ```
//! use graph_sync_model::{BaseAddress, SecretKey, SecretString, Secrets, SyncNotificationSettings};
//!
//! # fn main() -> Result<(), graph_sync_model::SecretsError> {
//! let secrets = Secrets::new()
//!     .with(SecretKey::BaseAddress, BaseAddress::parse("https://scim.example.com/scim/v2")?)?
//!     .with(SecretKey::SecretToken, SecretString::from("token from a vault"))?
//!     .with(SecretKey::SyncNotificationSettings, SyncNotificationSettings::disabled())?
//!     .with(SecretKey::SyncAll, false)?;
//! assert_eq!(secrets.len(), 4);
//! // Debug never shows a value.
//! assert!(!format!("{secrets:?}").contains("token from a vault"));
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::property::Property;

/// What Graph returns in place of a secret value when secrets are read back.
pub const MASKED_VALUE: &str = "*";

/// Rejects every non-container input with `message`, so that serde's default "invalid type:
/// string \"…\"" (which quotes the input) never describes a secret.
macro_rules! refuse_scalars {
    ($message:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(E::custom(concat!($message, ", found a boolean")))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(E::custom(concat!($message, ", found a number")))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(E::custom(concat!($message, ", found a number")))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(E::custom(concat!($message, ", found a number")))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Err(E::custom(concat!($message, ", found a string")))
        }
        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
            Err(E::custom(concat!($message, ", found bytes")))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Err(E::custom(concat!($message, ", found null")))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Err(E::custom(concat!($message, ", found null")))
        }
    };
}

/// Why a secret key, value or collection was rejected. Never contains a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// A PUT needs at least one secret.
    #[error("no secrets given: a PUT of secrets needs at least one key")]
    Empty,
    /// The same key appears twice.
    #[error("secret key `{key}` appears more than once")]
    DuplicateKey {
        /// The repeated key.
        key: SecretKey,
    },
    /// The value is the mask (`*`) that Graph returns when secrets are read back.
    #[error(
        "secret `{key}` holds the masked value \"*\" that Graph returns when secrets are read; \
         sending it would overwrite the real secret with \"*\""
    )]
    Masked {
        /// The key whose value is masked.
        key: SecretKey,
    },
    /// The value cannot be held by this key.
    #[error("secret `{key}` {reason}")]
    InvalidValue {
        /// The key whose value was rejected.
        key: SecretKey,
        /// What is wrong, in words that never quote the value.
        reason: String,
    },
    /// The key's value is a JSON document, which Graph cannot clear with an empty string.
    #[error(
        "secret `{key}` holds a JSON document and cannot be cleared with an empty value \
         (Graph rejects it); send a valid document instead, e.g. notifications disabled"
    )]
    CannotClear {
        /// The key that cannot be cleared.
        key: SecretKey,
    },
    /// The key name is not usable.
    #[error("secret key {key:?} {reason}")]
    InvalidKey {
        /// The rejected key name.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// What kind of text a secret key holds; decides how a value is checked before it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretValueKind {
    /// Free text: any characters but control characters other than tab and line breaks.
    Text,
    /// A credential or name on one line (tokens, passwords, client ids): no control
    /// characters at all, which catches the trailing newline of a token read from a file.
    SingleLine,
    /// `"true"` or `"false"` (ASCII case ignored).
    Boolean,
    /// A URL (single-line text). Whether it is an absolute `http`/`https` URL is advice
    /// ([`SecretKey::advise_value`]), not a refusal: the documentation does not fix it.
    Url,
    /// A JSON object encoded in the string. It cannot be cleared with an empty value.
    Json,
}

macro_rules! secret_keys {
    ($($(#[$doc:meta])* $variant:ident = $kind:ident,)*) => {
        /// A `synchronizationSecret` key: the 45 documented members, plus [`SecretKey::Other`]
        /// for a key Graph adds later, which is kept and sent back exactly as received.
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum SecretKey {
            $($(#[$doc])* $variant,)*
            /// A key that is not one of the documented members, kept verbatim.
            Other(UnknownSecretKey),
        }

        impl SecretKey {
            /// Every documented key, in the order of the Graph metadata.
            pub const ALL: &'static [SecretKey] = &[$(SecretKey::$variant,)*];

            /// The key's name on the wire.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => stringify!($variant),)*
                    Self::Other(other) => other.as_str(),
                }
            }

            /// What kind of value the key holds.
            #[must_use]
            pub fn kind(&self) -> SecretValueKind {
                match self {
                    $(Self::$variant => SecretValueKind::$kind,)*
                    Self::Other(_) => SecretValueKind::Text,
                }
            }

            fn known(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($variant) => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

secret_keys! {
    /// `None` (0): a placeholder member; not used for real secrets.
    None = Text,
    /// `UserName` (1): user name for the target system.
    UserName = SingleLine,
    /// `Password` (2): password for the target system.
    Password = SingleLine,
    /// `SecretToken` (3): the bearer token the service sends to the app (SCIM "Secret Token").
    SecretToken = SingleLine,
    /// `AppKey` (4): an application key.
    AppKey = SingleLine,
    /// `BaseAddress` (5): the tenant URL, e.g. the SCIM endpoint.
    BaseAddress = Url,
    /// `ClientIdentifier` (6): a client identifier.
    ClientIdentifier = SingleLine,
    /// `ClientSecret` (7): a client secret.
    ClientSecret = SingleLine,
    /// `SingleSignOnType` (11): the single sign-on type.
    SingleSignOnType = Text,
    /// `Sandbox` (12): whether the target is a sandbox.
    Sandbox = Text,
    /// `Url` (13): a URL of the target system.
    Url = Url,
    /// `Domain` (14): a domain of the target system.
    Domain = SingleLine,
    /// `ConsumerKey` (15): an OAuth 1 consumer key.
    ConsumerKey = SingleLine,
    /// `ConsumerSecret` (16): an OAuth 1 consumer secret.
    ConsumerSecret = SingleLine,
    /// `TokenKey` (17): a token key.
    TokenKey = SingleLine,
    /// `TokenExpiration` (18): when a token expires.
    TokenExpiration = Text,
    /// `Oauth2AccessToken` (19): an OAuth 2 access token.
    Oauth2AccessToken = SingleLine,
    /// `Oauth2AccessTokenCreationTime` (20): when the OAuth 2 access token was issued.
    Oauth2AccessTokenCreationTime = Text,
    /// `Oauth2RefreshToken` (21): an OAuth 2 refresh token.
    Oauth2RefreshToken = SingleLine,
    /// `SyncAll` (22): scope: `true` syncs all users and groups, `false` only assigned ones.
    SyncAll = Boolean,
    /// `InstanceName` (24): the name of the target instance.
    InstanceName = SingleLine,
    /// `Oauth2ClientId` (27): an OAuth 2 client id.
    Oauth2ClientId = SingleLine,
    /// `Oauth2ClientSecret` (28): an OAuth 2 client secret.
    Oauth2ClientSecret = SingleLine,
    /// `CompanyId` (29): a company id in the target system.
    CompanyId = SingleLine,
    /// `UpdateKeyOnSoftDelete` (30): whether the key is updated on soft delete.
    UpdateKeyOnSoftDelete = Boolean,
    /// `SynchronizationSchedule` (33): a schedule setting.
    SynchronizationSchedule = Text,
    /// `SystemOfRecord` (34): the system of record.
    SystemOfRecord = Text,
    /// `SandboxName` (35): the name of a sandbox.
    SandboxName = SingleLine,
    /// `EnforceDomain` (36): whether the domain is enforced.
    EnforceDomain = Boolean,
    /// `SyncNotificationSettings` (37): quarantine e-mail settings, a JSON document.
    SyncNotificationSettings = Json,
    /// `SkipOutOfScopeDeletions` (40): whether accounts going out of scope are left alone
    /// instead of disabled.
    SkipOutOfScopeDeletions = Boolean,
    /// `Oauth2AuthorizationCode` (62): an OAuth 2 authorization code.
    Oauth2AuthorizationCode = SingleLine,
    /// `Oauth2RedirectUri` (63): an OAuth 2 redirect URI.
    Oauth2RedirectUri = Url,
    /// `ApplicationTemplateIdentifier` (64): the application template id.
    ApplicationTemplateIdentifier = SingleLine,
    /// `Oauth2TokenExchangeUri` (65): the OAuth 2 token endpoint.
    Oauth2TokenExchangeUri = Url,
    /// `Oauth2AuthorizationUri` (66): the OAuth 2 authorization endpoint.
    Oauth2AuthorizationUri = Url,
    /// `AuthenticationType` (67): the authentication type.
    AuthenticationType = Text,
    /// `Server` (70): a server name.
    Server = SingleLine,
    /// `PerformInboundEntitlementGrants` (100): whether inbound entitlement grants are made.
    PerformInboundEntitlementGrants = Boolean,
    /// `HardDeletesEnabled` (101): whether hard deletes are enabled.
    HardDeletesEnabled = Boolean,
    /// `SyncAgentCompatibilityKey` (102): a sync agent compatibility key.
    SyncAgentCompatibilityKey = Text,
    /// `SyncAgentADContainer` (103): an Active Directory container of a sync agent.
    SyncAgentADContainer = Text,
    /// `ValidateDomain` (206): whether the domain is validated.
    ValidateDomain = Boolean,
    /// `TestReferences` (207): test references.
    TestReferences = Text,
    /// `ConnectionString` (250): a connection string.
    ConnectionString = Text,
}

/// The name of a secret key that is not one of the documented members.
///
/// It can only be made by parsing a [`SecretKey`], which maps every documented name to its
/// own variant, so two spellings of one key never compare unequal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnknownSecretKey(String);

impl UnknownSecretKey {
    /// The key's name on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl SecretKey {
    /// Parses a key name: a documented name gives its variant (exact spelling), any other
    /// printable name gives [`SecretKey::Other`].
    ///
    /// # Errors
    ///
    /// [`SecretsError::InvalidKey`] for an empty name or one with whitespace or control
    /// characters.
    pub fn parse(name: &str) -> Result<Self, SecretsError> {
        if let Some(key) = Self::known(name) {
            return Ok(key);
        }
        if name.is_empty() {
            return Err(SecretsError::InvalidKey {
                key: String::new(),
                reason: "is empty".to_owned(),
            });
        }
        if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(SecretsError::InvalidKey {
                key: name.to_owned(),
                reason: "contains whitespace or a control character".to_owned(),
            });
        }
        Ok(Self::Other(UnknownSecretKey(name.to_owned())))
    }

    /// For a key that is not documented, the documented key it matches when ASCII case is
    /// ignored, e.g. `BaseAddress` for `baseaddress`.
    #[must_use]
    pub fn documented_spelling(&self) -> Option<Self> {
        match self {
            Self::Other(other) => Self::ALL
                .iter()
                .find(|known| known.as_str().eq_ignore_ascii_case(other.as_str()))
                .cloned(),
            _ => None,
        }
    }

    /// Checks that `value` can be sent for this key. Never quotes the value in its error.
    ///
    /// An empty value clears the key, which Graph accepts for every kind but
    /// [`SecretValueKind::Json`].
    ///
    /// # Errors
    ///
    /// [`SecretsError::Masked`] for `*`, [`SecretsError::CannotClear`] for an empty JSON
    /// value, [`SecretsError::InvalidValue`] when the value breaks the key's rule.
    pub fn validate_value(&self, value: &SecretString) -> Result<(), SecretsError> {
        let text = value.expose_secret();
        if text == MASKED_VALUE {
            return Err(SecretsError::Masked { key: self.clone() });
        }
        if text.is_empty() {
            return if self.kind() == SecretValueKind::Json {
                Err(SecretsError::CannotClear { key: self.clone() })
            } else {
                Ok(())
            };
        }
        let invalid = |reason: String| SecretsError::InvalidValue {
            key: self.clone(),
            reason,
        };
        match self.kind() {
            SecretValueKind::Text => match find_control(text, true) {
                Some(position) => Err(invalid(format!(
                    "contains a control character at position {position}"
                ))),
                None => Ok(()),
            },
            // The documentation does not fix the format of a URL-valued key (its own example
            // sends `BaseAddress` = `user@domain.com`): whether it is a URL is advice, see
            // `advise_value`; a URL is on one line all the same.
            SecretValueKind::SingleLine | SecretValueKind::Url => match find_control(text, false) {
                Some(position) => Err(invalid(format!(
                    "must be a single line but contains a line break or control character at \
                     position {position} (a trailing newline from a file?)"
                ))),
                None => Ok(()),
            },
            SecretValueKind::Boolean => {
                if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") {
                    Ok(())
                } else {
                    Err(invalid("must be \"true\" or \"false\"".to_owned()))
                }
            }
            SecretValueKind::Json => {
                if *self == Self::SyncNotificationSettings {
                    // The document's shape is the documented format; what its values mean
                    // (recipients, thresholds) is advice, see `advise_value`.
                    SyncNotificationSettings::from_json(text)
                        .map(|_| ())
                        .map_err(invalid)
                } else {
                    match serde_json::from_str::<Value>(text) {
                        Ok(Value::Object(_)) => Ok(()),
                        Ok(_) => Err(invalid("must be a JSON object".to_owned())),
                        Err(e) => Err(invalid(json_reason(&e))),
                    }
                }
            }
        }
    }
}

impl SecretKey {
    /// Advice about `value` where the format is our inference, not the documentation's: a
    /// URL-valued key whose value is not an absolute `http`/`https` URL, notification settings
    /// that cannot work (e-mails on without recipients, a recipient without `@`, a threshold
    /// on without a value). `None` when there is nothing to say, or when the value is empty
    /// (a clear) or masked. Never quotes the value.
    #[must_use]
    pub fn advise_value(&self, value: &SecretString) -> Option<String> {
        let text = value.expose_secret();
        if text.is_empty() || text == MASKED_VALUE {
            return None;
        }
        match self.kind() {
            SecretValueKind::Url => check_url(text).err(),
            SecretValueKind::Json if *self == Self::SyncNotificationSettings => {
                SyncNotificationSettings::from_json(text)
                    .ok()
                    .and_then(|settings| settings.check().err())
            }
            _ => None,
        }
    }
}

/// How much a [`Finding`] weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// Advice: the value breaks a rule we infer (a URL that is not one); the documentation
    /// does not fix the format, so the request may still be right. A strict caller refuses.
    Warning,
    /// The request cannot be right (a masked value, a duplicate key, a boolean that is not
    /// `true`/`false`, a JSON-valued key that is not JSON, a line break in a single-line value):
    /// it is refused.
    Refusal,
}

/// One thing [`Secrets::validate`] found. Names the key and the rule, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    severity: Severity,
    key: Option<SecretKey>,
    message: String,
}

impl Finding {
    fn refusal(error: &SecretsError) -> Self {
        let key = match error {
            SecretsError::DuplicateKey { key }
            | SecretsError::Masked { key }
            | SecretsError::InvalidValue { key, .. }
            | SecretsError::CannotClear { key } => Some(key.clone()),
            SecretsError::Empty | SecretsError::InvalidKey { .. } => None,
        };
        Self {
            severity: Severity::Refusal,
            key,
            message: error.to_string(),
        }
    }

    /// How much it weighs.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The key it is about, when it is about one key.
    #[must_use]
    pub fn key(&self) -> Option<&SecretKey> {
        self.key.as_ref()
    }

    /// What is wrong, in words that never quote a value.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The character position of the first control character, allowing tab and line breaks
/// when `allow_line_breaks` is set.
fn find_control(text: &str, allow_line_breaks: bool) -> Option<usize> {
    text.chars()
        .position(|c| c.is_control() && !(allow_line_breaks && matches!(c, '\t' | '\r' | '\n')))
}

/// Describes a JSON syntax or type error by category and position, without quoting input.
fn json_reason(error: &serde_json::Error) -> String {
    let category = match error.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "JSON of the wrong shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!(
        "must be a JSON object but is {category} (line {}, column {})",
        error.line(),
        error.column()
    )
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Other(other) => write!(f, "Other({:?})", other.as_str()),
            known => f.write_str(known.as_str()),
        }
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SecretKey {
    type Err = SecretsError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::parse(name)
    }
}

impl Serialize for SecretKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SecretKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::parse(&name).map_err(de::Error::custom)
    }
}

/// Turns a typed value into the string Graph stores for a secret key.
///
/// Implemented for secret strings, plain strings (for values that are not sensitive),
/// `bool` (`"true"`/`"false"`), [`BaseAddress`] and [`SyncNotificationSettings`].
pub trait IntoSecretValue {
    /// The value as a secret string.
    fn into_secret_value(self) -> SecretString;
}

impl IntoSecretValue for SecretString {
    fn into_secret_value(self) -> SecretString {
        self
    }
}

impl IntoSecretValue for &SecretString {
    fn into_secret_value(self) -> SecretString {
        self.clone()
    }
}

impl IntoSecretValue for String {
    fn into_secret_value(self) -> SecretString {
        SecretString::from(self)
    }
}

impl IntoSecretValue for &str {
    fn into_secret_value(self) -> SecretString {
        SecretString::from(self)
    }
}

impl IntoSecretValue for bool {
    fn into_secret_value(self) -> SecretString {
        SecretString::from(if self { "true" } else { "false" })
    }
}

/// One secret: a key and its value. `Debug` shows the key only.
#[derive(Clone)]
pub struct SecretKeyValue {
    key: SecretKey,
    value: SecretString,
    /// Whether [`SecretKey::validate_value`] already accepted this value (on insertion), so
    /// that a PUT does not judge it again. Pairs read from JSON start unchecked.
    checked: bool,
}

impl SecretKeyValue {
    /// Pairs a key with a value, unchecked; [`Secrets::insert`] checks it.
    pub fn new(key: SecretKey, value: impl IntoSecretValue) -> Self {
        Self {
            key,
            value: value.into_secret_value(),
            checked: false,
        }
    }

    /// The key.
    #[must_use]
    pub fn key(&self) -> &SecretKey {
        &self.key
    }

    /// The value.
    ///
    /// # Security Warning
    ///
    /// Read it with [`ExposeSecret::expose_secret`] only where it must leave the process.
    #[must_use]
    pub fn value(&self) -> &SecretString {
        &self.value
    }

    /// Whether the value is the mask Graph returns when secrets are read back.
    #[must_use]
    pub fn is_masked(&self) -> bool {
        self.value.expose_secret() == MASKED_VALUE
    }
}

impl fmt::Debug for SecretKeyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKeyValue")
            .field("key", &self.key)
            .field("value", &self.value)
            .finish()
    }
}

impl Serialize for SecretKeyValue {
    /// The one place a secret value is read: putting it on the wire.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut pair = serializer.serialize_struct("SecretKeyValue", 2)?;
        pair.serialize_field("key", &self.key)?;
        pair.serialize_field("value", self.value.expose_secret())?;
        pair.end()
    }
}

impl<'de> Deserialize<'de> for SecretKeyValue {
    /// Reads `{"key":…,"value":…}`. OData annotations (`@odata.type`) are allowed, other
    /// fields are not. No error quotes the value.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairVisitor;

        impl<'de> Visitor<'de> for PairVisitor {
            type Value = SecretKeyValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a secret {"key":…,"value":…}"#)
            }

            refuse_scalars!("a secret must be an object {\"key\":…,\"value\":…}");

            fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<SecretKeyValue, A::Error> {
                Err(de::Error::custom(
                    "a secret must be an object {\"key\":…,\"value\":…}, found an array",
                ))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SecretKeyValue, A::Error> {
                let mut key: Option<SecretKey> = None;
                let mut value: Option<SecretValue> = None;
                while let Some(name) = map.next_key::<String>()? {
                    match name.as_str() {
                        "key" if key.is_some() => return Err(de::Error::duplicate_field("key")),
                        "value" if value.is_some() => {
                            return Err(de::Error::duplicate_field("value"));
                        }
                        "key" => key = Some(map.next_value()?),
                        "value" => value = Some(map.next_value()?),
                        annotation if annotation.starts_with('@') => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                        other => {
                            return Err(de::Error::custom(format_args!(
                                "unknown field `{other}` in a secret, expected `key` and `value`"
                            )));
                        }
                    }
                }
                Ok(SecretKeyValue {
                    key: key.ok_or_else(|| de::Error::missing_field("key"))?,
                    value: value.ok_or_else(|| de::Error::missing_field("value"))?.0,
                    checked: false,
                })
            }
        }

        deserializer.deserialize_any(PairVisitor)
    }
}

/// A secret value on its way in: a string, and nothing that an error could quote.
struct SecretValue(SecretString);

impl<'de> Deserialize<'de> for SecretValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;

        impl Visitor<'_> for ValueVisitor {
            type Value = SecretValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a secret value (a string)")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<SecretValue, E> {
                Ok(SecretValue(SecretString::from(value)))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<SecretValue, E> {
                Ok(SecretValue(SecretString::from(value)))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<SecretValue, E> {
                Err(E::custom(
                    "a secret value must be a string, found a boolean",
                ))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretValue, E> {
                Err(E::custom("a secret value must be a string, found a number"))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretValue, E> {
                Err(E::custom("a secret value must be a string, found a number"))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretValue, E> {
                Err(E::custom("a secret value must be a string, found a number"))
            }

            fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<SecretValue, E> {
                Err(E::custom("a secret value must be a string, found bytes"))
            }
        }

        deserializer.deserialize_any(ValueVisitor)
    }
}

/// The array of pairs inside `{"value":[…]}`, refused without quoting when it is not one.
struct PairList(Vec<SecretKeyValue>);

impl<'de> Deserialize<'de> for PairList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;

        impl<'de> Visitor<'de> for ListVisitor {
            type Value = PairList;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of secrets")
            }

            refuse_scalars!("`value` must be an array of secrets");

            fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<PairList, A::Error> {
                Err(de::Error::custom(
                    "`value` must be an array of secrets, found an object",
                ))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PairList, A::Error> {
                let mut pairs = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(pair) = seq.next_element()? {
                    pairs.push(pair);
                }
                Ok(PairList(pairs))
            }
        }

        deserializer.deserialize_any(ListVisitor)
    }
}

/// An ordered collection of secrets with no key twice: the body of
/// `PUT …/synchronization/secrets`.
///
/// It serializes to exactly `{"value":[{"key":…,"value":…}]}`, the form the service reads
/// (the documentation's parameter table calls the property `credentials`; that name belongs
/// to `validateCredentials` and is never sent here). Values are checked as they are inserted;
/// [`Secrets::validate_for_put`] repeats the checks for collections that were deserialized,
/// such as secrets read back (masked) from Graph.
#[derive(Clone, Default)]
pub struct Secrets {
    pairs: Vec<SecretKeyValue>,
}

impl Secrets {
    /// An empty collection.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a collection from pairs, checking each as [`insert`](Self::insert) does.
    ///
    /// # Errors
    ///
    /// The first [`SecretsError`] met.
    pub fn try_from_pairs(
        pairs: impl IntoIterator<Item = SecretKeyValue>,
    ) -> Result<Self, SecretsError> {
        let mut secrets = Self::new();
        for pair in pairs {
            secrets.push_checked(pair)?;
        }
        Ok(secrets)
    }

    /// Adds a secret after the ones already present.
    ///
    /// # Errors
    ///
    /// [`SecretsError::DuplicateKey`] if the key is present, or the error of
    /// [`SecretKey::validate_value`] (masked value, wrong kind of value, empty JSON value).
    pub fn insert(
        &mut self,
        key: SecretKey,
        value: impl IntoSecretValue,
    ) -> Result<(), SecretsError> {
        self.push_checked(SecretKeyValue::new(key, value))
    }

    /// [`insert`](Self::insert), by value, for chaining.
    ///
    /// # Errors
    ///
    /// As [`insert`](Self::insert).
    pub fn with(
        mut self,
        key: SecretKey,
        value: impl IntoSecretValue,
    ) -> Result<Self, SecretsError> {
        self.insert(key, value)?;
        Ok(self)
    }

    /// Adds `key` with an empty value, which clears it on the service.
    ///
    /// # Errors
    ///
    /// [`SecretsError::CannotClear`] for a key whose value is a JSON document (Graph rejects
    /// an empty one), [`SecretsError::DuplicateKey`] if the key is present.
    pub fn clear(&mut self, key: SecretKey) -> Result<(), SecretsError> {
        self.insert(key, "")
    }

    fn push_checked(&mut self, mut pair: SecretKeyValue) -> Result<(), SecretsError> {
        if self.contains_key(&pair.key) {
            return Err(SecretsError::DuplicateKey { key: pair.key });
        }
        pair.key.validate_value(&pair.value)?;
        pair.checked = true;
        self.pairs.push(pair);
        Ok(())
    }

    /// Removes `key`, returning its pair if it was present.
    pub fn remove(&mut self, key: &SecretKey) -> Option<SecretKeyValue> {
        let index = self.pairs.iter().position(|pair| pair.key == *key)?;
        Some(self.pairs.remove(index))
    }

    /// Applies a PUT of `update` to this saved set the way the service does: a key with a
    /// value replaces the saved one in place (or is appended), a key with an empty value is
    /// removed. Values are not judged: the saved set holds what the service accepted.
    pub fn apply(&mut self, update: &Self) {
        for pair in &update.pairs {
            let cleared = pair.value.expose_secret().is_empty();
            match self.pairs.iter().position(|saved| saved.key == pair.key) {
                Some(index) if cleared => {
                    self.pairs.remove(index);
                }
                Some(index) => self.pairs[index] = pair.clone(),
                None if cleared => {}
                None => self.pairs.push(pair.clone()),
            }
        }
    }

    /// Checks everything a PUT needs: at least one secret, no duplicate key, no masked
    /// value, every value fit for its key, and no undocumented key that is only a
    /// miscapitalised documented one.
    ///
    /// # Errors
    ///
    /// The first [`SecretsError`] met, in collection order.
    pub fn validate_for_put(&self) -> Result<(), SecretsError> {
        if self.pairs.is_empty() {
            return Err(SecretsError::Empty);
        }
        for (index, pair) in self.pairs.iter().enumerate() {
            self.check_pair(index, pair)?;
        }
        Ok(())
    }

    /// The refusals of the pair at `index`: a repeated key, a miscapitalised documented key,
    /// a value unfit for its key.
    fn check_pair(&self, index: usize, pair: &SecretKeyValue) -> Result<(), SecretsError> {
        if self.pairs[..index]
            .iter()
            .any(|earlier| earlier.key == pair.key)
        {
            return Err(SecretsError::DuplicateKey {
                key: pair.key.clone(),
            });
        }
        if let Some(documented) = pair.key.documented_spelling() {
            return Err(SecretsError::InvalidKey {
                key: pair.key.as_str().to_owned(),
                reason: format!(
                    "is not a documented key; the documented spelling is `{documented}`"
                ),
            });
        }
        if pair.checked {
            Ok(())
        } else {
            pair.key.validate_value(&pair.value)
        }
    }

    /// Everything worth saying about this collection before a PUT, in collection order:
    /// [`Severity::Refusal`]s (what [`validate_for_put`](Self::validate_for_put) refuses) and
    /// [`Severity::Warning`]s (advice where the format is our inference, see
    /// [`SecretKey::advise_value`]). A caller sends when there is no refusal, and shows the
    /// warnings; a strict caller refuses on warnings too.
    #[must_use]
    pub fn validate(&self) -> Vec<Finding> {
        if self.pairs.is_empty() {
            return vec![Finding::refusal(&SecretsError::Empty)];
        }
        let mut findings = Vec::new();
        for (index, pair) in self.pairs.iter().enumerate() {
            match self.check_pair(index, pair) {
                Err(error) => findings.push(Finding::refusal(&error)),
                Ok(()) => {
                    if let Some(reason) = pair.key.advise_value(&pair.value) {
                        findings.push(Finding {
                            severity: Severity::Warning,
                            key: Some(pair.key.clone()),
                            message: format!("secret `{}` {reason}", pair.key),
                        });
                    }
                }
            }
        }
        findings
    }

    /// The value of `key`, if present.
    #[must_use]
    pub fn get(&self, key: &SecretKey) -> Option<&SecretString> {
        self.pairs
            .iter()
            .find(|pair| pair.key == *key)
            .map(|pair| &pair.value)
    }

    /// Whether `key` is present.
    #[must_use]
    pub fn contains_key(&self, key: &SecretKey) -> bool {
        self.pairs.iter().any(|pair| pair.key == *key)
    }

    /// Whether the value of `key` is the mask `*` (as read back from Graph).
    #[must_use]
    pub fn is_masked(&self, key: &SecretKey) -> bool {
        self.get(key)
            .is_some_and(|value| value.expose_secret() == MASKED_VALUE)
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &SecretKey> {
        self.pairs.iter().map(|pair| &pair.key)
    }

    /// The pairs, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, SecretKeyValue> {
        self.pairs.iter()
    }

    /// How many secrets there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Serializes the pairs as a bare JSON array, the form of the `secrets` property of the
    /// `synchronization` resource.
    ///
    /// # Errors
    ///
    /// As the serializer's.
    pub fn serialize_as_array<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.pairs.serialize(serializer)
    }

    /// Deserializes a bare JSON array of pairs, rejecting duplicate keys and `null` (a
    /// [`Property`] field uses [`deserialize_property_from_array`](Self::deserialize_property_from_array)
    /// to keep `null`). Masked values are accepted.
    ///
    /// # Errors
    ///
    /// As the deserializer's; a duplicate key is a custom error.
    pub fn deserialize_from_array<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Self, D::Error> {
        let PairList(pairs) = PairList::deserialize(deserializer)?;
        Self::from_wire_pairs(pairs).map_err(de::Error::custom)
    }

    /// [`Secrets::serialize_as_array`] for a [`Property`]: a value as a bare array, `null` as
    /// `null` (an absent property is skipped by the field's `skip_serializing_if`).
    ///
    /// # Errors
    ///
    /// As the serializer's.
    pub fn serialize_property_as_array<S: Serializer>(
        secrets: &Property<Self>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match secrets.get() {
            Some(secrets) => secrets.serialize_as_array(serializer),
            None => serializer.serialize_none(),
        }
    }

    /// [`Secrets::deserialize_from_array`] for a [`Property`]: `null` stays
    /// [`Property::Null`].
    ///
    /// # Errors
    ///
    /// As the deserializer's; a duplicate key is a custom error.
    pub fn deserialize_property_from_array<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Property<Self>, D::Error> {
        match Option::<PairList>::deserialize(deserializer)? {
            None => Ok(Property::Null),
            Some(list) => Self::from_wire_pairs(list.0)
                .map(Property::Value)
                .map_err(de::Error::custom),
        }
    }

    /// Collects deserialized pairs: duplicates are refused, values are not judged (a
    /// collection read back from Graph holds masked values).
    fn from_wire_pairs(pairs: Vec<SecretKeyValue>) -> Result<Self, SecretsError> {
        for (index, pair) in pairs.iter().enumerate() {
            if pairs[..index].iter().any(|earlier| earlier.key == pair.key) {
                return Err(SecretsError::DuplicateKey {
                    key: pair.key.clone(),
                });
            }
        }
        Ok(Self { pairs })
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.pairs.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a Secrets {
    type Item = &'a SecretKeyValue;
    type IntoIter = std::slice::Iter<'a, SecretKeyValue>;

    fn into_iter(self) -> Self::IntoIter {
        self.pairs.iter()
    }
}

impl Serialize for Secrets {
    /// `{"value":[{"key":…,"value":…},…]}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut body = serializer.serialize_struct("Secrets", 1)?;
        body.serialize_field("value", &self.pairs)?;
        body.end()
    }
}

impl<'de> Deserialize<'de> for Secrets {
    /// Reads `{"value":[…]}`, the only form the service accepts. OData annotations
    /// (`@odata.context`) are ignored; any other property, `credentials` included, is an
    /// error, as is a key that appears twice.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor;

        impl<'de> Visitor<'de> for EnvelopeVisitor {
            type Value = Secrets;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"an object {"value":[{"key":…,"value":…}]}"#)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Secrets, A::Error> {
                let mut pairs: Option<Vec<SecretKeyValue>> = None;
                while let Some(name) = map.next_key::<String>()? {
                    if name == "value" {
                        if pairs.is_some() {
                            return Err(de::Error::duplicate_field("value"));
                        }
                        pairs = Some(map.next_value::<PairList>()?.0);
                    } else if name.starts_with('@') {
                        map.next_value::<de::IgnoredAny>()?;
                    } else {
                        return Err(de::Error::custom(format_args!(
                            "unknown property `{name}`, expected `value` (the secrets PUT body \
                             is {{\"value\":[…]}}; `credentials` belongs to validateCredentials)"
                        )));
                    }
                }
                let pairs = pairs.ok_or_else(|| de::Error::missing_field("value"))?;
                Secrets::from_wire_pairs(pairs).map_err(de::Error::custom)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Secrets, A::Error> {
                Err(de::Error::custom(
                    r#"a bare array is not a secrets body; wrap it as {"value":[…]}"#,
                ))
            }

            refuse_scalars!("a secrets body must be an object {\"value\":[…]}");
        }

        deserializer.deserialize_any(EnvelopeVisitor)
    }
}

/// Checks an absolute `http`/`https` URL (RFC 3986/3987) with a host and no credentials;
/// returns the scheme and host, or the reason.
fn check_url(text: &str) -> Result<(String, String), String> {
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must be a URL without whitespace or control characters".to_owned());
    }
    let iri = fluent_uri::Iri::parse(text)
        .map_err(|_| "must be an absolute URL like https://host/path".to_owned())?;
    let scheme = iri.scheme().as_str().to_ascii_lowercase();
    if !matches!(scheme.as_str(), "https" | "http") {
        return Err(format!("must be an http or https URL, not a {scheme} URL"));
    }
    let Some(authority) = iri.authority() else {
        return Err("must be a URL with a host, like https://host/path".to_owned());
    };
    if authority.host().is_empty() {
        return Err("must be a URL with a host, like https://host/path".to_owned());
    }
    if authority.userinfo().is_some() {
        return Err("must not carry a user name or password in the URL".to_owned());
    }
    if authority.port_to_u16().is_err() {
        return Err("must have a port between 0 and 65535".to_owned());
    }
    Ok((scheme, authority.host().to_owned()))
}

/// A validated absolute `http` or `https` URL for [`SecretKey::BaseAddress`] (the tenant URL
/// or SCIM endpoint) and the other URL-valued keys.
///
/// `Debug` and `Display` show only the scheme and host, so a URL that carries a token in its
/// path or query does not leak into logs.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseAddress {
    url: String,
    scheme: String,
    host: String,
}

impl BaseAddress {
    /// Parses and checks an absolute `http`/`https` URL with a host.
    ///
    /// # Errors
    ///
    /// [`SecretsError::InvalidValue`] naming the rule broken (never the URL).
    pub fn parse(text: &str) -> Result<Self, SecretsError> {
        check_url(text)
            .map(|(scheme, host)| Self {
                url: text.to_owned(),
                scheme,
                host,
            })
            .map_err(|reason| SecretsError::InvalidValue {
                key: SecretKey::BaseAddress,
                reason,
            })
    }

    /// The URL as it will be sent.
    ///
    /// # Security Warning
    ///
    /// The full URL may carry credentials of the target system.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.url
    }

    fn origin_for_display(&self) -> String {
        format!("{}://{}/…", self.scheme, self.host)
    }
}

impl fmt::Debug for BaseAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseAddress({})", self.origin_for_display())
    }
}

impl fmt::Display for BaseAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin_for_display())
    }
}

impl IntoSecretValue for BaseAddress {
    fn into_secret_value(self) -> SecretString {
        SecretString::from(self.url)
    }
}

/// The value of [`SecretKey::SyncNotificationSettings`]: whether quarantine e-mails are
/// sent, to whom, and the accidental-deletion threshold. On the wire it is a JSON document
/// inside the secret's string value, e.g. `{"Enabled":false,"DeleteThresholdEnabled":false}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct SyncNotificationSettings {
    /// Whether an e-mail is sent when the job is quarantined.
    #[serde(default)]
    pub enabled: bool,
    /// Who gets the e-mail: addresses separated by `;`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<String>,
    /// Whether accidental-deletion prevention is on.
    #[serde(default)]
    pub delete_threshold_enabled: bool,
    /// How many deletions in one cycle stop the job when prevention is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_threshold_value: Option<u32>,
    /// Properties this version does not know, kept so they are sent back unchanged.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl SyncNotificationSettings {
    /// No e-mails and no deletion threshold: `{"Enabled":false,"DeleteThresholdEnabled":false}`.
    #[must_use]
    pub fn disabled() -> Self {
        Self::default()
    }

    /// E-mails to `recipients` (addresses separated by `;`) when the job is quarantined.
    #[must_use]
    pub fn email(recipients: impl Into<String>) -> Self {
        Self {
            enabled: true,
            recipients: Some(recipients.into()),
            ..Self::default()
        }
    }

    /// Turns accidental-deletion prevention on with `threshold` deletions per cycle.
    #[must_use]
    pub fn with_delete_threshold(mut self, threshold: u32) -> Self {
        self.delete_threshold_enabled = true;
        self.delete_threshold_value = Some(threshold);
        self
    }

    /// The recipients, split on `;` and trimmed.
    pub fn recipient_list(&self) -> impl Iterator<Item = &str> {
        self.recipients
            .as_deref()
            .unwrap_or_default()
            .split(';')
            .map(str::trim)
            .filter(|address| !address.is_empty())
    }

    /// Parses the JSON document held in the secret value.
    ///
    /// # Errors
    ///
    /// A description of the syntax or shape problem, without quoting the document.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| json_reason(&e))
    }

    /// The JSON document, as it goes into the secret value.
    #[must_use]
    pub fn to_json(&self) -> String {
        // A struct of bools, strings, integers and JSON values always serializes.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// Checks the settings make sense: recipients when e-mails are on, each with an `@`;
    /// a positive threshold when prevention is on.
    ///
    /// # Errors
    ///
    /// What is wrong, in words.
    pub fn check(&self) -> Result<(), String> {
        if self.enabled && self.recipient_list().next().is_none() {
            return Err("has e-mail notifications enabled but no Recipients".to_owned());
        }
        if self.recipient_list().any(|address| !address.contains('@')) {
            return Err("has a recipient that is not an e-mail address".to_owned());
        }
        if self.delete_threshold_enabled && self.delete_threshold_value.unwrap_or(0) == 0 {
            return Err(
                "has DeleteThresholdEnabled but no positive DeleteThresholdValue".to_owned(),
            );
        }
        Ok(())
    }
}

impl IntoSecretValue for SyncNotificationSettings {
    fn into_secret_value(self) -> SecretString {
        SecretString::from(self.to_json())
    }
}

impl IntoSecretValue for &SyncNotificationSettings {
    fn into_secret_value(self) -> SecretString {
        SecretString::from(self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "CANARY-s3cr3t-7f1e";

    #[test]
    fn there_are_45_documented_keys_with_unique_names() {
        assert_eq!(SecretKey::ALL.len(), 45);
        let mut names: Vec<&str> = SecretKey::ALL.iter().map(SecretKey::as_str).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 45);
        for key in SecretKey::ALL {
            assert_eq!(SecretKey::parse(key.as_str()).unwrap(), *key);
        }
    }

    #[test]
    fn unknown_keys_are_kept_verbatim_and_never_shadow_documented_ones() {
        let key = SecretKey::parse("FutureKey").unwrap();
        assert!(matches!(key, SecretKey::Other(_)));
        assert_eq!(key.as_str(), "FutureKey");
        assert_eq!(key.documented_spelling(), None);
        let near = SecretKey::parse("baseaddress").unwrap();
        assert_eq!(near.documented_spelling(), Some(SecretKey::BaseAddress));
        assert!(SecretKey::parse("").is_err());
        assert!(SecretKey::parse("Two Words").is_err());
    }

    #[test]
    fn duplicates_are_rejected_on_insert() {
        let mut secrets = Secrets::new();
        secrets.insert(SecretKey::SecretToken, "a").unwrap();
        assert_eq!(
            secrets.insert(SecretKey::SecretToken, "b").unwrap_err(),
            SecretsError::DuplicateKey {
                key: SecretKey::SecretToken
            }
        );
        assert_eq!(secrets.len(), 1);
    }

    #[test]
    fn values_are_checked_by_kind_without_quoting_them() {
        let cases: [(SecretKey, String); 5] = [
            (SecretKey::SyncAll, format!("yes{CANARY}")),
            (SecretKey::BaseAddress, format!("https://{CANARY}\n")),
            (SecretKey::SecretToken, format!("{CANARY}\n")),
            (
                SecretKey::SyncNotificationSettings,
                format!("{{\"Enabled\":\"{CANARY}\"}}"),
            ),
            (SecretKey::ConnectionString, format!("a\u{0}{CANARY}")),
        ];
        for (key, value) in cases {
            let err = Secrets::new().with(key.clone(), value).unwrap_err();
            assert!(
                matches!(err, SecretsError::InvalidValue { .. }),
                "{key}: {err:?}"
            );
            assert!(!err.to_string().contains(CANARY), "{err}");
            assert!(!format!("{err:?}").contains(CANARY), "{err:?}");
        }
    }

    #[test]
    fn inferred_formats_are_warnings_and_documented_ones_refusals() {
        // The documentation's own example: BaseAddress is not a URL there.
        let documented = Secrets::new()
            .with(SecretKey::BaseAddress, "user@domain.com")
            .unwrap()
            .with(SecretKey::SecretToken, "password-value")
            .unwrap()
            .with(
                SecretKey::SyncNotificationSettings,
                r#"{"Enabled":false,"DeleteThresholdEnabled":false}"#,
            )
            .unwrap()
            .with(SecretKey::SyncAll, "false")
            .unwrap();
        documented.validate_for_put().unwrap();
        let findings = documented.validate();
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity(), Severity::Warning);
        assert_eq!(findings[0].key(), Some(&SecretKey::BaseAddress));
        assert!(
            findings[0].message().contains("absolute URL"),
            "{}",
            findings[0]
        );

        for (key, value) in [
            (
                SecretKey::BaseAddress,
                format!("ftp://{CANARY}.example.com"),
            ),
            (SecretKey::Url, format!("/relative/{CANARY}")),
            (
                SecretKey::SyncNotificationSettings,
                format!(r#"{{"Enabled":true,"Recipients":"{CANARY}"}}"#),
            ),
        ] {
            let secrets = Secrets::new().with(key.clone(), value).unwrap();
            let findings = secrets.validate();
            assert_eq!(findings.len(), 1, "{key}: {findings:?}");
            assert_eq!(findings[0].severity(), Severity::Warning, "{key}");
            assert!(!findings[0].to_string().contains(CANARY), "{}", findings[0]);
        }

        // Refusals come through validate() too, before any warning of the same pair.
        let mut masked = Secrets::new();
        masked
            .pairs
            .push(SecretKeyValue::new(SecretKey::BaseAddress, "*"));
        masked
            .pairs
            .push(SecretKeyValue::new(SecretKey::SyncAll, "maybe"));
        let findings = masked.validate();
        assert_eq!(
            findings.iter().map(Finding::severity).collect::<Vec<_>>(),
            [Severity::Refusal, Severity::Refusal]
        );
        assert_eq!(Secrets::new().validate()[0].severity(), Severity::Refusal);
    }

    #[test]
    fn good_values_pass() {
        let secrets = Secrets::new()
            .with(SecretKey::SyncAll, "True")
            .unwrap()
            .with(SecretKey::SkipOutOfScopeDeletions, true)
            .unwrap()
            .with(
                SecretKey::BaseAddress,
                "https://scim.example.com/scim?aadOptscim062020",
            )
            .unwrap()
            .with(SecretKey::ConnectionString, "Server=a;\r\nDatabase=b")
            .unwrap()
            .with(
                SecretKey::SyncNotificationSettings,
                SyncNotificationSettings::email("ops@example.com").with_delete_threshold(500),
            )
            .unwrap();
        secrets.validate_for_put().unwrap();
    }

    #[test]
    fn masked_values_and_empty_json_values_are_refused() {
        assert_eq!(
            Secrets::new()
                .with(SecretKey::SecretToken, "*")
                .unwrap_err(),
            SecretsError::Masked {
                key: SecretKey::SecretToken
            }
        );
        assert_eq!(
            Secrets::new()
                .clear_chain(SecretKey::SyncNotificationSettings)
                .unwrap_err(),
            SecretsError::CannotClear {
                key: SecretKey::SyncNotificationSettings
            }
        );
        let mut secrets = Secrets::new();
        secrets.clear(SecretKey::SecretToken).unwrap();
        assert_eq!(
            secrets
                .get(&SecretKey::SecretToken)
                .unwrap()
                .expose_secret(),
            ""
        );
    }

    impl Secrets {
        fn clear_chain(mut self, key: SecretKey) -> Result<Self, SecretsError> {
            self.clear(key)?;
            Ok(self)
        }
    }

    #[test]
    fn notification_settings_serialize_in_the_documented_form() {
        assert_eq!(
            SyncNotificationSettings::disabled().to_json(),
            r#"{"Enabled":false,"DeleteThresholdEnabled":false}"#
        );
        let settings = SyncNotificationSettings::from_json(
            r#"{"Enabled":true,"Recipients":"a@x.com; b@x.com","DeleteThresholdEnabled":true,"DeleteThresholdValue":50,"Future":1}"#,
        )
        .unwrap();
        assert_eq!(
            settings.recipient_list().collect::<Vec<_>>(),
            ["a@x.com", "b@x.com"]
        );
        assert_eq!(settings.extra.get("Future"), Some(&Value::from(1)));
        assert!(settings.to_json().contains(r#""Future":1"#));
        assert!(
            SyncNotificationSettings {
                enabled: true,
                ..Default::default()
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn urls_must_be_absolute_http_with_a_host_and_no_credentials() {
        for good in [
            "https://scim.example.com/scim/v2?aadOptscim062020",
            "http://127.0.0.1:8080/scim",
            "https://[2001:db8::1]:8443/",
            "https://bücher.example/scim",
            "HTTPS://EXAMPLE.COM",
        ] {
            assert!(BaseAddress::parse(good).is_ok(), "{good}");
        }
        for (bad, reason) in [
            ("scim.example.com/scim", "absolute URL"),
            ("https://", "with a host"),
            ("https:/scim", "with a host"),
            ("mailto:ops@example.com", "not a mailto URL"),
            ("https://user:pw@example.com/", "user name or password"),
            ("https://example.com:99999/", "port"),
            ("https://exa mple.com/", "whitespace"),
        ] {
            let err = BaseAddress::parse(bad).unwrap_err().to_string();
            assert!(err.contains(reason), "{bad}: {err}");
        }
    }

    #[test]
    fn base_address_display_hides_path_and_query() {
        let address =
            BaseAddress::parse(&format!("https://scim.example.com/{CANARY}?t={CANARY}")).unwrap();
        assert_eq!(address.to_string(), "https://scim.example.com/…");
        assert!(!format!("{address:?}").contains(CANARY));
    }
}
