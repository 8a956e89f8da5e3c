//! The provisioning logs: `GET /auditLogs/provisioning` and `GET /auditLogs/provisioning/{id}`,
//! and the store the other handlers append events to.
//!
//! Every provisioning on demand, bulk upload and cycle that processes objects hands its
//! events (see [`crate::provisioning::events`]) to [`ProvisioningLogs::record`], which gives
//! each an id and an `activityDateTime` on the emulator's clock, strictly increasing, so that
//! "newer than the last one seen" never misses an event. The store keeps the newest
//! [`CAPACITY`] events (the service keeps 30 days); memory stays bounded however long the
//! emulator runs.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use axum::extract::{FromRef, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use graph_sync_model::audit::ProvisioningObjectSummary;
use graph_sync_model::{InitiatorType, Property, Timestamp};

use crate::clock::Clock;
use crate::directory::PrincipalEntry;
use crate::error::GraphError;
use crate::http::auth::Authorized;
use crate::http::reply::{Origin, json_response};
use crate::provisioning::catalog;
use crate::provisioning::events::{Run, SourceObject};
use crate::strict::query::Query;
use crate::synchronization::paging::Paging;

/// The most events the store keeps; older ones are dropped first.
pub(crate) const CAPACITY: usize = 100_000;

/// The provisioning logs substate.
#[derive(Debug, Default)]
pub(crate) struct ProvisioningLogs {
    store: Mutex<Store>,
}

#[derive(Debug, Default)]
struct Store {
    /// Oldest first.
    events: VecDeque<ProvisioningObjectSummary>,
    /// The last `activityDateTime` given.
    last: Option<SystemTime>,
}

impl ProvisioningLogs {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `events` as happening `now`: each gets an id and a time strictly after the
    /// previous event's (100 ns apart when `now` has not moved).
    pub(crate) fn record(&self, now: SystemTime, events: Vec<ProvisioningObjectSummary>) {
        let mut store = self.store();
        for mut event in events {
            let at = match store.last {
                Some(last) if now <= last => {
                    last.checked_add(Duration::from_nanos(100)).unwrap_or(last)
                }
                _ => now,
            };
            store.last = Some(at);
            event.id = Property::Value(uuid::Uuid::new_v4().to_string());
            event.activity_date_time =
                Property::Value(Timestamp::from(time::OffsetDateTime::from(at)));
            if store.events.len() >= CAPACITY {
                store.events.pop_front();
            }
            store.events.push_back(event);
        }
    }

    /// Every event, newest first (the service's order).
    pub(crate) fn newest_first(&self) -> Vec<ProvisioningObjectSummary> {
        self.store().events.iter().rev().cloned().collect()
    }

    /// The event `id`.
    pub(crate) fn get(&self, id: &str) -> Option<ProvisioningObjectSummary> {
        self.store()
            .events
            .iter()
            .find(|event| event.id.as_deref() == Some(id))
            .cloned()
    }
}

/// The cycles the jobs of `entry` ran since the last call, processed: the first cycle of a
/// job imports every assigned object, every cycle exports what is pending.
pub(crate) fn cycle_events(entry: &mut PrincipalEntry) -> Vec<ProvisioningObjectSummary> {
    let PrincipalEntry {
        principal,
        jobs,
        assigned,
        ..
    } = entry;
    let mut events = Vec::new();
    for job in jobs.iter_mut() {
        for cycle in std::mem::take(&mut job.cycles) {
            if cycle.initial {
                for object in assigned.values() {
                    job.ledger.stage(object.clone());
                }
            }
            let mut ledger = std::mem::take(&mut job.ledger);
            let run = Run {
                service_principal_id: principal.id.as_str(),
                service_principal_name: &principal.display_name,
                job_id: job.id(),
                cycle_id: cycle.id,
                schema: &job.schema,
                credentials: cycle.credentials,
                initiator: InitiatorType::System,
                source_system: catalog::ENTRA_DIRECTORY,
                target_system: catalog::SCIM_DIRECTORY,
            };
            for id in ledger.pending() {
                events.extend(ledger.process(&id, &run));
            }
            job.ledger = ledger;
        }
    }
    events
}

/// The objects a provision-on-demand or bulk-upload call names, as the source knows them:
/// an assigned object with its attributes, or one known only by its id.
pub(crate) fn source_object(entry: &PrincipalEntry, id: &str, type_name: &str) -> SourceObject {
    entry
        .assigned
        .get(id)
        .cloned()
        .unwrap_or_else(|| SourceObject::bare(id, type_name))
}

/// `GET /auditLogs/provisioning`: the events, newest first, filtered, ordered and paged as
/// the request's OData options say.
pub(super) async fn list(
    Authorized(()): Authorized<()>,
    State(logs): State<Arc<ProvisioningLogs>>,
    State(paging): State<Arc<Paging>>,
    query: Query,
    uri: Uri,
    origin: Origin,
) -> Result<Response, GraphError> {
    paging.page(logs.newest_first(), &query, &uri, &origin)
}

/// `GET /auditLogs/provisioning/{id}`.
pub(super) async fn get(
    Authorized(()): Authorized<()>,
    State(logs): State<Arc<ProvisioningLogs>>,
    Path(id): Path<String>,
) -> Result<Response, GraphError> {
    let event = logs.get(&id).ok_or_else(|| {
        GraphError::with_code(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("The provisioning event '{id}' does not exist."),
        )
    })?;
    json_response(StatusCode::OK, &event)
}

/// What a handler that provisions needs: the clock and the logs, as one extractor. Handlers
/// process objects inside the directory's lock and [`record`](Self::record) outside it.
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    pub(crate) clock: Arc<Clock>,
    logs: Arc<ProvisioningLogs>,
}

impl Recorder {
    /// The emulator's time.
    pub(crate) fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// Records `events` as happening now.
    pub(crate) fn record(&self, events: Vec<ProvisioningObjectSummary>) {
        if !events.is_empty() {
            self.logs.record(self.clock.now(), events);
        }
    }
}

impl<S> FromRequestParts<S> for Recorder
where
    S: Send + Sync,
    Arc<Clock>: FromRef<S>,
    Arc<ProvisioningLogs>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            clock: Arc::<Clock>::from_ref(state),
            logs: Arc::<ProvisioningLogs>::from_ref(state),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_get_ids_and_strictly_increasing_times_and_the_oldest_go_first() {
        let logs = ProvisioningLogs::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        logs.record(now, vec![ProvisioningObjectSummary::default(); 3]);
        let events = logs.newest_first();
        assert_eq!(events.len(), 3);
        let times: Vec<_> = events
            .iter()
            .map(|e| e.activity_date_time.get().unwrap().value().unwrap())
            .collect();
        assert!(times[0] > times[1] && times[1] > times[2], "{times:?}");
        let id = events[0].id.as_deref().unwrap();
        assert_eq!(logs.get(id).unwrap(), events[0]);
        assert!(logs.get("nope").is_none());
    }
}
