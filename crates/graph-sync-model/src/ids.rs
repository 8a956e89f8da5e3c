//! Typed identifiers.
//!
//! Every id is a newtype with a private field, built only through validation, so that a job
//! id cannot be passed where a service principal id is expected and a malformed id never
//! reaches a URL. Ids serialize as plain strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The string is empty.
    #[error("{kind} must not be empty")]
    Empty {
        /// The kind of id, e.g. `service principal id`.
        kind: &'static str,
    },
    /// The string is not a GUID of the form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    #[error(
        "{kind} must be a GUID like 00000000-0000-0000-0000-000000000000, got {}",
        shown(value)
    )]
    NotAGuid {
        /// The kind of id.
        kind: &'static str,
        /// The rejected input (ids are not secret).
        value: String,
    },
    /// The string holds a character that cannot be part of this id.
    #[error(
        "{kind} {} contains {character:?}, which is not allowed in an id",
        shown(value)
    )]
    InvalidCharacter {
        /// The kind of id.
        kind: &'static str,
        /// The rejected input.
        value: String,
        /// The first offending character.
        character: char,
    },
    /// The string is `.` or `..`, which a URL path resolves to the current or parent
    /// resource instead of an id.
    #[error("{kind} must not be `.` or `..`")]
    DotSegment {
        /// The kind of id.
        kind: &'static str,
    },
    /// The string is longer than any real id.
    #[error("{kind} is {len} characters long; at most {max} are allowed")]
    TooLong {
        /// The kind of id.
        kind: &'static str,
        /// The input's length in characters.
        len: usize,
        /// The maximum.
        max: usize,
    },
}

/// The most characters of a rejected id that an error message quotes, escaped.
const MAX_QUOTED: usize = 64;

/// A rejected id as an error message quotes it: escaped like a Rust string (so control
/// characters cannot reach a terminal), at most [`MAX_QUOTED`] characters once escaped (an
/// escape such as `\u{12}` counts in full, so a message stays short whatever the input).
fn shown(value: &str) -> String {
    let mut quoted = String::new();
    for c in value.chars() {
        let debug = format!("{:?}", String::from(c));
        let escaped = debug
            .strip_prefix('"')
            .and_then(|d| d.strip_suffix('"'))
            .unwrap_or(&debug);
        if quoted.len().saturating_add(escaped.len()) > MAX_QUOTED {
            let count = value.chars().count();
            return format!("\"{quoted}\"… ({count} characters)");
        }
        quoted.push_str(escaped);
    }
    format!("\"{quoted}\"")
}

/// Longest accepted opaque id (Graph's ids are far shorter).
const MAX_ID_LEN: usize = 256;

/// Checks that `value` is a GUID in the 8-4-4-4-12 hexadecimal form.
fn check_guid(kind: &'static str, value: &str) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty { kind });
    }
    let bytes = value.as_bytes();
    let well_formed = bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    if well_formed {
        Ok(())
    } else {
        Err(IdError::NotAGuid {
            kind,
            value: value.to_owned(),
        })
    }
}

/// Checks an opaque id (job or template id): non-empty, not a dot segment, bounded,
/// printable, and free of the characters that would change the meaning of a URL path or an
/// OData key. `%` is refused, so an id is what it decodes to: no percent-encoded `.`, `/` or
/// empty segment can slip through.
fn check_opaque(kind: &'static str, value: &str) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if value == "." || value == ".." {
        return Err(IdError::DotSegment { kind });
    }
    let len = value.chars().count();
    if len > MAX_ID_LEN {
        return Err(IdError::TooLong {
            kind,
            len,
            max: MAX_ID_LEN,
        });
    }
    if let Some(character) = value.chars().find(|c| {
        c.is_control() || c.is_whitespace() || matches!(c, '/' | '\\' | '?' | '#' | '%' | '\'')
    }) {
        return Err(IdError::InvalidCharacter {
            kind,
            value: value.to_owned(),
            character,
        });
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $kind:literal, $check:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps `value`.
            ///
            /// # Errors
            ///
            #[doc = concat!("[`IdError`] when `value` is not a valid ", $kind, ".")]
            pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                $check($kind, &value)?;
                Ok(Self(value))
            }

            /// The id as it appears on the wire.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Consumes the id, returning the string.
            #[must_use]
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::new(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;

            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Self::new(value).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// The object id of a service principal (a GUID), as in `/servicePrincipals/{id}`.
    ServicePrincipalId,
    "service principal id",
    check_guid
);
id_type!(
    /// The application (client) id of an app registration (a GUID). It differs from the
    /// object ids of both the application and its service principal.
    AppId,
    "appId",
    check_guid
);
id_type!(
    /// The object id of an application (a GUID), as in `/applications/{id}`.
    ApplicationObjectId,
    "application object id",
    check_guid
);
id_type!(
    /// A synchronization job id, such as `SfSandboxOutDelta.e4bbf44533ea4eabb17027f3a92e92aa`.
    JobId,
    "job id",
    check_opaque
);
id_type!(
    /// A synchronization template id, such as `BoxOutDelta` or `scim`.
    TemplateId,
    "template id",
    check_opaque
);

id_type!(
    /// The id of an application template in the Entra gallery (a GUID), as in
    /// `/applicationTemplates/{id}/instantiate`. `8adf8e6e-67b2-4cf2-a259-e3dc5476c621` is the
    /// template for non-gallery apps.
    ApplicationTemplateId,
    "application template id",
    check_guid
);
id_type!(
    /// The id of a directory definition of a schema, as in
    /// `…/schema/directories/{id}/discover`.
    DirectoryId,
    "directory id",
    check_opaque
);

