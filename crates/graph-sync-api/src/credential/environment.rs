//! [`EnvironmentCredential`]: a credential chosen from the `AZURE_*` environment variables
//! that azure-identity users already set.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use graph_sync_transport::Transport;
use zeroize::Zeroizing;

use super::{
    AccessToken, AuthError, ClientSecretCredential, TokenCredential, TokenRequest,
    WorkloadIdentityCredential,
};
#[cfg(feature = "certificate")]
use super::{ClientCertificate, ClientCertificateCredential};

const NAME: &str = "EnvironmentCredential";
const TENANT: &str = "AZURE_TENANT_ID";
const CLIENT: &str = "AZURE_CLIENT_ID";
const SECRET: &str = "AZURE_CLIENT_SECRET";
const CERTIFICATE: &str = "AZURE_CLIENT_CERTIFICATE_PATH";
#[cfg(feature = "certificate")]
const CERTIFICATE_PASSWORD: &str = "AZURE_CLIENT_CERTIFICATE_PASSWORD";
const TOKEN_FILE: &str = "AZURE_FEDERATED_TOKEN_FILE";
const AUTHORITY: &str = "AZURE_AUTHORITY_HOST";

/// A client secret, certificate or workload identity credential configured by environment
/// variables, with azure-identity's names and precedence:
///
/// | variables (all with `AZURE_TENANT_ID` and `AZURE_CLIENT_ID`) | credential |
/// |---|---|
/// | `AZURE_CLIENT_SECRET` | [`ClientSecretCredential`] |
/// | `AZURE_CLIENT_CERTIFICATE_PATH` (PEM, or PKCS#12), `AZURE_CLIENT_CERTIFICATE_PASSWORD` | `ClientCertificateCredential` (the `certificate` feature; `pkcs12` for PKCS#12) |
/// | `AZURE_FEDERATED_TOKEN_FILE` | [`WorkloadIdentityCredential`] |
///
/// The first row whose variables are set wins. `AZURE_AUTHORITY_HOST` (e.g.
/// `https://login.microsoftonline.us`) replaces the global login authority. An empty
/// variable counts as unset. Without the `certificate` feature, a certificate row is an
/// error that names the feature to enable.
///
/// The workspace forbids `unsafe`, and Rust 2024 makes `std::env::set_var` unsafe, so tests
/// and embedders build it from a lookup function ([`from_lookup`](Self::from_lookup));
/// [`from_env`](Self::from_env) is the lookup into this process's environment.
#[derive(Clone)]
pub struct EnvironmentCredential {
    inner: Inner,
}

#[derive(Clone, Debug)]
enum Inner {
    Secret(ClientSecretCredential),
    #[cfg(feature = "certificate")]
    Certificate(ClientCertificateCredential),
    Workload(WorkloadIdentityCredential),
}

