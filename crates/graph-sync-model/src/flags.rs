//! The flags enums of the synchronization API, as sets of members.
//!
//! Graph writes a flags value as the member names joined by a comma and a space:
//! `"Watermark, Escrows, QuarantineState"`, `"Add, Update, Delete"`. A set here keeps the
//! members in the order they were given (so the text Graph sent comes back unchanged), parses
//! with trimming, keeps names it does not know, and compares by meaning: by the bits of its
//! known members (`Full` is the composite 15, so `"Full"` equals
//! `"ConnectorDataStore, Escrows, Watermark, QuarantineState"`) and by its unknown names.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::enums::{Discoverability, ObjectFlowType, RestartScopeFlag};

macro_rules! flags_set {
    (
        $(#[$meta:meta])*
        $name:ident of $member:ident { $($variant:ident = $bits:expr,)+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Default)]
        pub struct $name {
            members: Vec<$member>,
        }

        impl $name {
            /// The empty set, written `"None"` (never `""`, which is not a flags value).
            #[must_use]
            pub fn new() -> Self {
                Self::default()
            }

            /// The set of `members`, in order, without repeats.
            #[must_use]
            pub fn from_members(members: impl IntoIterator<Item = $member>) -> Self {
                let mut set = Self::new();
                for member in members {
                    set.insert(member);
                }
                set
            }

            /// Adds `member` (at the end) unless it is already listed.
            pub fn insert(&mut self, member: $member) {
                if !self.members.contains(&member) {
                    self.members.push(member);
                }
            }

            /// The set with `member` added.
            #[must_use]
            pub fn with(mut self, member: $member) -> Self {
                self.insert(member);
                self
            }

            /// The members as listed.
            #[must_use]
            pub fn members(&self) -> &[$member] {
                &self.members
            }

            /// The numeric value of a known member (`None` for an unknown one).
            #[must_use]
            pub fn member_bits(member: &$member) -> Option<u32> {
                match member {
                    $($member::$variant => Some($bits),)+
                    _ => None,
                }
            }

            /// The union of the known members' values.
            #[must_use]
            pub fn bits(&self) -> u32 {
                self.members
                    .iter()
                    .filter_map(Self::member_bits)
                    .fold(0, |acc, bits| acc | bits)
            }

            /// The names this version does not know, as listed.
            pub fn unknown(&self) -> impl Iterator<Item = &str> {
                self.members.iter().filter(|m| !m.is_known()).map($member::as_str)
            }

            /// Whether the set holds `member`: for a known member with a non-zero value, all of
            /// its bits are set (so a set holding `Full` contains `Watermark`); for the zero
            /// member, the set's value is zero; for an unknown name, it is listed.
            #[must_use]
            pub fn contains(&self, member: &$member) -> bool {
                match Self::member_bits(member) {
                    Some(0) => self.bits() == 0,
                    Some(bits) => self.bits() & bits == bits,
                    None => self.members.contains(member),
                }
            }

            /// Whether the set's value is zero and it lists no unknown name.
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.bits() == 0 && self.unknown().next().is_none()
            }

            /// Parses `"A, B"`: names split on commas and trimmed; empty pieces ignored;
            /// unknown names kept.
            #[must_use]
            pub fn parse(text: &str) -> Self {
                Self::from_members(
                    text.split(',')
                        .map(str::trim)
                        .filter(|name| !name.is_empty())
                        .map($member::from),
                )
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for (i, member) in self.members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(member.as_str())?;
                }
                Ok(())
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                let mut mine: Vec<&str> = self.unknown().collect();
                let mut theirs: Vec<&str> = other.unknown().collect();
                mine.sort_unstable();
                theirs.sort_unstable();
                self.bits() == other.bits() && mine == theirs
            }
        }

        impl Eq for $name {}

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(text))
            }
        }

        impl FromIterator<$member> for $name {
            fn from_iter<I: IntoIterator<Item = $member>>(iter: I) -> Self {
                Self::from_members(iter)
            }
        }

        impl From<$member> for $name {
            fn from(member: $member) -> Self {
                Self::from_members([member])
            }
        }

        impl Serialize for $name {
            /// The members as listed, `"A, B"`; the empty set as `"None"` (its zero member),
            /// never as `""`.
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if self.members.is_empty() {
                    serializer.serialize_str("None")
                } else {
                    serializer.collect_str(self)
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(|text| Self::parse(&text))
            }
        }
    };
}

flags_set! {
    /// `synchronizationJobRestartScope`: what a restart clears, e.g.
    /// `"Watermark, Escrows, QuarantineState"` (what the portal's "Restart provisioning" does).
    SynchronizationJobRestartScope of RestartScopeFlag {
        None = 0,
        ConnectorDataStore = 1,
        Escrows = 2,
        Watermark = 4,
        QuarantineState = 8,
        Full = 15,
        ForceDeletes = 32,
    }
}

