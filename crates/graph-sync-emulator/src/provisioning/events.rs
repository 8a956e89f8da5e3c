//! What the provisioning service does to one object, written as the provisioning log event
//! (`provisioningObjectSummary`) Graph would show for it.
//!
//! A job keeps a [`Ledger`] of the objects it knows: each source object, its id in the target
//! once exported, the values last exported, and whether it still has to be processed (a
//! failed export is retried by the next cycle). [`Ledger::process`] runs the steps the service
//! runs and records them:
//!
//! 1. **import**: the object's attributes, read from the source (the step's details);
//! 2. **scoping**: the object mapping's scoping filter (groups OR-ed, clauses AND-ed; the
//!    operators of `filterOperators`); out of scope is `skipped`;
//! 3. **matching**: is it already in the target?
//! 4. **processing**: the attribute mappings evaluated (an expression that fails is a
//!    `failure`); no change is `skipped`;
//! 5. **export**: written to the target, unless the target system rejects the job's saved
//!    credentials (`failure`, retried by the next cycle).
//!
//! Nothing here knows about HTTP or locks: the handlers hand the events to
//! [`crate::synchronization::logs`], which stamps and serves them.

use std::collections::{BTreeMap, HashMap};

use graph_sync_model::audit::{
    DetailsInfo, Initiator, ModifiedProperty, ProvisionedIdentity, ProvisioningErrorInfo,
    ProvisioningObjectSummary, ProvisioningServicePrincipal, ProvisioningStatusInfo,
    ProvisioningStep, ProvisioningSystem,
};
use graph_sync_model::{
    Filter, InitiatorType, ObjectMapping, Property, ProvisioningAction, ProvisioningResult,
    ProvisioningStatusErrorCategory, ProvisioningStepType, SynchronizationSchema,
};

use super::catalog;
use super::expression::evaluate;

/// The error code of an export the target system refused for its credentials.
pub(crate) const CREDENTIALS_REJECTED: &str =
    "SystemForCrossDomainIdentityManagementCredentialsRejected";
/// The error code of an object out of the scoping filter's scope.
pub(crate) const OUT_OF_SCOPE: &str = "NotEffectivelyEntitled";
/// The error code of an attribute mapping whose expression cannot be evaluated.
pub(crate) const EXPRESSION_FAILED: &str = "AttributeMappingExpressionEvaluationFailed";

/// An object in the source system (a user or group assigned to the application), with its
/// attribute values as text: what an initial cycle imports and provisioning on demand reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct SourceObject {
    /// Its id in the source (`objectId`).
    pub id: String,
    /// `User`, `Group`…
    pub type_name: String,
    /// Attribute values by source attribute name (`userPrincipalName`, `department`…).
    pub attributes: BTreeMap<String, String>,
}

impl SourceObject {
    /// A user with id `id` (also its `objectId` attribute).
    #[must_use]
    pub fn user(id: &str) -> Self {
        Self::bare(id, "User")
    }

    /// The same object with attribute `name` set to `value`.
    #[must_use]
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.attributes.insert(name.to_owned(), value.to_owned());
        self
    }

    /// An object known only by id (provision on demand of an object the emulator was not
    /// told about): its `objectId` is its only attribute.
    pub(crate) fn bare(id: &str, type_name: &str) -> Self {
        Self {
            id: id.to_owned(),
            type_name: type_name.to_owned(),
            attributes: BTreeMap::from([("objectId".to_owned(), id.to_owned())]),
        }
    }

    fn display_name(&self) -> &str {
        ["displayName", "userPrincipalName", "userName", "externalId"]
            .iter()
            .find_map(|name| self.attributes.get(*name))
            .map_or(self.id.as_str(), String::as_str)
    }
}

/// What one object became in a job.
#[derive(Debug, Clone, Default)]
struct Tracked {
    source: Option<SourceObject>,
    /// Its id in the target, once created there.
    target_id: Option<String>,
    /// The target values last exported.
    exported: BTreeMap<String, String>,
    /// Still to be processed (never processed, or its last export failed).
    pending: bool,
}

