//! The URL reqwest needs, made from an `http::Uri` without parsing the same host twice.
//!
//! reqwest takes a `url::Url`, which only parsing makes; parsing a whole URL runs the host
//! through IDNA and IPv4 checks, most of the cost, although a client sends nearly every request
//! to the same one or two origins. [`Origins`] keeps the parsed form of the first few
//! `scheme://authority` pairs it sees, and builds the URL of a request to one of them from a
//! copy of it, parsing only the path and the query. The result is the URL that parsing the
//! whole text gives (a test compares the two on hostile paths and queries).

use std::sync::OnceLock;

use reqwest::Url;

/// How many origins are kept. A client talks to Graph and to its token endpoint; requests to
/// further origins are parsed whole, as before, and nothing is ever evicted.
const KEPT: usize = 4;

/// The parsed origins of one transport (its clones share them).
#[derive(Default)]
pub(crate) struct Origins([OnceLock<Origin>; KEPT]);

/// One `scheme://authority`, as the request's `Uri` spelled it, and its parse with path `/`.
struct Origin {
    scheme: String,
    authority: String,
    url: Url,
}

impl Origins {
    /// The URL of `scheme://authority` + `path_and_query`, or `None` when it does not parse.
    pub(crate) fn url(&self, scheme: &str, authority: &str, path_and_query: &str) -> Option<Url> {
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        let mut room = false;
        for slot in &self.0 {
            match slot.get() {
                Some(origin) if origin.scheme == scheme && origin.authority == authority => {
                    let mut url = origin.url.clone();
                    url.set_path(path);
                    url.set_query(query);
                    return Some(url);
                }
                Some(_) => {}
                None => {
                    room = true;
                    break;
                }
            }
        }
        let url = parse_whole(scheme, authority, path_and_query)?;
        // Credentials in the authority are not kept beyond the request that carried them; once
        // every slot is taken, nothing more is copied to be offered.
        if room && !authority.contains('@') {
            self.keep(scheme, authority, &url);
        }
        Some(url)
    }

    /// Keeps the origin of `url` in the first free slot, unless a slot already holds it.
    fn keep(&self, scheme: &str, authority: &str, url: &Url) {
        let mut base = url.clone();
        base.set_query(None);
        base.set_path("/");
        let mut origin = Origin {
            scheme: scheme.to_owned(),
            authority: authority.to_owned(),
            url: base,
        };
        for slot in &self.0 {
            match slot.set(origin) {
                Ok(()) => return,
                Err(back) => {
                    if slot
                        .get()
                        .is_some_and(|kept| kept.scheme == scheme && kept.authority == authority)
                    {
                        return;
                    }
                    origin = back;
                }
            }
        }
    }
}

