//! How a job's status moves: created `NotConfigured` and disabled; started, it runs a cycle
//! that checks the saved secrets against the target system and becomes `Active` or
//! `Quarantine` (with a reason and an error); paused, restarted (clearing what the scope
//! names), deleted. An `Active` job runs a cycle each time it is read, so secrets broken
//! after the start show up as a quarantine on the next read.

use std::time::{Duration, SystemTime};

use graph_sync_model::Property;
use graph_sync_model::{
    IsoDuration, JobId, QuarantineReason, RestartScopeFlag, Secrets, SynchronizationError,
    SynchronizationJob, SynchronizationJobRestartScope, SynchronizationQuarantine,
    SynchronizationSchedule, SynchronizationScheduleState, SynchronizationSchema,
    SynchronizationStatus, SynchronizationStatusCode, SynchronizationTaskExecution,
    SynchronizationTaskExecutionResult, TemplateId, Timestamp,
};
use serde_json::Value;

use super::checks::{TargetSystem, check_credentials};
use super::events::Ledger;
use super::rate::RateWindows;

/// The interval of a running job.
const RUN_INTERVAL: Duration = Duration::from_secs(40 * 60);
/// The longest wait between cycles of a quarantined job: "the frequency of incremental cycles
/// is gradually reduced to once per day".
const QUARANTINE_MAX_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a job may stay in quarantine before it is disabled: "more than four weeks".
const QUARANTINE_LIMIT: Duration = Duration::from_secs(28 * 24 * 60 * 60);

/// The wait before the next cycle of a job quarantined `series_count` times in a row: the run
/// interval doubled for each failure after the first, at most once per day.
pub(crate) fn quarantine_backoff(series_count: i64) -> Duration {
    let doublings = u32::try_from(series_count.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    RUN_INTERVAL
        .checked_mul(1 << doublings)
        .unwrap_or(QUARANTINE_MAX_INTERVAL)
        .min(QUARANTINE_MAX_INTERVAL)
}

/// One cycle run, for the provisioning logs.
#[derive(Debug, Clone)]
pub(crate) struct CycleRun {
    /// The cycle's id (the task execution's `activityIdentifier`).
    pub(crate) id: String,
    /// The target system's verdict on the credentials.
    pub(crate) credentials: Result<(), &'static str>,
    /// The first cycle: every assigned object is imported.
    pub(crate) initial: bool,
}

/// A job and what belongs to it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct JobEntry {
    pub(crate) job: SynchronizationJob,
    pub(crate) schema: SynchronizationSchema,
    /// The schema of the template it was created from, for a schema reset.
    pub(crate) template_schema: SynchronizationSchema,
    /// The SCIM resources received by bulk upload, in order.
    pub(crate) uploaded: Vec<Value>,
    /// The job's provisionOnDemand and bulkUpload rate windows (on tokio's clock: not kept by
    /// a state file).
    #[serde(skip)]
    pub(crate) rates: RateWindows,
    /// The objects the job knows and what became of them (the provisioning logs' source).
    /// Not kept in a state file: a restarted emulator starts its ledgers afresh.
    #[serde(skip)]
    pub(crate) ledger: Ledger,
    /// Cycles run since the provisioning logs last took them: each processes the ledger's
    /// pending objects (and, the first, every assigned object).
    #[serde(skip)]
    pub(crate) cycles: Vec<CycleRun>,
    /// Whether an initial cycle has run since the job was created or its watermark cleared.
    #[serde(default)]
    initialized: bool,
    /// When a quarantined job runs its next cycle.
    next_attempt: Option<SystemTime>,
    /// When the current quarantine series began.
    series_began: Option<SystemTime>,
}

fn timestamp(time: SystemTime) -> Timestamp {
    Timestamp::from(time::OffsetDateTime::from(time))
}

/// The status of a new job, with the members Graph's create answer shows (documented
/// `POST …/jobs` response): zero counters, no runs, the unset steady-state times.
fn fresh_status() -> SynchronizationStatus {
    let mut status = SynchronizationStatus::default();
    status.count_successive_complete_failures = Property::Value(0);
    status.escrows_pruned = Property::Value(false);
    status.synchronized_entry_count_by_type = Property::Value(Vec::new());
    status.code = Property::Value(SynchronizationStatusCode::NotConfigured);
    status.last_execution = Property::Null;
    status.last_successful_execution = Property::Null;
    status.last_successful_execution_with_exports = Property::Null;
    status.steady_state_first_achieved_time = Property::Value(Timestamp::unset());
    status.steady_state_last_achieved_time = Property::Value(Timestamp::unset());
    status.quarantine = Property::Null;
    status.troubleshooting_url = Property::Null;
    status
}

