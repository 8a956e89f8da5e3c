//! [`wait_until_visible`]: read a resource until it has been seen N times in a row.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::retry::is_consistency_error;
use crate::error::{Error, GaveUp, RetryError};

/// How [`wait_until_visible`] polls.
///
/// Defaults: 5 consecutive successful reads (Terraform's `ContinuousTargetOccurence`), 2 s
/// apart, for at most 5 minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    consecutive: u32,
    interval: Duration,
    timeout: Duration,
}

impl Default for Visibility {
    fn default() -> Self {
        Self {
            consecutive: 5,
            interval: Duration::from_secs(2),
            timeout: Duration::from_secs(5 * 60),
        }
    }
}

impl Visibility {
    /// How many successful reads in a row count as visible (at least 1).
    #[must_use]
    pub fn with_consecutive(mut self, reads: u32) -> Self {
        self.consecutive = reads.max(1);
        self
    }

    /// The pause between reads.
    #[must_use]
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest the whole wait may take.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many successful reads in a row count as visible.
    #[must_use]
    pub fn consecutive(&self) -> u32 {
        self.consecutive
    }
}

/// Calls `read` until it has succeeded `visibility.consecutive()` times in a row, and returns
/// the last value read.
///
/// A read that fails with a consistency answer (`404`, `403`, `409`,
/// `400 NoBackingApplicationObject`) resets the count; any other error ends the wait at once.
/// Graph's replicas may disagree right after a create, so one successful read proves little:
/// Terraform's azuread provider waits for 5 in a row, and so does the default here.
///
/// ```no_run
/// use graph_sync_api::{GraphSyncClient, Visibility, wait_until_visible};
/// use graph_sync_model::ServicePrincipalId;
///
/// # async fn run(client: GraphSyncClient, sp: ServicePrincipalId) -> Result<(), graph_sync_api::Error> {
/// let sync = client.service_principal(sp).synchronization();
/// let resource = wait_until_visible(Visibility::default(), || sync.get()).await?;
/// # let _ = resource;
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// The first read error that is not a consistency answer, as it is; [`Error::Retry`] with
/// [`GaveUp::NotVisible`] (and the last read's error, if it failed) when the timeout passes
/// first.
pub async fn wait_until_visible<T, F, Fut>(visibility: Visibility, mut read: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let start = Instant::now();
    let mut in_a_row: u32 = 0;
    let mut reads: u32 = 0;
    loop {
        reads = reads.saturating_add(1);
        let last_error = match read().await {
            Ok(value) => {
                in_a_row = in_a_row.saturating_add(1);
                if in_a_row >= visibility.consecutive {
                    return Ok(value);
                }
                None
            }
            Err(error) if is_consistency_error(&error) => {
                in_a_row = 0;
                Some(error)
            }
            Err(error) => return Err(error),
        };
        tracing::debug!(reads, in_a_row, "waiting for the resource to be visible");
        if start.elapsed().saturating_add(visibility.interval) > visibility.timeout {
            return Err(Error::Retry(Box::new(RetryError::new(
                GaveUp::NotVisible,
                reads,
                start.elapsed(),
                last_error,
            ))));
        }
        tokio::time::sleep(visibility.interval).await;
    }
}
