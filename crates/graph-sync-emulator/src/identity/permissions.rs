//! Which application permissions (app roles) each Graph operation needs, and the check a
//! protected endpoint makes with the `roles` of the caller's token.
//!
//! The table is Microsoft's: `permissions.tsv` beside this file is a copy of the project's
//! reference (generated from `microsoftgraph/microsoft-graph-devx-content`
//! `permissions/new/permissions.json`), one row per method, path and permission. A permission
//! counts for an application token when its `schemes` column names `Application`. An operation
//! passes when the token holds any one of the permissions listed for it; `…OwnedBy`
//! permissions are taken as sufficient (the emulator does not model owners).
//!
//! A few operations the emulator serves have no row in Microsoft's file; [`SUPPLEMENT`] gives
//! them the permissions their v1.0 reference pages list. A path under `/applications/{id}`
//! without a row of its own takes the row of the same path under `/servicePrincipals/{id}`
//! (the application's service principal is what it addresses).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Microsoft's permissions file (see the module documentation).
const PERMISSIONS_TSV: &str = include_str!("permissions.tsv");

/// Rows, in the file's format, for served operations Microsoft's file does not list: the
/// permissions of their v1.0 reference pages (`servicePrincipal: get`,
/// `applicationTemplate: instantiate`, `synchronization: get` via `synchronizationSecret`,
/// the collection-bound `validateCredentials`, the PUT spelling of a template update, a
/// template schema's `discover`, as the job schema's, the directory lists
/// `servicePrincipal: list`, `application: list` and `application: get`, and the provisioning
/// logs, whose page requires AuditLog.Read.All *and* Directory.Read.All: only the first is
/// checked here).
const SUPPLEMENT: &str = "\
GET\t/serviceprincipals\tApplication.Read.All\tDelegatedWork+Application\tApplication
GET\t/serviceprincipals\tApplication.ReadWrite.All\tDelegatedWork+Application\t
GET\t/serviceprincipals\tDirectory.Read.All\tDelegatedWork+Application\t
GET\t/serviceprincipals\tDirectory.ReadWrite.All\tDelegatedWork+Application\t
GET\t/applications\tApplication.Read.All\tDelegatedWork+Application\tApplication
GET\t/applications\tApplication.ReadWrite.All\tDelegatedWork+Application\t
GET\t/applications\tDirectory.Read.All\tDelegatedWork+Application\t
GET\t/applications\tDirectory.ReadWrite.All\tDelegatedWork+Application\t
GET\t/applications/{id}\tApplication.Read.All\tDelegatedWork+Application\tApplication
GET\t/applications/{id}\tApplication.ReadWrite.All\tDelegatedWork+Application\t
GET\t/applications/{id}\tApplication.ReadWrite.OwnedBy\tApplication\t
GET\t/applications/{id}\tDirectory.Read.All\tDelegatedWork+Application\t
GET\t/applications/{id}\tDirectory.ReadWrite.All\tDelegatedWork+Application\t
GET\t/serviceprincipals/{id}\tApplication.Read.All\tDelegatedWork+Application\tApplication
GET\t/serviceprincipals/{id}\tApplication.ReadWrite.All\tDelegatedWork+Application\t
GET\t/serviceprincipals/{id}\tApplication.ReadWrite.OwnedBy\tApplication\t
GET\t/serviceprincipals/{id}\tDirectory.Read.All\tDelegatedWork+Application\t
GET\t/serviceprincipals/{id}\tDirectory.ReadWrite.All\tDelegatedWork+Application\t
GET\t/serviceprincipals/{id}\tSynchronization.Read.All\tDelegatedWork+Application\t
GET\t/serviceprincipals/{id}\tSynchronization.ReadWrite.All\tDelegatedWork+Application\t
POST\t/applicationtemplates/{id}/instantiate\tApplication.ReadWrite.OwnedBy\tApplication\tApplication
POST\t/applicationtemplates/{id}/instantiate\tApplication.ReadWrite.All\tDelegatedWork+Application\t
GET\t/serviceprincipals/{id}/synchronization\tApplication.ReadWrite.OwnedBy\tApplication\tApplication
GET\t/serviceprincipals/{id}/synchronization\tSynchronization.Read.All\tDelegatedWork+Application\t
GET\t/serviceprincipals/{id}/synchronization\tSynchronization.ReadWrite.All\tDelegatedWork+Application\t
POST\t/serviceprincipals/{id}/synchronization/jobs/validatecredentials\tApplication.ReadWrite.OwnedBy\tApplication\tApplication
POST\t/serviceprincipals/{id}/synchronization/jobs/validatecredentials\tSynchronization.ReadWrite.All\tDelegatedWork+Application\t
PUT\t/applications/{id}/synchronization/templates/{id}\tApplication.ReadWrite.OwnedBy\tApplication\tApplication
PUT\t/applications/{id}/synchronization/templates/{id}\tSynchronization.ReadWrite.All\tDelegatedWork+Application\t
PATCH\t/serviceprincipals/{id}/synchronization/templates/{id}\tApplication.ReadWrite.OwnedBy\tApplication\tApplication
PATCH\t/serviceprincipals/{id}/synchronization/templates/{id}\tSynchronization.ReadWrite.All\tDelegatedWork+Application\t
PUT\t/serviceprincipals/{id}/synchronization/templates/{id}\tApplication.ReadWrite.OwnedBy\tApplication\tApplication
PUT\t/serviceprincipals/{id}/synchronization/templates/{id}\tSynchronization.ReadWrite.All\tDelegatedWork+Application\t
POST\t/serviceprincipals/{id}/synchronization/templates/{id}/schema/directories/{id}/discover\tApplication.ReadWrite.OwnedBy\tApplication\tApplication
POST\t/serviceprincipals/{id}/synchronization/templates/{id}/schema/directories/{id}/discover\tDirectory.ReadWrite.All\tDelegatedWork+Application\t
GET\t/auditlogs/provisioning\tAuditLog.Read.All\tDelegatedWork+Application\tApplication
GET\t/auditlogs/provisioning/{id}\tAuditLog.Read.All\tDelegatedWork+Application\tApplication
";

