//! Typed operations, grouped by the resource they act on, one file per resource.
//!
//! Each handle is a cheap value (a client clone and a path) that names a resource; the async
//! methods on it are the operations. A handle never sends anything by itself: building
//! `client.service_principal(id).synchronization().job(job_id).schema()` is free.

mod applications;
mod jobs;
mod paging;
mod provisioning_logs;
mod schema;
mod service_principal;
mod service_principals;
mod synchronization;
mod templates;

use bytes::Bytes;
use graph_sync_model::Secrets;
use graph_sync_transport::Response;
use http::{Method, Uri};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;
use zeroize::Zeroizing;

use crate::client::GraphSyncClient;
use crate::error::{DecodeError, Error, InvalidInput};
use crate::pipeline::Call;

pub use applications::{ApplicationApi, ApplicationSynchronizationApi, ApplicationTemplateApi};
pub use jobs::{BulkUploadAccepted, JobApi, JobsApi};
pub use paging::{ItemStream, MAX_COLLECTED_ITEMS, MAX_LIST_TIME, MAX_PAGE_ITEMS};
pub use provisioning_logs::{LogFilter, LogOrder, LogQuery, ProvisioningLogsApi, TextMatch};
pub use schema::{DirectoryApi, SchemaApi};
pub use service_principal::ServicePrincipalApi;
pub use service_principals::{MAX_CANDIDATES, ServicePrincipalsApi};
pub use synchronization::{SecretsApi, SynchronizationApi};
pub use templates::{TemplateApi, TemplatesApi};

/// What a path segment must encode: everything the URL standard's path-segment set does
/// (controls, space, `"#<>?`{}`), plus `/` and `%`, so that an id is always one segment and
/// never an escape.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'\\')
    .add(b'%');

/// A resource: the client and the path below the Graph root that addresses it, kept
/// percent-encoded (`/servicePrincipals/{id}/synchronization`), so that naming a child
/// resource is one string append.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    client: GraphSyncClient,
    path: String,
    /// Whether every segment is one a URL parser keeps: not empty, `.` or `..` (such a
    /// segment would be dropped or climb a level, so the URL would address another resource).
    addressable: bool,
}

impl Resource {
    pub(crate) fn new(client: GraphSyncClient, segments: &[&str]) -> Self {
        let mut path = String::with_capacity(96);
        let addressable = push_segments(&mut path, segments);
        Self {
            client,
            path,
            addressable,
        }
    }

    /// The resource `below` this one.
    pub(crate) fn child(&self, below: &[&str]) -> Self {
        let mut path = String::with_capacity(self.path.len().saturating_add(48));
        path.push_str(&self.path);
        let addressable = push_segments(&mut path, below);
        Self {
            client: self.client.clone(),
            path,
            addressable: self.addressable && addressable,
        }
    }

    pub(crate) fn client(&self) -> &GraphSyncClient {
        &self.client
    }

    /// The resource's URL, checked to address exactly this resource, for callers that add a
    /// query (lists, filters); a request without one takes [`uri`](Self::uri).
    ///
    /// # Errors
    ///
    /// As [`uri`](Self::uri).
    pub(crate) fn url(&self) -> Result<Url, Error> {
        let url = Url::parse(&self.address()?).map_err(|_| not_addressable())?;
        self.check_addressed(
            url.path(),
            url.query().is_some() || url.fragment().is_some(),
        )?;
        Ok(url)
    }

    /// The resource's URI, as the request carries it: put together from the Graph root and
    /// the encoded path, parsed once.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when a segment is empty, `.` or `..` (as given: encoding keeps
    /// `%2e` from reading as a dot), or the URI would not lie under the operation's path (ids
    /// are checked when they are made; this is the last line, where the path is put together).
    pub(crate) fn uri(&self) -> Result<Uri, Error> {
        let uri = Uri::try_from(self.address()?).map_err(|_| not_addressable())?;
        self.check_addressed(uri.path(), uri.query().is_some())?;
        Ok(uri)
    }

    /// The Graph root followed by the path, if every segment is addressable.
    fn address(&self) -> Result<String, Error> {
        if !self.addressable {
            return Err(not_addressable());
        }
        let root = self.client.cloud().graph_root().as_str();
        let root = root.trim_end_matches('/');
        let mut address = String::with_capacity(root.len().saturating_add(self.path.len()));
        address.push_str(root);
        address.push_str(&self.path);
        Ok(address)
    }

    /// That the parsed `path` is the root's followed by exactly this resource's, with no query.
    fn check_addressed(&self, path: &str, query: bool) -> Result<(), Error> {
        let root = self
            .client
            .cloud()
            .graph_root()
            .path()
            .trim_end_matches('/');
        let under = path
            .strip_prefix(root)
            .is_some_and(|rest| rest == self.path);
        if under && !query {
            Ok(())
        } else {
            Err(not_addressable())
        }
    }

