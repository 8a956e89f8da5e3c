//! [`ManagedIdentityCredential`]: the identity Azure gives a VM, container or App Service,
//! through IMDS or the App Service identity endpoint.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use graph_sync_transport::Transport;
use http::header::ACCEPT;
use http::{HeaderName, HeaderValue, Method, Request};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::http::{Http, check_client_id, parse_token_response};
use super::{AccessToken, AuthError, TokenCredential, TokenRequest};
use crate::cloud::is_loopback;

const NAME: &str = "ManagedIdentityCredential";

/// The Azure Instance Metadata Service token endpoint. Plain HTTP by design: the address is
/// link-local and never leaves the host.
pub const IMDS_ENDPOINT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";
const IMDS_HOST: std::net::Ipv4Addr = std::net::Ipv4Addr::new(169, 254, 169, 254);
const IMDS_API_VERSION: &str = "2018-02-01";
const APP_SERVICE_API_VERSION: &str = "2019-08-01";
const IDENTITY_HEADER: HeaderName = HeaderName::from_static("x-identity-header");
const METADATA: HeaderName = HeaderName::from_static("metadata");

/// Which managed identity to use.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagedIdentity {
    /// The resource's system-assigned identity.
    SystemAssigned,
    /// A user-assigned identity, named by its client id.
    ClientId(String),
}

#[derive(Clone)]
enum Source {
    Imds(Url),
    AppService { endpoint: Url, header: SecretString },
}

/// A managed identity: system-assigned, or user-assigned by client id.
///
/// On App Service and Functions (`IDENTITY_ENDPOINT` and `IDENTITY_HEADER` set) it asks the
/// App Service endpoint with the `X-IDENTITY-HEADER` secret; elsewhere it asks IMDS at
/// [`IMDS_ENDPOINT`] with `Metadata: true`. The resource asked for is the scope without
/// `/.default`. Managed-identity endpoints take no claims: a claims challenge gets a fresh
/// token without them.
#[derive(Clone)]
pub struct ManagedIdentityCredential {
    identity: ManagedIdentity,
    source: Source,
    http: Http,
}

impl ManagedIdentityCredential {
    /// `identity` through IMDS.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when a user-assigned client id is empty or holds spaces.
    pub fn imds(identity: ManagedIdentity) -> Result<Self, AuthError> {
        check_identity(&identity)?;
        let url = Url::parse(IMDS_ENDPOINT)
            .map_err(|e| AuthError::configuration(format!("{NAME}: {e}")))?;
        Ok(Self {
            identity,
            source: Source::Imds(url),
            http: Http::default(),
        })
    }

    /// `identity` through the App Service endpoint `endpoint` (`IDENTITY_ENDPOINT`) with
    /// the secret `header` (`IDENTITY_HEADER`).
    ///
    /// # Errors
    ///
    /// [`AuthError`] when the endpoint is not HTTPS (plain HTTP is allowed for loopback and
    /// the IMDS address only) or the header is empty.
    pub fn app_service(
        identity: ManagedIdentity,
        endpoint: &str,
        header: impl Into<SecretString>,
    ) -> Result<Self, AuthError> {
        check_identity(&identity)?;
        let header = header.into();
        if header.expose_secret().is_empty() {
            return Err(AuthError::configuration(format!(
                "{NAME}: IDENTITY_HEADER is empty"
            )));
        }
        Ok(Self {
            identity,
            source: Source::AppService {
                endpoint: managed_endpoint("IDENTITY_ENDPOINT", endpoint)?,
                header,
            },
            http: Http::default(),
        })
    }

    /// `identity` through the App Service endpoint when `IDENTITY_ENDPOINT` and
    /// `IDENTITY_HEADER` are set in this process's environment, through IMDS otherwise.
    ///
    /// # Errors
    ///
    /// As [`ManagedIdentityCredential::from_lookup`].
    pub fn from_env(identity: ManagedIdentity) -> Result<Self, AuthError> {
        Self::from_lookup(identity, |name| std::env::var(name).ok())
    }

    /// As [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when `IDENTITY_ENDPOINT` is set but unusable, or only one of the two
    /// App Service variables is set.
    pub fn from_lookup(
        identity: ManagedIdentity,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, AuthError> {
        let get = |name: &str| lookup(name).filter(|value| !value.is_empty());
        match (get("IDENTITY_ENDPOINT"), get("IDENTITY_HEADER")) {
            (Some(endpoint), Some(header)) => Self::app_service(identity, &endpoint, header),
            (None, None) => Self::imds(identity),
            (Some(_), None) => Err(AuthError::missing_variables(
                format!("{NAME}: IDENTITY_ENDPOINT is set but IDENTITY_HEADER is missing"),
                vec!["IDENTITY_HEADER".to_owned()],
            )),
            (None, Some(_)) => Err(AuthError::missing_variables(
                format!("{NAME}: IDENTITY_HEADER is set but IDENTITY_ENDPOINT is missing"),
                vec!["IDENTITY_ENDPOINT".to_owned()],
            )),
        }
    }

    /// Asks IMDS at another address, such as the local emulator.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when `endpoint` is not HTTPS (plain HTTP is allowed for loopback and the
    /// IMDS address only).
    pub fn imds_endpoint(mut self, endpoint: &str) -> Result<Self, AuthError> {
        self.source = Source::Imds(managed_endpoint("IMDS endpoint", endpoint)?);
        Ok(self)
    }

    /// Sends token requests through `transport` (default: the reqwest transport).
    #[must_use]
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.http.set(transport);
        self
    }

