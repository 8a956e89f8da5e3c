//! The provisioning logs: `provisioningObjectSummary` (`GET /auditLogs/provisioning`, v1.0)
//! and its complex types, every property of the v1.0 metadata.
//!
//! One event is what the provisioning service did to one object in one cycle (or in one
//! provision-on-demand or bulk-upload call): who started it ([`Initiator`]), which job and
//! cycle, the object on each side ([`ProvisionedIdentity`]) and each system
//! ([`ProvisioningSystem`]), the action ([`ProvisioningAction`]), the outcome
//! ([`ProvisioningStatusInfo`], with [`ProvisioningErrorInfo`] when it failed), the steps
//! (import, scoping, matching, processing, export: [`ProvisioningStep`]) and the attributes
//! written ([`ModifiedProperty`]).
//!
//! Some of these names are also used by the provisionOnDemand result's log document
//! ([`crate::provisioning`]), which has another shape (`type`, `statusInfo`, `timestamp`):
//! this module's types are reached as `graph_sync_model::audit::…`; the names that are
//! unique are re-exported at the crate root too.
//!
//! As everywhere in this crate, every property is a [`Property`]: absent, `null` and values
//! are written back as read, unknown enum members are kept (`Other`), and properties this
//! version does not model (the documentation's own example writes `initiatingType`) stay in
//! `extra`. No property of these types has a documented default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::enums::{
    InitiatorType, ProvisioningAction, ProvisioningResult, ProvisioningStatusErrorCategory,
    ProvisioningStepType,
};
use crate::property::Property;
use crate::time::Timestamp;

/// `provisioningObjectSummary`: one event of the provisioning logs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisioningObjectSummary {
    /// When it happened (UTC). Filterable (`eq`, `gt`, `lt`) and sortable.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub activity_date_time: Property<Timestamp>,
    /// The change's id, unique within its cycle. Filterable (`eq`, `contains`).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub change_id: Property<String>,
    /// The cycle's id: one per run of the job. Filterable (`eq`, `contains`).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub cycle_id: Property<String>,
    /// How long the action took, in milliseconds.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub duration_in_milliseconds: Property<i32>,
    /// The event's id (read-only). Filterable (`eq`, `contains`).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// Who started it. Filterable (`eq`, `contains`).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub initiated_by: Property<Initiator>,
    /// The provisioning job's id. Filterable (`eq`, `contains`).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub job_id: Property<String>,
    /// The properties written to the target.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub modified_properties: Property<Vec<ModifiedProperty>>,
    /// What was done. Filterable (`eq`, `contains`).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub provisioning_action: Property<ProvisioningAction>,
    /// The outcome.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub provisioning_status_info: Property<ProvisioningStatusInfo>,
    /// The steps, in order.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub provisioning_steps: Property<Vec<ProvisioningStep>>,
    /// The service principal that provisions. Filterable (`eq`) on `id` and `displayName`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub service_principal: Property<ProvisioningServicePrincipal>,
    /// The object in the source. Filterable (`eq`, `contains`) on `identityType`, `id`,
    /// `displayName`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub source_identity: Property<ProvisionedIdentity>,
    /// The source system. Filterable (`eq`, `contains`) on `displayName`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub source_system: Property<ProvisioningSystem>,
    /// The object in the target. Filterable as `sourceIdentity`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target_identity: Property<ProvisionedIdentity>,
    /// The target system. Filterable as `sourceSystem`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub target_system: Property<ProvisioningSystem>,
    /// The Microsoft Entra tenant. Filterable (`eq`, `contains`).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub tenant_id: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// The number of properties the v1.0 metadata declares on `provisioningObjectSummary`
/// (including `id`, inherited from `entity`), every one of them a field of
/// [`ProvisioningObjectSummary`].
pub const PROVISIONING_OBJECT_SUMMARY_PROPERTIES: usize = 17;

impl ProvisioningObjectSummary {
    /// The outcome (`provisioningStatusInfo.status`), if given.
    #[must_use]
    pub fn status(&self) -> Option<&ProvisioningResult> {
        self.provisioning_status_info
            .get()
            .and_then(|info| info.status.get())
    }

