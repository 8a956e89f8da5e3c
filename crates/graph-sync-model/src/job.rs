//! Jobs: the `synchronizationJob` resource, its schedule and status, and the small pair types
//! the API uses everywhere.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::property::Property;

use crate::enums::{
    QuarantineReason, SynchronizationScheduleState, SynchronizationStatusCode,
    SynchronizationTaskExecutionResult,
};
use crate::flags::SynchronizationJobRestartScope;
use crate::ids::{JobId, TemplateId};
use crate::schema::SynchronizationSchema;
use crate::time::{IsoDuration, Timestamp};

/// Kept here too, where they were first declared.
pub use crate::pairs::{StringKeyObjectValuePair, StringKeyStringValuePair};

/// `synchronizationJob`: a provisioning job: it periodically reads changes from one directory and pushes them to another.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationJob {
    /// The job id, `<templateId>.<32 hex>`; absent in a create request.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<JobId>,
    /// When the job runs (read-only).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub schedule: Property<SynchronizationSchedule>,
    /// The job's status.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub status: Property<SynchronizationStatus>,
    /// Job settings, some inherited from the template, e.g. `QuarantineTooManyDeletesThreshold`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub synchronization_job_settings: Property<Vec<KeyValuePair>>,
    /// The template the job was created from (the only property a create request needs).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub template_id: Property<TemplateId>,
    /// The bulk upload endpoint (contained navigation property).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub bulk_upload: Property<BulkUpload>,
    /// The job's schema (contained navigation property; returned when expanded).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub schema: Property<SynchronizationSchema>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `synchronizationSchedule`: when a job runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationSchedule {
    /// When the job expires.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub expiration: Property<Timestamp>,
    /// The time between runs, e.g. `PT40M`; `P10675199DT2H48M5.4775807S` when disabled.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub interval: Property<IsoDuration>,
    /// Whether the schedule runs.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub state: Property<SynchronizationScheduleState>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `synchronizationStatus`: the state of a job and its recent runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationStatus {
    /// The high-level status.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub code: Property<SynchronizationStatusCode>,
    /// How many runs in a row failed.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub count_successive_complete_failures: Property<i64>,
    /// Whether escrows were pruned during the initial run instead of quarantining the job.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub escrows_pruned: Property<bool>,
    /// The last run.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub last_execution: Property<SynchronizationTaskExecution>,
    /// The last run without errors.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub last_successful_execution: Property<SynchronizationTaskExecution>,
    /// The last run that exported objects.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub last_successful_execution_with_exports: Property<SynchronizationTaskExecution>,
    /// Progress toward completion.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub progress: Property<Vec<SynchronizationProgress>>,
    /// The quarantine, when the job is quarantined.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub quarantine: Property<SynchronizationQuarantine>,
    /// When the job first reached steady state (unset: `0001-01-01T00:00:00Z`).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub steady_state_first_achieved_time: Property<Timestamp>,
    /// When the job last reached steady state.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub steady_state_last_achieved_time: Property<Timestamp>,
    /// Objects synchronized, by type (e.g. `User to User`).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub synchronized_entry_count_by_type: Property<Vec<StringKeyLongValuePair>>,
    /// A troubleshooting link.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub troubleshooting_url: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `synchronizationProgress`: progress of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationProgress {
    /// Units done.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub completed_units: Property<i64>,
    /// When the progress was observed.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub progress_observation_date_time: Property<Timestamp>,
    /// Units in total.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub total_units: Property<i64>,
    /// What a unit is.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub units: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `synchronizationQuarantine`: why and since when a job is quarantined.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationQuarantine {
    /// When the quarantine was last evaluated and imposed.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub current_began: Property<Timestamp>,
    /// The error that caused it.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub error: Property<SynchronizationError>,
    /// When it will next be re-evaluated.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub next_attempt: Property<Timestamp>,
    /// Why the job is quarantined.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub reason: Property<QuarantineReason>,
    /// When this series of quarantines began.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub series_began: Property<Timestamp>,
    /// How many times in this series the job was quarantined.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub series_count: Property<i64>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `synchronizationTaskExecution`: one run of a job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationTaskExecution {
    /// The run's id.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub activity_identifier: Property<String>,
    /// Objects in scope.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub count_entitled: Property<i64>,
    /// Objects in scope for provisioning.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub count_entitled_for_provisioning: Property<i64>,
    /// Objects escrowed (errors).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub count_escrowed: Property<i64>,
    /// Objects escrowed, including system escrows.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub count_escrowed_raw: Property<i64>,
    /// Objects exported.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub count_exported: Property<i64>,
    /// Exports expected.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub count_exports: Property<i64>,
    /// Objects imported.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub count_imported: Property<i64>,
    /// Deltas imported.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub count_imported_deltas: Property<i64>,
    /// Reference deltas imported.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub count_imported_reference_deltas: Property<i64>,
    /// The run's error.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub error: Property<SynchronizationError>,
    /// How the run ended.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub state: Property<SynchronizationTaskExecutionResult>,
    /// When the run began.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub time_began: Property<Timestamp>,
    /// When the run ended.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub time_ended: Property<Timestamp>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `synchronizationError`: an error of a run or a quarantine (not an HTTP error).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationError {
    /// The error code.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub code: Property<String>,
    /// The message.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub message: Property<String>,
    /// Whether the tenant can fix it.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub tenant_actionable: Property<bool>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `synchronizationJobRestartCriteria`: what a restart clears.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SynchronizationJobRestartCriteria {
    /// The flags to clear, e.g. `Watermark, Escrows, QuarantineState`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub reset_scope: Property<SynchronizationJobRestartScope>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `keyValuePair`: a name and a value (job settings).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct KeyValuePair {
    /// The name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
    /// The value.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub value: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `stringKeyLongValuePair`: a string key and a 64-bit count.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StringKeyLongValuePair {
    /// The key, e.g. `User to User`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub key: Property<String>,
    /// The count.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub value: Property<i64>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `bulkUpload`: the bulk upload endpoint of a job (a media entity with no own properties).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkUpload {
    /// The entity id.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl SynchronizationJob {
    /// A create request: `{"templateId":"…"}`, all the service needs to create a job.
    #[must_use]
    pub fn from_template(template_id: TemplateId) -> Self {
        Self {
            template_id: Property::Value(template_id),
            ..Self::default()
        }
    }

    /// The status code, [`SynchronizationStatusCode::NotConfigured`] when the job has no
    /// status or its status no code (an inference: the documentation gives no default, and
    /// `NotConfigured` is the state of a job that never ran).
    #[must_use]
    pub fn status_code(&self) -> SynchronizationStatusCode {
        self.status
            .get()
            .and_then(|status| status.code.get().cloned())
            .unwrap_or_default()
    }

    /// The value of the job setting `name`, if set.
    #[must_use]
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.synchronization_job_settings
            .iter()
            .flatten()
            .find(|pair| pair.name.as_deref() == Some(name))
            .and_then(|pair| pair.value.as_deref())
    }
}

