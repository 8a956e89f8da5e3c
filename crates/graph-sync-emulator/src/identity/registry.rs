//! The identity registry: an Entra tenant's app registrations (secrets, certificates,
//! federated tokens), managed identities, and the tokens issued for them, on the emulator's
//! clock; and the check of a bearer token on the protected Graph endpoints.
//!
//! Secrets, assertions and tokens never reach a log, a response or `Debug`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use base64ct::{Base64UrlUnpadded, Encoding};
use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, DecodePem, Encode};

use crate::clock::Clock;
use crate::error::GraphError;

/// Entra's default access-token lifetime as the token endpoint reports it.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3599);

/// A certificate that cannot be registered: not PEM or DER X.509, or not RSA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCertificate(String);

impl fmt::Display for InvalidCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid certificate: {}", self.0)
    }
}

impl std::error::Error for InvalidCertificate {}

/// The identity state, behind its own lock (never held across an `.await`).
pub(crate) struct Identity {
    data: Mutex<Data>,
    clock: Arc<Clock>,
}

pub(super) struct Data {
    pub(super) apps: HashMap<String, Vec<AppCredential>>,
    pub(super) system_assigned: bool,
    pub(super) user_assigned: HashSet<String>,
    pub(super) app_service_header: String,
    pub(super) issued: HashMap<String, Issued>,
    /// Tokens from `Emulator::issue_token` (valid until revoked), and the application each
    /// was issued for, if any.
    pub(super) by_hand: HashMap<String, Option<String>>,
    /// The object id (`oid`) of each client's service principal, by lower-cased client id.
    pub(super) object_ids: HashMap<String, String>,
    /// The application permissions (app roles) granted to each client, by lower-cased client
    /// id; a client not here has [`DEFAULT_ROLES`].
    pub(super) roles: HashMap<String, Vec<String>>,
    pub(super) lifetime: Duration,
    pub(super) require_claims: bool,
    pub(super) token_requests: usize,
}

pub(super) enum AppCredential {
    Secret(String),
    Certificate {
        key: Box<RsaPublicKey>,
        thumbprint: String,
        /// The certificate (DER), for a state file.
        der: Vec<u8>,
    },
    Federated(String),
}

impl AppCredential {
    fn same_as(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Secret(a), Self::Secret(b)) | (Self::Federated(a), Self::Federated(b)) => a == b,
            (Self::Certificate { thumbprint: a, .. }, Self::Certificate { thumbprint: b, .. }) => {
                a == b
            }
            _ => false,
        }
    }
}

/// A credential as a state file keeps it.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum StoredCredential {
    Secret(String),
    /// Base64 of the DER certificate.
    Certificate(String),
    Federated(String),
}

/// What a state file keeps of the identity state: registrations, granted roles, object ids
/// and the tokens issued (so that a client's cached token still works after a restart). Not
/// the token lifetime, the claims challenge or the counters (settings of a run).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct IdentitySnapshot {
    apps: HashMap<String, Vec<StoredCredential>>,
    system_assigned: bool,
    user_assigned: HashSet<String>,
    app_service_header: String,
    issued: HashMap<String, Issued>,
    by_hand: HashMap<String, Option<String>>,
    object_ids: HashMap<String, String>,
    roles: HashMap<String, Vec<String>>,
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Issued {
    expires_at: SystemTime,
    with_claims: bool,
    /// The `aud` claim: whom the token is for.
    audience: String,
    /// The application it was issued to ([`application_key`]); empty in a state file written
    /// before it was kept.
    #[serde(default)]
    application: String,
    /// The `roles` claim: the application permissions it carries.
    roles: Vec<String>,
}

/// What an accepted bearer token may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// A token from [`Emulator::issue_token`](crate::Emulator::issue_token): everything.
    Unrestricted,
    /// A token from the token endpoints: the application permissions of its `roles` claim.
    Roles(Vec<String>),
}

