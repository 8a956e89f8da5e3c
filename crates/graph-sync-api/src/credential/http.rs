//! HTTP for credentials: the transport they share with the client, the OAuth2 token
//! endpoint of a confidential client, and the parsing of token responses and Entra errors.
//!
//! Requests made here go to the login authority or a managed-identity endpoint, never to
//! Graph, and carry no Graph token. Their bodies hold secrets or assertions: they are
//! zeroized when the transport lets go of them, never logged, and every secret the request
//! carried is scrubbed from an error description before it is kept.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use graph_sync_transport::{Response, Transport};
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderValue, Method, Request};
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;
use zeroize::Zeroizing;

use super::error::EndpointDetails;
use super::{AccessToken, AuthError, AuthErrorKind};
use crate::cloud::Cloud;
use crate::redact::Redactor;

/// The `client_assertion_type` of a JWT bearer assertion.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The largest token response read; anything longer is not a token response.
const MAX_RESPONSE: usize = 64 * 1024;

/// The transport a credential sends through: the one it was given, or the default one,
/// built on first use.
#[derive(Default, Clone)]
pub(crate) struct Http {
    configured: Option<Arc<dyn Transport>>,
    default: Arc<OnceLock<Arc<dyn Transport>>>,
}

impl Http {
    pub(crate) fn set(&mut self, transport: Arc<dyn Transport>) {
        self.configured = Some(transport);
    }

    fn transport(&self) -> Result<Arc<dyn Transport>, AuthError> {
        if let Some(transport) = &self.configured {
            return Ok(Arc::clone(transport));
        }
        if let Some(transport) = self.default.get() {
            return Ok(Arc::clone(transport));
        }
        let transport = default_transport()?;
        Ok(Arc::clone(self.default.get_or_init(|| transport)))
    }

    /// Sends `request` and returns the answer, whatever its status.
    pub(crate) async fn send(
        &self,
        who: &str,
        request: Request<Bytes>,
    ) -> Result<Response, AuthError> {
        let transport = self.transport()?;
        let host = request.uri().host().unwrap_or_default().to_owned();
        tracing::debug!(credential = who, %host, "requesting a token");
        let response = transport.send(request).await.map_err(|error| {
            AuthError::of_kind(
                AuthErrorKind::Unreachable,
                format!("{who}: the token request to {host} did not complete"),
            )
            .with_source(error)
        })?;
        tracing::debug!(credential = who, %host, status = response.status().as_u16(), "token endpoint answered");
        Ok(response)
    }
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.configured {
            Some(transport) => transport.fmt(f),
            None => f.write_str("default transport"),
        }
    }
}

#[cfg(feature = "reqwest")]
fn default_transport() -> Result<Arc<dyn Transport>, AuthError> {
    let transport = graph_sync_transport::ReqwestTransport::builder()
        .build()
        .map_err(|e| {
            AuthError::configuration("the default HTTP transport cannot start").with_source(e)
        })?;
    Ok(Arc::new(transport))
}

#[cfg(not(feature = "reqwest"))]
fn default_transport() -> Result<Arc<dyn Transport>, AuthError> {
    Err(AuthError::configuration(
        "no transport for token requests: enable the `reqwest` feature or give the credential a transport",
    ))
}

/// An app registration's view of the token endpoint: tenant, client id, authority, transport.
#[derive(Clone)]
pub(crate) struct ConfidentialClient {
    pub(crate) tenant: String,
    pub(crate) client_id: String,
    authority: Url,
    pub(crate) http: Http,
}

impl ConfidentialClient {
    pub(crate) fn new(who: &str, tenant: &str, client_id: &str) -> Result<Self, AuthError> {
        check_tenant(who, tenant)?;
        check_client_id(who, client_id)?;
        Ok(Self {
            tenant: tenant.to_owned(),
            client_id: client_id.to_owned(),
            authority: Cloud::global().authority().clone(),
            http: Http::default(),
        })
    }

    pub(crate) fn set_cloud(&mut self, cloud: &Cloud) {
        self.authority = cloud.authority().clone();
    }

