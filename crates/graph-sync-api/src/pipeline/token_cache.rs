//! The client's token cache: one per client, one entry per scope, one refresh at a time.
//!
//! * A token is used until its **refresh point**: five minutes before expiry, or halfway
//!   through its life when it lives less than ten minutes. A token without an expiry (a
//!   static token) is never refreshed.
//! * **Single flight.** Each scope has a refresh lock. Whoever finds the token missing or
//!   due takes the lock and asks the credential; everyone else who arrives meanwhile either
//!   uses the still-valid token (refresh ahead) or waits for the lock and then finds the new
//!   token. However many requests wait, the credential is asked once.
//! * **A failed refresh is not fatal** while the cached token is still valid: it is used and
//!   the failure is logged; the next request past the refresh point tries again.
//! * **Rejection.** When Graph answers 401, [`TokenCache::refresh_rejected`] drops the
//!   rejected token (only if it is still the cached one, so that many requests rejected
//!   together cause one refresh) and gets a fresh one.
//! * **Claims challenge** (continuous access evaluation): [`TokenCache::refresh_with_claims`]
//!   asks the credential for a token carrying the claims and caches it for the scope, so
//!   later requests use it rather than meet the same challenge.
//!
//! * **One header per token.** A token is cached with its `Authorization` value
//!   ([`Bearer`]), so that a request clones a reference count rather than writing the token
//!   into a new buffer; the value's buffer is zeroized when the token is replaced and the last
//!   request carrying it is dropped.
//!
//! Time is `tokio::time::Instant`, so tests drive expiry with tokio's paused clock.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;
use secrecy::ExposeSecret;
use tokio::time::Instant;
use zeroize::Zeroizing;

use crate::credential::{AccessToken, AuthError, AuthErrorKind, TokenCredential, TokenRequest};

/// How long before expiry a token is refreshed.
const REFRESH_AHEAD: Duration = Duration::from_secs(5 * 60);
/// Tokens living less than this are refreshed halfway through their life.
const SHORT_LIVED: Duration = Duration::from_secs(10 * 60);

/// Tokens per scope, from one credential.
pub(crate) struct TokenCache {
    credential: Arc<dyn TokenCredential>,
    /// The first scope asked for, which is the client's Graph scope for nearly every
    /// request: found without a lock or a hash.
    first: OnceLock<(String, Arc<Slot>)>,
    /// Every other scope.
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

#[derive(Default)]
struct Slot {
    cached: Mutex<Option<Cached>>,
    refresh: tokio::sync::Mutex<()>,
}

/// A token and the `Authorization` header value that carries it, made once per token rather
/// than once per request.
pub(crate) struct Bearer {
    pub(crate) access: AccessToken,
    /// `Bearer <token>`, marked sensitive, in memory that is wiped when the last request
    /// holding it is dropped; `None` when the token holds bytes no header can carry.
    header: Option<HeaderValue>,
}

/// The scheme of the `Authorization` header.
const BEARER: &[u8] = b"Bearer ";

impl Bearer {
    pub(crate) fn new(access: AccessToken) -> Self {
        let secret = access.token.expose_secret();
        // Written in a buffer that is zeroized when dropped, and handed to the header
        // without a copy.
        let mut value = Zeroizing::new(Vec::with_capacity(
            BEARER.len().saturating_add(secret.len()),
        ));
        value.extend_from_slice(BEARER);
        value.extend_from_slice(secret.as_bytes());
        let header = HeaderValue::from_maybe_shared(Bytes::from_owner(value))
            .ok()
            .map(|mut header| {
                header.set_sensitive(true);
                header
            });
        Self { access, header }
    }

