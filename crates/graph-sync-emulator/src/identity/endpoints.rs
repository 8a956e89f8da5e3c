//! The identity endpoints: the Entra-shaped OAuth2 token endpoint (client secret, certificate
//! assertion, federated assertion) and the managed-identity endpoints of IMDS and App Service.
//! Errors are Entra's bodies: `error`, `error_description` starting with the `AADSTS` code,
//! `error_codes`, `timestamp`, `trace_id`, `correlation_id` (the client's `client-request-id`
//! when it sent one).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRef, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64ct::{Base64UrlUnpadded, Encoding};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::Sha256;

use super::registry::{
    AppCredential, DEVELOPMENT_TENANT_ID, Grant, Identity, SYSTEM_ASSIGNED_CLIENT_ID,
};
use super::signing::signing_key;
use crate::context::RequestContext;
use crate::http::reply::Origin;

/// How far in the future an assertion's `nbf` may be (clock skew).
const NBF_SKEW: Duration = Duration::from_secs(300);
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The tenant a discovery path names, as Entra writes it back: a tenant id as given, any other
/// name (`common`, `organizations`, a domain) as the emulator's tenant id.
fn tenant_id(tenant: &str) -> String {
    if uuid::Uuid::parse_str(tenant).is_ok() {
        tenant.to_ascii_lowercase()
    } else {
        DEVELOPMENT_TENANT_ID.to_owned()
    }
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`: the tenant's OpenID Provider
/// metadata, as MSAL reads it to find the token endpoint.
async fn openid_configuration(Path(tenant): Path<String>, origin: Origin) -> Response {
    let base = origin.as_str();
    let tenant = tenant_id(&tenant);
    let host = base.split_once("://").map_or(base, |(_, host)| host);
    axum::Json(serde_json::json!({
        "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{tenant}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{tenant}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid", "ver", "oid", "roles", "azp", "appid"],
        "tenant_region_scope": null,
        "cloud_instance_name": host,
        "cloud_graph_host_name": host,
        "msgraph_host": host,
        "rbac_url": base,
    }))
    .into_response()
}

/// `GET /{tenant}/discovery/v2.0/keys`: the JWKS with the key access tokens are signed with.
async fn keys() -> Response {
    match signing_key() {
        Some(key) => axum::Json(key.jwks()).into_response(),
        None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// `GET /common/discovery/instance`: instance discovery, which MSAL asks before trusting an
/// authority host; the emulator vouches for itself.
async fn instance_discovery(origin: Origin, uri: Uri) -> Response {
    let base = origin.as_str();
    let host = base.split_once("://").map_or(base, |(_, host)| host);
    let query = parse_form(uri.query().unwrap_or_default().as_bytes());
    let tenant = query
        .get("authorization_endpoint")
        .and_then(|endpoint| endpoint.strip_prefix(base))
        .and_then(|path| path.trim_start_matches('/').split('/').next())
        .map_or_else(|| DEVELOPMENT_TENANT_ID.to_owned(), tenant_id);
    axum::Json(serde_json::json!({
        "tenant_discovery_endpoint": format!("{base}/{tenant}/v2.0/.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    }))
    .into_response()
}

/// The identity routes, merged into the emulator's router.
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Identity>: FromRef<S>,
{
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token_endpoint))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
        .route("/{tenant}/discovery/keys", get(keys))
        .route("/{tenant}/discovery/instance", get(instance_discovery))
        .route("/metadata/identity/oauth2/token", get(imds))
        .route("/msi/token", get(app_service))
}

/// An Entra error answer.
struct EntraError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    message: String,
}

impl EntraError {
    fn new(status: StatusCode, error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            error,
            code,
            message: message.into(),
        }
    }

    fn render(&self, headers: &HeaderMap) -> Response {
        let context = RequestContext::new(headers);
        let correlation_id = context.client_request_id();
        let trace_id = uuid::Uuid::new_v4().to_string();
        let timestamp = format!("{}Z", context.iso_date().replace('T', " "));
        let body = serde_json::json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}",
                self.code, self.message
            ),
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        (self.status, axum::Json(body)).into_response()
    }
}

/// `POST /{tenant}/oauth2/v2.0/token`.
async fn token_endpoint(
    State(identity): State<Arc<Identity>>,
    Path(tenant): Path<String>,
    origin: Origin,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    identity.data().token_requests += 1;
    let form = parse_form(&body);
    let audience = format!("{}/{tenant}/oauth2/v2.0/token", origin.as_str());
    match grant(&identity, &tenant, &form, &audience) {
        Ok((token, lifetime)) => {
            tracing::debug!(%tenant, "graph-sync-emulator issued a token");
            let seconds = lifetime.as_secs();
            axum::Json(serde_json::json!({
                "token_type": "Bearer",
                "expires_in": seconds,
                "ext_expires_in": seconds,
                "access_token": token,
            }))
            .into_response()
        }
        Err(error) => {
            tracing::debug!(%tenant, code = error.code, "graph-sync-emulator refused a token");
            error.render(&headers)
        }
    }
}

fn grant(
    identity: &Identity,
    tenant: &str,
    form: &HashMap<String, String>,
    audience: &str,
) -> Result<(String, Duration), EntraError> {
    let bad = |code, message: String| {
        EntraError::new(StatusCode::BAD_REQUEST, "invalid_request", code, message)
    };
    let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    match field("grant_type") {
        Some("client_credentials") => {}
        Some(other) => {
            return Err(EntraError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                format!("The app requested an unsupported grant type '{other}'."),
            ));
        }
        None => {
            return Err(bad(
                900144,
                "The request body must contain the following parameter: 'grant_type'.".to_owned(),
            ));
        }
    }
    let client_id = field("client_id").ok_or_else(|| {
        bad(
            900144,
            "The request body must contain the following parameter: 'client_id'.".to_owned(),
        )
    })?;
    let scope = field("scope").ok_or_else(|| {
        bad(
            900144,
            "The request body must contain the following parameter: 'scope'.".to_owned(),
        )
    })?;
    if !scope.ends_with("/.default") {
        return Err(EntraError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        ));
    }
    let claims = field("claims");
    if let Some(claims) = claims
        && serde_json::from_str::<serde_json::Value>(claims).map_or(true, |v| !v.is_object())
    {
        return Err(bad(
            70011,
            "The provided value for the input parameter 'claims' is not valid JSON.".to_owned(),
        ));
    }
    let now = identity.now();
    let mut data = identity.data();
    let credentials = data.apps.get(&client_id.to_ascii_lowercase()).ok_or_else(|| {
        EntraError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."),
        )
    })?;
    let invalid_client = |code, message: String| {
        EntraError::new(StatusCode::UNAUTHORIZED, "invalid_client", code, message)
    };
    if let Some(secret) = field("client_secret") {
        let known = credentials
            .iter()
            .any(|c| matches!(c, AppCredential::Secret(s) if s == secret));
        if !known {
            return Err(invalid_client(
                7000215,
                format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
                ),
            ));
        }
    } else if let Some(assertion) = field("client_assertion") {
        if field("client_assertion_type") != Some(JWT_BEARER) {
            return Err(bad(
                700023,
                format!("The client_assertion_type must be '{JWT_BEARER}'."),
            ));
        }
        let federated = credentials
            .iter()
            .any(|c| matches!(c, AppCredential::Federated(t) if t == assertion));
        if !federated {
            check_assertion(credentials, assertion, client_id, audience, now)
                .map_err(|(code, message)| invalid_client(code, message))?;
        }
    } else {
        return Err(bad(7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".to_owned()));
    }
    let grant = Grant {
        tenant,
        client_id,
        audience: scope.trim_end_matches("/.default").to_owned(),
        with_claims: claims.is_some(),
    };
    Ok(data.issue(now, &grant))
}

/// Verifies a JWT client assertion: RS256 by a registered certificate, audience, issuer,
/// subject and time range.
fn check_assertion(
    credentials: &[AppCredential],
    assertion: &str,
    client_id: &str,
    audience: &str,
    now: SystemTime,
) -> Result<(), (u32, String)> {
    let malformed = || (50027, "JWT token is invalid or is malformed.".to_owned());
    let mut parts = assertion.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let decode = |part: &str| -> Result<serde_json::Value, (u32, String)> {
        let bytes = Base64UrlUnpadded::decode_vec(part).map_err(|_| malformed())?;
        serde_json::from_slice(&bytes).map_err(|_| malformed())
    };
    let header_json = decode(header)?;
    let claims_json = decode(claims)?;
    if header_json["alg"] != "RS256" {
        return Err((
            5002738,
            "The client assertion must be signed with RS256.".to_owned(),
        ));
    }
    let signature = Base64UrlUnpadded::decode_vec(signature)
        .ok()
        .and_then(|bytes| Signature::try_from(bytes.as_slice()).ok())
        .ok_or_else(malformed)?;
    let thumbprint = header_json["x5t#S256"].as_str();
    let signed = format!("{header}.{claims}");
    let verified = credentials.iter().any(|credential| match credential {
        AppCredential::Certificate {
            key,
            thumbprint: registered,
            ..
        } => {
            thumbprint.is_none_or(|t| t == registered)
                && VerifyingKey::<Sha256>::new((**key).clone())
                    .verify(signed.as_bytes(), &signature)
                    .is_ok()
        }
        _ => false,
    });
    if !verified {
        return Err((
            700027,
            "Client assertion failed signature validation. The certificate used to sign it is not registered on the application.".to_owned(),
        ));
    }
    if claims_json["aud"] != audience {
        return Err((
            700021,
            format!("The client assertion audience must be the token endpoint '{audience}'."),
        ));
    }
    if claims_json["iss"] != client_id || claims_json["sub"] != client_id {
        return Err((
            700021,
            "The client assertion issuer and subject must be the client id.".to_owned(),
        ));
    }
    let seconds = |name: &str| {
        claims_json[name]
            .as_u64()
            .map(|s| UNIX_EPOCH + Duration::from_secs(s))
    };
    let (Some(nbf), Some(exp)) = (seconds("nbf"), seconds("exp")) else {
        return Err(malformed());
    };
    if now >= exp || nbf > now + NBF_SKEW {
        return Err((
            700024,
            "Client assertion is not within its valid time range.".to_owned(),
        ));
    }
    Ok(())
}

/// `GET /metadata/identity/oauth2/token`: IMDS.
async fn imds(State(identity): State<Arc<Identity>>, uri: Uri, headers: HeaderMap) -> Response {
    identity.data().token_requests += 1;
    let metadata = headers
        .get("metadata")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !metadata {
        return managed_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required metadata header not specified",
        );
    }
    managed_token(&identity, &uri, true)
}

/// `GET /msi/token`: the App Service identity endpoint.
async fn app_service(
    State(identity): State<Arc<Identity>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    identity.data().token_requests += 1;
    let expected = identity.app_service_header();
    let sent = headers.get("x-identity-header").map(|v| v.as_bytes());
    if sent != Some(expected.as_bytes()) {
        let body = serde_json::json!({"error": {"code": "UnauthorizedRequest", "message": "The X-IDENTITY-HEADER header is missing or wrong."}});
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    managed_token(&identity, &uri, false)
}

fn managed_token(identity: &Identity, uri: &Uri, imds: bool) -> Response {
    let query = parse_form(uri.query().unwrap_or_default().as_bytes());
    let Some(resource) = query.get("resource").filter(|r| !r.is_empty()) else {
        return managed_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required query variable 'resource' is missing",
        );
    };
    if query.get("api-version").is_none_or(String::is_empty) {
        return managed_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required query variable 'api-version' is missing",
        );
    }
    let now = identity.now();
    let mut data = identity.data();
    let client_id = query.get("client_id").filter(|c| !c.is_empty());
    let known = match client_id {
        Some(id) => data.user_assigned.contains(&id.to_ascii_lowercase()),
        None => data.system_assigned,
    };
    if !known {
        return managed_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Identity not found",
        );
    }
    let grant = Grant {
        tenant: DEVELOPMENT_TENANT_ID,
        client_id: client_id.map_or(SYSTEM_ASSIGNED_CLIENT_ID, String::as_str),
        audience: resource.trim_end_matches("/.default").to_owned(),
        with_claims: false,
    };
    let (token, lifetime) = data.issue(now, &grant);
    let expires_on = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) + lifetime.as_secs();
    let mut body = serde_json::json!({
        "access_token": token,
        "expires_on": expires_on.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": client_id.map_or(SYSTEM_ASSIGNED_CLIENT_ID, String::as_str),
    });
    if imds {
        body["expires_in"] = serde_json::Value::String(lifetime.as_secs().to_string());
    }
    axum::Json(body).into_response()
}

fn managed_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = serde_json::json!({"error": error, "error_description": description});
    (status, axum::Json(body)).into_response()
}

/// `application/x-www-form-urlencoded` pairs; a repeated name keeps its first value.
fn parse_form(body: &[u8]) -> HashMap<String, String> {
    let mut form = HashMap::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let mut halves = pair.splitn(2, |b| *b == b'=');
        let name = percent_decode(halves.next().unwrap_or_default());
        let value = percent_decode(halves.next().unwrap_or_default());
        form.entry(name).or_insert(value);
    }
    form
}

fn percent_decode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_percent_decoded() {
        let form = parse_form(b"a=1&b=x+y%2Fz&c=%zz&d=50%&a=2&e");
        assert_eq!(form["a"], "1");
        assert_eq!(form["b"], "x y/z");
        assert_eq!(form["c"], "%zz");
        assert_eq!(form["d"], "50%");
        assert_eq!(form["e"], "");
    }

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn secrets_are_checked_and_errors_are_entras() {
        let identity = Identity::new(Arc::default());
        identity.register_secret("app-1", "right-secret");
        let base = [
            ("grant_type", "client_credentials"),
            ("client_id", "app-1"),
            ("scope", "http://127.0.0.1:1/.default"),
        ];
        let mut ok = base.to_vec();
        ok.push(("client_secret", "right-secret"));
        assert!(grant(&identity, "t", &form(&ok), "aud").is_ok());
        let mut wrong = base.to_vec();
        wrong.push(("client_secret", "wrong-secret"));
        let error = grant(&identity, "t", &form(&wrong), "aud").unwrap_err();
        assert_eq!(
            (error.status, error.error, error.code),
            (StatusCode::UNAUTHORIZED, "invalid_client", 7000215)
        );
        assert!(!error.message.contains("wrong-secret"));
        let error = grant(&identity, "t", &form(&base), "aud").unwrap_err();
        assert_eq!(error.code, 7000218);
        let mut unknown = ok.clone();
        unknown[1] = ("client_id", "app-2");
        assert_eq!(
            grant(&identity, "t", &form(&unknown), "aud")
                .unwrap_err()
                .code,
            700016
        );
        let mut scope = ok.clone();
        scope[2] = ("scope", "User.Read");
        assert_eq!(
            grant(&identity, "t", &form(&scope), "aud")
                .unwrap_err()
                .code,
            1002012
        );
        assert_eq!(identity.data().issued.len(), 1);
        assert!(!format!("{identity:?}").contains("right-secret"));
    }

    #[test]
    fn garbage_assertions_are_refused() {
        let identity = Identity::new(Arc::default());
        identity.register_federated_token("app-1", "federated-jwt");
        let mut pairs = vec![
            ("grant_type", "client_credentials"),
            ("client_id", "app-1"),
            ("scope", "s/.default"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", "federated-jwt"),
        ];
        assert!(grant(&identity, "t", &form(&pairs), "aud").is_ok());
        pairs[4] = ("client_assertion", "a.b.c");
        assert_eq!(
            grant(&identity, "t", &form(&pairs), "aud")
                .unwrap_err()
                .code,
            50027
        );
        pairs[4] = ("client_assertion", "not-a-jwt");
        assert_eq!(
            grant(&identity, "t", &form(&pairs), "aud")
                .unwrap_err()
                .code,
            50027
        );
        assert!(
            identity
                .register_certificate("app-1", b"not a certificate")
                .is_err()
        );
    }
}