/// How a request addresses a service principal: by its object id, or by the appId of its
/// application (Graph's alternate key `servicePrincipals(appId='…')`).
///
/// Graph has exactly these two ways to address a service principal, so the enum is closed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServicePrincipalRef {
    /// `/servicePrincipals/{id}`.
    Id(ServicePrincipalId),
    /// `/servicePrincipals(appId='{appId}')`.
    AppId(AppId),
}

impl ServicePrincipalRef {
    /// Parses the forms a person types: a bare GUID (an object id), `appId=<GUID>`, or
    /// `appId='<GUID>'`.
    ///
    /// # Errors
    ///
    /// [`IdError`] when the GUID is malformed.
    pub fn parse(value: &str) -> Result<Self, IdError> {
        match value.strip_prefix("appId=") {
            Some(rest) => {
                let rest = rest
                    .strip_prefix('\'')
                    .and_then(|r| r.strip_suffix('\''))
                    .unwrap_or(rest);
                AppId::new(rest).map(Self::AppId)
            }
            None => ServicePrincipalId::new(value).map(Self::Id),
        }
    }
}

impl From<ServicePrincipalId> for ServicePrincipalRef {
    fn from(id: ServicePrincipalId) -> Self {
        Self::Id(id)
    }
}

impl From<AppId> for ServicePrincipalRef {
    fn from(id: AppId) -> Self {
        Self::AppId(id)
    }
}

impl FromStr for ServicePrincipalRef {
    type Err = IdError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

impl fmt::Display for ServicePrincipalRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => f.write_str(id.as_str()),
            Self::AppId(id) => write!(f, "appId={id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6";

    #[test]
    fn guid_ids_accept_guids_in_either_case() {
        assert_eq!(ServicePrincipalId::new(GUID).unwrap().as_str(), GUID);
        let upper = GUID.to_uppercase();
        assert_eq!(AppId::new(upper.clone()).unwrap().as_str(), upper);
    }

    #[test]
    fn guid_ids_reject_malformed_input_with_a_clear_message() {
        for bad in [
            "3f2c1a9e8b7d4c6e9f10a1b2c3d4e5f6",
            "3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f",
            "3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5fg",
            "{3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6}",
            "../../users",
        ] {
            let err = ServicePrincipalId::new(bad).unwrap_err();
            assert!(matches!(err, IdError::NotAGuid { .. }), "{bad}: {err:?}");
            assert!(
                err.to_string()
                    .contains("service principal id must be a GUID")
            );
        }
        assert_eq!(
            ServicePrincipalId::new("").unwrap_err(),
            IdError::Empty {
                kind: "service principal id"
            }
        );
    }

    #[test]
    fn opaque_ids_reject_path_and_key_breaking_characters() {
        assert!(JobId::new("SfSandboxOutDelta.e4bbf44533ea4eabb17027f3a92e92aa").is_ok());
        for (bad, character) in [
            ("a/b", '/'),
            ("a b", ' '),
            ("a?b", '?'),
            ("a#b", '#'),
            ("a'b", '\''),
            ("a%2Fb", '%'),
            ("a\nb", '\n'),
        ] {
            match JobId::new(bad).unwrap_err() {
                IdError::InvalidCharacter { character: c, .. } => assert_eq!(c, character),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(matches!(
            TemplateId::new("x".repeat(257)).unwrap_err(),
            IdError::TooLong { len: 257, .. }
        ));
    }

    #[test]
    fn dot_segments_and_their_encodings_are_refused() {
        for bad in [".", ".."] {
            assert_eq!(
                JobId::new(bad).unwrap_err(),
                IdError::DotSegment { kind: "job id" }
            );
            assert!(TemplateId::new(bad).is_err());
            assert!(DirectoryId::new(bad).is_err());
        }
        for bad in ["%2e", "%2E%2e", ".%2e", "", "%2F", "a%00"] {
            assert!(JobId::new(bad).is_err(), "{bad}");
        }
        assert!(JobId::new("...").is_ok());
        assert!(JobId::new(".a").is_ok());
        assert!(ServicePrincipalId::new("..").is_err());
    }

    #[test]
    fn rejected_ids_are_quoted_escaped_and_short() {
        let error = ServicePrincipalId::new(format!("\u{1b}[31m{}", "x".repeat(10_000)))
            .unwrap_err()
            .to_string();
        assert!(!error.contains('\u{1b}'), "{error}");
        assert!(error.len() < 200, "{error}");
        assert!(error.ends_with("(10005 characters)"), "{error}");
    }

    #[test]
    fn ids_deserialize_through_validation() {
        let id: JobId = serde_json::from_str("\"scim.0123\"").unwrap();
        assert_eq!(id.as_str(), "scim.0123");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"scim.0123\"");
        assert!(serde_json::from_str::<ServicePrincipalId>("\"nope\"").is_err());
    }

    #[test]
    fn service_principal_ref_parses_object_ids_and_app_ids() {
        assert_eq!(
            ServicePrincipalRef::parse(GUID).unwrap(),
            ServicePrincipalRef::Id(ServicePrincipalId::new(GUID).unwrap())
        );
        for text in [format!("appId={GUID}"), format!("appId='{GUID}'")] {
            assert_eq!(
                ServicePrincipalRef::parse(&text).unwrap(),
                ServicePrincipalRef::AppId(AppId::new(GUID).unwrap())
            );
        }
        assert!(ServicePrincipalRef::parse("appId=nope").is_err());
        let reference = ServicePrincipalRef::AppId(AppId::new(GUID).unwrap());
        assert_eq!(
            reference
                .to_string()
                .parse::<ServicePrincipalRef>()
                .unwrap(),
            reference
        );
    }
}
