//! The Graph side of the emulator: service principals and their synchronization, one module
//! per resource, and the routing as a table.
//!
//! | module | resource |
//! |---|---|
//! | `principals` | `instantiate`, `GET /servicePrincipals`, `GET /servicePrincipals/{id}`, `GET /applications`, `GET /applications/{id}` |
//! | `objects` | service principals and applications with Graph's default property set |
//! | `secrets` | `GET …/synchronization`, `PUT …/synchronization/secrets` |
//! | `jobs` | jobs and their lifecycle |
//! | `templates` | templates |
//! | `schema` | the schema of a job or a template, and the operations below it |
//! | `provisioning` | acquireAccessToken, validateCredentials, provisionOnDemand, bulkUpload |
//! | `logs` | the provisioning logs, `/auditLogs/provisioning` |
//! | `paging` | paged lists |
//!
//! Every emulated operation is one row of [`operations`]: its name, method, path below its
//! owner, which owners it exists under, and its handler. [`routes`] registers each row under
//! each owner's prefix (`/v1.0/servicePrincipals/{id}`, the alternate key
//! `/v1.0/servicePrincipals(appId='…')`, and where documented `/v1.0/applications/{id}`) and
//! puts the row's [`Operation`] in the request's extensions, so a layer added in
//! [`register`] (request validation, say) knows which operation it guards. Each route also
//! carries its [`Resource`], the path Microsoft's permission table names it by, for the role
//! check of [`Authorized`](crate::http::auth::Authorized). A path or method
//! no row names falls through to the router's fallback.

mod jobs;
pub(crate) mod logs;
mod lookup;
mod objects;
pub(crate) mod paging;
mod principals;
mod provisioning;
mod schema;
mod secrets;
mod templates;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Extension, FromRef};
use axum::handler::Handler;
use axum::middleware;
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, on};

use self::logs::ProvisioningLogs;
use self::paging::Paging;
use crate::clock::Clock;
use crate::directory::Directory;
use crate::identity::Identity;
use crate::identity::permissions::Resource;
use crate::strict;

/// Which owners an operation exists under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owners {
    /// `/v1.0/servicePrincipals/{id}` and `/v1.0/servicePrincipals(appId='…')`.
    ServicePrincipal,
    /// Those, and `/v1.0/applications/{id}`.
    ServicePrincipalOrApplication,
    /// `/v1.0/applications/{id}` alone.
    Application,
    /// None: the path is absolute (below `/v1.0`).
    Root,
}

/// An emulated operation, as the request's extensions carry it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Operation {
    /// A stable name, e.g. `jobs.start`.
    pub(crate) name: &'static str,
    /// The path below the owner's prefix (or below `/v1.0` for [`Owners::Root`]).
    pub(crate) path: &'static str,
    /// The owners it exists under.
    pub(crate) owners: Owners,
}

/// `/v1.0/servicePrincipals/{id}`, spelled with the parameter names of
/// [`param`](crate::http::auth::param).
const SP_PREFIX: &str = "/v1.0/servicePrincipals/{id}";
/// The alternate key `servicePrincipals(appId='…')` is one segment.
const KEY_PREFIX: &str = "/v1.0/{key}";
/// `/v1.0/applications/{app}`.
const APPLICATION_PREFIX: &str = "/v1.0/applications/{app}";

/// The prefixes of an owner, in route syntax.
fn prefixes(owners: Owners) -> &'static [&'static str] {
    match owners {
        Owners::ServicePrincipal => &[SP_PREFIX, KEY_PREFIX],
        Owners::ServicePrincipalOrApplication => &[SP_PREFIX, KEY_PREFIX, APPLICATION_PREFIX],
        Owners::Application => &[APPLICATION_PREFIX],
        Owners::Root => &["/v1.0"],
    }
}

/// A row of the operation table.
struct Row<S> {
    operation: Operation,
    handler: MethodRouter<S>,
}

/// One row: `name`, `method`, `path` under `owners`, answered by `handler`.
fn row<S, H, T>(
    name: &'static str,
    method: MethodFilter,
    owners: Owners,
    path: &'static str,
    handler: H,
) -> Row<S>
where
    H: Handler<T, S>,
    T: 'static,
    S: Clone + Send + Sync + 'static,
{
    Row {
        operation: Operation { name, path, owners },
        handler: on(method, handler),
    }
}