    /// The `Authorization` header value (a reference count, not a copy of the token).
    ///
    /// # Errors
    ///
    /// [`AuthErrorKind::Refused`] when the token holds bytes no header can carry.
    pub(crate) fn header(&self) -> Result<HeaderValue, AuthError> {
        self.header.clone().ok_or_else(|| {
            AuthError::of_kind(
                AuthErrorKind::Refused,
                "the access token holds characters that cannot go in an HTTP header",
            )
        })
    }
}

impl fmt::Debug for Bearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The header holds the token: only the token's own (redacted) form is shown.
        f.debug_struct("Bearer")
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
struct Cached {
    /// Shared, so that handing it to a request costs a reference count, not a copy of the
    /// secret.
    token: Arc<Bearer>,
    refresh_at: Option<Instant>,
}

impl Cached {
    fn new(token: Arc<Bearer>) -> Self {
        let now = Instant::now();
        let refresh_at = token.access.expires_at.map(|expires_at| {
            let lifetime = expires_at.saturating_duration_since(now);
            // Both stay between now and the expiry, so neither can overflow; checked anyway
            // because the expiry comes from the token endpoint.
            if lifetime < SHORT_LIVED {
                now.checked_add(lifetime.checked_div(2).unwrap_or_default())
                    .unwrap_or(expires_at)
            } else {
                expires_at.checked_sub(REFRESH_AHEAD).unwrap_or(now)
            }
        });
        Self { token, refresh_at }
    }

    fn is_fresh(&self, now: Instant) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }

    fn is_valid(&self, now: Instant) -> bool {
        self.token.access.expires_at.is_none_or(|at| now < at)
    }
}