    /// The error (`provisioningStatusInfo.errorInformation`), if any.
    #[must_use]
    pub fn error(&self) -> Option<&ProvisioningErrorInfo> {
        self.provisioning_status_info
            .get()
            .and_then(|info| info.error_information.get())
    }

    /// The steps, or none when the property is absent or `null`.
    #[must_use]
    pub fn steps(&self) -> &[ProvisioningStep] {
        self.provisioning_steps.get().map_or(&[], Vec::as_slice)
    }

    /// The first step that failed, if any: usually the answer to "why did this object not
    /// provision?".
    #[must_use]
    pub fn failed_step(&self) -> Option<&ProvisioningStep> {
        self.steps()
            .iter()
            .find(|step| step.status.get() == Some(&ProvisioningResult::Failure))
    }
}

/// `initiator`: who started a provisioning event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Initiator {
    /// Its display name, e.g. `Azure AD Provisioning Service`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub display_name: Property<String>,
    /// Its id (empty for the service itself).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// `user`, `application` or `system`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub initiator_type: Property<InitiatorType>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `modifiedProperty`: one attribute written by a provisioning action.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModifiedProperty {
    /// The target attribute's name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub display_name: Property<String>,
    /// The value after.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub new_value: Property<String>,
    /// The value before.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub old_value: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `provisioningStatusInfo`: the outcome of an event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisioningStatusInfo {
    /// What went wrong, when the status is neither success nor skipped.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub error_information: Property<ProvisioningErrorInfo>,
    /// `success`, `warning`, `failure`, `skipped`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub status: Property<ProvisioningResult>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `provisioningErrorInfo`: why an event failed, and what to do.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisioningErrorInfo {
    /// More about the error.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub additional_details: Property<String>,
    /// `failure` (the service's) or `nonServiceFailure` (the target's, the data's).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub error_category: Property<ProvisioningStatusErrorCategory>,
    /// The error code, e.g. `SystemForCrossDomainIdentityManagementCredentialValidationUnavailable`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub error_code: Property<String>,
    /// What happened and why.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub reason: Property<String>,
    /// How to resolve it.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub recommended_action: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `provisioningStep`: one step of an event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisioningStep {
    /// What happened in the step.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub description: Property<String>,
    /// The step's details (names and values).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub details: Property<DetailsInfo>,
    /// The step's name, e.g. `EntryImport`, `EntryExportAdd`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub name: Property<String>,
    /// `import`, `scoping`, `matching`, `processing`, `referenceResolution`, `export`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub provisioning_step_type: Property<ProvisioningStepType>,
    /// How the step ended.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub status: Property<ProvisioningResult>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `provisionedIdentity`: the object on one side of an event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisionedIdentity {
    /// The identity's details.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub details: Property<DetailsInfo>,
    /// Its display name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub display_name: Property<String>,
    /// Its id in that system.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// Its type, such as `User`, `Group`, `urn:ietf:params:scim:schemas:core:2.0:User`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub identity_type: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `provisioningServicePrincipal`: the service principal that provisions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisioningServicePrincipal {
    /// Its display name.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub display_name: Property<String>,
    /// Its object id.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `provisioningSystem`: the system on one side of an event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProvisioningSystem {
    /// The system's details (e.g. `ApplicationId`, `ServicePrincipalId`).
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub details: Property<DetailsInfo>,
    /// Its display name, e.g. `Azure Active Directory`.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub display_name: Property<String>,
    /// Its id.
    #[serde(default, skip_serializing_if = "Property::is_absent")]
    pub id: Property<String>,
    /// Properties this version does not model, and OData annotations such as `@odata.type`, kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `detailsInfo`: an open type with no declared properties. Graph fills it with
/// name/value pairs (`{"ReportableIdentifier":"…"}`), all kept in order of name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DetailsInfo {
    /// The pairs, as read.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl DetailsInfo {
    /// Details with these name/value pairs.
    #[must_use]
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            extra: pairs
                .into_iter()
                .map(|(name, value)| (name.into(), Value::String(value.into())))
                .collect(),
        }
    }

    /// The value named `name`, when it is a string.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.extra.get(name).and_then(Value::as_str)
    }

    /// Whether there are no details.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.extra.is_empty()
    }
}