    pub(crate) fn set_authority(&mut self, who: &str, authority: &str) -> Result<(), AuthError> {
        self.authority = crate::cloud::parse_endpoint("login authority", authority)
            .map_err(|e| AuthError::configuration(format!("{who}: {e}")))?;
        Ok(())
    }

    /// `{authority}/{tenant}/oauth2/v2.0/token`.
    pub(crate) fn token_url(&self) -> Url {
        let mut url = self.authority.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty()
                .extend([self.tenant.as_str(), "oauth2", "v2.0", "token"]);
        }
        url
    }

    /// Posts a client-credentials grant authenticated by a JWT bearer `assertion` (signed
    /// by a certificate, or a federated token).
    pub(crate) async fn request_token_with_assertion(
        &self,
        who: &str,
        request: &super::TokenRequest,
        assertion: &str,
    ) -> Result<AccessToken, AuthError> {
        self.request_token(
            who,
            &request.scope,
            request.claims.as_deref(),
            &[
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", assertion),
            ],
            assertion,
        )
        .await
    }

    /// Posts a client-credentials grant with `authentication` (the secret or the assertion
    /// fields) and returns the token. `secret` is scrubbed from any error description.
    pub(crate) async fn request_token(
        &self,
        who: &str,
        scope: &str,
        claims: Option<&str>,
        authentication: &[(&str, &str)],
        secret: &str,
    ) -> Result<AccessToken, AuthError> {
        let body = token_form(
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &self.client_id),
                ("scope", scope),
            ]
            .into_iter()
            .chain(authentication.iter().copied())
            .chain(claims.map(|claims| ("claims", claims)))
            .collect::<Vec<_>>(),
        );
        let request = Request::builder()
            .method(Method::POST)
            .uri(self.token_url().as_str())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .body(Bytes::from_owner(body))
            .map_err(|e| {
                AuthError::configuration(format!("{who}: cannot build the token request: {e}"))
            })?;
        let response = self.http.send(who, request).await?;
        parse_token_response(who, &response, &[secret])
    }
}

impl fmt::Debug for ConfidentialClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfidentialClient")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("authority", &self.authority.as_str())
            .field("transport", &self.http)
            .finish()
    }
}

/// A tenant is a GUID or a domain name: letters, digits, `-` and `.` only, so it is safe as
/// a path segment.
pub(crate) fn check_tenant(who: &str, tenant: &str) -> Result<(), AuthError> {
    if tenant.is_empty() || tenant.len() > 256 {
        return Err(AuthError::configuration(format!(
            "{who}: the tenant id is empty or too long"
        )));
    }
    if !tenant
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err(AuthError::configuration(format!(
            "{who}: the tenant id is not a GUID or domain name (only letters, digits, '-' and '.')"
        )));
    }
    Ok(())
}

/// A client id is a GUID in practice; anything printable without spaces is accepted.
pub(crate) fn check_client_id(who: &str, client_id: &str) -> Result<(), AuthError> {
    if client_id.is_empty()
        || client_id.len() > 256
        || !client_id.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(AuthError::configuration(format!(
            "{who}: the client id is empty or holds spaces or non-ASCII characters"
        )));
    }
    Ok(())
}

/// A token endpoint's success body. `expires_in` is a number (Entra) or a string (IMDS);
/// `expires_on` is Unix seconds as a number or string (App Service).
#[derive(Deserialize)]
struct TokenBody {
    access_token: Option<String>,
    expires_in: Option<NumberOrString>,
    expires_on: Option<NumberOrString>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum NumberOrString {
    Number(u64),
    Text(String),
}

impl NumberOrString {
    pub(crate) fn value(&self) -> Option<u64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(text) => text.trim().parse().ok(),
        }
    }
}

/// An Entra error body (managed-identity endpoints use a subset of it).
#[derive(Deserialize, Default)]
struct ErrorBody {
    error: Option<ErrorField>,
    error_description: Option<String>,
    error_codes: Option<Vec<u64>>,
    correlation_id: Option<String>,
    trace_id: Option<String>,
}

