//! How a job's status moves: created `NotConfigured` and disabled; started, it runs a cycle
//! that checks the saved secrets against the target system and becomes `Active` or
//! `Quarantine` (with a reason and an error); paused, restarted (clearing what the scope
//! names), deleted. An `Active` job runs a cycle each time it is read, so secrets broken
//! after the start show up as a quarantine on the next read.

use std::time::Duration;

use graph_sync_model::{
    IsoDuration, JobId, QuarantineReason, RestartScopeFlag, Secrets, SynchronizationError,
    SynchronizationJob, SynchronizationJobRestartScope, SynchronizationQuarantine,
    SynchronizationSchedule, SynchronizationScheduleState, SynchronizationSchema,
    SynchronizationStatus, SynchronizationStatusCode, SynchronizationTaskExecution,
    SynchronizationTaskExecutionResult, TemplateId, Timestamp,
};
use serde_json::Value;

use super::checks::{TargetSystem, check_credentials};
use super::rate::RateWindows;

/// The interval of a running job.
const RUN_INTERVAL: Duration = Duration::from_secs(40 * 60);

/// A job and what belongs to it.
#[derive(Debug, Clone)]
pub(crate) struct JobEntry {
    pub(crate) job: SynchronizationJob,
    pub(crate) schema: SynchronizationSchema,
    /// The schema of the template it was created from, for a schema reset.
    pub(crate) template_schema: SynchronizationSchema,
    /// The SCIM resources received by bulk upload, in order.
    pub(crate) uploaded: Vec<Value>,
    /// The job's provisionOnDemand and bulkUpload rate windows.
    pub(crate) rates: RateWindows,
}

fn now() -> Timestamp {
    Timestamp::from(time::OffsetDateTime::now_utc())
}

impl JobEntry {
    /// A new job from `template_id`, with the template's schema: disabled, `NotConfigured`.
    pub(crate) fn create(template_id: &TemplateId, schema: &SynchronizationSchema) -> Option<Self> {
        let id = JobId::new(format!(
            "{template_id}.{}",
            uuid::Uuid::new_v4().as_simple()
        ))
        .ok()?;
        let mut job = SynchronizationJob::from_template(template_id.clone());
        job.id = Some(id.clone());
        let mut schedule = SynchronizationSchedule::default();
        schedule.interval = IsoDuration::timespan_max();
        schedule.state = SynchronizationScheduleState::Disabled;
        job.schedule = Some(schedule);
        job.status = Some(SynchronizationStatus::default());
        job.synchronization_job_settings = Some(vec![graph_sync_model::KeyValuePair::new(
            "QuarantineTooManyDeletesThreshold",
            "500",
        )]);
        let mut schema = schema.clone();
        schema.id = Some(id.into_string());
        Some(Self {
            job,
            template_schema: schema.clone(),
            schema,
            uploaded: Vec::new(),
            rates: RateWindows::default(),
        })
    }

    pub(crate) fn id(&self) -> &str {
        self.job.id.as_ref().map_or("", JobId::as_str)
    }

    pub(crate) fn code(&self) -> SynchronizationStatusCode {
        self.job.status_code()
    }

    fn status(&mut self) -> &mut SynchronizationStatus {
        self.job
            .status
            .get_or_insert_with(SynchronizationStatus::default)
    }

    fn set_schedule(&mut self, state: SynchronizationScheduleState) {
        let schedule = self
            .job
            .schedule
            .get_or_insert_with(SynchronizationSchedule::default);
        schedule.state = state;
        schedule.interval = IsoDuration::from(RUN_INTERVAL);
    }

    /// One provisioning cycle: the saved secrets against the target system.
    pub(crate) fn run_cycle(&mut self, secrets: &Secrets, target: Option<&TargetSystem>) {
        let began = now();
        let mut execution = SynchronizationTaskExecution::default();
        execution.activity_identifier = Some(uuid::Uuid::new_v4().to_string());
        execution.time_began = began.clone();
        execution.time_ended = now();
        match check_credentials(target, secrets) {
            Ok(()) => {
                execution.state = SynchronizationTaskExecutionResult::Succeeded;
                self.set_schedule(SynchronizationScheduleState::Active);
                let status = self.status();
                status.code = SynchronizationStatusCode::Active;
                status.quarantine = None;
                status.count_successive_complete_failures = 0;
                status.last_execution = Some(execution.clone());
                status.last_successful_execution = Some(execution);
                if status.steady_state_first_achieved_time.is_unset() {
                    status.steady_state_first_achieved_time = began.clone();
                }
                status.steady_state_last_achieved_time = began;
            }
            Err(reason) => {
                let error = SynchronizationError::new(
                    "CredentialsRejected",
                    format!("Provisioning could not authenticate to the target system: {reason}."),
                    true,
                );
                execution.state = SynchronizationTaskExecutionResult::Failed;
                execution.error = Some(error.clone());
                self.set_schedule(SynchronizationScheduleState::Active);
                let status = self.status();
                status.code = SynchronizationStatusCode::Quarantine;
                status.count_successive_complete_failures += 1;
                status.last_execution = Some(execution);
                let mut quarantine = status.quarantine.take().unwrap_or_else(|| {
                    let mut fresh = SynchronizationQuarantine::default();
                    fresh.series_began = began.clone();
                    fresh
                });
                quarantine.current_began = began.clone();
                quarantine.next_attempt = began;
                quarantine.reason = QuarantineReason::EncounteredQuarantineException;
                quarantine.series_count += 1;
                quarantine.error = Some(error);
                status.quarantine = Some(quarantine);
            }
        }
    }

