//! [`PortableSchema`]: a schema without what ties it to one job in one tenant, to copy a
//! working configuration from one job to another (dev → prod, same tenant or another).

use serde::{Deserialize, Serialize};

use crate::property::Property;
use crate::schema::SynchronizationSchema;

/// The `format` a portable schema document carries.
pub const PORTABLE_FORMAT: &str = "graph-sync/schema-export/1";

/// A schema exported for another job: `{"format": …, "templateId": …, "schema": {…}}`.
///
/// [`export`](Self::export) removes the job- and tenant-specific parts: the schema's `id` and
/// `version`, each directory's `id`, `version` and `discoveryDateTime`, and the `@odata.*`
/// annotations a read carries (`@odata.type` stays). [`onto`](Self::onto) maps them back from
/// the job it is imported onto: its schema id and version, and each directory's id, version
/// and discovery time by directory name. Rules keep their ids: those are the engine's, the
/// same for every job of a template (they are the `ruleId` of provisionOnDemand).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PortableSchema {
    /// [`PORTABLE_FORMAT`].
    pub format: String,
    /// The template of the job it was exported from (e.g. `scim`), when known: importing onto
    /// a job of another template is refused by the command line unless asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// The schema, without job- and tenant-specific ids.
    pub schema: SynchronizationSchema,
}

/// Why a portable schema cannot be read or imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PortableError {
    /// The text is not a portable schema document (JSON error, or another document).
    #[error("not a graph-sync schema export ({0})")]
    NotAnExport(String),
    /// A directory of the export is not a directory of the job it is imported onto.
    #[error(
        "the export has a directory named {0:?} that the target job's schema does not have (a \
         schema of another template?)"
    )]
    UnknownDirectory(String),
}

impl PortableSchema {
    /// `schema` as a portable document, from a job of template `template_id`.
    #[must_use]
    pub fn export(schema: &SynchronizationSchema, template_id: Option<String>) -> Self {
        Self {
            format: PORTABLE_FORMAT.to_owned(),
            template_id,
            schema: portable(schema),
        }
    }

    /// Reads a portable schema document.
    ///
    /// # Errors
    ///
    /// [`PortableError::NotAnExport`] when `json` is not one, e.g. a plain schema (which has
    /// no `format`).
    pub fn from_json(json: &[u8]) -> Result<Self, PortableError> {
        let document: Self =
            serde_json::from_slice(json).map_err(|e| PortableError::NotAnExport(e.to_string()))?;
        if document.format != PORTABLE_FORMAT {
            return Err(PortableError::NotAnExport(format!(
                "format {:?}, expected {PORTABLE_FORMAT:?}",
                document.format
            )));
        }
        Ok(document)
    }

    /// Whether `json` looks like a portable schema document (it has this `format`).
    #[must_use]
    pub fn is_export(json: &[u8]) -> bool {
        serde_json::from_slice::<serde_json::Value>(json)
            .ok()
            .and_then(|v| v.get("format").and_then(|f| f.as_str().map(str::to_owned)))
            .is_some_and(|format| format == PORTABLE_FORMAT)
    }

    /// The schema to put on a job whose schema is now `current`: the export with `current`'s
    /// schema id and version, and each directory's id, version and discovery time taken from
    /// `current`'s directory of the same name. An export without `directories` keeps
    /// `current`'s (a schema PUT replaces everything).
    ///
    /// # Errors
    ///
    /// [`PortableError::UnknownDirectory`] when a directory of the export has no namesake in
    /// `current`.
    pub fn onto(
        &self,
        current: &SynchronizationSchema,
    ) -> Result<SynchronizationSchema, PortableError> {
        let mut schema = self.schema.clone();
        schema.id = current.id.clone();
        schema.version = current.version.clone();
        match schema.directories.get_mut() {
            None if self.schema.directories.is_absent() => {
                schema.directories = current.directories.clone();
            }
            None => {}
            Some(directories) => {
                for directory in directories {
                    let name = directory.name.get().cloned().unwrap_or_default();
                    let there = current
                        .directories
                        .iter()
                        .flatten()
                        .find(|d| d.name.get() == Some(&name))
                        .ok_or_else(|| PortableError::UnknownDirectory(name.clone()))?;
                    directory.id = there.id.clone();
                    directory.version = there.version.clone();
                    directory.discovery_date_time = there.discovery_date_time.clone();
                }
            }
        }
        Ok(schema)
    }
}

/// `schema` without its job- and tenant-specific parts (see [`PortableSchema`]). Two schemas
/// of different jobs compare equal in this form when their configuration is the same.
#[must_use]
pub fn portable(schema: &SynchronizationSchema) -> SynchronizationSchema {
    let mut schema = schema.clone();
    schema.id = Property::Absent;
    schema.version = Property::Absent;
    schema
        .extra
        .retain(|key, _| !key.starts_with("@odata.") || key == "@odata.type");
    for directory in schema.directories.iter_mut().flatten() {
        directory.id = Property::Absent;
        directory.version = Property::Absent;
        directory.discovery_date_time = Property::Absent;
    }
    schema
}
