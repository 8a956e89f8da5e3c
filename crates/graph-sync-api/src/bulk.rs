//! [`Bulk`]: many operations, a concurrency limit, and one throttle gate for all of them.

use std::future::Future;

use tokio::task::JoinSet;

use crate::client::GraphSyncClient;
use crate::error::Error;

/// Runs many operations with a concurrency limit, paced at the rate the service sustains.
///
/// Every operation gets a clone of the client that shares one [`ThrottleGate`](crate::ThrottleGate):
///
/// * when one request is answered `429` (or `503`) with `Retry-After`, the others pause until
///   then instead of all hitting the throttle, and each operation's own retries honour the wait;
/// * from the first `429` on, the gate paces attempts at the rate it learns from the service's
///   throttled answers, releasing waiters one slot apart instead of all at once, and keeps
///   fewer attempts in flight (about twice what that rate needs at the observed latency), so
///   that the run goes at the service's pace with few `429`s;
/// * a throttled answer does not spend an operation's attempts: throttling is bounded by the
///   retry policy's time budget alone ([`RetryConfig`](crate::RetryConfig)).
///
/// [`with_concurrency`](Self::with_concurrency) bounds the operations started at once; the gate
/// bounds their attempts in flight below that while the service throttles. The result of every
/// operation comes back, in input order.
///
/// ```no_run
/// use graph_sync_api::{Bulk, GraphSyncClient};
/// use graph_sync_model::{SecretKey, Secrets, ServicePrincipalId};
///
/// # async fn run(client: GraphSyncClient, ids: Vec<ServicePrincipalId>) -> Result<(), graph_sync_api::Error> {
/// let secrets = Secrets::new().with(SecretKey::SyncAll, false)?;
/// let results = Bulk::new(&client)
///     .with_concurrency(32)
///     .run(ids.into_iter().map(|sp| {
///         let secrets = secrets.clone();
///         move |client: GraphSyncClient| async move {
///             client.service_principal(sp).synchronization().secrets().put(&secrets).await
///         }
///     }))
///     .await;
/// let failed = results.iter().filter(|r| r.is_err()).count();
/// # let _ = failed;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Bulk {
    client: GraphSyncClient,
    concurrency: usize,
}

impl Bulk {
    /// Operations through `client`, sharing its throttle gate if it has one, else a new gate.
    /// The default concurrency is 16.
    #[must_use]
    pub fn new(client: &GraphSyncClient) -> Self {
        let gate = client.throttle_gate().unwrap_or_default();
        Self {
            client: client.with_throttle_gate(gate),
            concurrency: 16,
        }
    }

    /// The most operations in flight at once (at least 1). While the service throttles, the
    /// shared gate lets fewer of their attempts go at once
    /// ([`ThrottleGate::concurrency_limit`](crate::ThrottleGate::concurrency_limit)).
    #[must_use]
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// The client the operations receive (it carries the shared gate).
    #[must_use]
    pub fn client(&self) -> &GraphSyncClient {
        &self.client
    }

    /// Runs every operation, at most [`with_concurrency`](Self::with_concurrency) at a time,
    /// each on its own tokio task, and returns their results in input order.
    ///
    /// The results are kept until the last operation ends; for runs too large for that,
    /// [`for_each`](Self::for_each) hands each result over as it comes.
    ///
    /// Dropping the returned future aborts the operations in flight.
    ///
    /// # Errors
    ///
    /// None of its own: each operation's error is in its slot.
    ///
    /// # Panics
    ///
    /// When an operation panics, its panic is passed on.
    pub async fn run<I, F, Fut, T>(&self, operations: I) -> Vec<Result<T, Error>>
    where
        I: IntoIterator<Item = F>,
        F: FnOnce(GraphSyncClient) -> Fut,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
        T: Send + 'static,
    {
        let mut results: Vec<Option<Result<T, Error>>> = Vec::new();
        let started = self
            .for_each(operations, |index, result| {
                if results.len() <= index {
                    results.resize_with(index.saturating_add(1), || None);
                }
                if let Some(slot) = results.get_mut(index) {
                    *slot = Some(result);
                }
            })
            .await;
        if results.len() < started {
            results.resize_with(started, || None);
        }
        results
            .into_iter()
            .enumerate()
            .map(|(index, result)| {
                result.unwrap_or_else(|| {
                    Err(Error::InvalidInput(crate::error::InvalidInput::new(
                        format!("bulk operation {index} did not complete"),
                    )))
                })
            })
            .collect()
    }

    /// Runs every operation like [`run`](Self::run), but hands each result to `each` as the
    /// operation ends (with its index in the input, in the order they end) instead of keeping
    /// them: a run's memory is that of the operations in flight, however many there are.
    /// Operations are taken from the iterator only as they start.
    ///
    /// ```no_run
    /// # use graph_sync_api::{Bulk, GraphSyncClient};
    /// # use graph_sync_model::{SecretKey, Secrets, ServicePrincipalId};
    /// # async fn run(client: GraphSyncClient, ids: impl Iterator<Item = ServicePrincipalId>) -> Result<(), graph_sync_api::Error> {
    /// let secrets = Secrets::new().with(SecretKey::SyncAll, false)?;
    /// let mut failed = 0;
    /// Bulk::new(&client)
    ///     .for_each(
    ///         ids.map(|sp| {
    ///             let secrets = secrets.clone();
    ///             move |client: GraphSyncClient| async move {
    ///                 client.service_principal(sp).synchronization().secrets().put(&secrets).await
    ///             }
    ///         }),
    ///         |_, result| failed += usize::from(result.is_err()),
    ///     )
    ///     .await;
    /// # let _ = failed;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Returns how many operations it started. An operation that is cancelled (its task
    /// aborted from outside) gives no result.
    ///
    /// # Panics
    ///
    /// When an operation panics, its panic is passed on.
    pub async fn for_each<I, F, Fut, T>(
        &self,
        operations: I,
        mut each: impl FnMut(usize, Result<T, Error>),
    ) -> usize
    where
        I: IntoIterator<Item = F>,
        F: FnOnce(GraphSyncClient) -> Fut,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
        T: Send + 'static,
    {
        let mut tasks = JoinSet::new();
        let mut operations = operations.into_iter().enumerate();
        let mut started: usize = 0;
        loop {
            while tasks.len() < self.concurrency {
                let Some((index, operation)) = operations.next() else {
                    break;
                };
                started = index.saturating_add(1);
                let future = operation(self.client.clone());
                tasks.spawn(async move { (index, future.await) });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            match joined {
                Ok((index, result)) => each(index, result),
                // An operation that panicked passes its panic on; the tasks are owned here,
                // so none is cancelled while this future runs.
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                Err(error) => tracing::error!(%error, "a bulk operation was cancelled"),
            }
        }
        started
    }
}
