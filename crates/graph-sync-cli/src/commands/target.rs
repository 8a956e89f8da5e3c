//! The resources a command addresses, resolved from its arguments in one place: a service
//! principal's synchronization, its secrets, one of its jobs.

use graph_sync_api::model::{Property, ServicePrincipal, ServicePrincipalId, ServicePrincipalRef};
use graph_sync_api::redact::sanitize;
use graph_sync_api::{GraphSyncClient, JobApi, MAX_CANDIDATES, SecretsApi, SynchronizationApi};

use crate::cli::{JobRef, SpArg};
use crate::commands::Context;
use crate::exit::Failure;

/// The service principal `sp` names: an id or appId as given, or the one service principal
/// whose display name is the given name (looked up with `client`; this only reads, so it
/// happens in a dry run too).
///
/// # Errors
///
/// [`Failure::Usage`] (exit 2) when no service principal or several have that name, listing
/// the candidates with their id and appId; [`Failure::Api`] when the lookup fails.
pub(crate) async fn resolve_sp(
    client: &GraphSyncClient,
    sp: &SpArg,
) -> Result<ServicePrincipalRef, Failure> {
    let name = match sp {
        SpArg::Ref(reference) => return Ok(reference.clone()),
        SpArg::Name(name) => name,
    };
    let found = client
        .service_principals()
        .find_by_display_name(name)
        .await
        .map_err(|e| {
            Failure::api(
                format!(
                    "looking up the service principal named {:?}",
                    sanitize(name)
                ),
                e,
            )
        })?;
    match found.as_slice() {
        [only] => match &only.id {
            Property::Value(id) => ServicePrincipalId::new(id.clone())
                .map(ServicePrincipalRef::Id)
                .map_err(|e| {
                    Failure::Usage(format!(
                        "the service principal named {:?} has an unusable id: {e}",
                        sanitize(name)
                    ))
                }),
            _ => Err(Failure::Usage(format!(
                "the service principal named {:?} was listed without an id",
                sanitize(name)
            ))),
        },
        [] => Err(Failure::Usage(format!(
            "no service principal is named {:?}; `--sp` takes an object id, appId=GUID or \
             name:DISPLAY NAME (the whole name; Graph compares it without regard to case)",
            sanitize(name)
        ))),
        several => {
            let more = if several.len() >= MAX_CANDIDATES {
                " (the first ones)"
            } else {
                ""
            };
            let lines: Vec<String> = several.iter().map(describe).collect();
            Err(Failure::Usage(format!(
                "{} service principals are named {:?}{more}; pass one by id or appId=GUID:\n{}",
                several.len(),
                sanitize(name),
                lines.join("\n")
            )))
        }
    }
}

/// `  id ID  appId APPID  DISPLAY NAME`, for lists of candidates.
fn describe(service_principal: &ServicePrincipal) -> String {
    let text = |property: &Property<String>| match property {
        Property::Value(value) => sanitize(value).into_owned(),
        Property::Null => "null".to_owned(),
        Property::Absent => "-".to_owned(),
    };
    format!(
        "  id {}  appId {}  {}",
        text(&service_principal.id),
        text(&service_principal.app_id),
        text(&service_principal.display_name)
    )
}

/// [`resolve_sp`] with the configured client, for commands that act through another client
/// (a dry run's capturing one): only a name needs the lookup, and so a credential.
///
/// # Errors
///
/// As [`resolve_sp`], and the client's failures when a name must be looked up.
pub(crate) async fn resolve_sp_in(
    context: &Context,
    sp: &SpArg,
) -> Result<ServicePrincipalRef, Failure> {
    match sp {
        SpArg::Ref(reference) => Ok(reference.clone()),
        SpArg::Name(_) => resolve_sp(&context.client()?, sp).await,
    }
}

/// The synchronization of the service principal `sp`.
pub(crate) fn sync_api(client: &GraphSyncClient, sp: &ServicePrincipalRef) -> SynchronizationApi {
    client.service_principal(sp.clone()).synchronization()
}

/// The secrets of the service principal `sp`.
pub(crate) fn secrets_api(client: &GraphSyncClient, sp: &ServicePrincipalRef) -> SecretsApi {
    sync_api(client, sp).secrets()
}

/// The job `target` names, on the service principal `sp` it was resolved to (a dry run
/// resolves first, then builds the request on its capturing client).
pub(crate) fn job_on(
    client: &GraphSyncClient,
    sp: &ServicePrincipalRef,
    target: &JobRef,
) -> JobApi {
    sync_api(client, sp).job(target.job.clone())
}

/// The job `target` names, on the service principal it resolves to.
///
/// # Errors
///
/// As [`resolve_sp`].
pub(crate) async fn job_api(client: &GraphSyncClient, target: &JobRef) -> Result<JobApi, Failure> {
    let sp = resolve_sp(client, &target.sp).await?;
    Ok(sync_api(client, &sp).job(target.job.clone()))
}

/// The instant `wait` from now, or as far as the clock allows: a deadline from a user's or a
/// manifest's duration never overflows.
pub(crate) fn deadline_after(wait: std::time::Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(wait)
        .or_else(|| now.checked_add(crate::cli::MAX_DURATION))
        .unwrap_or(now)
}
