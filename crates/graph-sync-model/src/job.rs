//! Jobs: the `synchronizationJob` resource, its schedule and status, and the small pair types
//! the API uses everywhere.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<JobId>,
    /// When the job runs (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<SynchronizationSchedule>,
    /// The job's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SynchronizationStatus>,
    /// Job settings, some inherited from the template, e.g. `QuarantineTooManyDeletesThreshold`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronization_job_settings: Option<Vec<KeyValuePair>>,
    /// The template the job was created from (the only property a create request needs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<TemplateId>,
    /// The bulk upload endpoint (contained navigation property).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_upload: Option<BulkUpload>,
    /// The job's schema (contained navigation property; returned when expanded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<SynchronizationSchema>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Timestamp>,
    /// The time between runs, e.g. `PT40M`; `P10675199DT2H48M5.4775807S` when disabled.
    #[serde(default)]
    pub interval: IsoDuration,
    /// Whether the schedule runs.
    #[serde(default)]
    pub state: SynchronizationScheduleState,
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
    #[serde(default)]
    pub code: SynchronizationStatusCode,
    /// How many runs in a row failed.
    #[serde(default)]
    pub count_successive_complete_failures: i64,
    /// Whether escrows were pruned during the initial run instead of quarantining the job.
    #[serde(default)]
    pub escrows_pruned: bool,
    /// The last run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_execution: Option<SynchronizationTaskExecution>,
    /// The last run without errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_successful_execution: Option<SynchronizationTaskExecution>,
    /// The last run that exported objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_successful_execution_with_exports: Option<SynchronizationTaskExecution>,
    /// Progress toward completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Vec<SynchronizationProgress>>,
    /// The quarantine, when the job is quarantined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<SynchronizationQuarantine>,
    /// When the job first reached steady state (unset: `0001-01-01T00:00:00Z`).
    #[serde(default)]
    pub steady_state_first_achieved_time: Timestamp,
    /// When the job last reached steady state.
    #[serde(default)]
    pub steady_state_last_achieved_time: Timestamp,
    /// Objects synchronized, by type (e.g. `User to User`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronized_entry_count_by_type: Option<Vec<StringKeyLongValuePair>>,
    /// A troubleshooting link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub troubleshooting_url: Option<String>,
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
    #[serde(default)]
    pub completed_units: i64,
    /// When the progress was observed.
    #[serde(default)]
    pub progress_observation_date_time: Timestamp,
    /// Units in total.
    #[serde(default)]
    pub total_units: i64,
    /// What a unit is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
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
    #[serde(default)]
    pub current_began: Timestamp,
    /// The error that caused it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<SynchronizationError>,
    /// When it will next be re-evaluated.
    #[serde(default)]
    pub next_attempt: Timestamp,
    /// Why the job is quarantined.
    #[serde(default)]
    pub reason: QuarantineReason,
    /// When this series of quarantines began.
    #[serde(default)]
    pub series_began: Timestamp,
    /// How many times in this series the job was quarantined.
    #[serde(default)]
    pub series_count: i64,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_identifier: Option<String>,
    /// Objects in scope.
    #[serde(default)]
    pub count_entitled: i64,
    /// Objects in scope for provisioning.
    #[serde(default)]
    pub count_entitled_for_provisioning: i64,
    /// Objects escrowed (errors).
    #[serde(default)]
    pub count_escrowed: i64,
    /// Objects escrowed, including system escrows.
    #[serde(default)]
    pub count_escrowed_raw: i64,
    /// Objects exported.
    #[serde(default)]
    pub count_exported: i64,
    /// Exports expected.
    #[serde(default)]
    pub count_exports: i64,
    /// Objects imported.
    #[serde(default)]
    pub count_imported: i64,
    /// Deltas imported.
    #[serde(default)]
    pub count_imported_deltas: i64,
    /// Reference deltas imported.
    #[serde(default)]
    pub count_imported_reference_deltas: i64,
    /// The run's error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<SynchronizationError>,
    /// How the run ended.
    #[serde(default)]
    pub state: SynchronizationTaskExecutionResult,
    /// When the run began.
    #[serde(default)]
    pub time_began: Timestamp,
    /// When the run ended.
    #[serde(default)]
    pub time_ended: Timestamp,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Whether the tenant can fix it.
    #[serde(default)]
    pub tenant_actionable: bool,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_scope: Option<SynchronizationJobRestartScope>,
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
    #[serde(default)]
    pub name: String,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The count.
    #[serde(default)]
    pub value: i64,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl SynchronizationJob {
    /// A create request: `{"templateId":"…"}`, all the service needs to create a job.
    #[must_use]
    pub fn from_template(template_id: TemplateId) -> Self {
        Self {
            template_id: Some(template_id),
            ..Self::default()
        }
    }

    /// The status code, [`SynchronizationStatusCode::NotConfigured`] when the job has no
    /// status.
    #[must_use]
    pub fn status_code(&self) -> SynchronizationStatusCode {
        self.status
            .as_ref()
            .map(|status| status.code.clone())
            .unwrap_or_default()
    }

    /// The value of the job setting `name`, if set.
    #[must_use]
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.synchronization_job_settings
            .iter()
            .flatten()
            .find(|pair| pair.name == name)
            .and_then(|pair| pair.value.as_deref())
    }
}

impl SynchronizationJobRestartCriteria {
    /// Criteria that clear `scope`.
    #[must_use]
    pub fn new(scope: SynchronizationJobRestartScope) -> Self {
        Self {
            reset_scope: Some(scope),
            ..Self::default()
        }
    }
}

impl KeyValuePair {
    /// A pair.
    #[must_use]
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
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
            code: Some(code.into()),
            message: Some(message.into()),
            tenant_actionable,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<SynchronizationJobRestartCriteria>,
}

impl RestartRequest {
    /// A restart that clears `scope`.
    #[must_use]
    pub fn new(scope: SynchronizationJobRestartScope) -> Self {
        Self {
            criteria: Some(SynchronizationJobRestartCriteria::new(scope)),
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
        self.quarantine.as_ref().map(|q| &q.reason)
    }
}

impl SynchronizationSchedule {
    /// Whether the schedule never runs.
    #[must_use]
    pub fn is_disabled(&self) -> bool {
        self.state == SynchronizationScheduleState::Disabled || self.interval.is_timespan_max()
    }
}

impl SynchronizationTaskExecution {
    /// Whether the run succeeded.
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.state == SynchronizationTaskExecutionResult::Succeeded
    }
}