impl Caller {
    /// Whether the caller may call `method` on `resource` (see [`permissions`](super::permissions)).
    pub(crate) fn may(&self, method: &str, resource: &super::permissions::Resource) -> bool {
        match self {
            Self::Unrestricted => true,
            Self::Roles(roles) => super::permissions::allows(roles, method, resource),
        }
    }
}

/// The key of an application in a tenant, as Graph's per-application throttling counts it:
/// `tenant/client-id`, lower-cased.
fn application_key(tenant: &str, client_id: &str) -> String {
    format!("{tenant}/{client_id}").to_ascii_lowercase()
}

/// Who a token is issued to and for what, as its claims say.
#[derive(Debug, Clone)]
pub(super) struct Grant<'a> {
    /// The tenant (`tid`).
    pub(super) tenant: &'a str,
    /// The client (`appid`, `azp`).
    pub(super) client_id: &'a str,
    /// The resource (`aud`), e.g. `https://graph.microsoft.com`.
    pub(super) audience: String,
    /// Whether the client asked for claims (continuous access evaluation).
    pub(super) with_claims: bool,
}

/// The tenant id used when the path names no tenant id (`common`, `organizations`, a domain).
pub(crate) const DEVELOPMENT_TENANT_ID: &str = "e1a7e1a7-0000-4000-8000-000000000001";

/// The client id of the emulated host's system-assigned managed identity.
pub(crate) const SYSTEM_ASSIGNED_CLIENT_ID: &str = "e1a7e1a7-0000-4000-8000-00000000005a";

/// The roles an application or managed identity is granted unless told otherwise.
pub(crate) const DEFAULT_ROLES: &[&str] = &[
    "Synchronization.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
    "SynchronizationData-User.Upload",
    "AuditLog.Read.All",
    "Directory.Read.All",
];

/// The audiences Microsoft Graph accepts: its resource URIs in every cloud, its application id,
/// and (for the emulator) any loopback origin.
fn is_graph_audience(audience: &str) -> bool {
    const GRAPH: &[&str] = &[
        "https://graph.microsoft.com",
        "https://graph.microsoft.us",
        "https://dod-graph.microsoft.us",
        "https://microsoftgraph.chinacloudapi.cn",
        "00000003-0000-0000-c000-000000000000",
    ];
    let audience = audience.trim_end_matches('/');
    if GRAPH
        .iter()
        .any(|graph| graph.eq_ignore_ascii_case(audience))
    {
        return true;
    }
    let Some((_, rest)) = audience.split_once("://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

impl Identity {
    /// An identity with no registrations, on `clock`.
    pub(crate) fn new(clock: Arc<Clock>) -> Self {
        Self {
            clock,
            data: Mutex::new(Data {
                apps: HashMap::new(),
                system_assigned: false,
                user_assigned: HashSet::new(),
                app_service_header: uuid::Uuid::new_v4().simple().to_string(),
                issued: HashMap::new(),
                by_hand: HashMap::new(),
                object_ids: HashMap::new(),
                roles: HashMap::new(),
                lifetime: DEFAULT_LIFETIME,
                require_claims: false,
                token_requests: 0,
            }),
        }
    }
}

impl fmt::Debug for Identity {
    /// Counts only: the state holds secrets and tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = self.data();
        f.debug_struct("Identity")
            .field("apps", &data.apps.len())
            .field("issued", &data.issued.len())
            .field("token_requests", &data.token_requests)
            .finish()
    }
}

impl Data {
    /// Issues an access token: an RS256-signed JWT with the claims Entra writes for an
    /// application (`aud`, `iss`, `iat`, `nbf`, `exp`, `tid`, `oid`, `sub`, `appid`, `azp`,
    /// `roles`, `ver`), remembered until it expires.
    pub(super) fn issue(&mut self, now: SystemTime, grant: &Grant<'_>) -> (String, Duration) {
        let expires_at = now.checked_add(self.lifetime).unwrap_or(now);
        let seconds = |time: SystemTime| {
            time.duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.as_secs())
        };
        let tenant = if uuid::Uuid::parse_str(grant.tenant).is_ok() {
            grant.tenant.to_ascii_lowercase()
        } else {
            DEVELOPMENT_TENANT_ID.to_owned()
        };
        let object_id = self
            .object_ids
            .entry(grant.client_id.to_ascii_lowercase())
            .or_insert_with(|| uuid::Uuid::new_v4().to_string())
            .clone();
        let roles = self
            .roles
            .get(&grant.client_id.to_ascii_lowercase())
            .map_or_else(
                || {
                    DEFAULT_ROLES
                        .iter()
                        .map(|role| (*role).to_owned())
                        .collect()
                },
                Clone::clone,
            );
        let claims = serde_json::json!({
            "aud": grant.audience,
            "iss": format!("https://sts.windows.net/{tenant}/"),
            "iat": seconds(now),
            "nbf": seconds(now),
            "exp": seconds(expires_at),
            "idp": format!("https://sts.windows.net/{tenant}/"),
            "tid": tenant,
            "oid": object_id,
            "sub": object_id,
            "appid": grant.client_id,
            "azp": grant.client_id,
            "appidacr": "1",
            "idtyp": "app",
            "roles": roles,
            "uti": uuid::Uuid::new_v4().simple().to_string(),
            "ver": "1.0",
        });
        let token = super::signing::signing_key()
            .and_then(|key| key.sign(&claims))
            .unwrap_or_else(|| format!("graph-sync-emulator-at.{}", uuid::Uuid::new_v4().simple()));
        self.issued.insert(
            token.clone(),
            Issued {
                expires_at,
                with_claims: grant.with_claims,
                audience: grant.audience.clone(),
                application: application_key(&tenant, grant.client_id),
                roles,
            },
        );
        (token, self.lifetime)
    }
}

