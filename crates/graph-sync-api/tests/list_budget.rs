//! The time budget of a list (`MAX_LIST_TIME`), on tokio's paused clock: a server whose pages
//! each come slowly, with a next link every time, ends `collect` and the item stream with a
//! timeout once the pages together took the budget; the time a stream's caller spends between
//! items does not count; a list that fits the budget is read whole.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use graph_sync_api::transport::{Request, Response, Transport, TransportError, TransportErrorKind};
use graph_sync_api::{Error, GraphSyncClient, MAX_LIST_TIME};
use tokio::time::Instant;

use crate::support::{response, sp};

/// Answers every page after `latency`, with one job and a next link to the following page
/// (up to `pages` pages; the last has no link).
#[derive(Debug)]
struct SlowPages {
    latency: Duration,
    pages: usize,
    served: AtomicUsize,
}

impl SlowPages {
    fn new(latency: Duration, pages: usize) -> Arc<Self> {
        Arc::new(Self {
            latency,
            pages,
            served: AtomicUsize::new(0),
        })
    }

    fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Transport for SlowPages {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        tokio::time::sleep(self.latency).await;
        let page = self.served.fetch_add(1, Ordering::SeqCst) + 1;
        let base = request.uri().to_string();
        let base = base.split('?').next().unwrap_or_default();
        let next = if page < self.pages {
            format!(r#","@odata.nextLink":"{base}?$skiptoken={page}""#)
        } else {
            String::new()
        };
        let body = format!(r#"{{"value":[{{"id":"job{page}"}}]{next}}}"#);
        Ok(response(
            200,
            &[("content-type", "application/json")],
            &body,
        ))
    }
}

fn client(transport: Arc<SlowPages>) -> GraphSyncClient {
    GraphSyncClient::builder()
        .shared_transport(transport)
        .bearer_token("t")
        .build()
        .unwrap()
}

fn assert_list_timeout(error: &Error) {
    match error {
        Error::Transport(transport) => {
            assert_eq!(transport.kind(), TransportErrorKind::Timeout, "{error:?}");
            assert!(transport.to_string().contains("30 minutes"), "{transport}");
        }
        other => panic!("expected the list's timeout, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn collect_stops_when_the_pages_take_longer_than_the_list_budget() {
    assert_eq!(MAX_LIST_TIME, Duration::from_secs(30 * 60));
    // Ten minutes a page, a thousand pages: three pages fit in 30 minutes, the fourth is cut.
    let server = SlowPages::new(Duration::from_secs(600), 1_000);
    let jobs = client(server.clone())
        .service_principal(sp())
        .synchronization()
        .jobs();
    let start = Instant::now();
    let error = jobs.list().await.unwrap_err();
    assert_list_timeout(&error);
    assert!(
        error.to_string().contains("request not completed"),
        "{error}"
    );
    assert_eq!(start.elapsed(), MAX_LIST_TIME);
    assert_eq!(server.served(), 3, "three pages answered within the budget");
}

#[tokio::test(start_paused = true)]
async fn a_list_within_the_budget_is_read_whole() {
    // 29 pages of a minute each: 29 minutes, inside the budget.
    let server = SlowPages::new(Duration::from_secs(60), 29);
    let jobs = client(server.clone())
        .service_principal(sp())
        .synchronization()
        .jobs();
    let listed = jobs.list().await.unwrap();
    assert_eq!(listed.len(), 29);
    assert_eq!(server.served(), 29);
    let streamed: Vec<_> = client(SlowPages::new(Duration::from_secs(60), 29))
        .service_principal(sp())
        .synchronization()
        .jobs()
        .list_stream()
        .collect()
        .await;
    assert_eq!(streamed.len(), 29);
    assert!(streamed.iter().all(Result::is_ok));
}

#[tokio::test(start_paused = true)]
async fn a_stream_counts_only_the_time_spent_fetching() {
    // Pages of five minutes; the caller takes an hour over each item. Six pages fit the
    // budget (30 minutes of fetching) although the walk lasts over six hours; the seventh
    // page is cut.
    let server = SlowPages::new(Duration::from_secs(300), 1_000);
    let mut stream = client(server.clone())
        .service_principal(sp())
        .synchronization()
        .jobs()
        .list_stream();
    let start = Instant::now();
    let mut items = 0;
    let error = loop {
        match stream.next().await {
            Some(Ok(_)) => {
                items += 1;
                tokio::time::sleep(Duration::from_secs(3_600)).await;
            }
            Some(Err(error)) => break error,
            None => panic!("the endless list ended"),
        }
    };
    assert_list_timeout(&error);
    assert_eq!(items, 6);
    assert_eq!(server.served(), 6);
    assert!(
        start.elapsed() >= Duration::from_secs(6 * 3_600),
        "{:?}",
        start.elapsed()
    );
    assert!(
        stream.next().await.is_none(),
        "the stream ends after its error"
    );
}