/// Every emulated Graph operation.
fn operations<S>() -> Vec<Row<S>>
where
    S: Clone + Send + Sync + 'static,
    Arc<Identity>: FromRef<S>,
    Arc<Directory>: FromRef<S>,
    Arc<Paging>: FromRef<S>,
    Arc<Clock>: FromRef<S>,
    Arc<ProvisioningLogs>: FromRef<S>,
{
    use MethodFilter as M;
    use Owners::{
        Application as App, Root, ServicePrincipal as Sp, ServicePrincipalOrApplication as Any,
    };
    vec![
        row(
            "applicationTemplates.instantiate",
            M::POST,
            Root,
            "/applicationTemplates/{id}/instantiate",
            principals::instantiate,
        ),
        row(
            "servicePrincipals.list",
            M::GET,
            Root,
            "/servicePrincipals",
            principals::list,
        ),
        row("servicePrincipals.get", M::GET, Sp, "", principals::get),
        row(
            "applications.list",
            M::GET,
            Root,
            "/applications",
            principals::list_applications,
        ),
        row(
            "applications.get",
            M::GET,
            App,
            "",
            principals::get_application,
        ),
        row(
            "auditLogs.provisioning.list",
            M::GET,
            Root,
            "/auditLogs/provisioning",
            logs::list,
        ),
        row(
            "auditLogs.provisioning.get",
            M::GET,
            Root,
            "/auditLogs/provisioning/{id}",
            logs::get,
        ),
        row(
            "synchronization.get",
            M::GET,
            Sp,
            "/synchronization",
            secrets::get,
        ),
        row(
            "secrets.put",
            M::PUT,
            Sp,
            "/synchronization/secrets",
            secrets::put,
        ),
        row(
            "synchronization.acquireAccessToken",
            M::POST,
            Any,
            "/synchronization/acquireAccessToken",
            provisioning::acquire_access_token,
        ),
        row(
            "jobs.list",
            M::GET,
            Any,
            "/synchronization/jobs",
            jobs::list,
        ),
        row(
            "jobs.create",
            M::POST,
            Any,
            "/synchronization/jobs",
            jobs::create,
        ),
        row(
            "jobs.validateCredentials",
            M::POST,
            Any,
            "/synchronization/jobs/validateCredentials",
            provisioning::validate_credentials,
        ),
        row(
            "jobs.get",
            M::GET,
            Any,
            "/synchronization/jobs/{job}",
            jobs::get,
        ),
        row(
            "jobs.delete",
            M::DELETE,
            Any,
            "/synchronization/jobs/{job}",
            jobs::delete,
        ),
        row(
            "jobs.start",
            M::POST,
            Any,
            "/synchronization/jobs/{job}/start",
            jobs::start,
        ),
        row(
            "jobs.pause",
            M::POST,
            Any,
            "/synchronization/jobs/{job}/pause",
            jobs::pause,
        ),
        row(
            "jobs.restart",
            M::POST,
            Any,
            "/synchronization/jobs/{job}/restart",
            jobs::restart,
        ),
        row(
            "job.validateCredentials",
            M::POST,
            Any,
            "/synchronization/jobs/{job}/validateCredentials",
            provisioning::validate_job_credentials,
        ),
        row(
            "jobs.provisionOnDemand",
            M::POST,
            Any,
            "/synchronization/jobs/{job}/provisionOnDemand",
            provisioning::provision_on_demand,
        ),
        row(
            "jobs.bulkUpload",
            M::POST,
            Any,
            "/synchronization/jobs/{job}/bulkUpload",
            provisioning::bulk_upload,
        ),
        row(
            "templates.list",
            M::GET,
            Any,
            "/synchronization/templates",
            templates::list,
        ),
        row(
            "templates.get",
            M::GET,
            Any,
            "/synchronization/templates/{template}",
            templates::get,
        ),
        row(
            "templates.update",
            M::PATCH.or(M::PUT),
            Any,
            "/synchronization/templates/{template}",
            templates::update,
        ),
        row(
            "jobs.schema.get",
            M::GET,
            Any,
            "/synchronization/jobs/{job}/schema",
            schema::get,
        ),
        row(
            "jobs.schema.put",
            M::PUT,
            Any,
            "/synchronization/jobs/{job}/schema",
            schema::put,
        ),
        row(
            "jobs.schema.delete",
            M::DELETE,
            Any,
            "/synchronization/jobs/{job}/schema",
            schema::delete,
        ),
        row(
            "jobs.schema.filterOperators",
            M::GET,
            Any,
            "/synchronization/jobs/{job}/schema/filterOperators",
            schema::filter_operators,
        ),
        row(
            "jobs.schema.filterOperators",
            M::GET,
            Any,
            "/synchronization/jobs/{job}/schema/filterOperators()",
            schema::filter_operators,
        ),
        row(
            "jobs.schema.functions",
            M::GET,
            Any,
            "/synchronization/jobs/{job}/schema/functions",
            schema::functions,
        ),
        row(
            "jobs.schema.functions",
            M::GET,
            Any,
            "/synchronization/jobs/{job}/schema/functions()",
            schema::functions,
        ),
        row(
            "jobs.schema.parseExpression",
            M::POST,
            Any,
            "/synchronization/jobs/{job}/schema/parseExpression",
            schema::parse_expression,
        ),
        row(
            "jobs.schema.discover",
            M::POST,
            Any,
            "/synchronization/jobs/{job}/schema/directories/{directory}/discover",
            schema::discover,
        ),
        row(
            "templates.schema.get",
            M::GET,
            Any,
            "/synchronization/templates/{template}/schema",
            schema::get,
        ),
        row(
            "templates.schema.put",
            M::PUT,
            Any,
            "/synchronization/templates/{template}/schema",
            schema::put,
        ),
        row(
            "templates.schema.delete",
            M::DELETE,
            Any,
            "/synchronization/templates/{template}/schema",
            schema::delete,
        ),
        row(
            "templates.schema.filterOperators",
            M::GET,
            Any,
            "/synchronization/templates/{template}/schema/filterOperators",
            schema::filter_operators,
        ),
        row(
            "templates.schema.filterOperators",
            M::GET,
            Any,
            "/synchronization/templates/{template}/schema/filterOperators()",
            schema::filter_operators,
        ),
        row(
            "templates.schema.functions",
            M::GET,
            Any,
            "/synchronization/templates/{template}/schema/functions",
            schema::functions,
        ),
        row(
            "templates.schema.functions",
            M::GET,
            Any,
            "/synchronization/templates/{template}/schema/functions()",
            schema::functions,
        ),
        row(
            "templates.schema.parseExpression",
            M::POST,
            Any,
            "/synchronization/templates/{template}/schema/parseExpression",
            schema::parse_expression,
        ),
        row(
            "templates.schema.discover",
            M::POST,
            Any,
            "/synchronization/templates/{template}/schema/directories/{directory}/discover",
            schema::discover,
        ),
    ]
}