/// The objects a job knows, by source id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ledger {
    objects: BTreeMap<String, Tracked>,
}

/// Who, where and with what a batch of objects is processed.
#[derive(Debug, Clone)]
pub(crate) struct Run<'a> {
    pub(crate) service_principal_id: &'a str,
    pub(crate) service_principal_name: &'a str,
    pub(crate) job_id: &'a str,
    pub(crate) cycle_id: String,
    pub(crate) schema: &'a SynchronizationSchema,
    /// The target system's verdict on the saved credentials.
    pub(crate) credentials: Result<(), &'static str>,
    pub(crate) initiator: InitiatorType,
    /// The source system's name (`Azure Active Directory`, or the API client for inbound).
    pub(crate) source_system: &'a str,
    pub(crate) target_system: &'a str,
}

impl Ledger {
    /// Adds or refreshes `object`, to be processed.
    pub(crate) fn stage(&mut self, object: SourceObject) {
        let tracked = self.objects.entry(object.id.clone()).or_default();
        tracked.source = Some(object);
        tracked.pending = true;
    }

    /// The ids of the objects still to be processed.
    pub(crate) fn pending(&self) -> Vec<String> {
        self.objects
            .iter()
            .filter(|(_, tracked)| tracked.pending)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Processes the staged object `id`; `None` when it was never staged.
    pub(crate) fn process(&mut self, id: &str, run: &Run<'_>) -> Option<ProvisioningObjectSummary> {
        let tracked = self.objects.get_mut(id)?;
        let source = tracked.source.clone()?;
        let (event, outcome) = process(&source, tracked, run);
        match outcome {
            Outcome::Exported { target_id, values } => {
                tracked.target_id = Some(target_id);
                tracked.exported = values;
                tracked.pending = false;
            }
            Outcome::Settled => tracked.pending = false,
            Outcome::Retry => tracked.pending = true,
        }
        Some(event)
    }
}

/// What became of an object.
enum Outcome {
    /// Written to the target.
    Exported {
        target_id: String,
        values: BTreeMap<String, String>,
    },
    /// Nothing to do now (skipped, or failed in a way a retry will not fix).
    Settled,
    /// Failed; the next cycle tries again.
    Retry,
}

/// The steps and the event of processing `source` in `run`.
fn process(
    source: &SourceObject,
    tracked: &Tracked,
    run: &Run<'_>,
) -> (ProvisioningObjectSummary, Outcome) {
    let mut event = envelope(source, run);
    let kind = &source.type_name;
    let name = source.display_name();
    let mut steps = vec![step(
        "EntryImport",
        ProvisioningStepType::Import,
        ProvisioningResult::Success,
        format!("Retrieved {kind} '{name}' from {}", run.source_system),
        DetailsInfo::from_pairs(source.attributes.clone()),
    )];
    let mapping = object_mapping(run.schema, kind);
    if let Err(reason) = in_scope(mapping.and_then(|m| m.scope.get()), &source.attributes) {
        steps.push(step(
            "EntrySynchronizationScoping",
            ProvisioningStepType::Scoping,
            ProvisioningResult::Skipped,
            format!("{kind} '{name}' is out of scope: {reason}"),
            DetailsInfo::from_pairs([("ScopingFilterResult", reason.clone())]),
        ));
        let error = error_info(
            OUT_OF_SCOPE,
            format!(
                "{kind} '{name}' was skipped because it is not in scope of the scoping filter: {reason}."
            ),
            "Change the object mapping's scoping filter (schema), or the object's attributes, if it should be provisioned.",
            ProvisioningStatusErrorCategory::NonServiceFailure,
        );
        return finish(
            event,
            steps,
            ProvisioningAction::OtherAction,
            ProvisioningResult::Skipped,
            Some(error),
            Vec::new(),
            Outcome::Settled,
        );
    }
    steps.push(step(
        "EntrySynchronizationScoping",
        ProvisioningStepType::Scoping,
        ProvisioningResult::Success,
        format!("{kind} '{name}' is in scope"),
        DetailsInfo::from_pairs([("IsActive", "True"), ("ScopingFilterResult", "Passed")]),
    ));
    let matched = tracked.target_id.clone();
    steps.push(step(
        "EntryMatching",
        ProvisioningStepType::Matching,
        ProvisioningResult::Success,
        match &matched {
            Some(target) => format!(
                "{kind} '{name}' matched '{target}' in {}",
                run.target_system
            ),
            None => format!(
                "No {kind} matching '{name}' was found in {}",
                run.target_system
            ),
        },
        DetailsInfo::default(),
    ));
    let action = if matched.is_some() {
        ProvisioningAction::Update
    } else {
        ProvisioningAction::Create
    };
    let values = match target_values(mapping, &source.attributes) {
        Ok(values) => values,
        Err(reason) => {
            steps.push(step(
                "EntryProcessing",
                ProvisioningStepType::Processing,
                ProvisioningResult::Failure,
                format!(
                    "The attribute mappings of {kind} '{name}' could not be evaluated: {reason}"
                ),
                DetailsInfo::default(),
            ));
            let error = error_info(
                EXPRESSION_FAILED,
                format!(
                    "An attribute mapping could not be evaluated for {kind} '{name}': {reason}."
                ),
                "Test the mapping's expression (graph-sync expression test) and correct it in the schema.",
                ProvisioningStatusErrorCategory::NonServiceFailure,
            );
            return finish(
                event,
                steps,
                action,
                ProvisioningResult::Failure,
                Some(error),
                Vec::new(),
                Outcome::Settled,
            );
        }
    };
    let changes: Vec<ModifiedProperty> = values
        .iter()
        .filter(|(target, value)| tracked.exported.get(*target) != Some(*value))
        .map(|(target, value)| modified(target, tracked.exported.get(target), value))
        .collect();
    if matched.is_some() && changes.is_empty() {
        steps.push(step(
            "EntryProcessing",
            ProvisioningStepType::Processing,
            ProvisioningResult::Skipped,
            format!(
                "{kind} '{name}' is up to date in {}: nothing to export",
                run.target_system
            ),
            DetailsInfo::default(),
        ));
        return finish(
            event,
            steps,
            ProvisioningAction::OtherAction,
            ProvisioningResult::Skipped,
            None,
            Vec::new(),
            Outcome::Settled,
        );
    }
    steps.push(step(
        "EntryProcessing",
        ProvisioningStepType::Processing,
        ProvisioningResult::Success,
        format!(
            "{kind} '{name}' will be {} in {}",
            if matched.is_some() {
                "updated"
            } else {
                "created"
            },
            run.target_system
        ),
        DetailsInfo::default(),
    ));
    let (export_name, done) = if matched.is_some() {
        ("EntryExportUpdate", "updated")
    } else {
        ("EntryExportAdd", "created")
    };
    if let Err(reason) = run.credentials {
        steps.push(step(
            export_name,
            ProvisioningStepType::Export,
            ProvisioningResult::Failure,
            format!(
                "Failed to export {kind} '{name}' to {}: {reason}",
                run.target_system
            ),
            DetailsInfo::default(),
        ));
        let error = error_info(
            CREDENTIALS_REJECTED,
            format!(
                "Provisioning could not authenticate to {}: {reason}.",
                run.target_system
            ),
            "Check the BaseAddress and SecretToken saved for the job (graph-sync secrets), validate them, and restart the job.",
            ProvisioningStatusErrorCategory::NonServiceFailure,
        );
        return finish(
            event,
            steps,
            action,
            ProvisioningResult::Failure,
            Some(error),
            changes,
            Outcome::Retry,
        );
    }
    let target_id = matched.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    steps.push(step(
        export_name,
        ProvisioningStepType::Export,
        ProvisioningResult::Success,
        format!("{kind} '{name}' was {done} in {}", run.target_system),
        DetailsInfo::from_pairs([
            ("ReportableIdentifier", name),
            ("TargetId", target_id.as_str()),
        ]),
    ));
    let mut target = ProvisionedIdentity::default();
    target.id = Property::Value(target_id.clone());
    target.display_name = Property::Value(name.to_owned());
    target.identity_type = Property::Value(
        mapping
            .and_then(|m| m.target_object_name.get().cloned())
            .unwrap_or_else(|| kind.clone()),
    );
    target.details = Property::Value(DetailsInfo::default());
    event.target_identity = Property::Value(target);
    finish(
        event,
        steps,
        action,
        ProvisioningResult::Success,
        None,
        changes,
        Outcome::Exported { target_id, values },
    )
}

/// Completes `event`.
fn finish(
    mut event: ProvisioningObjectSummary,
    steps: Vec<ProvisioningStep>,
    action: ProvisioningAction,
    status: ProvisioningResult,
    error: Option<ProvisioningErrorInfo>,
    changes: Vec<ModifiedProperty>,
    outcome: Outcome,
) -> (ProvisioningObjectSummary, Outcome) {
    let duration = i32::try_from(steps.len())
        .unwrap_or(i32::MAX)
        .saturating_mul(7);
    event.duration_in_milliseconds = Property::Value(duration);
    event.provisioning_steps = Property::Value(steps);
    event.provisioning_action = Property::Value(action);
    event.modified_properties = Property::Value(changes);
    let mut info = ProvisioningStatusInfo::default();
    info.status = Property::Value(status);
    info.error_information = or_null(error);
    event.provisioning_status_info = Property::Value(info);
    (event, outcome)
}

/// The event's identity: ids, systems, initiator, source object. `activityDateTime` and `id`
/// are stamped when it is recorded.
fn envelope(source: &SourceObject, run: &Run<'_>) -> ProvisioningObjectSummary {
    let mut event = ProvisioningObjectSummary::default();
    event.tenant_id = Property::Value(crate::identity::DEVELOPMENT_TENANT_ID.to_owned());
    event.job_id = Property::Value(run.job_id.to_owned());
    event.cycle_id = Property::Value(run.cycle_id.clone());
    event.change_id = Property::Value(uuid::Uuid::new_v4().to_string());
    let mut initiator = Initiator::default();
    let (id, name) = match run.initiator {
        InitiatorType::System => (String::new(), "Azure AD Provisioning Service".to_owned()),
        _ => (
            run.service_principal_id.to_owned(),
            run.service_principal_name.to_owned(),
        ),
    };
    initiator.id = Property::Value(id);
    initiator.display_name = Property::Value(name);
    initiator.initiator_type = Property::Value(run.initiator.clone());
    event.initiated_by = Property::Value(initiator);
    let mut principal = ProvisioningServicePrincipal::default();
    principal.id = Property::Value(run.service_principal_id.to_owned());
    principal.display_name = Property::Value(run.service_principal_name.to_owned());
    event.service_principal = Property::Value(principal);
    event.source_system = Property::Value(system(run.source_system, run));
    event.target_system = Property::Value(system(run.target_system, run));
    let mut identity = ProvisionedIdentity::default();
    identity.id = Property::Value(source.id.clone());
    identity.display_name = Property::Value(source.display_name().to_owned());
    identity.identity_type = Property::Value(source.type_name.clone());
    identity.details = Property::Value(DetailsInfo::default());
    event.source_identity = Property::Value(identity);
    let mut target = ProvisionedIdentity::default();
    target.id = Property::Value(String::new());
    target.display_name = Property::Value(String::new());
    target.identity_type = Property::Value(String::new());
    target.details = Property::Value(DetailsInfo::default());
    event.target_identity = Property::Value(target);
    event
}

fn system(name: &str, run: &Run<'_>) -> ProvisioningSystem {
    let mut system = ProvisioningSystem::default();
    system.id = Property::Value(format!(
        "{:08x}-0000-4000-8000-{:012x}",
        name.len(),
        name.bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
            & 0xffff_ffff_ffff
    ));
    system.display_name = Property::Value(name.to_owned());
    system.details = Property::Value(if name == catalog::ENTRA_DIRECTORY {
        DetailsInfo::default()
    } else {
        DetailsInfo::from_pairs([
            ("ServicePrincipalId", run.service_principal_id),
            ("ServicePrincipalDisplayName", run.service_principal_name),
        ])
    });
    system
}

fn step(
    name: &str,
    kind: ProvisioningStepType,
    status: ProvisioningResult,
    description: String,
    details: DetailsInfo,
) -> ProvisioningStep {
    let mut step = ProvisioningStep::default();
    step.name = Property::Value(name.to_owned());
    step.provisioning_step_type = Property::Value(kind);
    step.status = Property::Value(status);
    step.description = Property::Value(description);
    step.details = Property::Value(details);
    step
}

fn error_info(
    code: &str,
    reason: String,
    action: &str,
    category: ProvisioningStatusErrorCategory,
) -> ProvisioningErrorInfo {
    let mut error = ProvisioningErrorInfo::default();
    error.error_code = Property::Value(code.to_owned());
    error.reason = Property::Value(reason);
    error.additional_details = Property::Null;
    error.error_category = Property::Value(category);
    error.recommended_action = Property::Value(action.to_owned());
    error
}

/// A value, or `null` (as the service writes an absent optional value here).
fn or_null<T>(value: Option<T>) -> Property<T> {
    value.map_or(Property::Null, Property::Value)
}

fn modified(target: &str, old: Option<&String>, new: &str) -> ModifiedProperty {
    let mut property = ModifiedProperty::default();
    property.display_name = Property::Value(target.to_owned());
    property.old_value = or_null(old.cloned());
    property.new_value = Property::Value(new.to_owned());
    property
}

/// The enabled object mapping of the first rule whose source object is `kind`.
fn object_mapping<'a>(schema: &'a SynchronizationSchema, kind: &str) -> Option<&'a ObjectMapping> {
    schema
        .synchronization_rules
        .iter()
        .flatten()
        .flat_map(|rule| rule.object_mappings.iter().flatten())
        .find(|mapping| {
            mapping.enabled.get() != Some(&false)
                && mapping
                    .source_object_name
                    .as_deref()
                    .is_some_and(|name| name.eq_ignore_ascii_case(kind))
        })
}