impl SynchronizationJobRestartCriteria {
    /// Criteria that clear `scope`.
    #[must_use]
    pub fn new(scope: SynchronizationJobRestartScope) -> Self {
        Self {
            reset_scope: Property::Value(scope),
            ..Self::default()
        }
    }
}

impl KeyValuePair {
    /// A pair.
    #[must_use]
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: Property::Value(name.into()),
            value: Property::Value(value.into()),
            ..Self::default()
        }
    }
}

impl SynchronizationError {
    /// An error with a code and a message.
    #[must_use]
    pub fn new(
        code: impl Into<String>,
        message: impl Into<String>,
        tenant_actionable: bool,
    ) -> Self {
        Self {
            code: Property::Value(code.into()),
            message: Property::Value(message.into()),
            tenant_actionable: Property::Value(tenant_actionable),
            ..Self::default()
        }
    }
}

/// The body of `POST …/jobs/{id}/restart`: `{"criteria":{"resetScope":"…"}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RestartRequest {
    /// What to clear; the service treats absent criteria like the portal's restart.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub criteria: Property<SynchronizationJobRestartCriteria>,
}

impl RestartRequest {
    /// A restart that clears `scope`.
    #[must_use]
    pub fn new(scope: SynchronizationJobRestartScope) -> Self {
        Self {
            criteria: Property::Value(SynchronizationJobRestartCriteria::new(scope)),
        }
    }
}

impl SynchronizationJobRestartScope {
    /// The members the documentation says never to send: `None` (call start instead) and
    /// `ConnectorDataStore` (contact support).
    #[must_use]
    pub fn discouraged(&self) -> Vec<crate::enums::RestartScopeFlag> {
        use crate::enums::RestartScopeFlag;
        self.members()
            .iter()
            .filter(|m| {
                matches!(
                    m,
                    RestartScopeFlag::None | RestartScopeFlag::ConnectorDataStore
                )
            })
            .cloned()
            .collect()
    }
}

impl SynchronizationStatus {
    /// The quarantine reason, when the job is quarantined.
    #[must_use]
    pub fn quarantine_reason(&self) -> Option<&QuarantineReason> {
        self.quarantine.get().and_then(|q| q.reason.get())
    }
}

impl SynchronizationSchedule {
    /// Whether the schedule never runs.
    #[must_use]
    pub fn is_disabled(&self) -> bool {
        self.state.get() == Some(&SynchronizationScheduleState::Disabled)
            || self
                .interval
                .get()
                .is_some_and(IsoDuration::is_timespan_max)
    }
}

impl SynchronizationTaskExecution {
    /// Whether the run succeeded.
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.state.get() == Some(&SynchronizationTaskExecutionResult::Succeeded)
    }
}
