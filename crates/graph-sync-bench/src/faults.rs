//! Figure (c): operations under injected faults.
//!
//! The emulator injects one of every fault kind into 10% of requests (seeded): `503` with and
//! without `Retry-After`, `504`, a connection reset before and after the request is read, a
//! slow answer and a truncated body. Half the operations PUT secrets, one in four GETs the
//! synchronization resource and one in four POSTs `…/jobs/{id}/pause` (not idempotent: a
//! POST that may have reached the service is never repeated), through [`Bulk`] with the
//! default retry policy. Every operation must end in success or an error that says what
//! happened, and the request log must show that no request reached the handler twice unless
//! its method is idempotent.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use graph_sync_api::model::{JobId, TemplateId};
use graph_sync_api::{Bulk, GraphSyncClient, is_idempotent};
use graph_sync_emulator::{Emulator, Fault, FaultRate};

use crate::Sizes;
use crate::overhead::{register, secrets, sp_id};

const PRINCIPALS: usize = 1_000;

/// Figure (c).
#[derive(Debug, Clone)]
pub(crate) struct Faults {
    pub(crate) operations: usize,
    pub(crate) succeeded: usize,
    /// Failed operations, by the first line of their error.
    pub(crate) errors: Vec<(String, usize)>,
    pub(crate) faults_injected: usize,
    pub(crate) requests: usize,
    /// Requests (by client-request-id) that reached the handler more than once.
    pub(crate) applied_again: usize,
    /// Of those, the ones whose method is not idempotent (must be zero).
    pub(crate) non_idempotent_applied_again: usize,
    pub(crate) wall: Duration,
}

pub(crate) async fn run(sizes: Sizes) -> Result<Faults, String> {
    let emulator = Emulator::new();
    let principals = PRINCIPALS.min(sizes.faults.max(1));
    register(&emulator, principals, 'a')?;
    let running = emulator.start().await.map_err(|e| e.to_string())?;
    let client = GraphSyncClient::builder()
        .graph_root(running.graph_root())
        .bearer_token(emulator.issue_token())
        .build()
        .map_err(|e| e.to_string())?;
    // One job per service principal, made before any fault is injected.
    let template = TemplateId::new("scim").map_err(|e| e.to_string())?;
    let mut jobs: Vec<JobId> = Vec::with_capacity(principals);
    for index in 0..principals {
        let sp = sp_id(index)?;
        emulator.add_template(&sp, Emulator::scim_template());
        let job = client
            .service_principal(sp)
            .synchronization()
            .jobs()
            .create(template.clone())
            .await
            .map_err(|e| format!("creating the job of service principal {index}: {e}"))?;
        jobs.push(job.id.into_option().ok_or("a created job has no id")?);
    }
    let before_faults = emulator.request_count();
    emulator.set_fault_rate(Some(FaultRate::new(
        0.10,
        0x6772_6170_6873_796e,
        vec![
            Fault::ServiceUnavailable(Some(Duration::from_millis(50))),
            Fault::ServiceUnavailable(None),
            Fault::GatewayTimeout,
            Fault::ResetBeforeRead,
            Fault::ResetAfterRead,
            Fault::Slow(Duration::from_millis(50)),
            Fault::TruncatedBody,
        ],
    )));
    let secrets = Arc::new(secrets()?);
    let operations = (0..sizes.faults)
        .map(|index| {
            let principal = index % principals;
            Ok((index, sp_id(principal)?, jobs[principal].clone()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let start = Instant::now();
    let results = Bulk::new(&client)
        .with_concurrency(64)
        .run(operations.into_iter().map(|(index, sp, job)| {
            let secrets = Arc::clone(&secrets);
            move |client: GraphSyncClient| async move {
                let sync = client.service_principal(sp).synchronization();
                match index % 4 {
                    0 => sync.get().await.map(drop),
                    1 => sync.job(job).pause().await,
                    _ => sync.secrets().put(&secrets).await,
                }
            }
        }))
        .await;
    let wall = start.elapsed();
    running.shutdown().await;

    let mut errors: HashMap<String, usize> = HashMap::new();
    for error in results.iter().filter_map(|r| r.as_ref().err()) {
        let text = error.to_string();
        *errors.entry(without_elapsed(&text).to_owned()).or_default() += 1;
    }
    let log = emulator.requests_since(before_faults);
    let mut handled: HashMap<(&str, &str), usize> = HashMap::new();
    for request in log.iter().filter(|r| r.reached_handler) {
        if let Some(id) = &request.client_request_id {
            *handled
                .entry((id.as_str(), request.method.as_str()))
                .or_default() += 1;
        }
    }
    let again: Vec<_> = handled.iter().filter(|(_, count)| **count > 1).collect();
    let non_idempotent = again
        .iter()
        .filter(|((_, method), _)| {
            http::Method::from_bytes(method.as_bytes()).map_or(true, |m| !is_idempotent(&m))
        })
        .count();
    let mut errors: Vec<_> = errors.into_iter().collect();
    errors.sort();
    Ok(Faults {
        operations: sizes.faults,
        succeeded: results.iter().filter(|r| r.is_ok()).count(),
        errors,
        faults_injected: log.iter().filter(|r| r.fault.is_some()).count(),
        requests: log.len(),
        applied_again: again.len(),
        non_idempotent_applied_again: non_idempotent,
        wall,
    })
}

/// An error's text without a trailing " in 0.012 s", so that errors differing only in how
/// long they took are counted together.
fn without_elapsed(text: &str) -> &str {
    let Some(at) = text.rfind(" in ") else {
        return text;
    };
    let tail = &text[at + 4..];
    match tail.strip_suffix(" s") {
        Some(seconds) if seconds.parse::<f64>().is_ok() => &text[..at],
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::without_elapsed;

    #[test]
    fn only_a_trailing_duration_is_dropped() {
        assert_eq!(
            without_elapsed("may have been applied after 1 attempt in 0.052 s"),
            "may have been applied after 1 attempt"
        );
        assert_eq!(without_elapsed("sent in a hurry"), "sent in a hurry");
        assert_eq!(without_elapsed("no duration"), "no duration");
    }
}