impl EnvironmentCredential {
    /// Reads this process's environment.
    ///
    /// # Errors
    ///
    /// As [`from_lookup`](Self::from_lookup).
    pub fn from_env() -> Result<Self, AuthError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup` (a map, a test fixture, a secret store).
    ///
    /// # Errors
    ///
    /// [`AuthError`] listing exactly the missing variables ([`AuthError::missing`]) when no
    /// row of the table is complete; or the error of building the chosen credential (an
    /// unreadable certificate file, a wrong PKCS#12 password, an invalid authority).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, AuthError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let tenant = get(TENANT);
        let client = get(CLIENT);
        let secret = get(SECRET).map(Zeroizing::new);
        let certificate = get(CERTIFICATE);
        let token_file = get(TOKEN_FILE);
        let mut missing = Vec::new();
        if tenant.is_none() {
            missing.push(TENANT.to_owned());
        }
        if client.is_none() {
            missing.push(CLIENT.to_owned());
        }
        if secret.is_none() && certificate.is_none() && token_file.is_none() {
            missing.push(format!("{SECRET} or {CERTIFICATE} or {TOKEN_FILE}"));
        }
        let missing_error = |missing: Vec<String>| {
            let message = format!(
                "{NAME}: cannot build a credential; missing: {}",
                missing.join(", ")
            );
            AuthError::missing_variables(message, missing)
        };
        let (Some(tenant), Some(client), true) = (tenant, client, missing.is_empty()) else {
            return Err(missing_error(missing));
        };
        let authority = get(AUTHORITY).map(|host| {
            if host.contains("://") {
                host
            } else {
                format!("https://{host}")
            }
        });
        let inner = if let Some(secret) = secret {
            let mut credential = ClientSecretCredential::new(&tenant, &client, secret.as_str())?;
            if let Some(authority) = &authority {
                credential = credential.authority(authority)?;
            }
            Inner::Secret(credential)
        } else if let Some(path) = certificate {
            certificate_credential(&tenant, &client, &path, authority.as_deref(), &get)?
        } else {
            let path = token_file.ok_or_else(|| missing_error(vec![TOKEN_FILE.to_owned()]))?;
            let mut credential = WorkloadIdentityCredential::new(&tenant, &client, path)?;
            if let Some(authority) = &authority {
                credential = credential.authority(authority)?;
            }
            Inner::Workload(credential)
        };
        Ok(Self { inner })
    }

    /// Which credential the environment chose: `"ClientSecretCredential"`,
    /// `"ClientCertificateCredential"` or `"WorkloadIdentityCredential"`.
    #[must_use]
    pub fn chosen(&self) -> &'static str {
        match self.inner {
            Inner::Secret(_) => "ClientSecretCredential",
            #[cfg(feature = "certificate")]
            Inner::Certificate(_) => "ClientCertificateCredential",
            Inner::Workload(_) => "WorkloadIdentityCredential",
        }
    }

    /// Sends token requests through `transport` (default: the reqwest transport).
    #[must_use]
    pub fn transport(self, transport: Arc<dyn Transport>) -> Self {
        let inner = match self.inner {
            Inner::Secret(c) => Inner::Secret(c.transport(transport)),
            #[cfg(feature = "certificate")]
            Inner::Certificate(c) => Inner::Certificate(c.transport(transport)),
            Inner::Workload(c) => Inner::Workload(c.transport(transport)),
        };
        Self { inner }
    }
}

/// The certificate credential of `AZURE_CLIENT_CERTIFICATE_PATH=path`.
#[cfg(feature = "certificate")]
fn certificate_credential(
    tenant: &str,
    client: &str,
    path: &str,
    authority: Option<&str>,
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<Inner, AuthError> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| {
        AuthError::configuration(format!(
            "{NAME}: the certificate file {CERTIFICATE}={path} cannot be read"
        ))
        .with_source(e)
    })?);
    let is_pem = bytes
        .windows(b"-----BEGIN".len())
        .any(|window| window == b"-----BEGIN");
    let parsed = if is_pem {
        ClientCertificate::from_pem(&bytes)?
    } else {
        let password = get(CERTIFICATE_PASSWORD).map(Zeroizing::new);
        pkcs12(path, &bytes, password.as_ref().map_or("", |p| p.as_str()))?
    };
    let mut credential = ClientCertificateCredential::new(tenant, client, parsed)?;
    if let Some(authority) = authority {
        credential = credential.authority(authority)?;
    }
    Ok(Inner::Certificate(credential))
}

/// Without the `certificate` feature, the environment cannot name a certificate.
#[cfg(not(feature = "certificate"))]
fn certificate_credential(
    _tenant: &str,
    _client: &str,
    path: &str,
    _authority: Option<&str>,
    _get: &dyn Fn(&str) -> Option<String>,
) -> Result<Inner, AuthError> {
    Err(AuthError::configuration(format!(
        "{NAME}: {CERTIFICATE}={path} asks for a certificate credential; enable graph-sync-api's `certificate` feature (and `pkcs12` for PKCS#12 archives), or set {SECRET} or {TOKEN_FILE} instead"
    )))
}

/// Reads the PKCS#12 archive at `path`.
#[cfg(all(feature = "certificate", feature = "pkcs12"))]
fn pkcs12(_path: &str, bytes: &[u8], password: &str) -> Result<ClientCertificate, AuthError> {
    ClientCertificate::from_pkcs12(bytes, password)
}

/// Without the `pkcs12` feature, a certificate file must be PEM.
#[cfg(all(feature = "certificate", not(feature = "pkcs12")))]
fn pkcs12(path: &str, _bytes: &[u8], _password: &str) -> Result<ClientCertificate, AuthError> {
    Err(AuthError::configuration(format!(
        "{NAME}: {CERTIFICATE}={path} is not PEM; reading PKCS#12 needs graph-sync-api's `pkcs12` feature"
    )))
}

impl fmt::Debug for EnvironmentCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple(NAME).field(&self.inner).finish()
    }
}

#[async_trait]
impl TokenCredential for EnvironmentCredential {
    async fn get_token(&self, request: &TokenRequest) -> Result<AccessToken, AuthError> {
        match &self.inner {
            Inner::Secret(c) => c.get_token(request).await,
            #[cfg(feature = "certificate")]
            Inner::Certificate(c) => c.get_token(request).await,
            Inner::Workload(c) => c.get_token(request).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        match name {
            TENANT => Some("contoso.onmicrosoft.com".to_owned()),
            CLIENT => Some("00000000-0000-0000-0000-000000000001".to_owned()),
            CERTIFICATE => Some("/nonexistent/graph-sync-test.pem".to_owned()),
            _ => None,
        }
    }

    #[cfg(not(feature = "certificate"))]
    #[test]
    fn a_certificate_without_the_feature_names_the_feature() {
        let error = EnvironmentCredential::from_lookup(lookup).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("`certificate` feature"), "{text}");
        assert!(text.contains(CERTIFICATE), "{text}");
    }

    #[cfg(feature = "certificate")]
    #[test]
    fn a_certificate_with_the_feature_is_read() {
        let error = EnvironmentCredential::from_lookup(lookup).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("cannot be read"), "{text}");
        assert!(!text.contains("feature"), "{text}");
    }
}
