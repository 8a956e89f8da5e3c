//! The strict layer: one place that holds every emulated operation to what Graph accepts and
//! writes, in front of the handlers.
//!
//! * **Bodies** ([`body`]) are checked against the v1.0 metadata ([`metadata`]): undeclared
//!   properties, JSON types that do not fit, `null` where the metadata forbids it, enum and
//!   flags text naming no member, a bad `@odata.type` are `400 BadRequest`; nothing reaches a
//!   handler, so nothing is stored.
//! * **Query options** ([`query`], [`filter`]) are read and applied: `$select`, `$top` with
//!   next links, `$filter`, `$orderby`, `$count` on lists; `$select` (and a checked
//!   `$expand`) on entities; malformed, unknown, repeated or misplaced options are `400`.
//! * **Answers** carry `@odata.context` as Graph writes it, and flags as Graph writes them
//!   ([`values`]).
//! * **Routes** no operation names answer as Graph does: `400` "Resource not found for the
//!   segment …" for an unknown segment, `405` for a method a known path does not take.
//!
//! [`Strictness::Loose`] (the emulator's `--loose`, [`Emulator::set_loose`](crate::Emulator::set_loose))
//! keeps the older leniency: no body or query-option checks, `$skiptoken` paging only.
//!
//! Each operation's row in [`spec`] says what its body is, which options it takes and how its
//! answer's context reads; [`guard`] is the middleware that applies it, registered on every
//! operation's route by the operation table.

