//! Paged lists: a list longer than the page size comes in pages linked by
//! `@odata.nextLink` with a `$skiptoken`, as the service pages jobs and templates.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::Uri;
use axum::response::Response;
use serde::Serialize;

use crate::error::GraphError;
use crate::http::reply::Origin;
use crate::strict;
use crate::strict::query::Query;

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

    /// The page of `items` the request's `query` asks for (its `$skiptoken` in loose mode,
    /// every list option in strict mode), with a next link when more follow.
    pub(crate) fn page<T: Serialize>(
        &self,
        items: Vec<T>,
        query: &Query,
        uri: &Uri,
        origin: &Origin,
    ) -> Result<Response, GraphError> {
        strict::list_response(items, query, self.page_size(), uri, origin)
    }

    /// A page of a directory list (service principals, applications): `$top` is the page
    /// size, as the directory pages (the next link keeps it), the emulator's page size
    /// otherwise.
    pub(crate) fn page_directory<T: Serialize>(
        &self,
        items: Vec<T>,
        query: &Query,
        uri: &Uri,
        origin: &Origin,
    ) -> Result<Response, GraphError> {
        let page_size = query.top.unwrap_or_else(|| self.page_size());
        let query = Query {
            top: None,
            ..query.clone()
        };
        strict::list_response(items, &query, page_size, uri, origin)
    }
}