    /// A scheduled cycle, as time passes: only an `Active` job runs.
    pub(crate) fn tick(&mut self, secrets: &Secrets, target: Option<&TargetSystem>) {
        if self.code() == SynchronizationStatusCode::Active {
            self.run_cycle(secrets, target);
        }
    }

    /// `start`: clears a quarantine and runs; an `Active` job is left alone.
    pub(crate) fn start(&mut self, secrets: &Secrets, target: Option<&TargetSystem>) {
        if self.code() != SynchronizationStatusCode::Active {
            self.status().quarantine = None;
            self.run_cycle(secrets, target);
        }
    }

    /// `pause`: keeps the state, stops the schedule.
    pub(crate) fn pause(&mut self) {
        self.set_schedule(SynchronizationScheduleState::Paused);
        self.status().code = SynchronizationStatusCode::Paused;
    }

    /// `restart`: clears what `scope` names, then runs, unless the job stays quarantined
    /// because the scope left the quarantine in place.
    pub(crate) fn restart(
        &mut self,
        scope: &SynchronizationJobRestartScope,
        secrets: &Secrets,
        target: Option<&TargetSystem>,
    ) {
        let status = self.status();
        if scope.contains(&RestartScopeFlag::Watermark) {
            status.last_successful_execution = None;
            status.last_successful_execution_with_exports = None;
            status.steady_state_first_achieved_time = Timestamp::unset();
            status.steady_state_last_achieved_time = Timestamp::unset();
        }
        if scope.contains(&RestartScopeFlag::Escrows) {
            if let Some(last) = status.last_execution.as_mut() {
                last.count_escrowed = 0;
                last.count_escrowed_raw = 0;
            }
            status.escrows_pruned = false;
        }
        if scope.contains(&RestartScopeFlag::QuarantineState) {
            status.quarantine = None;
            status.count_successive_complete_failures = 0;
        }
        if status.quarantine.is_none() {
            self.run_cycle(secrets, target);
        }
    }
}

#[cfg(test)]
mod tests {
    use graph_sync_model::SecretKey;

    use super::*;
    use crate::provisioning::catalog::scim_schema;

    fn secrets(token: &str) -> Secrets {
        Secrets::new()
            .with(SecretKey::BaseAddress, "https://scim.example.com/scim")
            .unwrap()
            .with(SecretKey::SecretToken, token)
            .unwrap()
    }

    #[test]
    fn the_status_machine() {
        let target = TargetSystem::new("https://scim.example.com/scim", "good");
        let mut entry =
            JobEntry::create(&TemplateId::new("scim").unwrap(), &scim_schema()).unwrap();
        assert!(entry.id().starts_with("scim."));
        assert_eq!(entry.code(), SynchronizationStatusCode::NotConfigured);
        assert!(entry.job.schedule.as_ref().unwrap().is_disabled());
        entry.start(&secrets("good"), Some(&target));
        assert_eq!(entry.code(), SynchronizationStatusCode::Active);
        entry.tick(&secrets("bad"), Some(&target));
        assert_eq!(entry.code(), SynchronizationStatusCode::Quarantine);
        let quarantine = entry
            .job
            .status
            .as_ref()
            .unwrap()
            .quarantine
            .clone()
            .unwrap();
        assert_eq!(
            quarantine.reason,
            QuarantineReason::EncounteredQuarantineException
        );
        assert!(
            quarantine
                .error
                .unwrap()
                .message
                .unwrap()
                .contains("rejected the SecretToken")
        );
        // A restart that leaves the quarantine in place changes nothing about it.
        entry.restart(
            &SynchronizationJobRestartScope::parse("Watermark"),
            &secrets("good"),
            Some(&target),
        );
        assert_eq!(entry.code(), SynchronizationStatusCode::Quarantine);
        entry.restart(
            &SynchronizationJobRestartScope::portal_restart(),
            &secrets("good"),
            Some(&target),
        );
        assert_eq!(entry.code(), SynchronizationStatusCode::Active);
        entry.pause();
        assert_eq!(entry.code(), SynchronizationStatusCode::Paused);
        entry.tick(&secrets("bad"), Some(&target));
        assert_eq!(entry.code(), SynchronizationStatusCode::Paused);
    }
}
