//! Lists that span several pages: `@odata.nextLink` followed as a stream, or collected.
//!
//! A next link is absolute and must stay on the configured Graph host: a page that points
//! elsewhere is a decode error, raised before any token could be sent there. The walk is
//! bounded: a link seen before (a loop) or more than [`MAX_PAGES`] pages end it with an
//! error, and so does a list whose pages together take longer than [`MAX_LIST_TIME`] to
//! fetch (each page is also bounded by the retry policy's budget).
//!
//! Memory is bounded by the client, not by the server: a page is refused while it is decoded
//! once it holds more than [`MAX_PAGE_ITEMS`] items (Graph's pages hold at most 999), the
//! stream holds one decoded page at a time (its items are handed out and dropped), links seen
//! are kept as 64-bit hashes, and [`collect`] stops with an error past [`MAX_COLLECTED_ITEMS`]
//! items rather than grow without end. A page's size is bounded by the transport's response
//! cap (16 MiB).

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Duration;

use futures_core::Stream;
use graph_sync_model::Property;
use http::Method;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, SeqAccess, Visitor};
use url::Url;

use crate::client::GraphSyncClient;
use graph_sync_transport::{Delivery, TransportError, TransportErrorKind};

use crate::error::{DecodeError, Error};
use crate::pipeline::Call;

/// The most pages one list follows.
pub(crate) const MAX_PAGES: usize = 10_000;

/// The most items a collected list holds: past this, `collect` fails and the caller should
/// stream the list instead.
pub const MAX_COLLECTED_ITEMS: usize = 100_000;

/// The most items one page may hold: ten times Graph's largest page (999). A page with more
/// is refused as it is decoded, so a hostile page cannot make the client hold millions of
/// decoded items (a 15 MiB page holds some 400,000 small jobs).
pub const MAX_PAGE_ITEMS: usize = 10_000;

/// The longest the pages of one list may take to fetch, all pages together (retries and
/// waits on `Retry-After` included): 30 minutes. Past it, a collected list and the item streams
/// end with a [`TransportErrorKind::Timeout`] error. For a stream, only the time spent
/// fetching counts, not the time the caller takes between items.
pub const MAX_LIST_TIME: Duration = Duration::from_secs(30 * 60);

/// A stream of the items of a list, page after page. Each item is a `Result`: a page that
/// fails ends the stream after yielding its error.
pub type ItemStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

struct Walk<T> {
    client: GraphSyncClient,
    next: Option<Url>,
    buffer: VecDeque<T>,
    seen: Seen,
    pages: usize,
    budget: TimeBudget,
    what: &'static str,
    eventual: bool,
}

/// Streams the items of the list at `first`, following `@odata.nextLink`. A `first` that
/// is an error is the stream's only item.
pub(crate) fn stream<T>(
    client: GraphSyncClient,
    first: Result<Url, Error>,
    what: &'static str,
) -> ItemStream<T>
where
    T: DeserializeOwned + Send + 'static,
{
    stream_with(client, first, what, false)
}

/// As [`stream`]; with `eventual`, every page is asked with `ConsistencyLevel: eventual`
/// (directory objects' advanced queries need it on each request, next pages included).
pub(crate) fn stream_with<T>(
    client: GraphSyncClient,
    first: Result<Url, Error>,
    what: &'static str,
    eventual: bool,
) -> ItemStream<T>
where
    T: DeserializeOwned + Send + 'static,
{
    let first = match first {
        Ok(url) => url,
        Err(error) => return Box::pin(futures_util::stream::once(async { Err(error) })),
    };
    let walk = Walk {
        client,
        next: Some(first),
        buffer: VecDeque::new(),
        seen: Seen::default(),
        pages: 0,
        budget: TimeBudget::new(MAX_LIST_TIME),
        what,
        eventual,
    };
    Box::pin(futures_util::stream::try_unfold(
        walk,
        |mut walk| async move {
            loop {
                if let Some(item) = walk.buffer.pop_front() {
                    return Ok(Some((item, walk)));
                }
                let Some(url) = walk.next.take() else {
                    return Ok(None);
                };
                let page: Page<T> = walk
                    .budget
                    .spend(
                        fetch(&walk.client, url, walk.what, walk.eventual),
                        walk.pages,
                    )
                    .await?;
                walk.pages = walk.pages.saturating_add(1);
                walk.buffer.extend(page.value);
                if let Property::Value(link) = page.next_link {
                    walk.next = Some(next_url(&walk.client, &link, &mut walk.seen, walk.pages)?);
                }
            }
        },
    ))
}