impl Slot {
    fn cached(&self) -> Option<Cached> {
        self.cached
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn store(&self, cached: Option<Cached>) {
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = cached;
    }
}

impl TokenCache {
    pub(crate) fn new(credential: Arc<dyn TokenCredential>) -> Self {
        Self {
            credential,
            first: OnceLock::new(),
            slots: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn credential(&self) -> &Arc<dyn TokenCredential> {
        &self.credential
    }

    fn slot(&self, scope: &str) -> Arc<Slot> {
        let (first, slot) = self
            .first
            .get_or_init(|| (scope.to_owned(), Arc::default()));
        if first == scope {
            return Arc::clone(slot);
        }
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.get(scope) {
            return Arc::clone(slot);
        }
        Arc::clone(slots.entry(scope.to_owned()).or_default())
    }

    /// The cached token for `scope`, when [`get`](Self::get) would give it without waiting.
    pub(crate) fn cached(&self, scope: &str) -> Option<Arc<Bearer>> {
        cached_token(&self.slot(scope))
    }

    /// A token for `scope`: the cached one while fresh, else a refreshed one.
    pub(crate) async fn get(&self, scope: &str) -> Result<Arc<Bearer>, AuthError> {
        let slot = self.slot(scope);
        match cached_token(&slot) {
            Some(token) => Ok(token),
            // Once per token's life: out of line, so that the futures of the requests that
            // find a token cached stay small.
            None => Box::pin(self.refresh(scope, &slot)).await,
        }
    }

    /// Waits for the scope's refresh lock, then returns the token someone else refreshed
    /// meanwhile, or asks the credential.
    async fn refresh(&self, scope: &str, slot: &Slot) -> Result<Arc<Bearer>, AuthError> {
        let _refreshing = slot.refresh.lock().await;
        let now = Instant::now();
        let cached = slot.cached();
        if let Some(cached) = &cached
            && cached.is_fresh(now)
        {
            return Ok(cached.token.clone());
        }
        match self.credential.get_token(&TokenRequest::new(scope)).await {
            Ok(token) => {
                let token = Arc::new(Bearer::new(token));
                slot.store(Some(Cached::new(Arc::clone(&token))));
                Ok(token)
            }
            Err(error) => match cached {
                Some(cached) if cached.is_valid(Instant::now()) => {
                    tracing::warn!(%error, "token refresh failed; using the cached token until it expires");
                    Ok(cached.token)
                }
                _ => Err(error),
            },
        }
    }

    /// Drops `rejected` (if it is still the cached token for `scope`) and returns a fresh
    /// token. When several requests were rejected with the same token, only the first
    /// refreshes; the others get its result.
    pub(crate) async fn refresh_rejected(
        &self,
        scope: &str,
        rejected: &AccessToken,
    ) -> Result<Arc<Bearer>, AuthError> {
        let slot = self.slot(scope);
        {
            let _refreshing = slot.refresh.lock().await;
            if let Some(cached) = slot.cached()
                && cached.token.access.token.expose_secret() == rejected.token.expose_secret()
            {
                slot.store(None);
            }
        }
        self.get(scope).await
    }

    /// Asks for a token for `scope` carrying `claims` and caches it for the scope.
    pub(crate) async fn refresh_with_claims(
        &self,
        scope: &str,
        claims: &str,
    ) -> Result<Arc<Bearer>, AuthError> {
        let slot = self.slot(scope);
        let _refreshing = slot.refresh.lock().await;
        let token = self
            .credential
            .get_token(&TokenRequest::new(scope).with_claims(claims))
            .await?;
        let token = Arc::new(Bearer::new(token));
        slot.store(Some(Cached::new(Arc::clone(&token))));
        Ok(token)
    }
}

/// The slot's token, while it is fresh, or while it is valid and someone else refreshes it.
fn cached_token(slot: &Slot) -> Option<Arc<Bearer>> {
    let cached = slot.cached()?;
    let now = Instant::now();
    if cached.is_fresh(now) {
        return Some(cached.token);
    }
    // Refresh ahead: while someone else refreshes, a still-valid token will do.
    (cached.is_valid(now) && slot.refresh.try_lock().is_err()).then_some(cached.token)
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let others = self
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        let scopes = others.saturating_add(usize::from(self.first.get().is_some()));
        f.debug_struct("TokenCache")
            .field("credential", &self.credential)
            .field("scopes", &scopes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use secrecy::SecretString;

    use super::*;
    use crate::credential::MockTokenCredential;

    const SCOPE: &str = "https://graph.microsoft.com/.default";

    fn token(text: &str, lifetime: Duration) -> AccessToken {
        AccessToken::new(SecretString::from(text), Some(Instant::now() + lifetime))
    }

    /// A mock that gives `t1`, `t2`, … living `lifetime`, counting calls.
    fn counting(lifetime: Duration) -> (MockTokenCredential, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&calls);
        let mut credential = MockTokenCredential::new();
        credential.expect_get_token().returning(move |request| {
            assert_eq!(request.scope, SCOPE);
            let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(token(&format!("t{n}"), lifetime))
        });
        (credential, calls)
    }

    async fn text(cache: &TokenCache) -> String {
        cache
            .get(SCOPE)
            .await
            .unwrap()
            .access
            .token
            .expose_secret()
            .to_owned()
    }

    #[tokio::test(start_paused = true)]
    async fn an_hour_token_is_refreshed_five_minutes_before_expiry() {
        let (credential, calls) = counting(Duration::from_secs(3600));
        let cache = TokenCache::new(Arc::new(credential));
        assert_eq!(text(&cache).await, "t1");
        tokio::time::advance(Duration::from_secs(3600 - 300 - 1)).await;
        assert_eq!(text(&cache).await, "t1");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(text(&cache).await, "t2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_short_lived_token_is_refreshed_halfway() {
        let (credential, calls) = counting(Duration::from_secs(240));
        let cache = TokenCache::new(Arc::new(credential));
        assert_eq!(text(&cache).await, "t1");
        tokio::time::advance(Duration::from_secs(119)).await;
        assert_eq!(text(&cache).await, "t1");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(text(&cache).await, "t2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_refresh_keeps_a_valid_token_and_an_expired_one_fails() {
        let mut credential = MockTokenCredential::new();
        let mut sequence = mockall::Sequence::new();
        credential
            .expect_get_token()
            .times(1)
            .in_sequence(&mut sequence)
            .returning(|_| Ok(token("t1", Duration::from_secs(3600))));
        credential
            .expect_get_token()
            .times(2)
            .in_sequence(&mut sequence)
            .returning(|_| Err(AuthError::new("token endpoint down")));
        let cache = TokenCache::new(Arc::new(credential));
        assert_eq!(text(&cache).await, "t1");
        tokio::time::advance(Duration::from_secs(3400)).await;
        assert_eq!(
            text(&cache).await,
            "t1",
            "refresh failed, token still valid"
        );
        tokio::time::advance(Duration::from_secs(200)).await;
        let error = cache.get(SCOPE).await.unwrap_err();
        assert_eq!(error.to_string(), "token endpoint down");
    }

    /// Takes a second (of paused time) per call, counting calls.
    #[derive(Debug, Default)]
    struct Slow(AtomicUsize);

    #[async_trait::async_trait]
    impl TokenCredential for Slow {
        async fn get_token(&self, _request: &TokenRequest) -> Result<AccessToken, AuthError> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok(token(&format!("t{n}"), Duration::from_secs(3600)))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn during_a_refresh_ahead_others_use_the_valid_token_without_waiting() {
        let credential = Arc::new(Slow::default());
        let cache = Arc::new(TokenCache::new(credential.clone()));
        assert_eq!(text(&cache).await, "t1");
        tokio::time::advance(Duration::from_secs(3300)).await;
        let refresher = {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move { text(&cache).await })
        };
        tokio::task::yield_now().await; // the refresher takes the lock and waits on the credential
        let started = Instant::now();
        for _ in 0..100 {
            assert_eq!(text(&cache).await, "t1");
        }
        assert_eq!(Instant::now(), started, "nobody waited for the refresh");
        assert_eq!(refresher.await.unwrap(), "t2");
        assert_eq!(text(&cache).await, "t2");
        assert_eq!(credential.0.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn scopes_are_cached_apart() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&calls);
        let mut credential = MockTokenCredential::new();
        credential.expect_get_token().returning(move |request| {
            seen.fetch_add(1, Ordering::SeqCst);
            Ok(token(&request.scope, Duration::from_secs(3600)))
        });
        let cache = TokenCache::new(Arc::new(credential));
        for _ in 0..3 {
            for scope in ["a/.default", "b/.default"] {
                let got = cache.get(scope).await.unwrap();
                assert_eq!(got.access.token.expose_secret(), scope);
            }
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_rejected_token_is_replaced_once_however_many_saw_it() {
        let (credential, calls) = counting(Duration::from_secs(3600));
        let cache = Arc::new(TokenCache::new(Arc::new(credential)));
        let rejected = cache.get(SCOPE).await.unwrap();
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let cache = Arc::clone(&cache);
                let rejected = rejected.clone();
                tokio::spawn(async move { cache.refresh_rejected(SCOPE, &rejected.access).await })
            })
            .collect();
        for task in tasks {
            assert_eq!(
                task.await.unwrap().unwrap().access.token.expose_secret(),
                "t2"
            );
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_claims_token_replaces_the_cached_one() {
        let mut credential = MockTokenCredential::new();
        credential
            .expect_get_token()
            .withf(|request| request.claims.is_none())
            .times(1)
            .returning(|_| Ok(token("plain", Duration::from_secs(3600))));
        credential
            .expect_get_token()
            .withf(|request| request.claims.as_deref() == Some(r#"{"access_token":{}}"#))
            .times(1)
            .returning(|_| Ok(token("with-claims", Duration::from_secs(3600))));
        let cache = TokenCache::new(Arc::new(credential));
        assert_eq!(text(&cache).await, "plain");
        let fresh = cache
            .refresh_with_claims(SCOPE, r#"{"access_token":{}}"#)
            .await
            .unwrap();
        assert_eq!(fresh.access.token.expose_secret(), "with-claims");
        assert_eq!(text(&cache).await, "with-claims");
    }
}
