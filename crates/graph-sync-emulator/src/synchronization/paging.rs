//! Paged lists: a list longer than the page size comes in pages linked by
//! `@odata.nextLink` with a `$skiptoken`, as the service pages jobs and templates.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::{StatusCode, Uri};
use axum::response::Response;
use graph_sync_model::ODataCollection;
use serde::Serialize;

use crate::error::GraphError;
use crate::http::reply::{Origin, json_response};

/// Lists longer than this come in pages linked by `@odata.nextLink`.
const DEFAULT_PAGE_SIZE: usize = 100;

/// The paging substate: how many items a page holds.
#[derive(Debug)]
pub(crate) struct Paging {
    page_size: AtomicUsize,
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            page_size: AtomicUsize::new(DEFAULT_PAGE_SIZE),
        }
    }
}

impl Paging {
    /// Items per page (at least 1).
    pub(crate) fn page_size(&self) -> usize {
        self.page_size.load(Ordering::Relaxed).max(1)
    }

    /// Sets the items per page (at least 1).
    pub(crate) fn set_page_size(&self, page_size: usize) {
        self.page_size.store(page_size.max(1), Ordering::Relaxed);
    }

    /// The page of `items` the request's `$skiptoken` asks for, with a next link when more
    /// follow.
    pub(crate) fn page<T: Serialize>(
        &self,
        items: Vec<T>,
        uri: &Uri,
        origin: &Origin,
    ) -> Result<Response, GraphError> {
        let page_size = self.page_size();
        let skip = match uri.query().and_then(|q| {
            q.split('&').find_map(|pair| {
                pair.strip_prefix("$skiptoken=")
                    .or_else(|| pair.strip_prefix("%24skiptoken="))
            })
        }) {
            Some(token) => token
                .parse::<usize>()
                .map_err(|_| GraphError::bad_request("The $skiptoken is not valid."))?,
            None => 0,
        };
        let total = items.len();
        let value: Vec<T> = items.into_iter().skip(skip).take(page_size).collect();
        let mut page = ODataCollection::new(value);
        let next = skip.saturating_add(page_size);
        if next < total {
            page = page.with_next_link(format!(
                "{}{}?$skiptoken={next}",
                origin.as_str(),
                uri.path()
            ));
        }
        json_response(StatusCode::OK, &page)
    }
}