/// The statistics of one provisioning cycle, as MSIdentityTools'
/// `Get-MsIdProvisioningLogStatistics -SummarizeByCycleId` computes them: first and last
/// activity, distinct changes (`changeId`), distinct users (`sourceIdentity.id`), and counts
/// per action × status. Feed it events with [`CycleSummary::add`]; it keeps the ids it has
/// seen (to count them once), not the events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CycleSummary {
    /// The cycle's id.
    pub cycle_id: String,
    /// The job's id (of the first event).
    pub job_id: Option<String>,
    /// The earliest `activityDateTime`.
    pub start: Option<Timestamp>,
    /// The latest `activityDateTime`.
    pub end: Option<Timestamp>,
    /// Distinct `changeId`s.
    pub changes: usize,
    /// Distinct `sourceIdentity.id`s.
    pub users: usize,
    /// Per action (`create`, `update`, `delete`, `disable`, `stagedDelete`, `other`, and
    /// any other action met), counts per status.
    pub actions: Vec<ActionStatistics>,
    #[serde(skip)]
    change_ids: std::collections::BTreeSet<String>,
    #[serde(skip)]
    user_ids: std::collections::BTreeSet<String>,
}

/// The counts of one action in a [`CycleSummary`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ActionStatistics {
    /// The action.
    pub action: String,
    /// `success`.
    pub success: u64,
    /// `failure`.
    pub failure: u64,
    /// `skipped`.
    pub skipped: u64,
    /// `warning`.
    pub warning: u64,
    /// Any other status.
    pub other: u64,
}

impl ActionStatistics {
    fn new(action: &str) -> Self {
        Self {
            action: action.to_owned(),
            ..Self::default()
        }
    }

    /// All counts added up.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.success
            .saturating_add(self.failure)
            .saturating_add(self.skipped)
            .saturating_add(self.warning)
            .saturating_add(self.other)
    }
}

impl CycleSummary {
    /// An empty summary of the cycle `cycle_id`, with a row for each documented action.
    #[must_use]
    pub fn new(cycle_id: impl Into<String>) -> Self {
        Self {
            cycle_id: cycle_id.into(),
            actions: [
                "create",
                "update",
                "delete",
                "disable",
                "stagedDelete",
                "other",
            ]
            .into_iter()
            .map(ActionStatistics::new)
            .collect(),
            ..Self::default()
        }
    }

    /// Counts `event` in.
    pub fn add(&mut self, event: &ProvisioningObjectSummary) {
        if self.job_id.is_none() {
            self.job_id = event.job_id.get().cloned();
        }
        if let Some(at) = event
            .activity_date_time
            .get()
            .filter(|at| at.value().is_some())
        {
            if self.start.as_ref().and_then(Timestamp::value) > at.value() || self.start.is_none() {
                self.start = Some(at.clone());
            }
            if self.end.as_ref().and_then(Timestamp::value) < at.value() {
                self.end = Some(at.clone());
            }
        }
        if let Some(change) = event.change_id.get()
            && self.change_ids.insert(change.clone())
        {
            self.changes = self.changes.saturating_add(1);
        }
        if let Some(user) = event.source_identity.get().and_then(|s| s.id.get())
            && self.user_ids.insert(user.clone())
        {
            self.users = self.users.saturating_add(1);
        }
        let action = event
            .provisioning_action
            .get()
            .map_or("other", ProvisioningAction::as_str);
        if !self.actions.iter().any(|row| row.action == action) {
            self.actions.push(ActionStatistics::new(action));
        }
        let Some(row) = self.actions.iter_mut().find(|row| row.action == action) else {
            return;
        };
        let count = match event.status() {
            Some(ProvisioningResult::Success) => &mut row.success,
            Some(ProvisioningResult::Failure) => &mut row.failure,
            Some(ProvisioningResult::Skipped) => &mut row.skipped,
            Some(ProvisioningResult::Warning) => &mut row.warning,
            _ => &mut row.other,
        };
        *count = count.saturating_add(1);
    }