/// `error` is a string in Entra and IMDS answers, an object in some App Service ones.
#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorField {
    Code(String),
    Object {
        code: Option<String>,
        message: Option<String>,
    },
}

/// Reads a token response: the token and its expiry, or the endpoint's error.
pub(crate) fn parse_token_response(
    who: &str,
    response: &Response,
    secrets: &[&str],
) -> Result<AccessToken, AuthError> {
    let status = response.status();
    let body = response.body();
    if body.len() > MAX_RESPONSE {
        return Err(AuthError::of_kind(
            AuthErrorKind::InvalidResponse,
            format!("{who}: the token endpoint answered HTTP {status} with an oversized body"),
        ));
    }
    if !status.is_success() {
        let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
        let (error, description) = match parsed.error {
            Some(ErrorField::Code(code)) => (Some(code), parsed.error_description),
            Some(ErrorField::Object { code, message }) => {
                (code, parsed.error_description.or(message))
            }
            None => (None, parsed.error_description),
        };
        let redactor = secrets.iter().fold(Redactor::new(), |redactor, secret| {
            redactor.with_value(secret)
        });
        let clean = |text: String| redactor.clean(&text);
        let description = description.map(clean);
        let aadsts = parsed
            .error_codes
            .as_ref()
            .and_then(|codes| codes.first())
            .map(|code| format!("AADSTS{code}"))
            .or_else(|| description.as_deref().and_then(aadsts_prefix));
        let details = EndpointDetails {
            status: Some(status.as_u16()),
            error: error.map(clean),
            description,
            aadsts,
            correlation_id: parsed.correlation_id.map(clean),
            trace_id: parsed.trace_id.map(clean),
        };
        return Err(AuthError::rejected(
            format!("{who}: the token endpoint refused"),
            details,
        ));
    }
    let invalid = |what: &str| {
        AuthError::of_kind(
            AuthErrorKind::InvalidResponse,
            format!("{who}: the token endpoint answered HTTP {status} but {what}"),
        )
    };
    let parsed: TokenBody =
        serde_json::from_slice(body).map_err(|_| invalid("the body is not a token response"))?;
    let token = parsed
        .access_token
        .filter(|token| !token.is_empty())
        .ok_or_else(|| invalid("the body has no access_token"))?;
    let lifetime = match (
        parsed.expires_in.as_ref().and_then(NumberOrString::value),
        parsed.expires_on.as_ref().and_then(NumberOrString::value),
    ) {
        (Some(seconds), _) => Duration::from_secs(seconds),
        (None, Some(unix)) => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            Duration::from_secs(unix.saturating_sub(now))
        }
        (None, None) => return Err(invalid("the body says neither expires_in nor expires_on")),
    };
    Ok(AccessToken::expiring_in(
        SecretString::from(token),
        lifetime,
    ))
}

/// `AADSTS7000215` from `AADSTS7000215: Invalid client secret…`.
fn aadsts_prefix(description: &str) -> Option<String> {
    let digits = description.strip_prefix("AADSTS")?;
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    (end > 0).then(|| format!("AADSTS{}", &digits[..end]))
}

/// The builder methods every app-registration credential shares: cloud, authority,
/// transport. The type must have a `client: ConfidentialClient` field.
macro_rules! confidential_builders {
    ($name:literal) => {
        /// Requests tokens from `cloud`'s login authority (default: the global cloud's). Takes
        /// the [`Cloud`](crate::Cloud) as [`GraphSyncClientBuilder::cloud`](crate::GraphSyncClientBuilder::cloud)
        /// does, so that one value configures both.
        #[must_use]
        pub fn cloud(mut self, cloud: $crate::Cloud) -> Self {
            self.client.set_cloud(&cloud);
            self
        }

        /// Requests tokens from another login authority, e.g. the one in
        /// `AZURE_AUTHORITY_HOST` or the local emulator.
        ///
        /// # Errors
        ///
        /// [`AuthError`] when `authority` is not an absolute HTTPS URL (plain HTTP is allowed
        /// only for loopback addresses).
        pub fn authority(mut self, authority: &str) -> Result<Self, AuthError> {
            self.client.set_authority($name, authority)?;
            Ok(self)
        }

        /// Sends token requests through `transport` (default: the reqwest transport).
        #[must_use]
        pub fn transport(
            mut self,
            transport: std::sync::Arc<dyn graph_sync_transport::Transport>,
        ) -> Self {
            self.client.http.set(transport);
            self
        }
    };
}
pub(crate) use confidential_builders;