/// Registers `row` under each of its owner's prefixes. The one place where a per-operation
/// layer goes: each route carries its [`Operation`] in the request's extensions (for such a
/// layer and the handler) and in the response's (for the envelope's log).
fn register<S>(mut router: Router<S>, row: Row<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    for prefix in prefixes(row.operation.owners) {
        let path = format!("{prefix}{}", row.operation.path);
        let operation = row.operation;
        let handler = row
            .handler
            .clone()
            .layer::<_, std::convert::Infallible>(middleware::from_fn(strict::guard))
            .layer::<_, std::convert::Infallible>(Extension(strict::Guard {
                operation: operation.name,
                root: operation.owners == Owners::Root,
            }))
            .layer::<_, std::convert::Infallible>(Extension(Resource::of_route(&path)))
            .layer(Extension(operation))
            .layer(middleware::map_response(
                move |mut response: Response| async move {
                    response.extensions_mut().insert(operation);
                    response
                },
            ));
        router = router.route(&path, handler);
    }
    router
}

/// The routes of every emulated Graph operation, and their paths in route syntax (`{param}`
/// segments) for the fallback that tells an unknown segment from a method a path does not take.
pub(crate) fn routes<S>() -> (Router<S>, Vec<String>)
where
    S: Clone + Send + Sync + 'static,
    Arc<Identity>: FromRef<S>,
    Arc<Directory>: FromRef<S>,
    Arc<Paging>: FromRef<S>,
    Arc<Clock>: FromRef<S>,
    Arc<ProvisioningLogs>: FromRef<S>,
{
    let rows = operations();
    let patterns = rows
        .iter()
        .flat_map(|row| {
            prefixes(row.operation.owners)
                .iter()
                .map(move |prefix| format!("{prefix}{}", row.operation.path))
        })
        .collect();
    (rows.into_iter().fold(Router::new(), register), patterns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::auth::param;
    use crate::state::AppState;

    #[test]
    fn every_prefix_uses_the_parameter_names_the_extractor_reads() {
        for prefix in prefixes(Owners::ServicePrincipalOrApplication) {
            assert!(
                [param::ID, param::KEY, param::APPLICATION]
                    .iter()
                    .any(|name| prefix.contains(&format!("{{{name}}}"))),
                "{prefix}"
            );
        }
    }

    #[test]
    fn operation_names_are_unique_but_for_the_function_call_spelling() {
        let rows = operations::<AppState>();
        let mut seen = std::collections::HashSet::new();
        for row in rows
            .iter()
            .filter(|row| !row.operation.path.ends_with("()"))
        {
            assert!(
                seen.insert(row.operation.name),
                "{} twice",
                row.operation.name
            );
        }
        assert!(seen.len() > 30);
    }

    #[test]
    fn every_route_needs_a_permission_from_the_table() {
        for row in operations::<AppState>() {
            for prefix in prefixes(row.operation.owners) {
                let resource = Resource::of_route(&format!("{prefix}{}", row.operation.path));
                let methods: &[&str] = match row.operation.name {
                    "templates.update" => &["PATCH", "PUT"],
                    _ => &[],
                };
                let guessed = ["GET", "POST", "PUT", "PATCH", "DELETE"];
                let found = guessed.iter().chain(methods).any(|method| {
                    crate::identity::permissions::required(method, &resource).is_some()
                });
                assert!(found, "{} {}", row.operation.name, resource.as_str());
            }
        }
    }
}
