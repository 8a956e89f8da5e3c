//! National clouds: each ties a Graph root, a login authority and a token scope together.

use std::fmt;

use url::Url;

use crate::error::{Error, InvalidInput};

/// A Microsoft cloud: where Graph is, where tokens come from, and which scope they carry.
///
/// Tokens are not interchangeable between clouds, so the three always travel together; a
/// token is attached only to requests for this cloud's Graph host.
#[derive(Clone, PartialEq, Eq)]
pub struct Cloud {
    name: String,
    graph_root: Url,
    authority: Url,
    scope: String,
}

impl Cloud {
    /// The global cloud: `https://graph.microsoft.com`, `https://login.microsoftonline.com`.
    #[must_use]
    pub fn global() -> Self {
        Self::known(
            "Global",
            "https://graph.microsoft.com",
            "https://login.microsoftonline.com",
        )
    }

    /// US Government L4 (GCC High): `https://graph.microsoft.us`.
    #[must_use]
    pub fn us_gov_l4() -> Self {
        Self::known(
            "US Gov L4",
            "https://graph.microsoft.us",
            "https://login.microsoftonline.us",
        )
    }

    /// US Government L5 (DoD): `https://dod-graph.microsoft.us`.
    #[must_use]
    pub fn us_gov_l5() -> Self {
        Self::known(
            "US Gov L5 (DoD)",
            "https://dod-graph.microsoft.us",
            "https://login.microsoftonline.us",
        )
    }

    /// China, operated by 21Vianet: `https://microsoftgraph.chinacloudapi.cn`.
    #[must_use]
    pub fn china() -> Self {
        Self::known(
            "China (21Vianet)",
            "https://microsoftgraph.chinacloudapi.cn",
            "https://login.chinacloudapi.cn",
        )
    }

    fn known(name: &str, host: &str, authority: &str) -> Self {
        Self::custom(name, host, authority)
            .unwrap_or_else(|e| unreachable!("built-in cloud {name} is valid: {e}"))
    }

    /// A custom cloud or endpoint, such as a proxy or the local emulator.
    ///
    /// `graph_root` is the Graph host with an optional version path (`https://graph.example`
    /// means `https://graph.example/v1.0`); the token scope is `{host}/.default`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when a URL is not absolute, not HTTPS (plain HTTP is allowed
    /// only for loopback addresses), or carries a query, fragment or credentials.
    pub fn custom(name: &str, graph_root: &str, authority: &str) -> Result<Self, Error> {
        let mut graph_root = parse_endpoint("Graph root", graph_root)?;
        if graph_root.path() == "/" || graph_root.path().is_empty() {
            graph_root.set_path("/v1.0");
        }
        let authority = parse_endpoint("login authority", authority)?;
        let scope = format!("{}/.default", origin(&graph_root));
        Ok(Self {
            name: name.to_owned(),
            graph_root,
            authority,
            scope,
        })
    }

    /// The same cloud with another Graph root (a proxy, the emulator); the token scope
    /// follows the new root's host, the authority stays.
    ///
    /// # Errors
    ///
    /// As [`Cloud::custom`].
    pub fn with_graph_root(&self, graph_root: &str) -> Result<Self, Error> {
        Self::custom(
            &format!("{} via {graph_root}", self.name),
            graph_root,
            self.authority.as_str(),
        )
    }

    /// The cloud's name, for messages.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Graph root requests are built on, e.g. `https://graph.microsoft.com/v1.0`.
    #[must_use]
    pub fn graph_root(&self) -> &Url {
        &self.graph_root
    }

    /// The login authority, e.g. `https://login.microsoftonline.com`.
    #[must_use]
    pub fn authority(&self) -> &Url {
        &self.authority
    }

    /// The token scope for Graph in this cloud, e.g. `https://graph.microsoft.com/.default`.
    #[must_use]
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// Whether this is the China cloud (21Vianet), by its Graph host or its login authority
    /// (so a proxy in front of China's Graph still counts), where some Graph APIs, such as
    /// the provisioning logs, are not served.
    #[must_use]
    pub fn is_china(&self) -> bool {
        let china = |url: &Url| {
            url.host_str().is_some_and(|host| {
                let host = host.to_ascii_lowercase();
                host == "chinacloudapi.cn" || host.ends_with(".chinacloudapi.cn")
            })
        };
        china(&self.graph_root) || china(&self.authority)
    }

    /// Whether `url` is on this cloud's Graph host (same scheme, host and port), the only
    /// place a token for this cloud may be sent.
    #[must_use]
    pub fn is_graph_url(&self, url: &Url) -> bool {
        url.scheme() == self.graph_root.scheme()
            && url.host() == self.graph_root.host()
            && url.port_or_known_default() == self.graph_root.port_or_known_default()
    }

    /// [`is_graph_url`](Self::is_graph_url) for the URI a request carries. Scheme and host
    /// compare without regard to case; a port left out is the scheme's default.
    pub(crate) fn is_graph_uri(&self, uri: &http::Uri) -> bool {
        let root = &self.graph_root;
        let Some(scheme) = uri.scheme_str() else {
            return false;
        };
        // A URI put together from the root (every operation's) has its very text.
        if scheme == root.scheme()
            && uri.authority().is_some_and(|authority| {
                authority.as_str() == &root[url::Position::BeforeHost..url::Position::AfterPort]
            })
        {
            return true;
        }
        let default_port = if scheme.eq_ignore_ascii_case("https") {
            Some(443)
        } else if scheme.eq_ignore_ascii_case("http") {
            Some(80)
        } else {
            None
        };
        scheme.eq_ignore_ascii_case(root.scheme())
            && uri
                .host()
                .zip(root.host_str())
                .is_some_and(|(host, root)| host.eq_ignore_ascii_case(root))
            && uri.port_u16().or(default_port) == root.port_or_known_default()
    }
}