/// Collects every item of the list at `first`.
pub(crate) async fn collect<T>(
    client: &GraphSyncClient,
    first: Url,
    what: &'static str,
) -> Result<Vec<T>, Error>
where
    T: DeserializeOwned,
{
    let mut items = Vec::new();
    let mut seen = Seen::default();
    let mut next = Some(first);
    let mut pages: usize = 0;
    let mut budget = TimeBudget::new(MAX_LIST_TIME);
    while let Some(url) = next.take() {
        let page: Page<T> = budget.spend(fetch(client, url, what, false), pages).await?;
        pages = pages.saturating_add(1);
        if page.value.len() > MAX_COLLECTED_ITEMS.saturating_sub(items.len()) {
            return Err(Error::Decode(DecodeError::invalid(
                what,
                "the list holds more items than a collected list may (100,000): stream it",
            )));
        }
        items.extend(page.value);
        if let Property::Value(link) = page.next_link {
            next = Some(next_url(client, &link, &mut seen, pages)?);
        }
    }
    Ok(items)
}

/// Fetches the page at `url` as `P` ([`Page`], or a whole `ODataCollection` where its
/// annotations are wanted).
pub(crate) async fn fetch<P: DeserializeOwned>(
    client: &GraphSyncClient,
    url: Url,
    what: &'static str,
    eventual: bool,
) -> Result<P, Error> {
    let call = Call::to_url(Method::GET, &url)?.eventual_consistency(eventual);
    let response = client.send(call).await?;
    serde_json::from_slice(response.body()).map_err(|e| {
        Error::Decode(if e.to_string().starts_with(PAGE_TOO_LONG) {
            DecodeError::invalid(what, PAGE_TOO_LONG)
        } else {
            DecodeError::from_json(what, &e)
        })
    })
}

/// Why a page with more than [`MAX_PAGE_ITEMS`] items is refused.
const PAGE_TOO_LONG: &str =
    "the page holds more than 10,000 items (Graph's pages hold at most 999)";

/// What the walk reads of a page: its items (at most [`MAX_PAGE_ITEMS`]) and its next link;
/// other annotations are not kept.
#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub(crate) struct Page<T> {
    #[serde(deserialize_with = "at_most_page_items")]
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Property<String>,
}

/// Reads an array, refusing it at its item [`MAX_PAGE_ITEMS`] + 1 (before decoding that item).
fn at_most_page_items<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: de::Deserializer<'de>,
    T: DeserializeOwned,
{
    struct Items<T>(PhantomData<T>);

    impl<'de, T: DeserializeOwned> Visitor<'de> for Items<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of at most 10,000 items")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1_000));
            while items.len() < MAX_PAGE_ITEMS {
                match seq.next_element()? {
                    Some(item) => items.push(item),
                    None => return Ok(items),
                }
            }
            match seq.next_element::<de::IgnoredAny>()? {
                None => Ok(items),
                Some(_) => Err(de::Error::custom(PAGE_TOO_LONG)),
            }
        }
    }

    deserializer.deserialize_seq(Items(PhantomData))
}

/// What is left of a list's [`MAX_LIST_TIME`], on tokio's clock.
struct TimeBudget {
    left: Duration,
}

impl TimeBudget {
    fn new(total: Duration) -> Self {
        Self { left: total }
    }

    /// Runs `fetch` within what is left, and subtracts the time it took. `pages` is how many
    /// pages were fetched before (for the error).
    async fn spend<T>(
        &mut self,
        fetch: impl Future<Output = Result<T, Error>>,
        pages: usize,
    ) -> Result<T, Error> {
        let started = tokio::time::Instant::now();
        let result = if self.left.is_zero() {
            None
        } else {
            tokio::time::timeout(self.left, fetch).await.ok()
        };
        self.left = self.left.saturating_sub(started.elapsed());
        result.ok_or_else(|| {
            Error::Transport(
                TransportError::new(TransportErrorKind::Timeout, Delivery::MaybeSent).with_detail(
                    format!(
                        "the list's pages took longer than 30 minutes to fetch ({pages} pages read)"
                    ),
                ),
            )
        })?
    }
}

/// The next links a walk has followed, as hashes (a page cannot make the client keep its
/// links' text).
#[derive(Default)]
struct Seen {
    hashes: HashSet<u64>,
    state: RandomState,
}

impl Seen {
    /// Records `link`; `false` if it was seen before.
    fn insert(&mut self, link: &str) -> bool {
        self.hashes.insert(self.state.hash_one(link))
    }
}

/// Checks a next link: absolute, on the Graph host, not seen before, within the page limit.
fn next_url(
    client: &GraphSyncClient,
    link: &str,
    seen: &mut Seen,
    pages: usize,
) -> Result<Url, Error> {
    let invalid = |problem| Error::Decode(DecodeError::invalid("an @odata.nextLink", problem));
    let url = Url::parse(link).map_err(|_| invalid("the link is not an absolute URL"))?;
    if !client.cloud().is_graph_url(&url) {
        return Err(invalid("the link leaves the configured Graph host"));
    }
    if pages >= MAX_PAGES {
        return Err(invalid(
            "the list has more pages than the client follows (10,000)",
        ));
    }
    if !seen.insert(url.as_str()) {
        return Err(invalid("the link repeats an earlier page"));
    }
    Ok(url)
}