/// The form of a token request, in one buffer that is wiped when dropped.
///
/// Sized for the worst case, every byte percent-encoded, so that it never grows: a growing
/// `String` frees each outgrown buffer, with the secret written so far, unwiped.
fn token_form(fields: &[(&str, &str)]) -> Zeroizing<Vec<u8>> {
    let capacity = fields.iter().fold(0_usize, |total, (name, value)| {
        total
            .saturating_add(name.len().saturating_add(value.len()).saturating_mul(3))
            .saturating_add(2)
    });
    let mut form = url::form_urlencoded::Serializer::new(String::with_capacity(capacity));
    form.extend_pairs(fields);
    Zeroizing::new(form.finish().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_form_is_written_in_its_first_buffer() {
        let hostile: String = (0..=255_u8).map(char::from).cycle().take(4096).collect();
        let fields = [
            ("grant_type", "client_credentials"),
            ("client_id", "00000000-0000-4000-8000-000000000001"),
            ("client_secret", hostile.as_str()),
            ("claims", "{\"access_token\":{}}"),
        ];
        let form = token_form(&fields);
        let expected = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        assert_eq!(*form, expected.into_bytes());
        // Never moved: the capacity is the worst-case size it started with.
        let worst = fields
            .iter()
            .map(|(name, value)| 3 * (name.len() + value.len()) + 2)
            .sum::<usize>();
        assert_eq!(form.capacity(), worst);
    }
    use tokio::time::Instant;

    fn answer(status: u16, body: &str) -> Response {
        http::Response::builder()
            .status(status)
            .body(Bytes::from(body.to_owned()))
            .unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn token_bodies_of_every_endpoint_are_read() {
        let start = Instant::now();
        for body in [
            r#"{"token_type":"Bearer","expires_in":3599,"access_token":"t"}"#,
            r#"{"access_token":"t","expires_in":"3599","resource":"r"}"#,
        ] {
            let token = parse_token_response("X", &answer(200, body), &[]).unwrap();
            assert_eq!(token.expires_at, Some(start + Duration::from_secs(3599)));
        }
        let in_an_hour = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600;
        let body = format!(r#"{{"access_token":"t","expires_on":"{in_an_hour}"}}"#);
        let token = parse_token_response("X", &answer(200, &body), &[]).unwrap();
        let lifetime = token.expires_at.unwrap() - start;
        assert!(lifetime <= Duration::from_secs(3600) && lifetime >= Duration::from_secs(3590));
        for bad in [
            "",
            "{}",
            r#"{"access_token":""}"#,
            r#"{"access_token":"t"}"#,
            "<html>",
        ] {
            let error = parse_token_response("X", &answer(200, bad), &[]).unwrap_err();
            assert_eq!(error.kind(), AuthErrorKind::InvalidResponse, "{bad}");
        }
    }

    /// `expires_in` and `expires_on` of any size, as numbers or text: no panic, and the token
    /// is never believed valid for longer than [`MAX_TOKEN_LIFETIME`].
    #[tokio::test(start_paused = true)]
    async fn token_lifetimes_of_any_size_are_clamped() {
        use crate::MAX_TOKEN_LIFETIME;
        use proptest::prelude::*;
        let number = prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            "-?[0-9]{1,40}",
            "[0-9]{1,20}".prop_map(|n| format!("\"{n}\"")),
            "[ -~]{0,12}".prop_map(|text| serde_json::Value::from(text).to_string()),
            Just("1e400".to_owned()),
            Just("-1".to_owned()),
            Just("null".to_owned()),
        ];
        let start = Instant::now();
        crate::property_runner()
            .run(
                &(prop::option::of(number.clone()), prop::option::of(number)),
                |(expires_in, expires_on)| {
                    let mut body = String::from(r#"{"access_token":"t""#);
                    for (name, value) in [("expires_in", expires_in), ("expires_on", expires_on)] {
                        if let Some(value) = value {
                            body.push_str(&format!(r#","{name}":{value}"#));
                        }
                    }
                    body.push('}');
                    match parse_token_response("X", &answer(200, &body), &[]) {
                        Ok(token) => {
                            let expires = token.expires_at.expect("an expiry");
                            prop_assert!(expires >= start, "{body}");
                            prop_assert!(expires <= start + MAX_TOKEN_LIFETIME, "{body}");
                        }
                        Err(error) => {
                            prop_assert_eq!(error.kind(), AuthErrorKind::InvalidResponse);
                        }
                    }
                    Ok(())
                },
            )
            .unwrap();
    }

    #[test]
    fn entra_errors_keep_codes_and_ids_and_lose_secrets() {
        let body = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided: s3cr3t-value. Trace ID: t","error_codes":[7000215],"timestamp":"2026-11-22 10:00:00Z","trace_id":"t-9","correlation_id":"c-9"}"#;
        let error = parse_token_response("X", &answer(401, body), &["s3cr3t-value"]).unwrap_err();
        assert_eq!(error.kind(), AuthErrorKind::Rejected);
        assert_eq!(error.error_code(), Some("invalid_client"));
        assert_eq!(error.aadsts_code(), Some("AADSTS7000215"));
        assert_eq!(error.correlation_id(), Some("c-9"));
        assert_eq!(error.trace_id(), Some("t-9"));
        assert_eq!(error.status(), Some(401));
        assert!(!error.to_string().contains("s3cr3t-value"));
        assert!(!format!("{error:?}").contains("s3cr3t-value"));

        let imds = r#"{"error":"invalid_request","error_description":"Required metadata header not specified"}"#;
        let error = parse_token_response("X", &answer(400, imds), &[]).unwrap_err();
        assert_eq!(error.aadsts_code(), None);
        assert_eq!(error.error_code(), Some("invalid_request"));

        let app_service = r#"{"error":{"code":"UnauthorizedRequest","message":"bad header"}}"#;
        let error = parse_token_response("X", &answer(401, app_service), &[]).unwrap_err();
        assert_eq!(error.error_code(), Some("UnauthorizedRequest"));
        assert_eq!(error.description(), Some("bad header"));

        let error = parse_token_response("X", &answer(502, "<html>"), &[]).unwrap_err();
        assert_eq!(error.kind(), AuthErrorKind::Rejected);
        assert_eq!(error.status(), Some(502));
    }

    #[test]
    fn tenants_must_be_safe_path_segments() {
        assert!(check_tenant("X", "contoso.onmicrosoft.com").is_ok());
        assert!(check_tenant("X", "72f988bf-86f1-41af-91ab-2d7cd011db47").is_ok());
        for bad in ["", "a/b", "a?b", "..%2f", "a b"] {
            assert!(check_tenant("X", bad).is_err(), "{bad}");
        }
        assert!(check_client_id("X", "").is_err());
        assert!(check_client_id("X", "a b").is_err());
    }

    #[test]
    fn the_token_url_is_under_the_authority() {
        let mut client = ConfidentialClient::new("X", "contoso", "app").unwrap();
        assert_eq!(
            client.token_url().as_str(),
            "https://login.microsoftonline.com/contoso/oauth2/v2.0/token"
        );
        client.set_cloud(&Cloud::us_gov_l5());
        assert_eq!(
            client.token_url().as_str(),
            "https://login.microsoftonline.us/contoso/oauth2/v2.0/token"
        );
        assert!(client.set_authority("X", "http://login.example").is_err());
        client.set_authority("X", "http://127.0.0.1:9/").unwrap();
        assert_eq!(
            client.token_url().as_str(),
            "http://127.0.0.1:9/contoso/oauth2/v2.0/token"
        );
    }
}