    /// `GET` the resource and decode its body as `T` (`what` names it in errors).
    pub(crate) async fn get<T: DeserializeOwned>(&self, what: &'static str) -> Result<T, Error> {
        let call = Call::new(Method::GET, self.uri()?);
        let response = self.client.send(call).await?;
        decode_entity(&response, what)
    }

    /// Sends `method` with no body; any 2xx is success.
    pub(crate) async fn send_empty(&self, method: Method) -> Result<Response, Error> {
        let call = Call::new(method, self.uri()?);
        self.client.send(call).await
    }

    /// Sends `method` with `body` as JSON (no secrets in it); any 2xx is success.
    pub(crate) async fn send_json<B: Serialize>(
        &self,
        method: Method,
        body: &B,
        what: &'static str,
    ) -> Result<Response, Error> {
        let call = Call::new(method, self.uri()?).json(encode(body, what)?);
        self.client.send(call).await
    }

    /// Sends `method` with `body`, JSON text written by the caller (no secrets in it), as is.
    pub(crate) async fn send_json_text(
        &self,
        method: Method,
        body: &str,
    ) -> Result<Response, Error> {
        let call = Call::new(method, self.uri()?).json(Bytes::copy_from_slice(body.as_bytes()));
        self.client.send(call).await
    }

    /// The call that sends `body`, which carries `secrets`: the serialized body is zeroized
    /// when dropped and a service error that echoes a value has it redacted.
    ///
    /// The operation sends it with `resource.client().send(call)` itself, so that its future
    /// holds the pipeline's directly rather than inside a second future copied in whole.
    pub(crate) fn secrets_call<'a, B: Serialize>(
        &self,
        method: Method,
        body: &B,
        secrets: &'a Secrets,
    ) -> Result<Call<'a>, Error> {
        let body = wiped_json(body, secrets)
            .map_err(|e| InvalidInput::new(format!("the request cannot be serialized: {e}")))?;
        Ok(Call::new(method, self.uri()?).json_with_secrets(Bytes::from_owner(body), secrets))
    }
}

/// `body` as JSON, in memory that is wiped when dropped.
///
/// Every buffer the text passes through is wiped: `serde_json::to_vec` grows a plain `Vec`,
/// which frees each outgrown buffer (holding the secrets written so far) as it is. The buffer
/// starts with [`body_room`] for `secrets`, which nearly every body fits.
fn wiped_json<B: Serialize>(
    body: &B,
    secrets: &Secrets,
) -> Result<Zeroizing<Vec<u8>>, serde_json::Error> {
    let mut writer = WipingWriter(Zeroizing::new(Vec::with_capacity(body_room(secrets))));
    serde_json::to_writer(&mut writer, body)?;
    Ok(writer.0)
}

/// Room for `secrets` as a `{"value":[…]}` body: its length when nothing is escaped, and a
/// quarter more for the escapes (a JSON-valued key's quotes, a line break), so that nearly
/// every body is written in its first buffer. Counting the escapes exactly would read every
/// value once more.
fn body_room(secrets: &Secrets) -> usize {
    // `{"value":[` … `]}`, and `{"key":"","value":""},` around each pair.
    let unescaped = secrets.iter().fold(12_usize, |total, pair| {
        total
            .saturating_add(pair.key().as_str().len())
            .saturating_add(pair.value().expose_secret().len())
            .saturating_add(22)
    });
    unescaped.saturating_add(unescaped / 4)
}

/// A byte buffer that, when it must grow, moves to a larger one and wipes the one it leaves.
struct WipingWriter(Zeroizing<Vec<u8>>);