impl Identity {
    pub(super) fn now(&self) -> SystemTime {
        self.clock.now()
    }

    pub(super) fn data(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `credential` to the app `client_id`, unless it already has it (registering the
    /// same credential again, e.g. after a state file was restored, changes nothing).
    fn app(&self, client_id: &str, credential: AppCredential) {
        let mut data = self.data();
        let credentials = data.apps.entry(client_id.to_ascii_lowercase()).or_default();
        if !credentials.iter().any(|known| known.same_as(&credential)) {
            credentials.push(credential);
        }
    }

    pub(crate) fn register_secret(&self, client_id: &str, secret: &str) {
        self.app(client_id, AppCredential::Secret(secret.to_owned()));
    }

    pub(crate) fn register_federated_token(&self, client_id: &str, token: &str) {
        self.app(client_id, AppCredential::Federated(token.to_owned()));
    }

    pub(crate) fn register_certificate(
        &self,
        client_id: &str,
        certificate: &[u8],
    ) -> Result<(), InvalidCertificate> {
        let (key, thumbprint, der) = check_certificate(certificate)?;
        self.app(
            client_id,
            AppCredential::Certificate {
                key: Box::new(key),
                thumbprint,
                der,
            },
        );
        Ok(())
    }

    /// What a state file keeps of this identity state.
    pub(crate) fn snapshot(&self) -> IdentitySnapshot {
        let data = self.data();
        let apps = data
            .apps
            .iter()
            .map(|(client, credentials)| {
                let stored = credentials
                    .iter()
                    .map(|credential| match credential {
                        AppCredential::Secret(secret) => StoredCredential::Secret(secret.clone()),
                        AppCredential::Certificate { der, .. } => {
                            StoredCredential::Certificate(base64ct::Base64::encode_string(der))
                        }
                        AppCredential::Federated(token) => {
                            StoredCredential::Federated(token.clone())
                        }
                    })
                    .collect();
                (client.clone(), stored)
            })
            .collect();
        IdentitySnapshot {
            apps,
            system_assigned: data.system_assigned,
            user_assigned: data.user_assigned.clone(),
            app_service_header: data.app_service_header.clone(),
            issued: data
                .issued
                .iter()
                .map(|(token, issued)| (token.clone(), issued.clone()))
                .collect(),
            by_hand: data.by_hand.clone(),
            object_ids: data.object_ids.clone(),
            roles: data.roles.clone(),
        }
    }

    /// Replaces the registrations, roles, object ids and tokens with a state file's.
    ///
    /// # Errors
    ///
    /// A stored certificate that cannot be read.
    pub(crate) fn restore(&self, snapshot: IdentitySnapshot) -> Result<(), InvalidCertificate> {
        let mut apps: HashMap<String, Vec<AppCredential>> = HashMap::new();
        for (client, credentials) in snapshot.apps {
            let mut restored = Vec::new();
            for credential in credentials {
                restored.push(match credential {
                    StoredCredential::Secret(secret) => AppCredential::Secret(secret),
                    StoredCredential::Federated(token) => AppCredential::Federated(token),
                    StoredCredential::Certificate(text) => {
                        let der = base64ct::Base64::decode_vec(&text).map_err(|_| {
                            InvalidCertificate("a stored certificate is not base64".to_owned())
                        })?;
                        let (key, thumbprint, der) = check_certificate(&der)?;
                        AppCredential::Certificate {
                            key: Box::new(key),
                            thumbprint,
                            der,
                        }
                    }
                });
            }
            apps.insert(client, restored);
        }
        let mut data = self.data();
        data.apps = apps;
        data.system_assigned = snapshot.system_assigned;
        data.user_assigned = snapshot.user_assigned;
        data.app_service_header = snapshot.app_service_header;
        data.issued = snapshot.issued;
        data.by_hand = snapshot.by_hand;
        data.object_ids = snapshot.object_ids;
        data.roles = snapshot.roles;
        Ok(())
    }

    pub(crate) fn enable_system_assigned(&self) {
        self.data().system_assigned = true;
    }

    pub(crate) fn add_user_assigned(&self, client_id: &str) {
        self.data()
            .user_assigned
            .insert(client_id.to_ascii_lowercase());
    }

    pub(crate) fn set_app_service_header(&self, header: &str) {
        header.clone_into(&mut self.data().app_service_header);
    }

    pub(crate) fn app_service_header(&self) -> String {
        self.data().app_service_header.clone()
    }

    /// Grants `client_id` exactly `roles` (application permissions) in the tokens issued to it
    /// from now on.
    pub(crate) fn grant_roles(&self, client_id: &str, roles: Vec<String>) {
        self.data()
            .roles
            .insert(client_id.to_ascii_lowercase(), roles);
    }

    pub(crate) fn set_lifetime(&self, lifetime: Duration) {
        self.data().lifetime = lifetime;
    }

    pub(crate) fn require_claims(&self, on: bool) {
        self.data().require_claims = on;
    }

    pub(crate) fn token_requests(&self) -> usize {
        self.data().token_requests
    }

    /// Makes `token` valid until revoked; with `application` (a client id), as issued to that
    /// application in the emulator's tenant.
    pub(crate) fn add_token(&self, token: String, application: Option<&str>) {
        let application =
            application.map(|client_id| application_key(DEVELOPMENT_TENANT_ID, client_id));
        self.data().by_hand.insert(token, application);
    }

    /// Makes `token` invalid.
    pub(crate) fn revoke_token(&self, token: &str) {
        self.data().by_hand.remove(token);
    }

    /// The application (`tenant/client-id`) `token` was issued to: by the token endpoints (the
    /// client id of the grant, a managed identity's included), or by
    /// [`Emulator::issue_token_for_application`](crate::Emulator::issue_token_for_application).
    /// `None` for an unknown token or one issued for no application.
    pub(crate) fn application(&self, token: &str) -> Option<String> {
        let data = self.data();
        match data.by_hand.get(token) {
            Some(application) => application.clone(),
            None => data
                .issued
                .get(token)
                .map(|issued| issued.application.clone()),
        }
    }
}

/// Reads an X.509 certificate (PEM or DER) with an RSA key: its public key, its SHA-256
/// thumbprint (`x5t#S256`, base64url) and its DER encoding.
pub(crate) fn check_certificate(
    certificate: &[u8],
) -> Result<(RsaPublicKey, String, Vec<u8>), InvalidCertificate> {
    let parsed = if certificate.trim_ascii_start().starts_with(b"-----BEGIN") {
        x509_cert::Certificate::from_pem(certificate)
    } else {
        x509_cert::Certificate::from_der(certificate)
    }
    .map_err(|e| InvalidCertificate(format!("not an X.509 certificate ({e})")))?;
    let der = parsed
        .to_der()
        .map_err(|e| InvalidCertificate(format!("cannot re-encode ({e})")))?;
    let spki = parsed
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| InvalidCertificate(format!("cannot read the public key ({e})")))?;
    let key = RsaPublicKey::from_public_key_der(&spki)
        .map_err(|_| InvalidCertificate("the public key is not RSA".to_owned()))?;
    let thumbprint = Base64UrlUnpadded::encode_string(&Sha256::digest(&der));
    Ok((key, thumbprint, der))
}

/// Checks a bearer token on a protected endpoint: one from [`Emulator::issue_token`]
/// (valid until revoked) or one from the token endpoint (valid until it expires, and only if
/// issued for Microsoft Graph), and the claims challenge when it is switched on. Says what the
/// token may do.
///
/// [`Emulator::issue_token`]: crate::Emulator::issue_token
pub(crate) fn check_bearer(identity: &Identity, token: &str) -> Result<Caller, GraphError> {
    let now = identity.now();
    let data = identity.data();
    let (with_claims, caller) = if data.by_hand.contains_key(token) {
        (false, Caller::Unrestricted)
    } else {
        let issued = data
            .issued
            .get(token)
            .ok_or_else(GraphError::invalid_token)?;
        if now >= issued.expires_at {
            return Err(GraphError::expired_token());
        }
        if !is_graph_audience(&issued.audience) {
            return Err(GraphError::invalid_audience());
        }
        (issued.with_claims, Caller::Roles(issued.roles.clone()))
    };
    if data.require_claims && !with_claims {
        return Err(GraphError::insufficient_claims());
    }
    Ok(caller)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_audiences_are_graphs_and_loopback_origins() {
        for yes in [
            "https://graph.microsoft.com",
            "https://graph.microsoft.com/",
            "00000003-0000-0000-c000-000000000000",
            "https://127.0.0.1:8443",
            "http://localhost",
            "https://[::1]:1/",
        ] {
            assert!(is_graph_audience(yes), "{yes}");
        }
        for no in [
            "https://management.azure.com",
            "api://my-api",
            "https://127.0.0.2",
            "https://localhost.example.com",
            "",
        ] {
            assert!(!is_graph_audience(no), "{no}");
        }
    }

    #[test]
    fn issued_tokens_are_jwts_with_the_documented_claims() {
        let identity = Identity::new(Arc::default());
        let (token, _) = identity.data().issue(
            SystemTime::now(),
            &Grant {
                tenant: "common",
                client_id: "app-1",
                audience: "https://graph.microsoft.com".to_owned(),
                with_claims: false,
            },
        );
        let claims = token.split('.').nth(1).unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&Base64UrlUnpadded::decode_vec(claims).unwrap()).unwrap();
        for name in [
            "aud", "iss", "tid", "oid", "appid", "azp", "roles", "exp", "nbf",
        ] {
            assert!(!claims[name].is_null(), "{name}");
        }
        assert_eq!(claims["tid"], DEVELOPMENT_TENANT_ID);
        assert!(check_bearer(&identity, &token).is_ok());
        let (other, _) = identity.data().issue(
            SystemTime::now(),
            &Grant {
                tenant: "common",
                client_id: "app-1",
                audience: "https://management.azure.com".to_owned(),
                with_claims: false,
            },
        );
        assert_eq!(
            check_bearer(&identity, &other).unwrap_err().message(),
            "Access token validation failure. Invalid audience."
        );
    }
}