pub(crate) mod body;
pub(crate) mod filter;
pub(crate) mod metadata;
pub(crate) mod properties;
pub(crate) mod query;
pub(crate) mod search;
pub(crate) mod values;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::{Body, Bytes};
use axum::extract::{FromRef, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use self::body::BodyOf;
use self::metadata::{Metadata, qualified};
use self::query::{Properties, Query, Takes};
use crate::directory::Directory;
use crate::error::GraphError;
use crate::http::auth::{Authorized, Principal};
use crate::http::reply::{Origin, json_response};
use crate::identity::Identity;

/// The largest body the strict layer buffers (the router's own limit is lower).
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Strict (the default) or loose, switchable at run time.
#[derive(Debug, Default)]
pub(crate) struct Strictness {
    loose: AtomicBool,
}

impl Strictness {
    /// Whether the emulator is loose.
    pub(crate) fn is_loose(&self) -> bool {
        self.loose.load(Ordering::Relaxed)
    }

    /// Sets loose (`true`) or strict.
    pub(crate) fn set_loose(&self, loose: bool) {
        self.loose.store(loose, Ordering::Relaxed);
    }
}

/// How an answer's `@odata.context` reads.
#[derive(Debug, Clone, Copy)]
enum Context {
    /// The request path as a context path: an entity (`…/$entity`).
    Entity,
    /// The request path as a collection.
    List,
    /// The request path less its last segment (an action's name), as an entity.
    ActionEntity,
    /// `#microsoft.graph.{type}`.
    Type(&'static str),
    /// `#Collection(microsoft.graph.{type})`.
    Collection(&'static str),
}

/// What the operation table tells the guard about a route: the operation's name and whether
/// it is addressed below the Graph root rather than below an owner.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Guard {
    /// The operation's name, e.g. `jobs.start`.
    pub(crate) operation: &'static str,
    /// No owner (service principal or application) in the path.
    pub(crate) root: bool,
}

/// What the strict layer knows about one operation.
#[derive(Debug, Clone, Copy)]
struct Spec {
    body: Option<BodyOf>,
    takes: Takes,
    /// The structured type of what a GET answers, for `$select` and friends.
    of: Option<&'static str>,
    context: Option<Context>,
}

/// The strict layer's row for `operation` (by name).
fn spec(operation: &str) -> Spec {
    let of = |body, takes, of, context| Spec {
        body,
        takes,
        of,
        context,
    };
    use BodyOf::{Action, Type};
    use Context as C;
    use Takes::{Directory, Entity, List, Nothing};
    match operation {
        "applicationTemplates.instantiate" => of(
            Some(BodyOf::Instantiate),
            Nothing,
            None,
            Some(C::Type("applicationServicePrincipal")),
        ),
        "servicePrincipals.list" => of(None, Directory, Some(SERVICE_PRINCIPAL), Some(C::List)),
        "servicePrincipals.get" => of(None, Entity, Some(SERVICE_PRINCIPAL), Some(C::Entity)),
        "applications.list" => of(None, Directory, Some(APPLICATION), Some(C::List)),
        "applications.get" => of(None, Entity, Some(APPLICATION), Some(C::Entity)),
        "auditLogs.provisioning.list" => of(None, List, Some(PROVISIONING_EVENT), Some(C::List)),
        "auditLogs.provisioning.get" => of(None, Entity, Some(PROVISIONING_EVENT), Some(C::Entity)),
        "synchronization.get" => of(None, Entity, Some("synchronization"), Some(C::Entity)),
        "synchronization.acquireAccessToken" => {
            of(Some(Action("acquireAccessToken")), Nothing, None, None)
        }
        "jobs.list" => of(None, List, Some("synchronizationJob"), Some(C::List)),
        "jobs.create" => of(
            Some(Type("synchronizationJob")),
            Nothing,
            Some("synchronizationJob"),
            Some(C::Entity),
        ),
        "jobs.validateCredentials" | "job.validateCredentials" => {
            of(Some(Action("validateCredentials")), Nothing, None, None)
        }
        "jobs.get" => of(None, Entity, Some("synchronizationJob"), Some(C::Entity)),
        "jobs.start" => of(Some(Action("start")), Nothing, None, None),
        "jobs.pause" => of(Some(Action("pause")), Nothing, None, None),
        "jobs.restart" => of(Some(Action("restart")), Nothing, None, None),
        "jobs.provisionOnDemand" => of(
            Some(Action("provisionOnDemand")),
            Nothing,
            None,
            Some(C::Type("stringKeyStringValuePair")),
        ),
        "templates.list" => of(None, List, Some("synchronizationTemplate"), Some(C::List)),
        "templates.get" => of(
            None,
            Entity,
            Some("synchronizationTemplate"),
            Some(C::Entity),
        ),
        "templates.update" => of(Some(Type("synchronizationTemplate")), Nothing, None, None),
        "jobs.schema.get" | "templates.schema.get" => {
            of(None, Entity, Some("synchronizationSchema"), Some(C::Entity))
        }
        "jobs.schema.put" | "templates.schema.put" => {
            of(Some(Type("synchronizationSchema")), Nothing, None, None)
        }
        "jobs.schema.filterOperators" | "templates.schema.filterOperators" => of(
            None,
            List,
            Some("filterOperatorSchema"),
            Some(C::Collection("filterOperatorSchema")),
        ),
        "jobs.schema.functions" | "templates.schema.functions" => of(
            None,
            List,
            Some("attributeMappingFunctionSchema"),
            Some(C::Collection("attributeMappingFunctionSchema")),
        ),
        "jobs.schema.parseExpression" | "templates.schema.parseExpression" => of(
            Some(Action("parseExpression")),
            Nothing,
            None,
            Some(C::Type("parseExpressionResponse")),
        ),
        "jobs.schema.discover" | "templates.schema.discover" => of(
            Some(Action("discover")),
            Nothing,
            None,
            Some(C::ActionEntity),
        ),
        // secrets.put checks its body itself (the model's `Secrets` reader); bulkUpload is
        // SCIM; the deletes take no options.
        _ => of(None, Nothing, None, None),
    }
}

/// The directory types, outside the synchronization metadata: their properties are the
/// default property sets of [`properties`].
const SERVICE_PRINCIPAL: &str = "servicePrincipal";
/// See [`SERVICE_PRINCIPAL`].
const APPLICATION: &str = "application";

/// The marker for the provisioning log event, which is outside the synchronization metadata.
const PROVISIONING_EVENT: &str = "provisioningObjectSummary";

/// The properties of `provisioningObjectSummary` (v1.0), which `$filter`, `$orderby` and
/// `$select` may name.
const PROVISIONING_EVENT_PROPERTIES: &[&str] = &[
    "activityDateTime",
    "changeId",
    "cycleId",
    "durationInMilliseconds",
    "id",
    "initiatedBy",
    "jobId",
    "modifiedProperties",
    "provisioningAction",
    "provisioningStatusInfo",
    "provisioningSteps",
    "servicePrincipal",
    "sourceIdentity",
    "sourceSystem",
    "targetIdentity",
    "targetSystem",
    "tenantId",
];

/// The property names of a type outside the synchronization metadata.
fn outside_metadata(of: &str) -> Option<&'static [&'static str]> {
    match of {
        SERVICE_PRINCIPAL => Some(properties::SERVICE_PRINCIPAL_PROPERTIES),
        APPLICATION => Some(properties::APPLICATION_PROPERTIES),
        PROVISIONING_EVENT => Some(PROVISIONING_EVENT_PROPERTIES),
        _ => None,
    }
}

/// A structured type's properties, as the query options see them.
struct TypeProperties(&'static str);

impl Properties for TypeProperties {
    fn type_name(&self) -> String {
        qualified(self.0)
    }

    fn has(&self, name: &str) -> bool {
        match outside_metadata(self.0) {
            Some(properties) => properties.contains(&name) || self.is_navigation(name),
            None => Metadata::get().property(self.0, name).is_some(),
        }
    }

    fn is_navigation(&self, name: &str) -> bool {
        match self.0 {
            SERVICE_PRINCIPAL | APPLICATION => name == "synchronization",
            PROVISIONING_EVENT => false,
            other => Metadata::get().is_navigation(other, name),
        }
    }

    fn case_sensitive(&self) -> bool {
        // "The filters are all case sensitive" (List provisioningObjectSummary).
        self.0 == PROVISIONING_EVENT
    }
}

/// The substates the guard needs to authorize before it judges a body.
#[derive(Clone)]
struct Guarded {
    identity: Arc<Identity>,
    directory: Arc<Directory>,
}

impl FromRef<Guarded> for Arc<Identity> {
    fn from_ref(state: &Guarded) -> Self {
        Self::clone(&state.identity)
    }
}

impl FromRef<Guarded> for Arc<Directory> {
    fn from_ref(state: &Guarded) -> Self {
        Self::clone(&state.directory)
    }
}

/// The middleware on every operation's route: in strict mode, checks the query options and
/// the body (after the token and the addressed owner, in the service's order), then gives the
/// answer its `@odata.context` and an entity its `$select` projection.
pub(crate) async fn guard(request: Request, next: Next) -> Response {
    match guarded(request, next).await {
        Ok(response) | Err(response) => response,
    }
}

async fn guarded(request: Request, next: Next) -> Result<Response, Response> {
    let strictness = request.extensions().get::<Arc<Strictness>>().cloned();
    let Some(operation) = request.extensions().get::<Guard>().copied() else {
        return Ok(next.run(request).await);
    };
    let spec = spec(operation.operation);
    let loose = strictness.is_none_or(|s| s.is_loose());
    let (mut parts, body) = request.into_parts();
    let mut query = None;
    let body = if loose {
        body
    } else {
        let of = spec.of.map(TypeProperties);
        let parsed = Query::parse(
            parts.uri.query(),
            spec.takes,
            of.as_ref().map(|p| p as &dyn Properties),
        )
        .and_then(|mut parsed| {
            if spec.takes == Takes::Directory {
                parsed.directory_rules(is_eventual(&parts.headers))?;
            }
            Ok(parsed)
        });
        let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
            GraphError::bad_request("The request body could not be read.").into_response()
        })?;
        let checked = parsed.and_then(|parsed| {
            if let Some(of) = spec.body {
                check_body(&parts.headers, &bytes, of)?;
            }
            Ok(parsed)
        });
        match checked {
            Ok(parsed) => query = Some(parsed),
            Err(problem) => {
                // The token and the owner come first, as in the service.
                authorize(&mut parts, operation).await?;
                return Err(problem.into_response());
            }
        }
        Body::from(bytes)
    };
    let method = parts.method.clone();
    let uri = parts.uri.clone();
    let origin = Origin::of(&parts);
    if let Some(query) = &query {
        parts.extensions.insert(query.clone());
    }
    let response = next.run(Request::from_parts(parts, body)).await;
    Ok(finish(response, &method, &uri, &origin, spec, query.as_ref()).await)
}

