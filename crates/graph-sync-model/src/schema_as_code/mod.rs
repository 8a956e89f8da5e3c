//! Schema as code: a schema's exact text ([`SchemaDocument`]), the difference between two
//! schemas at the level admins think in ([`SchemaPlan`]), and a portable form to copy a
//! configuration from one job to another ([`PortableSchema`]).
//!
//! All of it is pure: the client reads and writes schemas (`graph-sync-api`'s `SchemaApi`),
//! the command line prints plans (`graph-sync schema diff|apply|export|import`).
//!
//! ```
//! use graph_sync_model::schema_as_code::{ChangeKind, SchemaDocument, SchemaPlan};
//!
//! let dev = SchemaDocument::from_json(br#"{"synchronizationRules":[{"name":"users",
//!   "objectMappings":[{"sourceObjectName":"User","targetObjectName":"User","enabled":true,
//!   "attributeMappings":[{"targetAttributeName":"userName",
//!     "source":{"type":"Attribute","name":"mailNickname"}}]}]}]}"#)?;
//! let prod = SchemaDocument::from_json(br#"{"synchronizationRules":[{"name":"users",
//!   "objectMappings":[{"sourceObjectName":"User","targetObjectName":"User","enabled":true,
//!   "attributeMappings":[{"targetAttributeName":"userName",
//!     "source":{"type":"Attribute","name":"userPrincipalName"}}]}]}]}"#)?;
//! let plan = SchemaPlan::between(dev.schema(), prod.schema());
//! assert_eq!(plan.changes.len(), 1);
//! assert_eq!(plan.changes[0].change, ChangeKind::Changed);
//! assert_eq!(plan.changes[0].detail, "source: [mailNickname] → [userPrincipalName]");
//! assert_eq!(plan.changes[0].location(), "users / User → User / userName");
//! # Ok::<(), serde_json::Error>(())
//! ```

mod diff;
mod document;
mod portable;

pub use diff::{ChangeKind, SchemaChange, SchemaPlan, Subject, expression};
pub use document::{SchemaDocument, compact, pretty};
pub use portable::{PORTABLE_FORMAT, PortableError, PortableSchema, portable};

#[cfg(test)]
mod tests;