impl Default for Cloud {
    fn default() -> Self {
        Self::global()
    }
}

impl fmt::Debug for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cloud")
            .field("name", &self.name)
            .field("graph_root", &self.graph_root.as_str())
            .field("authority", &self.authority.as_str())
            .finish()
    }
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Whether `url` points at this machine: `localhost`, 127.0.0.0/8 or `::1`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

pub(crate) fn parse_endpoint(what: &str, text: &str) -> Result<Url, Error> {
    // Quoted without userinfo, query or fragment: they may hold a password or a token.
    let shown = crate::redact::display_url(text);
    let invalid =
        |reason: String| Error::InvalidInput(InvalidInput::new(format!("{what} {reason}")));
    let url =
        Url::parse(text).map_err(|e| invalid(format!("{shown:?} is not an absolute URL ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(invalid(format!(
                "{shown:?} uses plain http; only https is allowed (http only for loopback)"
            )));
        }
        other => {
            return Err(invalid(format!(
                "{shown:?} has scheme {:?}; expected https",
                crate::redact::sanitize_to(other, 32)
            )));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!(
            "{shown:?} must not have a query or fragment"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not carry credentials".to_owned()));
    }
    let mut url = url;
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_clouds_bind_root_authority_and_scope() {
        let cases = [
            (
                Cloud::global(),
                "https://graph.microsoft.com/v1.0",
                "https://graph.microsoft.com/.default",
            ),
            (
                Cloud::us_gov_l4(),
                "https://graph.microsoft.us/v1.0",
                "https://graph.microsoft.us/.default",
            ),
            (
                Cloud::us_gov_l5(),
                "https://dod-graph.microsoft.us/v1.0",
                "https://dod-graph.microsoft.us/.default",
            ),
            (
                Cloud::china(),
                "https://microsoftgraph.chinacloudapi.cn/v1.0",
                "https://microsoftgraph.chinacloudapi.cn/.default",
            ),
        ];
        for (cloud, root, scope) in cases {
            assert_eq!(cloud.graph_root().as_str(), root);
            assert_eq!(cloud.scope(), scope);
        }
        assert_eq!(
            Cloud::us_gov_l5().authority().as_str(),
            "https://login.microsoftonline.us/"
        );
    }

    #[test]
    fn custom_clouds_allow_http_only_on_loopback() {
        let local = Cloud::custom(
            "emulator",
            "http://127.0.0.1:8080/v1.0/",
            "http://127.0.0.1:8080",
        )
        .unwrap();
        assert_eq!(local.graph_root().as_str(), "http://127.0.0.1:8080/v1.0");
        assert_eq!(local.scope(), "http://127.0.0.1:8080/.default");
        assert!(Cloud::custom("x", "http://localhost:1", "http://[::1]:2").is_ok());
        for bad in [
            "http://graph.example.com",
            "ftp://127.0.0.1",
            "https://g.example?x=1",
            "https://u:p@g.example",
            "graph.example",
        ] {
            let err = Cloud::custom("x", bad, "https://login.example").unwrap_err();
            assert!(matches!(err, Error::InvalidInput(_)), "{bad}");
        }
    }

    #[test]
    fn china_is_recognised_by_graph_host_or_authority() {
        assert!(Cloud::china().is_china());
        assert!(
            Cloud::china()
                .with_graph_root("http://127.0.0.1:9/v1.0")
                .unwrap()
                .is_china()
        );
        for other in [Cloud::global(), Cloud::us_gov_l4(), Cloud::us_gov_l5()] {
            assert!(!other.is_china(), "{}", other.name());
        }
        let lookalike = Cloud::custom(
            "x",
            "https://chinacloudapi.cn.example",
            "https://login.example",
        )
        .unwrap();
        assert!(!lookalike.is_china());
    }

    #[test]
    fn graph_url_check_compares_scheme_host_and_port() {
        let cloud = Cloud::global();
        assert!(cloud.is_graph_url(&Url::parse("https://graph.microsoft.com/v1.0/x").unwrap()));
        assert!(cloud.is_graph_url(&Url::parse("https://graph.microsoft.com:443/beta").unwrap()));
        for other in [
            "https://graph.microsoft.com.evil.example/",
            "http://graph.microsoft.com/",
            "https://graph.microsoft.com:8443/",
        ] {
            assert!(!cloud.is_graph_url(&Url::parse(other).unwrap()), "{other}");
            assert!(!cloud.is_graph_uri(&other.parse().unwrap()), "{other}");
        }
    }

    #[test]
    fn graph_uri_check_agrees_with_the_url_check() {
        let loopback =
            Cloud::custom("emulator", "http://[::1]:8080/v1.0", "http://[::1]:8080").unwrap();
        for (cloud, uri, same) in [
            (Cloud::global(), "https://graph.microsoft.com/v1.0/x", true),
            (
                Cloud::global(),
                "HTTPS://Graph.Microsoft.COM:443/beta",
                true,
            ),
            (
                Cloud::global(),
                "https://user:pw@graph.microsoft.com/v1.0",
                true,
            ),
            (Cloud::global(), "https://graph.microsoft.com:8443/", false),
            (Cloud::global(), "http://graph.microsoft.com/", false),
            (Cloud::global(), "/v1.0/relative", false),
            (loopback.clone(), "http://[::1]:8080/v1.0/x", true),
            (loopback.clone(), "http://[::1]/v1.0/x", false),
            (loopback, "http://127.0.0.1:8080/v1.0/x", false),
        ] {
            assert_eq!(cloud.is_graph_uri(&uri.parse().unwrap()), same, "{uri}");
        }
    }
}