/// Runs the checks the handler's extractor would, so that a `401`/`400`/`404` about the
/// token or the owner wins over a body or query-option problem.
async fn authorize(parts: &mut Parts, operation: Guard) -> Result<(), Response> {
    let (Some(identity), Some(directory)) = (
        parts.extensions.get::<Arc<Identity>>().cloned(),
        parts.extensions.get::<Arc<Directory>>().cloned(),
    ) else {
        return Ok(());
    };
    let state = Guarded {
        identity,
        directory,
    };
    if operation.root {
        Authorized::<()>::from_request_parts(parts, &state)
            .await
            .map(drop)
            .map_err(IntoResponse::into_response)
    } else {
        Authorized::<Principal>::from_request_parts(parts, &state)
            .await
            .map(drop)
            .map_err(IntoResponse::into_response)
    }
}

/// Whether the request carries `ConsistencyLevel: eventual` (the directory's advanced
/// queries need it).
fn is_eventual(headers: &HeaderMap) -> bool {
    headers
        .get("consistencylevel")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("eventual"))
}

/// A non-empty JSON body (declared so) must fit `of`; the handler judges the rest (empty,
/// media type, unparsable JSON) with its own wording.
fn check_body(headers: &HeaderMap, bytes: &Bytes, of: BodyOf) -> Result<(), GraphError> {
    if bytes.trim_ascii().is_empty() || crate::http::body::check_json_content_type(headers).is_err()
    {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return Ok(());
    };
    body::check(&value, of)
}