impl WipingWriter {
    /// Makes room for `more` bytes, moving to a larger buffer if need be.
    #[inline]
    fn reserve(&mut self, more: usize) -> std::io::Result<()> {
        if more > self.0.capacity().saturating_sub(self.0.len()) {
            self.grow(more)?;
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, more: usize) -> std::io::Result<()> {
        let needed = self
            .0
            .len()
            .checked_add(more)
            .ok_or_else(|| std::io::Error::other("the body does not fit in memory"))?;
        let mut larger = Zeroizing::new(Vec::with_capacity(
            needed.max(self.0.capacity().saturating_mul(2)),
        ));
        larger.extend_from_slice(&self.0);
        // The old buffer is wiped as it drops.
        self.0 = larger;
        Ok(())
    }
}

impl std::io::Write for WipingWriter {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    // serde_json writes through `write_all`, a piece at a time: kept as cheap as `Vec`'s.
    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.reserve(bytes.len())?;
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    #[inline]
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The error of a path that would not address its resource.
fn not_addressable() -> Error {
    Error::InvalidInput(InvalidInput::new(
        "an id in the request path is empty, `.` or `..`, so the URL would not address the resource",
    ))
}

/// Appends each segment, percent-encoded, after a `/`. Returns whether every segment is
/// addressable: not empty, `.` or `..`. The segment is judged as given: encoding turns its
/// `%` into `%25`, so what a URL parser decodes is the segment itself (`%2e` stays `%2e`,
/// not a dot).
fn push_segments(path: &mut String, segments: &[&str]) -> bool {
    let mut addressable = true;
    for segment in segments {
        addressable &= !matches!(*segment, "" | "." | "..");
        path.push('/');
        // Most segments (GUIDs, names) are unreserved characters only, which [`SEGMENT`]
        // leaves alone: copied whole, not chunk by chunk.
        if segment.bytes().all(|b| UNRESERVED[usize::from(b)]) {
            path.push_str(segment);
        } else {
            path.extend(utf8_percent_encode(segment, SEGMENT));
        }
    }
    addressable
}

/// Which bytes are unreserved characters (RFC 3986: letters, digits, `-._~`).
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte: u8 = 0;
    loop {
        table[byte as usize] =
            byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~');
        if byte == u8::MAX {
            break table;
        }
        byte = byte.wrapping_add(1);
    }
};

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

/// Decodes a 2xx body as the entity `T`. A collection (`{"value":[…]}`) is refused: read as
/// an entity, every property would be absent and the caller would see an empty entity.
pub(crate) fn decode_entity<T: DeserializeOwned>(
    response: &Response,
    what: &'static str,
) -> Result<T, Error> {
    /// Just enough of a body to tell a collection: `value` holding an array.
    #[derive(serde::Deserialize)]
    struct Shape {
        value: Option<Vec<serde::de::IgnoredAny>>,
    }
    if let Ok(Shape { value: Some(_) }) = serde_json::from_slice::<Shape>(response.body()) {
        return Err(Error::Decode(DecodeError::invalid(
            what,
            "the answer is a collection (a `value` list), not one entity",
        )));
    }
    decode(response, what)
}

#[cfg(test)]
mod tests {
    use graph_sync_model::{SecretKey, SecretString, SyncNotificationSettings};

    use super::*;

    #[test]
    fn a_wiped_body_is_the_json_serde_writes_whatever_it_outgrows() {
        let mut secrets = Secrets::new();
        for (index, value) in ["short", &"long\"\n".repeat(300), "é\\/"]
            .into_iter()
            .enumerate()
        {
            secrets = secrets
                .with(
                    format!("Key{index}").parse::<SecretKey>().unwrap(),
                    SecretString::from(value),
                )
                .unwrap();
        }
        // Escaped beyond the room its first buffer has: it moved at least once.
        let body = wiped_json(&secrets, &secrets).unwrap();
        assert_eq!(*body, serde_json::to_vec(&secrets).unwrap());
        assert!(body.len() > body_room(&secrets));

        // A JSON-valued key's escaped quotes fit the first buffer's room.
        let scim = Secrets::new()
            .with(SecretKey::SecretToken, SecretString::from("token-value"))
            .and_then(|s| {
                s.with(
                    SecretKey::SyncNotificationSettings,
                    SyncNotificationSettings::disabled(),
                )
            })
            .unwrap();
        let body = wiped_json(&scim, &scim).unwrap();
        assert_eq!(*body, serde_json::to_vec(&scim).unwrap());
        assert!(
            body.windows(2).any(|pair| pair == b"\\\""),
            "escaped quotes"
        );
        assert_eq!(body.capacity(), body_room(&scim));

        // A body bigger than the secrets it carries moves to larger buffers.
        let bigger = serde_json::json!({ "before": "x".repeat(100), "secrets": &secrets });
        let body = wiped_json(&bigger, &secrets).unwrap();
        assert_eq!(*body, serde_json::to_vec(&bigger).unwrap());
        assert!(body.len() > body_room(&secrets));

        // From an empty buffer, growing many times.
        let body = wiped_json(&secrets, &Secrets::new()).unwrap();
        assert_eq!(*body, serde_json::to_vec(&secrets).unwrap());
    }

    #[test]
    fn segments_are_encoded_so_an_id_stays_one_segment() {
        let mut path = String::new();
        push_segments(
            &mut path,
            &["servicePrincipals(appId='a b')", "x/y%z?#", "é"],
        );
        assert_eq!(
            path,
            "/servicePrincipals(appId='a%20b')/x%2Fy%25z%3F%23/%C3%A9"
        );
    }

    #[test]
    fn a_path_that_would_not_address_the_resource_is_refused() {
        let client = GraphSyncClient::builder()
            .bearer_token("t")
            .build()
            .unwrap();
        let jobs = Resource::new(
            client,
            &["servicePrincipals", "sp", "synchronization", "jobs"],
        );
        assert_eq!(
            jobs.child(&["job.1"]).url().unwrap().as_str(),
            "https://graph.microsoft.com/v1.0/servicePrincipals/sp/synchronization/jobs/job.1"
        );
        for bad in ["..", ".", "", "a\\..\\.."] {
            let error = jobs.child(&[bad]).url();
            if bad.contains('\\') {
                // A backslash is encoded, so it stays inside the segment.
                assert!(error.unwrap().path().ends_with("/jobs/a%5C..%5C.."));
            } else {
                assert!(matches!(error, Err(Error::InvalidInput(_))), "{bad:?}");
            }
        }
    }
}
