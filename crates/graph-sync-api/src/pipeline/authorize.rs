//! The token stage of one attempt: attach the cached token, send, and answer a `401` once.
//!
//! [`Pipeline::attempt`](super::Pipeline::attempt) takes the token from the cache and sends
//! with [`send`]; [`Pipeline::answered`](super::Pipeline::answered) hands a `401` to
//! [`reauthorize`], boxed, as it is rare.
//!
//! A `401` gets one fresh token and one resend. When its `WWW-Authenticate` header is a
//! continuous access evaluation challenge (`error="insufficient_claims", claims="<base64>"`),
//! the fresh token is requested with those claims. Either way there is exactly one more
//! try: a second `401` is the answer. When the credential gives the same token again (a
//! static token), nothing is resent.

use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use graph_sync_transport::{Response, Transport, TransportError};
use http::header::WWW_AUTHENTICATE;
use http::{HeaderMap, HeaderValue, Request};
use secrecy::ExposeSecret;

use super::token_cache::{Bearer, TokenCache};
use crate::error::Error;

/// After a `401`: one fresh token (with the challenge's claims, if any) and one resend, unless
/// the credential gives the same token again.
pub(super) async fn reauthorize(
    tokens: &TokenCache,
    transport: &dyn Transport,
    scope: &str,
    attempt: u32,
    build: impl Fn(HeaderValue) -> Request<Bytes>,
    response: Response,
    token: Arc<Bearer>,
) -> Result<(Response, Arc<Bearer>), Error> {
    let fresh = match claims_challenge(response.headers()) {
        Some(claims) => {
            tracing::debug!(
                attempt,
                "401 with a claims challenge; requesting a token with the claims"
            );
            tokens.refresh_with_claims(scope, &claims).await
        }
        None => {
            tracing::debug!(attempt, "401; requesting a fresh token");
            tokens.refresh_rejected(scope, &token.access).await
        }
    }
    .map_err(Error::Auth)?;
    if fresh.access.token.expose_secret() == token.access.token.expose_secret() {
        tracing::debug!(attempt, "the credential gave the same token; not resending");
        return Ok((response, token));
    }
    let request = build(fresh.header().map_err(Error::Auth)?);
    let response = send(transport, request, attempt)
        .await
        .map_err(|error| transport_failed(error, attempt))?;
    Ok((response, fresh))
}

/// Hands `request` to the transport.
pub(super) fn send<'a>(
    transport: &'a dyn Transport,
    request: Request<Bytes>,
    attempt: u32,
) -> Pin<Box<dyn Future<Output = Result<Response, TransportError>> + Send + 'a>> {
    tracing::debug!(attempt, "sending");
    transport.send(request)
}

/// The error of an attempt the transport failed, logged.
#[cold]
#[inline(never)]
pub(super) fn transport_failed(error: TransportError, attempt: u32) -> Error {
    tracing::debug!(
        attempt,
        kind = %error.kind(),
        reached_server = error.may_have_reached_server(),
        "transport failed"
    );
    Error::Transport(error)
}

/// The claims of a continuous access evaluation challenge: the decoded JSON of
/// `claims="…"` in a `Bearer` challenge with `error="insufficient_claims"`.
pub(crate) fn claims_challenge(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| {
            let params = value.trim().strip_prefix("Bearer")?;
            let params = auth_params(params);
            let error = params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("error"))?;
            if error.1 != "insufficient_claims" {
                return None;
            }
            let (_, encoded) = params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("claims"))?;
            decode_claims(encoded)
        })
}

/// `key="value"` or `key=token` pairs separated by commas (RFC 9110 auth-params).
fn auth_params(text: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_owned();
        // `=` is one byte: the value starts right after it.
        rest = rest[eq.saturating_add(1)..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            out.push(escaped);
                        }
                    }
                    '"' => {
                        end = Some(i.saturating_add(1));
                        break;
                    }
                    c => out.push(c),
                }
            }
            // An unterminated quoted string ends the parameters.
            let Some(end) = end else { break };
            value = out;
            rest = &quoted[end..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_owned();
            rest = &rest[end..];
        }
        params.push((key, value));
    }
    params
}

/// Base64 (standard or URL-safe, padded or not) of a JSON document.
fn decode_claims(encoded: &str) -> Option<String> {
    use base64ct::{Base64, Base64Unpadded, Base64Url, Base64UrlUnpadded, Encoding};
    let bytes = Base64::decode_vec(encoded)
        .or_else(|_| Base64Unpadded::decode_vec(encoded))
        .or_else(|_| Base64Url::decode_vec(encoded))
        .or_else(|_| Base64UrlUnpadded::decode_vec(encoded))
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .filter(serde_json::Value::is_object)?;
    Some(text)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(WWW_AUTHENTICATE, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn a_cae_challenge_yields_its_claims() {
        // {"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}
        let challenge = "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzAwMDAwMDAwIn19fQ==\"";
        assert_eq!(
            claims_challenge(&headers(&["Basic realm=\"x\"", challenge])).as_deref(),
            Some(r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#)
        );
    }

    #[test]
    fn other_401s_are_not_claims_challenges() {
        for value in [
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\"",
            "Bearer error=\"invalid_token\", claims=\"e30=\"",
            "Bearer error=\"insufficient_claims\", claims=\"not base64!\"",
            "Bearer error=\"insufficient_claims\", claims=\"WzFd\"",
            "Bearer error=\"insufficient_claims\"",
            "Basic error=\"insufficient_claims\", claims=\"e30=\"",
            "Bearer error=\"insufficient_claims\", claims=\"e30",
        ] {
            assert_eq!(claims_challenge(&headers(&[value])), None, "{value}");
        }
        assert_eq!(
            claims_challenge(&headers(&["Bearer error=insufficient_claims, claims=e30"]))
                .as_deref(),
            Some("{}")
        );
    }

    #[test]
    fn auth_params_handle_quotes_and_escapes() {
        assert_eq!(
            auth_params(r#" a="x, y", b=plain , c="q\"d""#),
            [("a", "x, y"), ("b", "plain"), ("c", "q\"d")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
    }
}