/// The resource a route serves, in the permission file's spelling (lower case, every key
/// `{id}`, no `()`), e.g. `/serviceprincipals/{id}/synchronization/jobs/{id}/start`. The
/// operation table puts it in each route's request extensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Resource(Arc<str>);

impl Resource {
    /// The resource of a route registered at `route` (axum syntax, below `/v1.0`); the
    /// alternate key segment `{key}` is a service principal.
    pub(crate) fn of_route(route: &str) -> Self {
        let route = route.strip_prefix("/v1.0").unwrap_or(route);
        let mut spelled = String::new();
        for segment in route.split('/').filter(|segment| !segment.is_empty()) {
            spelled.push('/');
            if segment == "{key}" {
                spelled.push_str("serviceprincipals/{id}");
            } else if segment.starts_with('{') && segment.ends_with('}') {
                spelled.push_str("{id}");
            } else {
                spelled.push_str(&segment.trim_end_matches("()").to_ascii_lowercase());
            }
        }
        Self(spelled.into())
    }

    /// The path as the permission file writes it.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// Application permissions by method and path.
type Table = HashMap<(String, String), Vec<String>>;

/// Reads rows of the permission file's format into `table` (comments and the header skipped).
fn read_rows(text: &str, table: &mut Table) {
    for line in text.lines() {
        let columns: Vec<&str> = line.split('\t').collect();
        let [method, path, permission, schemes, ..] = columns.as_slice() else {
            continue;
        };
        if line.starts_with('#') || *method == "method" {
            continue;
        }
        if !schemes.split('+').any(|scheme| scheme == "Application") {
            continue;
        }
        table
            .entry((method.to_ascii_uppercase(), path.to_ascii_lowercase()))
            .or_default()
            .push((*permission).to_owned());
    }
}

/// The table, read once.
fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Table::new();
        read_rows(PERMISSIONS_TSV, &mut table);
        read_rows(SUPPLEMENT, &mut table);
        table
    })
}