flags_set! {
    /// `objectFlowTypes`: which operations an object mapping performs; Graph's default is
    /// `"Add, Update, Delete"`.
    ObjectFlowTypes of ObjectFlowType {
        None = 0,
        Add = 1,
        Update = 2,
        Delete = 4,
    }
}

flags_set! {
    /// `directoryDefinitionDiscoverabilities`: what can be discovered about a directory, e.g.
    /// `"AttributeNames, AttributeDataTypes"`.
    DirectoryDefinitionDiscoverabilities of Discoverability {
        None = 0,
        AttributeNames = 1,
        AttributeDataTypes = 2,
        AttributeReadOnly = 4,
        ReferenceAttributes = 8,
        UnknownFutureValue = 16,
    }
}

impl ObjectFlowTypes {
    /// `"Add, Update, Delete"`, the service's default.
    #[must_use]
    pub fn all() -> Self {
        Self::from_members([
            ObjectFlowType::Add,
            ObjectFlowType::Update,
            ObjectFlowType::Delete,
        ])
    }
}

impl SynchronizationJobRestartScope {
    /// `"Watermark, Escrows, QuarantineState"`: what the portal's "Restart provisioning"
    /// clears.
    #[must_use]
    pub fn portal_restart() -> Self {
        Self::from_members([
            RestartScopeFlag::Watermark,
            RestartScopeFlag::Escrows,
            RestartScopeFlag::QuarantineState,
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_form_round_trips_in_the_given_order() {
        for text in [
            "Watermark, Escrows, QuarantineState",
            "Add, Update, Delete",
            "Full, ForceDeletes",
            "None",
        ] {
            let scope: SynchronizationJobRestartScope =
                serde_json::from_value(serde_json::Value::String(text.into())).unwrap();
            assert_eq!(
                serde_json::to_value(&scope).unwrap(),
                serde_json::Value::String(text.into())
            );
        }
    }

    #[test]
    fn an_empty_set_is_written_as_none_never_as_the_empty_string() {
        for empty in [ObjectFlowTypes::new(), ObjectFlowTypes::parse("")] {
            assert_eq!(
                serde_json::to_value(&empty).unwrap(),
                serde_json::Value::String("None".into())
            );
        }
        let none: DirectoryDefinitionDiscoverabilities =
            serde_json::from_value(serde_json::Value::String("None".into())).unwrap();
        assert_eq!(serde_json::to_value(&none).unwrap(), "None");
    }

    #[test]
    fn parsing_trims_and_keeps_unknown_names() {
        let scope = SynchronizationJobRestartScope::parse(" Watermark ,Escrows,, Shiny ");
        assert_eq!(scope.to_string(), "Watermark, Escrows, Shiny");
        assert_eq!(scope.bits(), 6);
        assert_eq!(scope.unknown().collect::<Vec<_>>(), ["Shiny"]);
        assert!(scope.contains(&RestartScopeFlag::Other("Shiny".into())));
        assert!(!scope.contains(&RestartScopeFlag::QuarantineState));
    }

    #[test]
    fn full_is_a_composite() {
        let full = SynchronizationJobRestartScope::parse("Full");
        assert_eq!(full.bits(), 15);
        for flag in [
            RestartScopeFlag::ConnectorDataStore,
            RestartScopeFlag::Escrows,
            RestartScopeFlag::Watermark,
            RestartScopeFlag::QuarantineState,
        ] {
            assert!(full.contains(&flag), "{flag}");
        }
        assert!(!full.contains(&RestartScopeFlag::ForceDeletes));
        assert_eq!(
            full,
            SynchronizationJobRestartScope::parse(
                "QuarantineState, Watermark, Escrows, ConnectorDataStore"
            )
        );
        assert_ne!(full, SynchronizationJobRestartScope::portal_restart());
    }

    #[test]
    fn the_zero_member_means_an_empty_value() {
        let none = ObjectFlowTypes::parse("None");
        assert!(none.contains(&ObjectFlowType::None));
        assert!(none.is_empty());
        assert_eq!(none, ObjectFlowTypes::new());
        assert!(!ObjectFlowTypes::all().contains(&ObjectFlowType::None));
        assert_eq!(ObjectFlowTypes::all().to_string(), "Add, Update, Delete");
        let discover =
            DirectoryDefinitionDiscoverabilities::parse("AttributeNames, AttributeDataTypes");
        assert_eq!(discover.bits(), 3);
    }
}