    /// The summaries of `events` by cycle, in the order cycles are first met.
    #[must_use]
    pub fn by_cycle<'a>(
        events: impl IntoIterator<Item = &'a ProvisioningObjectSummary>,
    ) -> Vec<Self> {
        let mut summaries: Vec<Self> = Vec::new();
        for event in events {
            let cycle = event.cycle_id.get().map_or("", String::as_str);
            match summaries.iter_mut().find(|s| s.cycle_id == cycle) {
                Some(summary) => summary.add(event),
                None => {
                    let mut summary = Self::new(cycle);
                    summary.add(event);
                    summaries.push(summary);
                }
            }
        }
        summaries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_models_every_v1_property() {
        let every = serde_json::json!({
            "activityDateTime": "2019-05-04T03:00:54Z", "changeId": "c", "cycleId": "y",
            "durationInMilliseconds": 1, "id": "i", "initiatedBy": {}, "jobId": "j",
            "modifiedProperties": [], "provisioningAction": "create",
            "provisioningStatusInfo": {}, "provisioningSteps": [], "servicePrincipal": {},
            "sourceIdentity": {}, "sourceSystem": {}, "targetIdentity": {}, "targetSystem": {},
            "tenantId": "t"
        });
        assert_eq!(
            every.as_object().unwrap().len(),
            PROVISIONING_OBJECT_SUMMARY_PROPERTIES
        );
        let event: ProvisioningObjectSummary = serde_json::from_value(every.clone()).unwrap();
        assert!(event.extra.is_empty(), "not modelled: {:?}", event.extra);
        assert_eq!(serde_json::to_value(&event).unwrap(), every);
    }

    #[test]
    fn the_failed_step_and_the_error_are_read_through() {
        let event: ProvisioningObjectSummary = serde_json::from_value(serde_json::json!({
            "provisioningStatusInfo": {"status": "failure",
                "errorInformation": {"errorCode": "E", "errorCategory": "nonServiceFailure"}},
            "provisioningSteps": [
                {"name": "EntryImport", "provisioningStepType": "import", "status": "success"},
                {"name": "EntryExportAdd", "provisioningStepType": "export", "status": "failure",
                 "details": {"ReportableIdentifier": "alice"}}
            ]
        }))
        .unwrap();
        assert_eq!(event.status(), Some(&ProvisioningResult::Failure));
        assert_eq!(event.error().unwrap().error_code.as_deref(), Some("E"));
        let failed = event.failed_step().unwrap();
        assert_eq!(failed.name.as_deref(), Some("EntryExportAdd"));
        assert_eq!(
            failed.details.get().unwrap().get("ReportableIdentifier"),
            Some("alice")
        );
        assert!(ProvisioningObjectSummary::default().steps().is_empty());
    }

    #[test]
    fn cycle_summaries_count_changes_users_and_action_by_status() {
        let event =
            |cycle: &str, change: &str, user: &str, at: &str, action: &str, status: &str| {
                serde_json::from_value::<ProvisioningObjectSummary>(serde_json::json!({
                    "cycleId": cycle, "changeId": change, "jobId": "j", "activityDateTime": at,
                    "sourceIdentity": {"id": user}, "provisioningAction": action,
                    "provisioningStatusInfo": {"status": status}
                }))
                .unwrap()
            };
        let events = [
            event(
                "c1",
                "x1",
                "u1",
                "2026-11-29T10:00:02Z",
                "create",
                "success",
            ),
            event(
                "c1",
                "x2",
                "u2",
                "2026-11-29T10:00:01Z",
                "create",
                "failure",
            ),
            event("c1", "x2", "u2", "2026-11-29T10:00:03Z", "other", "skipped"),
            event(
                "c2",
                "x3",
                "u1",
                "2026-11-29T11:00:00Z",
                "someFutureAction",
                "warning",
            ),
        ];
        let summaries = CycleSummary::by_cycle(&events);
        assert_eq!(summaries.len(), 2);
        let first = &summaries[0];
        assert_eq!((first.changes, first.users), (2, 2));
        assert_eq!(
            first.start.as_ref().unwrap().as_str(),
            "2026-11-29T10:00:01Z"
        );
        assert_eq!(first.end.as_ref().unwrap().as_str(), "2026-11-29T10:00:03Z");
        let create = &first.actions[0];
        assert_eq!(
            (
                create.action.as_str(),
                create.success,
                create.failure,
                create.total()
            ),
            ("create", 1, 1, 2)
        );
        assert_eq!(first.actions[5].skipped, 1);
        let later = &summaries[1];
        assert_eq!(later.actions.last().unwrap().action, "someFutureAction");
        assert_eq!(later.actions.last().unwrap().warning, 1);
    }
}