/// A run with every counter at zero (the emulator moves no objects).
fn fresh_execution() -> SynchronizationTaskExecution {
    let mut execution = SynchronizationTaskExecution::default();
    for count in [
        &mut execution.count_entitled,
        &mut execution.count_entitled_for_provisioning,
        &mut execution.count_escrowed,
        &mut execution.count_escrowed_raw,
        &mut execution.count_exported,
        &mut execution.count_exports,
        &mut execution.count_imported,
        &mut execution.count_imported_deltas,
        &mut execution.count_imported_reference_deltas,
    ] {
        *count = Property::Value(0);
    }
    execution.error = Property::Null;
    execution
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
        job.id = Property::Value(id.clone());
        let mut schedule = SynchronizationSchedule::default();
        schedule.expiration = Property::Null;
        schedule.interval = Property::Value(IsoDuration::timespan_max());
        schedule.state = Property::Value(SynchronizationScheduleState::Disabled);
        job.schedule = Property::Value(schedule);
        job.status = Property::Value(fresh_status());
        job.synchronization_job_settings =
            Property::Value(vec![graph_sync_model::KeyValuePair::new(
                "QuarantineTooManyDeletesThreshold",
                "500",
            )]);
        let mut schema = schema.clone();
        schema.id = Property::Value(id.into_string());
        Some(Self {
            job,
            template_schema: schema.clone(),
            schema,
            uploaded: Vec::new(),
            rates: RateWindows::default(),
            ledger: Ledger::default(),
            cycles: Vec::new(),
            initialized: false,
            next_attempt: None,
            series_began: None,
        })
    }

    pub(crate) fn id(&self) -> &str {
        self.job.id.get().map_or("", JobId::as_str)
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
        schedule.state = Property::Value(state);
        schedule.interval = Property::Value(IsoDuration::from(RUN_INTERVAL));
    }

    /// One provisioning cycle: the saved secrets against the target system.
    pub(crate) fn run_cycle(
        &mut self,
        now: SystemTime,
        secrets: &Secrets,
        target: Option<&TargetSystem>,
    ) {
        let began = timestamp(now);
        let mut execution = fresh_execution();
        let cycle_id = uuid::Uuid::new_v4().to_string();
        execution.activity_identifier = Property::Value(cycle_id.clone());
        execution.time_began = Property::Value(began.clone());
        execution.time_ended = Property::Value(began.clone());
        let verdict = check_credentials(target, secrets);
        // A cycle the logs have not taken yet is kept; a job read in a loop without its logs
        // being taken keeps the last few only (each later one sees the same pending objects).
        if self.cycles.len() >= 16 {
            self.cycles.remove(0);
        }
        self.cycles.push(CycleRun {
            id: cycle_id,
            credentials: verdict,
            initial: !self.initialized,
        });
        self.initialized = true;
        match verdict {
            Ok(()) => {
                self.next_attempt = None;
                self.series_began = None;
                execution.state = Property::Value(SynchronizationTaskExecutionResult::Succeeded);
                self.set_schedule(SynchronizationScheduleState::Active);
                let status = self.status();
                status.code = Property::Value(SynchronizationStatusCode::Active);
                status.quarantine = Property::Null;
                status.count_successive_complete_failures = Property::Value(0);
                status.last_execution = Property::Value(execution.clone());
                status.last_successful_execution = Property::Value(execution);
                if status
                    .steady_state_first_achieved_time
                    .get()
                    .is_none_or(Timestamp::is_unset)
                {
                    status.steady_state_first_achieved_time = Property::Value(began.clone());
                }
                status.steady_state_last_achieved_time = Property::Value(began);
            }
            Err(reason) => {
                let error = SynchronizationError::new(
                    "CredentialsRejected",
                    format!("Provisioning could not authenticate to the target system: {reason}."),
                    true,
                );
                execution.state = Property::Value(SynchronizationTaskExecutionResult::Failed);
                execution.error = Property::Value(error.clone());
                self.set_schedule(SynchronizationScheduleState::Active);
                let status = self.status();
                status.code = Property::Value(SynchronizationStatusCode::Quarantine);
                let failures = status.count_successive_complete_failures.value_or(0);
                status.count_successive_complete_failures =
                    Property::Value(failures.saturating_add(1));
                status.last_execution = Property::Value(execution);
                let mut quarantine = status.quarantine.take().into_option().unwrap_or_else(|| {
                    let mut fresh = SynchronizationQuarantine::default();
                    fresh.series_began = Property::Value(began.clone());
                    fresh
                });
                quarantine.current_began = Property::Value(began);
                quarantine.reason =
                    Property::Value(QuarantineReason::EncounteredQuarantineException);
                let series = quarantine.series_count.value_or(0).saturating_add(1);
                quarantine.series_count = Property::Value(series);
                let next = now.checked_add(quarantine_backoff(series)).unwrap_or(now);
                quarantine.next_attempt = Property::Value(timestamp(next));
                quarantine.error = Property::Value(error);
                status.quarantine = Property::Value(quarantine);
                self.next_attempt = Some(next);
                let series_began = *self.series_began.get_or_insert(now);
                if now
                    .duration_since(series_began)
                    .is_ok_and(|spent| spent > QUARANTINE_LIMIT)
                {
                    // Four weeks in quarantine: the job stops running.
                    if let Some(schedule) = self.job.schedule.get_mut() {
                        schedule.state = Property::Value(SynchronizationScheduleState::Disabled);
                    }
                    self.next_attempt = None;
                }
            }
        }
    }

    /// A scheduled cycle, as time passes: an `Active` job runs; a quarantined one runs when
    /// its next attempt is due (and leaves quarantine if the cycle succeeds).
    pub(crate) fn tick(
        &mut self,
        now: SystemTime,
        secrets: &Secrets,
        target: Option<&TargetSystem>,
    ) {
        let due = match self.code() {
            SynchronizationStatusCode::Active => true,
            SynchronizationStatusCode::Quarantine => self.next_attempt.is_some_and(|at| now >= at),
            _ => false,
        };
        if due {
            self.run_cycle(now, secrets, target);
        }
    }

    /// `start`: clears a quarantine and runs; an `Active` job is left alone.
    pub(crate) fn start(
        &mut self,
        now: SystemTime,
        secrets: &Secrets,
        target: Option<&TargetSystem>,
    ) {
        if self.code() != SynchronizationStatusCode::Active {
            self.status().quarantine = Property::Null;
            self.series_began = None;
            self.run_cycle(now, secrets, target);
        }
    }

    /// `pause`: keeps the state, stops the schedule.
    pub(crate) fn pause(&mut self) {
        self.set_schedule(SynchronizationScheduleState::Paused);
        self.status().code = Property::Value(SynchronizationStatusCode::Paused);
    }

    /// `restart`: clears what `scope` names, then runs, unless the job stays quarantined
    /// because the scope left the quarantine in place.
    pub(crate) fn restart(
        &mut self,
        now: SystemTime,
        scope: &SynchronizationJobRestartScope,
        secrets: &Secrets,
        target: Option<&TargetSystem>,
    ) {
        if scope.contains(&RestartScopeFlag::Watermark) {
            // The next cycle is an initial one again: every assigned object is imported.
            self.initialized = false;
        }
        let status = self.status();
        if scope.contains(&RestartScopeFlag::Watermark) {
            status.last_successful_execution = Property::Null;
            status.last_successful_execution_with_exports = Property::Null;
            status.steady_state_first_achieved_time = Property::Value(Timestamp::unset());
            status.steady_state_last_achieved_time = Property::Value(Timestamp::unset());
        }
        if scope.contains(&RestartScopeFlag::Escrows) {
            if let Some(last) = status.last_execution.get_mut() {
                last.count_escrowed = Property::Value(0);
                last.count_escrowed_raw = Property::Value(0);
            }
            status.escrows_pruned = Property::Value(false);
        }
        let clear_quarantine = scope.contains(&RestartScopeFlag::QuarantineState);
        if clear_quarantine {
            status.quarantine = Property::Null;
            status.count_successive_complete_failures = Property::Value(0);
        }
        let quarantined = status.quarantine.is_value();
        if clear_quarantine {
            self.series_began = None;
        }
        if !quarantined {
            self.run_cycle(now, secrets, target);
        }
    }
}