/// Gives a JSON answer its `@odata.context` and, for an entity, its `$select` projection.
async fn finish(
    response: Response,
    method: &Method,
    uri: &Uri,
    origin: &Origin,
    spec: Spec,
    query: Option<&Query>,
) -> Response {
    let Some(context) = spec.context else {
        return response;
    };
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !response.status().is_success() || !is_json || method == Method::HEAD {
        return response;
    }
    let (mut response_parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return GraphError::internal("A response body could not be read.").into_response();
    };
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(response_parts, Body::from(bytes));
    };
    if let Some(of) = spec.of.filter(|of| outside_metadata(of).is_none()) {
        match (spec.takes, object.get_mut("value")) {
            (Takes::List, Some(Value::Array(items))) => {
                for item in items {
                    values::normalize(item, of);
                }
            }
            _ => {
                let mut whole = Value::Object(object);
                values::normalize(&mut whole, of);
                let Value::Object(normalized) = whole else {
                    return GraphError::internal("A normalised answer is not an object.")
                        .into_response();
                };
                object = normalized;
            }
        }
    }
    let select = query.and_then(|q| q.select.as_deref());
    if matches!(spec.takes, Takes::Entity)
        && let Some(query) = query
        && let Value::Object(projected) = query.project(Value::Object(object.clone()))
    {
        object = projected;
    }
    if !object.contains_key("@odata.context") {
        let url = context_url(&origin.graph_root(), uri.path(), context, select);
        let mut with_context = Map::new();
        with_context.insert("@odata.context".to_owned(), Value::String(url));
        with_context.extend(object);
        object = with_context;
    }
    let Ok(bytes) = serde_json::to_vec(&object) else {
        return GraphError::internal("A response body did not serialize.").into_response();
    };
    response_parts
        .headers
        .remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(response_parts, Body::from(bytes))
}

/// Segments after which the next segment is a key.
const KEYED: &[&str] = &[
    "servicePrincipals",
    "applications",
    "applicationTemplates",
    "jobs",
    "templates",
    "directories",
];

/// The context URL of an answer to `path` (below the root's `/v1.0`).
fn context_url(root: &str, path: &str, context: Context, select: Option<&[String]>) -> String {
    let metadata = format!("{root}/$metadata#");
    let path = path
        .strip_prefix("/v1.0/")
        .unwrap_or(path)
        .trim_end_matches('/');
    let mut segments: Vec<String> = Vec::new();
    let mut keyed_last = false;
    let raw: Vec<&str> = path.split('/').collect();
    let raw = match context {
        Context::ActionEntity => raw.get(..raw.len().saturating_sub(1)).unwrap_or_default(),
        _ => &raw[..],
    };
    let mut previous: Option<&str> = None;
    for segment in raw {
        let segment = segment.trim_end_matches("()");
        match previous {
            Some(collection) if KEYED.contains(&collection) => {
                if let Some(last) = segments.last_mut() {
                    last.push_str(&format!("('{segment}')"));
                }
                keyed_last = true;
            }
            _ => {
                segments.push(segment.to_owned());
                keyed_last = segment.contains('(');
            }
        }
        previous = Some(segment);
    }
    if keyed_last
        && let Some(last) = segments.last_mut()
        && let Some(open) = last.find('(')
    {
        last.truncate(open);
    }
    let selected = select
        .filter(|s| !s.is_empty())
        .map(|s| format!("({})", s.join(",")))
        .unwrap_or_default();
    match context {
        Context::Type(name) => format!("{metadata}{}", qualified(name)),
        Context::Collection(name) => format!("{metadata}Collection({})", qualified(name)),
        Context::List => format!("{metadata}{}{selected}", segments.join("/")),
        Context::Entity | Context::ActionEntity => {
            format!("{metadata}{}{selected}/$entity", segments.join("/"))
        }
    }
}