/// The application permissions any one of which lets a token call `method` on `resource`;
/// `None` when no row names the operation.
pub(crate) fn required(method: &str, resource: &Resource) -> Option<&'static [String]> {
    let table = table();
    let find = |path: &str| table.get(&(method.to_ascii_uppercase(), path.to_owned()));
    find(resource.as_str())
        .or_else(|| {
            let rest = resource.as_str().strip_prefix("/applications/{id}")?;
            find(&format!("/serviceprincipals/{{id}}{rest}"))
        })
        .map(Vec::as_slice)
}

/// The permission named `name` (any case) as the table spells it, if the table has it.
pub(crate) fn known(name: &str) -> Option<&'static str> {
    table()
        .values()
        .flatten()
        .find(|permission| permission.eq_ignore_ascii_case(name.trim()))
        .map(String::as_str)
}

/// Whether `roles` (the token's `roles` claim) allow `method` on `resource`. An operation no
/// row names needs nothing.
pub(crate) fn allows(roles: &[String], method: &str, resource: &Resource) -> bool {
    required(method, resource).is_none_or(|needed| {
        needed.iter().any(|permission| {
            roles
                .iter()
                .any(|role| role.eq_ignore_ascii_case(permission))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn routes_are_spelled_as_the_permission_file_spells_paths() {
        assert_eq!(
            Resource::of_route("/v1.0/servicePrincipals/{id}/synchronization/jobs/{job}/start")
                .as_str(),
            "/serviceprincipals/{id}/synchronization/jobs/{id}/start"
        );
        assert_eq!(
            Resource::of_route(
                "/v1.0/{key}/synchronization/templates/{template}/schema/functions()"
            )
            .as_str(),
            "/serviceprincipals/{id}/synchronization/templates/{id}/schema/functions"
        );
        assert_eq!(
            Resource::of_route("/v1.0/applicationTemplates/{id}/instantiate").as_str(),
            "/applicationtemplates/{id}/instantiate"
        );
    }

    #[test]
    fn the_file_is_read_with_application_permissions_only() {
        let secrets = Resource::of_route("/v1.0/servicePrincipals/{id}/synchronization/secrets");
        let needed = required("PUT", &secrets).unwrap();
        assert!(needed.contains(&"Synchronization.ReadWrite.All".to_owned()));
        assert!(needed.contains(&"Application.ReadWrite.OwnedBy".to_owned()));
        assert_eq!(needed.len(), 2);
        let upload = Resource::of_route(
            "/v1.0/servicePrincipals/{id}/synchronization/jobs/{job}/bulkUpload",
        );
        assert!(allows(
            &roles(&["SynchronizationData-User.Upload"]),
            "POST",
            &upload
        ));
        assert!(!allows(
            &roles(&["Synchronization.ReadWrite.All"]),
            "POST",
            &upload
        ));
    }

    #[test]
    fn reading_needs_read_and_writing_needs_read_write() {
        let jobs = Resource::of_route("/v1.0/servicePrincipals/{id}/synchronization/jobs/{job}");
        let read = roles(&["synchronization.read.all"]);
        assert!(allows(&read, "GET", &jobs));
        assert!(!allows(&read, "DELETE", &jobs));
        assert!(!allows(&[], "GET", &jobs));
        assert!(allows(
            &roles(&["Synchronization.ReadWrite.All"]),
            "DELETE",
            &jobs
        ));
    }

    #[test]
    fn an_application_path_without_a_row_takes_the_service_principals() {
        let jobs = Resource::of_route("/v1.0/applications/{app}/synchronization/jobs");
        assert!(required("GET", &jobs).is_some());
        let templates = Resource::of_route("/v1.0/applications/{app}/synchronization/templates");
        assert!(required("GET", &templates).unwrap().len() == 3);
    }
}