#[cfg(test)]
mod tests {
    use graph_sync_model::SecretKey;

    use super::*;
    use crate::provisioning::catalog::scim_schema;

    fn at(seconds: u64) -> SystemTime {
        std::time::UNIX_EPOCH + Duration::from_secs(1_795_341_600 + seconds)
    }

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
        assert!(entry.job.schedule.get().unwrap().is_disabled());
        entry.start(at(0), &secrets("good"), Some(&target));
        assert_eq!(entry.code(), SynchronizationStatusCode::Active);
        entry.tick(at(0), &secrets("bad"), Some(&target));
        assert_eq!(entry.code(), SynchronizationStatusCode::Quarantine);
        let quarantine = entry
            .job
            .status
            .get()
            .unwrap()
            .quarantine
            .clone()
            .into_option()
            .unwrap();
        assert_eq!(
            quarantine.reason,
            Property::Value(QuarantineReason::EncounteredQuarantineException)
        );
        assert!(
            quarantine
                .error
                .into_option()
                .unwrap()
                .message
                .into_option()
                .unwrap()
                .contains("rejected the SecretToken")
        );
        // A restart that leaves the quarantine in place changes nothing about it.
        entry.restart(
            at(60),
            &SynchronizationJobRestartScope::parse("Watermark"),
            &secrets("good"),
            Some(&target),
        );
        assert_eq!(entry.code(), SynchronizationStatusCode::Quarantine);
        entry.restart(
            at(120),
            &SynchronizationJobRestartScope::portal_restart(),
            &secrets("good"),
            Some(&target),
        );
        assert_eq!(entry.code(), SynchronizationStatusCode::Active);
        entry.pause();
        assert_eq!(entry.code(), SynchronizationStatusCode::Paused);
        entry.tick(at(180), &secrets("bad"), Some(&target));
        assert_eq!(entry.code(), SynchronizationStatusCode::Paused);
    }

    #[test]
    fn quarantine_backs_off_to_once_a_day_and_is_retried_when_due() {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        assert_eq!(quarantine_backoff(1), minutes(40));
        assert_eq!(quarantine_backoff(2), minutes(80));
        assert_eq!(quarantine_backoff(3), minutes(160));
        assert_eq!(quarantine_backoff(7), QUARANTINE_MAX_INTERVAL);
        assert_eq!(quarantine_backoff(i64::MAX), QUARANTINE_MAX_INTERVAL);
        assert_eq!(quarantine_backoff(-5), minutes(40));

        let target = TargetSystem::new("https://scim.example.com/scim", "good");
        let mut entry =
            JobEntry::create(&TemplateId::new("scim").unwrap(), &scim_schema()).unwrap();
        entry.start(at(0), &secrets("bad"), Some(&target));
        assert_eq!(entry.code(), SynchronizationStatusCode::Quarantine);
        let quarantine = |entry: &JobEntry| {
            entry
                .job
                .status
                .get()
                .unwrap()
                .quarantine
                .clone()
                .into_option()
                .unwrap()
        };
        assert_eq!(quarantine(&entry).series_count, Property::Value(1));
        assert_ne!(
            quarantine(&entry).next_attempt,
            quarantine(&entry).current_began
        );
        // Not yet due: nothing runs, even with good secrets.
        entry.tick(at(39 * 60), &secrets("good"), Some(&target));
        assert_eq!(quarantine(&entry).series_count, Property::Value(1));
        // Due and still failing: the wait doubles.
        entry.tick(at(40 * 60), &secrets("bad"), Some(&target));
        assert_eq!(quarantine(&entry).series_count, Property::Value(2));
        assert_eq!(entry.next_attempt, Some(at(40 * 60 + 80 * 60)));
        // Due with fixed secrets: out of quarantine.
        entry.tick(at(120 * 60), &secrets("good"), Some(&target));
        assert_eq!(entry.code(), SynchronizationStatusCode::Active);
    }

    #[test]
    fn four_weeks_in_quarantine_disable_the_job() {
        let target = TargetSystem::new("https://scim.example.com/scim", "good");
        let mut entry =
            JobEntry::create(&TemplateId::new("scim").unwrap(), &scim_schema()).unwrap();
        entry.start(at(0), &secrets("bad"), Some(&target));
        let day = 24 * 60 * 60;
        for d in 1..=29 {
            entry.tick(at(d * day), &secrets("bad"), Some(&target));
        }
        assert!(entry.job.schedule.get().unwrap().is_disabled());
        let count = entry
            .job
            .status
            .get()
            .unwrap()
            .quarantine
            .get()
            .unwrap()
            .series_count;
        entry.tick(at(40 * day), &secrets("good"), Some(&target));
        assert_eq!(
            entry
                .job
                .status
                .get()
                .unwrap()
                .quarantine
                .get()
                .unwrap()
                .series_count,
            count
        );
    }
}
