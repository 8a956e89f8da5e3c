//! Typed operations, grouped by the resource they act on, one file per resource.
//!
//! Each handle is a cheap value (a client clone and a path) that names a resource; the async
//! methods on it are the operations. A handle never sends anything by itself: building
//! `client.service_principal(id).synchronization().job(job_id).schema()` is free.

mod applications;
mod jobs;
mod paging;
mod schema;
mod service_principal;
mod synchronization;
mod templates;

use bytes::Bytes;
use graph_sync_transport::Response;
use http::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::client::{Call, GraphSyncClient};
use crate::error::{DecodeError, Error, InvalidInput};

pub use applications::{ApplicationApi, ApplicationSynchronizationApi, ApplicationTemplateApi};
pub use jobs::{BulkUploadAccepted, JobApi, JobsApi};
pub use paging::ItemStream;
pub use schema::{DirectoryApi, SchemaApi};
pub use service_principal::ServicePrincipalApi;
pub use synchronization::{SecretsApi, SynchronizationApi};
pub use templates::{TemplateApi, TemplatesApi};

/// A resource: the client and the path segments below the Graph root that address it.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    client: GraphSyncClient,
    segments: Vec<String>,
}

impl Resource {
    pub(crate) fn new(client: GraphSyncClient, segments: Vec<String>) -> Self {
        Self { client, segments }
    }

    /// The resource `below` this one.
    pub(crate) fn child(&self, below: &[&str]) -> Self {
        let mut segments = self.segments.clone();
        segments.extend(below.iter().map(|s| (*s).to_owned()));
        Self {
            client: self.client.clone(),
            segments,
        }
    }

    pub(crate) fn client(&self) -> &GraphSyncClient {
        &self.client
    }

    /// The resource's URL, each segment percent-encoded.
    pub(crate) fn url(&self) -> Url {
        let segments: Vec<&str> = self.segments.iter().map(String::as_str).collect();
        self.client.url(&segments)
    }

    /// `GET` the resource and decode its body as `T` (`what` names it in errors).
    pub(crate) async fn get<T: DeserializeOwned>(&self, what: &'static str) -> Result<T, Error> {
        let response = self.client.send(Call::new(Method::GET, self.url())).await?;
        decode(&response, what)
    }

    /// Sends `method` with no body; any 2xx is success.
    pub(crate) async fn send_empty(&self, method: Method) -> Result<Response, Error> {
        self.client.send(Call::new(method, self.url())).await
    }

    /// Sends `method` with `body` as JSON (no secrets in it); any 2xx is success.
    pub(crate) async fn send_json<B: Serialize>(
        &self,
        method: Method,
        body: &B,
        what: &'static str,
    ) -> Result<Response, Error> {
        let body = encode(body, what)?;
        self.client
            .send(Call::new(method, self.url()).json(body, &[]))
            .await
    }
}

/// Serializes a request body.
pub(crate) fn encode<B: Serialize>(body: &B, what: &'static str) -> Result<Bytes, Error> {
    serde_json::to_vec(body).map(Bytes::from).map_err(|e| {
        Error::InvalidInput(InvalidInput::new(format!(
            "{what} cannot be serialized: {e}"
        )))
    })
}

/// Decodes a 2xx body as `T`.
pub(crate) fn decode<T: DeserializeOwned>(
    response: &Response,
    what: &'static str,
) -> Result<T, Error> {
    serde_json::from_slice(response.body())
        .map_err(|e| Error::Decode(DecodeError::from_json(what, &e)))
}
