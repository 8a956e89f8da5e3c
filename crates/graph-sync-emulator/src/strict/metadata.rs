//! The v1.0 synchronization metadata the strict layer checks against: the CSDL fragment kept
//! beside the crate (`metadata/csdl-sync.xml`, copied verbatim from the project's API
//! reference), read once into structured and enum types, and the bound actions' parameters.
//!
//! The fragment is machine-written: one element per line, attributes in double quotes. The
//! reader relies on that and nothing more; a test proves every type it names resolves.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The CSDL fragment, as shipped.
const CSDL: &str = include_str!("../../metadata/csdl-sync.xml");

/// The namespace every type here lives in.
pub(crate) const NAMESPACE: &str = "microsoft.graph";

/// A property's declared type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeRef {
    /// `Edm.String`, or a `microsoft.graph` type's short name.
    pub(crate) name: String,
    /// `Collection(…)`.
    pub(crate) collection: bool,
    /// `Nullable="false"` was not declared.
    pub(crate) nullable: bool,
}

impl TypeRef {
    fn parse(text: &str, nullable: bool) -> Self {
        let (inner, collection) = match text
            .strip_prefix("Collection(")
            .and_then(|t| t.strip_suffix(')'))
        {
            Some(inner) => (inner, true),
            None => (text, false),
        };
        let name = inner.strip_prefix("graph.").unwrap_or(inner).to_owned();
        Self {
            name,
            collection,
            nullable,
        }
    }

    /// The qualified name Graph's messages use: `Edm.String`, `microsoft.graph.synchronizationJob`.
    pub(crate) fn qualified(&self) -> String {
        qualified(&self.name)
    }
}

/// `microsoft.graph.{name}` for a graph type, the name itself for an `Edm` one.
pub(crate) fn qualified(name: &str) -> String {
    if name.starts_with("Edm.") {
        name.to_owned()
    } else {
        format!("{NAMESPACE}.{name}")
    }
}

/// An entity or complex type.
#[derive(Debug, Default)]
pub(crate) struct StructType {
    /// The base type's short name.
    pub(crate) base: Option<String>,
    /// `OpenType="true"`: undeclared properties are allowed.
    pub(crate) open: bool,
    /// Structural and navigation properties, in declaration order.
    pub(crate) properties: Vec<(String, TypeRef)>,
    /// Which of them are navigation properties.
    pub(crate) navigation: Vec<String>,
}

/// An enum type.
#[derive(Debug, Default)]
pub(crate) struct EnumType {
    /// `IsFlags="true"`.
    pub(crate) flags: bool,
    /// Member names, in declaration order.
    pub(crate) members: Vec<String>,
}

/// The parsed metadata.
#[derive(Debug, Default)]
pub(crate) struct Metadata {
    structs: HashMap<String, StructType>,
    enums: HashMap<String, EnumType>,
    /// Bound actions by name (overloads merged): their non-binding parameters.
    actions: HashMap<String, Vec<(String, TypeRef)>>,
}

/// The value of `name="…"` on a line.
fn attribute<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {name}=\""))? + name.len() + 3;
    let rest = line.get(start..)?;
    rest.find('"').and_then(|end| rest.get(..end))
}

/// What the reader is inside of.
enum Open {
    None,
    Struct(String),
    Enum(String),
    Action(String),
}

