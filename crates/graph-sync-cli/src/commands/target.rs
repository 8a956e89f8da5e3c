//! The resources a command addresses, resolved from its arguments in one place: a service
//! principal's synchronization, its secrets, one of its jobs.

use graph_sync_api::model::ServicePrincipalRef;
use graph_sync_api::{GraphSyncClient, JobApi, SecretsApi, SynchronizationApi};

use crate::cli::JobRef;

/// The synchronization of the service principal `sp`.
pub(crate) fn sync_api(client: &GraphSyncClient, sp: &ServicePrincipalRef) -> SynchronizationApi {
    client.service_principal(sp.clone()).synchronization()
}

/// The secrets of the service principal `sp`.
pub(crate) fn secrets_api(client: &GraphSyncClient, sp: &ServicePrincipalRef) -> SecretsApi {
    sync_api(client, sp).secrets()
}

/// The job `target` names.
pub(crate) fn job_api(client: &GraphSyncClient, target: &JobRef) -> JobApi {
    sync_api(client, &target.sp).job(target.job.clone())
}

/// The instant `wait` from now, or as far as the clock allows: a deadline from a user's or a
/// manifest's duration never overflows.
pub(crate) fn deadline_after(wait: std::time::Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(wait)
        .or_else(|| now.checked_add(crate::cli::MAX_DURATION))
        .unwrap_or(now)
}