/// The target values the mapping's attribute mappings give (those whose source attribute is
/// missing are left out, as the service leaves them unset).
fn target_values(
    mapping: Option<&ObjectMapping>,
    attributes: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    let values: HashMap<&str, String> = attributes
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let Some(mapping) = mapping else {
        // No object mapping for the type (API-driven inbound): the attributes as sent.
        return Ok(attributes.clone());
    };
    let mut out = BTreeMap::new();
    for attribute in std::iter::once(mapping).flat_map(|m| m.attribute_mappings.iter().flatten()) {
        let (Some(target), Some(source)) = (
            attribute.target_attribute_name.get(),
            attribute.source.get(),
        ) else {
            continue;
        };
        match evaluate(source, &values) {
            Ok(value) => {
                out.insert(target.clone(), value);
            }
            // An attribute the object does not have: the target attribute stays unset.
            Err(_)
                if source.r#type.get()
                    == Some(&graph_sync_model::AttributeMappingSourceType::Attribute) => {}
            Err(reason) => return Err(format!("{target}: {reason}")),
        }
    }
    Ok(out)
}

/// Whether `attributes` pass `filter`: no filter, or no groups, passes; otherwise some group
/// has every clause true. `Err` names the first clause of the last group that failed.
fn in_scope(filter: Option<&Filter>, attributes: &BTreeMap<String, String>) -> Result<(), String> {
    let groups: Vec<_> = filter
        .into_iter()
        .flat_map(|f| f.groups.iter().flatten())
        .collect();
    if groups.is_empty() {
        return Ok(());
    }
    let mut failed = String::new();
    for group in groups {
        let failing = group.clauses.iter().flatten().find_map(|clause| {
            let name = clause.source_operand_name.as_deref().unwrap_or_default();
            let operator = clause.operator_name.as_deref().unwrap_or_default();
            let operands: Vec<&str> = clause
                .target_operand
                .get()
                .and_then(|o| o.values.get())
                .map(|v| v.iter().map(String::as_str).collect())
                .unwrap_or_default();
            let value = attributes.get(name).map(String::as_str);
            if clause_holds(operator, value, &operands) {
                None
            } else {
                Some(format!(
                    "{name} {operator} {} is false ({name} is {})",
                    operands
                        .iter()
                        .map(|o| format!("'{o}'"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    value.map_or_else(|| "not set".to_owned(), |v| format!("'{v}'"))
                ))
            }
        });
        match failing {
            None => return Ok(()),
            Some(reason) => failed = reason,
        }
    }
    Err(failed)
}

/// One scoping clause, with the operators of `filterOperators` (case-insensitive names);
/// an unknown operator never holds.
fn clause_holds(operator: &str, value: Option<&str>, operands: &[&str]) -> bool {
    let truthy = |v: &str| v.eq_ignore_ascii_case("true");
    match operator.to_ascii_uppercase().as_str() {
        "EQUALS" => value.is_some_and(|v| operands.iter().any(|o| o.eq_ignore_ascii_case(v))),
        "NOT-EQUALS" | "NOT EQUALS" => {
            value.is_none_or(|v| operands.iter().all(|o| !o.eq_ignore_ascii_case(v)))
        }
        "ISTRUE" | "IS TRUE" => value.is_some_and(truthy),
        "ISFALSE" | "IS FALSE" => value.is_none_or(|v| !truthy(v)),
        "ISNULL" | "IS NULL" => value.is_none_or(str::is_empty),
        "ISNOTNULL" | "IS NOT NULL" => value.is_some_and(|v| !v.is_empty()),
        "GREATER_THAN" => value
            .and_then(|v| v.parse::<i64>().ok())
            .zip(operands.first().and_then(|o| o.parse::<i64>().ok()))
            .is_some_and(|(v, o)| v > o),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provisioning::catalog::scim_schema;

    fn run<'a>(
        schema: &'a SynchronizationSchema,
        credentials: Result<(), &'static str>,
    ) -> Run<'a> {
        Run {
            service_principal_id: "sp",
            service_principal_name: "Contoso",
            job_id: "scim.1",
            cycle_id: "cycle".to_owned(),
            schema,
            credentials,
            initiator: InitiatorType::System,
            source_system: catalog::ENTRA_DIRECTORY,
            target_system: catalog::SCIM_DIRECTORY,
        }
    }

    fn user(department: &str) -> SourceObject {
        SourceObject {
            id: "u1".to_owned(),
            type_name: "User".to_owned(),
            attributes: BTreeMap::from([
                (
                    "userPrincipalName".to_owned(),
                    "alex@contoso.com".to_owned(),
                ),
                ("displayName".to_owned(), "Alex Wilber".to_owned()),
                ("department".to_owned(), department.to_owned()),
            ]),
        }
    }

    fn status(event: &ProvisioningObjectSummary) -> (&str, &str) {
        (
            event.provisioning_action.get().unwrap().as_str(),
            event.status().unwrap().as_str(),
        )
    }

    #[test]
    fn create_then_nothing_to_do_then_update() {
        let schema = scim_schema();
        let mut ledger = Ledger::default();
        ledger.stage(user("Sales"));
        let created = ledger.process("u1", &run(&schema, Ok(()))).unwrap();
        assert_eq!(status(&created), ("create", "success"));
        assert_eq!(created.steps().len(), 5);
        assert!(
            created
                .modified_properties
                .get()
                .unwrap()
                .iter()
                .any(|p| p.display_name.as_deref() == Some("userName"))
        );
        assert!(ledger.pending().is_empty());
        ledger.stage(user("Sales"));
        let same = ledger.process("u1", &run(&schema, Ok(()))).unwrap();
        assert_eq!(status(&same), ("other", "skipped"));
        let mut renamed = user("Sales");
        renamed
            .attributes
            .insert("displayName".to_owned(), "Alex W.".to_owned());
        ledger.stage(renamed);
        let updated = ledger.process("u1", &run(&schema, Ok(()))).unwrap();
        assert_eq!(status(&updated), ("update", "success"));
        assert_eq!(updated.modified_properties.get().unwrap().len(), 1);
    }

    #[test]
    fn rejected_credentials_fail_the_export_and_the_object_is_retried() {
        let schema = scim_schema();
        let mut ledger = Ledger::default();
        ledger.stage(user("Sales"));
        let failed = ledger
            .process(
                "u1",
                &run(&schema, Err("the target rejected the SecretToken")),
            )
            .unwrap();
        assert_eq!(status(&failed), ("create", "failure"));
        assert_eq!(
            failed.error().unwrap().error_code.as_deref(),
            Some(CREDENTIALS_REJECTED)
        );
        assert_eq!(
            failed.failed_step().unwrap().provisioning_step_type.get(),
            Some(&ProvisioningStepType::Export)
        );
        assert_eq!(ledger.pending(), ["u1"]);
        let retried = ledger.process("u1", &run(&schema, Ok(()))).unwrap();
        assert_eq!(status(&retried), ("create", "success"));
    }

    #[test]
    fn a_scoping_filter_skips_an_object_out_of_scope_and_says_which_clause() {
        let mut schema = scim_schema();
        let filter: Filter =
            serde_json::from_value(serde_json::json!({"groups": [{"name": "Sales only",
            "clauses": [{"operatorName": "EQUALS", "sourceOperandName": "department",
                         "targetOperand": {"values": ["Sales"]}}]}]}))
            .unwrap();
        let mapping = schema.synchronization_rules.get_mut().unwrap()[0]
            .object_mappings
            .get_mut()
            .unwrap()
            .get_mut(0)
            .unwrap();
        mapping.scope = Property::Value(filter);
        let mut ledger = Ledger::default();
        ledger.stage(user("Marketing"));
        let skipped = ledger.process("u1", &run(&schema, Ok(()))).unwrap();
        assert_eq!(status(&skipped), ("other", "skipped"));
        let scoping = &skipped.steps()[1];
        assert_eq!(scoping.status.get(), Some(&ProvisioningResult::Skipped));
        assert!(
            scoping
                .description
                .as_deref()
                .unwrap()
                .contains("department EQUALS 'Sales' is false (department is 'Marketing')"),
            "{:?}",
            scoping.description
        );
        ledger.stage(user("Sales"));
        assert_eq!(
            status(&ledger.process("u1", &run(&schema, Ok(()))).unwrap()),
            ("create", "success")
        );
    }

    #[test]
    fn every_scoping_operator() {
        assert!(clause_holds("EQUALS", Some("a"), &["b", "A"]));
        assert!(!clause_holds("EQUALS", None, &["a"]));
        assert!(clause_holds("NOT-EQUALS", Some("a"), &["b"]));
        assert!(clause_holds("ISTRUE", Some("True"), &[]));
        assert!(clause_holds("ISFALSE", None, &[]));
        assert!(clause_holds("ISNULL", Some(""), &[]));
        assert!(clause_holds("ISNOTNULL", Some("x"), &[]));
        assert!(clause_holds("Greater_Than", Some("10"), &["9"]));
        assert!(!clause_holds("REGEX MATCH", Some("x"), &["x"]));
    }
}