    fn build_request(&self, scope: &str) -> Result<Request<Bytes>, AuthError> {
        let resource = scope.strip_suffix("/.default").unwrap_or(scope);
        let (mut url, version) = match &self.source {
            Source::Imds(url) => (url.clone(), IMDS_API_VERSION),
            Source::AppService { endpoint, .. } => (endpoint.clone(), APP_SERVICE_API_VERSION),
        };
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("api-version", version)
                .append_pair("resource", resource);
            if let ManagedIdentity::ClientId(client_id) = &self.identity {
                query.append_pair("client_id", client_id);
            }
        }
        let mut builder = Request::builder()
            .method(Method::GET)
            .uri(url.as_str())
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        builder = match &self.source {
            Source::Imds(_) => builder.header(METADATA, HeaderValue::from_static("true")),
            Source::AppService { header, .. } => {
                let mut value = HeaderValue::try_from(header.expose_secret()).map_err(|_| {
                    AuthError::configuration(format!(
                        "{NAME}: IDENTITY_HEADER holds characters that cannot go in an HTTP header"
                    ))
                })?;
                value.set_sensitive(true);
                builder.header(IDENTITY_HEADER, value)
            }
        };
        builder.body(Bytes::new()).map_err(|e| {
            AuthError::configuration(format!("{NAME}: cannot build the token request: {e}"))
        })
    }
}

fn check_identity(identity: &ManagedIdentity) -> Result<(), AuthError> {
    match identity {
        ManagedIdentity::SystemAssigned => Ok(()),
        ManagedIdentity::ClientId(client_id) => check_client_id(NAME, client_id),
    }
}

/// HTTPS anywhere; plain HTTP only to loopback (App Service, the emulator) or the IMDS
/// link-local address.
fn managed_endpoint(what: &str, text: &str) -> Result<Url, AuthError> {
    let shown = crate::redact::display_url(text);
    let invalid =
        |reason: &str| AuthError::configuration(format!("{NAME}: {what} {shown:?} {reason}"));
    let url = Url::parse(text).map_err(|_| invalid("is not an absolute URL"))?;
    let imds = url.host() == Some(url::Host::Ipv4(IMDS_HOST));
    match url.scheme() {
        "https" => {}
        "http" if imds || is_loopback(&url) => {}
        _ => {
            return Err(invalid(
                "must be https (http only for loopback or 169.254.169.254)",
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(invalid("must not carry credentials or a fragment"));
    }
    Ok(url)
}

impl fmt::Debug for ManagedIdentityCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct(NAME);
        s.field("identity", &self.identity);
        match &self.source {
            Source::Imds(url) => s.field("imds", &url.as_str()),
            Source::AppService { endpoint, header } => s
                .field("app_service", &endpoint.as_str())
                .field("identity_header", header),
        };
        s.field("transport", &self.http).finish()
    }
}

#[async_trait]
impl TokenCredential for ManagedIdentityCredential {
    async fn get_token(&self, request: &TokenRequest) -> Result<AccessToken, AuthError> {
        let http_request = self.build_request(&request.scope)?;
        let response = self.http.send(NAME, http_request).await?;
        let header = match &self.source {
            Source::AppService { header, .. } => header.expose_secret(),
            Source::Imds(_) => "",
        };
        parse_token_response(NAME, &response, &[header])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_allow_http_only_for_imds_and_loopback() {
        assert!(managed_endpoint("x", IMDS_ENDPOINT).is_ok());
        assert!(managed_endpoint("x", "http://127.0.0.1:41741/msi/token").is_ok());
        assert!(managed_endpoint("x", "https://identity.example/msi/token").is_ok());
        for bad in [
            "http://169.254.169.253/metadata",
            "http://identity.example/msi/token",
            "ftp://127.0.0.1/",
            "https://u:p@identity.example/",
            "not a url",
        ] {
            assert!(managed_endpoint("x", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn requests_name_the_resource_and_identity() {
        let credential =
            ManagedIdentityCredential::imds(ManagedIdentity::ClientId("abc".into())).unwrap();
        let request = credential
            .build_request("https://graph.microsoft.us/.default")
            .unwrap();
        assert_eq!(
            request.uri().to_string(),
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fgraph.microsoft.us&client_id=abc"
        );
        assert_eq!(request.headers()["metadata"], "true");

        let credential =
            ManagedIdentityCredential::from_lookup(ManagedIdentity::SystemAssigned, |name| {
                match name {
                    "IDENTITY_ENDPOINT" => Some("http://127.0.0.1:41741/msi/token".to_owned()),
                    "IDENTITY_HEADER" => Some("header-secret-1234".to_owned()),
                    _ => None,
                }
            })
            .unwrap();
        let request = credential
            .build_request("https://graph.microsoft.com/.default")
            .unwrap();
        assert!(request.uri().to_string().contains("api-version=2019-08-01"));
        assert!(request.headers()["x-identity-header"].is_sensitive());
        assert!(!format!("{credential:?}").contains("header-secret-1234"));

        let half =
            ManagedIdentityCredential::from_lookup(ManagedIdentity::SystemAssigned, |name| {
                (name == "IDENTITY_ENDPOINT").then(|| "http://127.0.0.1:1/".to_owned())
            })
            .unwrap_err();
        assert_eq!(half.missing(), ["IDENTITY_HEADER"]);
    }
}