/// Parses the whole URL: the string is put together from the parts with one allocation.
fn parse_whole(scheme: &str, authority: &str, path_and_query: &str) -> Option<Url> {
    let mut text = String::with_capacity(
        scheme
            .len()
            .saturating_add(authority.len())
            .saturating_add(path_and_query.len())
            .saturating_add(3),
    );
    text.push_str(scheme);
    text.push_str("://");
    text.push_str(authority);
    text.push_str(path_and_query);
    Url::parse(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds the URL of `uri` both ways (whole, then through a kept origin) and returns both;
    /// `None` only when `uri` is not an `http::Uri` (and so never reaches the transport).
    fn both(origins: &Origins, uri: &str) -> Option<(Url, Url)> {
        let uri: http::Uri = uri.parse().ok()?;
        let (scheme, authority) = (uri.scheme_str().unwrap(), uri.authority().unwrap().as_str());
        let path = uri.path_and_query().map_or("/", |path| path.as_str());
        let whole = parse_whole(scheme, authority, path).unwrap();
        // The first call may parse whole; the second goes through the kept origin.
        origins.url(scheme, authority, path).unwrap();
        assert!(
            origins.0.iter().any(|slot| slot
                .get()
                .is_some_and(|origin| origin.scheme == scheme && origin.authority == authority)),
            "{uri}: origin not kept"
        );
        let kept = origins.url(scheme, authority, path).unwrap();
        Some((whole, kept))
    }

    #[test]
    fn a_kept_origin_gives_the_url_parsing_gives() {
        let roots = [
            "https://graph.microsoft.com",
            "http://127.0.0.1:8080",
            "HTTPS://Graph.Microsoft.COM:443",
            "http://[::1]:9",
            "https://xn--bcher-kva.example",
        ];
        let paths = [
            "",
            "/",
            "?a=b",
            "/v1.0/servicePrincipals/00000000-0000-4000-8000-000000000001/synchronization/secrets",
            "/v1.0/a/./b/../c",
            "/v1.0/%2e%2e/x",
            "/v1.0/a%2Fb/%41",
            "/v1.0/jobs/$count",
            "/v1.0/x?$filter=startswith(displayName,'a%20b')&$top=5",
            "/v1.0/x?",
            "/v1.0/x??a=b?c",
            "/v1.0/x?a=%zz&b=%22q%22",
            "/v1.0/x?a='b'&c=%3Cd%3E",
            "/v1.0/%",
            "/v1.0/a;b=c/%7Bd%7D%7Ce%5Ef%60g",
            "/v1.0/a:b@c!d$e&f'g(h)i*j+k,l=m",
            "/v1.0//double//slash/",
            "/..",
            "/v1.0/x?a=b#",
        ];
        let mut compared = 0;
        for root in roots {
            // Each root its own transport's worth of origins: more roots than slots.
            let origins = Origins::default();
            for path in paths {
                let uri = format!("{root}{path}");
                if let Some((whole, kept)) = both(&origins, &uri) {
                    assert_eq!(kept.as_str(), whole.as_str(), "{uri}");
                    assert_eq!(kept, whole, "{uri}");
                    compared += 1;
                }
            }
        }
        // Every one is a valid `Uri` (what reaches the transport), so every one was compared.
        assert_eq!(compared, roots.len() * paths.len());
    }

    #[test]
    fn every_printable_ascii_byte_in_a_path_or_query_gives_the_same_url() {
        let origins = Origins::default();
        let mut compared = 0;
        for byte in 0x21_u8..0x7f {
            let c = char::from(byte);
            for uri in [
                format!("https://graph.microsoft.com/v1.0/a{c}b/{c}"),
                format!("https://graph.microsoft.com/v1.0/a?x={c}&{c}{c}"),
                format!("https://graph.microsoft.com/{c}.{c}/..{c}"),
            ] {
                if let Some((whole, kept)) = both(&origins, &uri) {
                    assert_eq!(kept.as_str(), whole.as_str(), "{uri}");
                    compared += 1;
                }
            }
        }
        // All but a few (the http crate refuses `"`, `<`, `>` and the like, and `#` ends the
        // URI) reach the comparison.
        assert!(compared >= 3 * (0x7f - 0x21 - 10), "{compared}");
    }

    #[test]
    fn only_the_first_origins_are_kept_and_credentials_never() {
        let origins = Origins::default();
        assert!(
            origins
                .url("https", "user:password@graph.example", "/x")
                .is_some()
        );
        assert!(origins.0.iter().all(|slot| slot.get().is_none()));
        for port in 0..10 {
            let authority = format!("graph.example:{}", 8000 + port);
            let url = origins.url("https", &authority, "/a?b=c").unwrap();
            assert_eq!(url.as_str(), format!("https://{authority}/a?b=c"));
            // Asked again: the same answer, whether kept or not.
            let again = origins.url("https", &authority, "/a?b=c").unwrap();
            assert_eq!(again, url);
        }
        let kept: Vec<_> = origins
            .0
            .iter()
            .filter_map(|slot| slot.get().map(|origin| origin.authority.clone()))
            .collect();
        assert_eq!(
            kept,
            [
                "graph.example:8000",
                "graph.example:8001",
                "graph.example:8002",
                "graph.example:8003"
            ]
        );
        assert_eq!(origins.url("https", "a b", "/"), None);
    }
}