impl Metadata {
    /// The metadata shipped with the crate, parsed once.
    pub(crate) fn get() -> &'static Self {
        static METADATA: OnceLock<Metadata> = OnceLock::new();
        METADATA.get_or_init(|| Self::parse(CSDL))
    }

    fn parse(text: &str) -> Self {
        let mut metadata = Self::default();
        let mut open = Open::None;
        for line in text.lines().map(str::trim) {
            let name = attribute(line, "Name");
            if line.starts_with("<EntityType ") || line.starts_with("<ComplexType ") {
                let Some(name) = name else { continue };
                metadata.structs.insert(
                    name.to_owned(),
                    StructType {
                        base: attribute(line, "BaseType")
                            .map(|b| b.strip_prefix("graph.").unwrap_or(b).to_owned()),
                        open: attribute(line, "OpenType") == Some("true"),
                        ..StructType::default()
                    },
                );
                open = if line.ends_with("/>") {
                    Open::None
                } else {
                    Open::Struct(name.to_owned())
                };
            } else if line.starts_with("<EnumType ") {
                let Some(name) = name else { continue };
                metadata.enums.insert(
                    name.to_owned(),
                    EnumType {
                        flags: attribute(line, "IsFlags") == Some("true"),
                        members: Vec::new(),
                    },
                );
                open = Open::Enum(name.to_owned());
            } else if line.starts_with("<Action ") {
                let Some(name) = name else { continue };
                metadata.actions.entry(name.to_owned()).or_default();
                open = Open::Action(name.to_owned());
            } else if [
                "</EntityType",
                "</ComplexType",
                "</EnumType",
                "</Action",
                "<Function ",
            ]
            .iter()
            .any(|tag| line.starts_with(tag))
            {
                open = Open::None;
            } else if let (Some(name), Some(kind)) = (name, attribute(line, "Type")) {
                let nullable = attribute(line, "Nullable") != Some("false");
                let declared = TypeRef::parse(kind, nullable);
                match &open {
                    Open::Struct(owner) if line.starts_with("<Property ") => {
                        if let Some(owner) = metadata.structs.get_mut(owner) {
                            owner.properties.push((name.to_owned(), declared));
                        }
                    }
                    Open::Struct(owner) if line.starts_with("<NavigationProperty ") => {
                        if let Some(owner) = metadata.structs.get_mut(owner) {
                            owner.properties.push((name.to_owned(), declared));
                            owner.navigation.push(name.to_owned());
                        }
                    }
                    Open::Action(action)
                        if line.starts_with("<Parameter ") && name != "bindingParameter" =>
                    {
                        if let Some(parameters) = metadata.actions.get_mut(action)
                            && !parameters.iter().any(|(n, _)| n == name)
                        {
                            parameters.push((name.to_owned(), declared));
                        }
                    }
                    _ => {}
                }
            } else if let (Open::Enum(owner), Some(member)) = (&open, name)
                && line.starts_with("<Member ")
                && let Some(owner) = metadata.enums.get_mut(owner)
            {
                owner.members.push(member.to_owned());
            }
        }
        metadata
    }

    /// The structured type `name`.
    pub(crate) fn structure(&self, name: &str) -> Option<&StructType> {
        self.structs.get(name)
    }

    /// The enum type `name`.
    pub(crate) fn enumeration(&self, name: &str) -> Option<&EnumType> {
        self.enums.get(name)
    }

    /// The parameters of the bound action `name`.
    pub(crate) fn action(&self, name: &str) -> Option<&[(String, TypeRef)]> {
        self.actions.get(name).map(Vec::as_slice)
    }

    /// The property `property` of `owner` or of one of its base types.
    pub(crate) fn property(&self, owner: &str, property: &str) -> Option<&TypeRef> {
        let mut current = Some(owner);
        while let Some(name) = current {
            let found = self.structs.get(name)?;
            if let Some((_, declared)) = found.properties.iter().find(|(n, _)| n == property) {
                return Some(declared);
            }
            current = found.base.as_deref();
        }
        None
    }

    /// Whether `property` of `owner` (or a base) is a navigation property.
    pub(crate) fn is_navigation(&self, owner: &str, property: &str) -> bool {
        let mut current = Some(owner);
        while let Some(name) = current {
            let Some(found) = self.structs.get(name) else {
                return false;
            };
            if found.navigation.iter().any(|n| n == property) {
                return true;
            }
            current = found.base.as_deref();
        }
        false
    }

    /// Whether `owner` or a base type is open.
    pub(crate) fn is_open(&self, owner: &str) -> bool {
        let mut current = Some(owner);
        while let Some(name) = current {
            let Some(found) = self.structs.get(name) else {
                return false;
            };
            if found.open {
                return true;
            }
            current = found.base.as_deref();
        }
        false
    }

    /// Whether `derived` is `base` or derives from it.
    pub(crate) fn derives_from(&self, derived: &str, base: &str) -> bool {
        let mut current = Some(derived);
        while let Some(name) = current {
            if name == base {
                return true;
            }
            current = self.structs.get(name).and_then(|s| s.base.as_deref());
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_metadata_parses_and_every_type_resolves() {
        let metadata = Metadata::get();
        assert!(metadata.structs.len() > 40, "{}", metadata.structs.len());
        assert!(metadata.enums.len() > 20);
        for owner in metadata.structs.values() {
            for (name, declared) in &owner.properties {
                let known = declared.name.starts_with("Edm.")
                    || metadata.structs.contains_key(&declared.name)
                    || metadata.enums.contains_key(&declared.name);
                assert!(known, "{name}: {}", declared.name);
            }
        }
        let job = metadata.property("synchronizationJob", "id").unwrap();
        assert_eq!(job.name, "Edm.String");
        assert!(!job.nullable);
        assert!(metadata.is_navigation("synchronizationJob", "schema"));
        assert!(
            metadata
                .enumeration("synchronizationJobRestartScope")
                .unwrap()
                .flags
        );
        assert!(
            metadata
                .enumeration("synchronizationSecret")
                .unwrap()
                .members
                .len()
                > 40
        );
        assert!(metadata.is_open("stringKeyObjectValuePair"));
        let validate = metadata.action("validateCredentials").unwrap();
        assert_eq!(validate.len(), 4);
        assert_eq!(metadata.action("start"), Some(&[][..]));
        assert!(metadata.derives_from("synchronizationJob", "entity"));
    }
}