/// The list handlers' query: what the guard parsed (strict), or just `$skiptoken` (loose).
impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, GraphError> {
        if let Some(query) = parts.extensions.get::<Self>() {
            return Ok(query.clone());
        }
        let skip = parts
            .uri
            .query()
            .and_then(|q| {
                q.split('&').find_map(|pair| {
                    pair.strip_prefix("$skiptoken=")
                        .or_else(|| pair.strip_prefix("%24skiptoken="))
                })
            })
            .map(|token| {
                token
                    .parse::<usize>()
                    .map_err(|_| GraphError::bad_request("The $skiptoken is not valid."))
            })
            .transpose()?
            .unwrap_or(0);
        Ok(Self {
            skip,
            ..Self::default()
        })
    }
}

/// A list answer: `items` through `query`, `page_size` at most, with a next link that keeps
/// the request's options and `@odata.count` when asked.
pub(crate) fn list_response<T: Serialize>(
    items: Vec<T>,
    query: &Query,
    page_size: usize,
    uri: &Uri,
    origin: &Origin,
) -> Result<Response, GraphError> {
    let values = items
        .into_iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| GraphError::internal("A list item did not serialize."))?;
    let (page, next, total) = query.page(values, page_size);
    let mut body = Map::new();
    if query.count {
        body.insert("@odata.count".to_owned(), Value::from(total));
    }
    if let Some(next) = next {
        let mut link = format!("{}{}?", origin.as_str(), uri.path());
        for (name, value) in &query.carried {
            link.push_str(&format!("{name}={value}&"));
        }
        link.push_str(&format!("$skiptoken={next}"));
        body.insert("@odata.nextLink".to_owned(), Value::String(link));
    }
    body.insert("value".to_owned(), Value::Array(page));
    json_response(StatusCode::OK, &body)
}

/// The router's fallback: a path no operation names is `400` "Resource not found for the
/// segment …" (the first segment that leads nowhere), a known path with a method it does not
/// take `405`.
pub(crate) fn unrouted(method: &Method, uri: &Uri, routes: &[String]) -> GraphError {
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let matches = |pattern: &str, upto: usize| {
        let pattern: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
        pattern.len() >= upto
            && segments
                .iter()
                .zip(&pattern)
                .take(upto)
                .all(|(s, p)| p.starts_with('{') || s == p)
    };
    let full = segments.len();
    if routes
        .iter()
        .any(|p| p.trim_start_matches('/').split('/').count() == full && matches(p, full))
    {
        return GraphError::method_not_allowed(method);
    }
    let known = (0..=full)
        .rev()
        .find(|upto| routes.iter().any(|p| matches(p, *upto)))
        .unwrap_or(0);
    // A path that is only the start of a route (`…/schema/directories` of
    // `…/schema/directories/{id}/discover`) leads nowhere at its last segment.
    let segment = segments
        .get(known)
        .or_else(|| segments.last())
        .copied()
        .unwrap_or_default();
    GraphError::segment_not_found(segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_read_as_graph_writes_them() {
        let root = "https://graph.microsoft.com/v1.0";
        let sp = "/v1.0/servicePrincipals/s1/synchronization";
        assert_eq!(
            context_url(root, &format!("{sp}/jobs"), Context::List, None),
            format!("{root}/$metadata#servicePrincipals('s1')/synchronization/jobs")
        );
        assert_eq!(
            context_url(root, &format!("{sp}/jobs/j1"), Context::Entity, None),
            format!("{root}/$metadata#servicePrincipals('s1')/synchronization/jobs/$entity")
        );
        let select = ["id".to_owned(), "templateId".to_owned()];
        assert_eq!(
            context_url(
                root,
                &format!("{sp}/jobs/j1"),
                Context::Entity,
                Some(&select)
            ),
            format!(
                "{root}/$metadata#servicePrincipals('s1')/synchronization/jobs(id,templateId)/$entity"
            )
        );
        assert_eq!(
            context_url(root, &format!("{sp}/jobs/j1/schema"), Context::Entity, None),
            format!(
                "{root}/$metadata#servicePrincipals('s1')/synchronization/jobs('j1')/schema/$entity"
            )
        );
        assert_eq!(
            context_url(root, "/v1.0/servicePrincipals/s1", Context::Entity, None),
            format!("{root}/$metadata#servicePrincipals/$entity")
        );
        assert_eq!(
            context_url(
                root,
                &format!("{sp}/jobs/j1/schema/directories/d1/discover"),
                Context::ActionEntity,
                None
            ),
            format!(
                "{root}/$metadata#servicePrincipals('s1')/synchronization/jobs('j1')/schema/directories/$entity"
            )
        );
        assert_eq!(
            context_url(root, "/x", Context::Type("parseExpressionResponse"), None),
            format!("{root}/$metadata#microsoft.graph.parseExpressionResponse")
        );
    }
}
