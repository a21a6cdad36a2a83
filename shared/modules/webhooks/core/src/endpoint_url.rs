use std::fmt;
use std::net::IpAddr;

use kernel::ValidationError;
use url::{Host, Position, Url};

use crate::address::{AddressClass, classify};

const MAX_LEN: usize = 2048;
const FIELD: &str = "url";

/// Which receivers a deployment may call. Production is [`Public`](Self::Public); local
/// development and tests use [`Local`](Self::Local), so a receiver on this machine works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UrlPolicy {
    /// `https://` only, to public addresses only.
    #[default]
    Public,
    /// Also `http://`, and also loopback and private addresses.
    Local,
}

impl UrlPolicy {
    pub const fn allows_http(self) -> bool {
        matches!(self, Self::Local)
    }

    /// Whether a delivery may connect to `ip`. Reserved ranges (link-local, where cloud
    /// metadata answers, multicast...) are refused even locally.
    pub fn allows(self, ip: IpAddr) -> bool {
        match classify(ip) {
            AddressClass::Public => true,
            AddressClass::Loopback | AddressClass::Private => self == Self::Local,
            AddressClass::Reserved => false,
        }
    }
}

/// The host part of an endpoint's URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlHost<'a> {
    /// A DNS name, lowercase, IDNs in their ASCII form.
    Domain(&'a str),
    Ip(IpAddr),
}

/// An absolute `https://` URL (or `http://` under [`UrlPolicy::Local`]) without credentials or
/// fragment, at most 2048 characters, whose host is not an address the policy refuses. Its host
/// is only a name here: the sender checks the addresses it resolves to before connecting.
#[derive(Clone, PartialEq, Eq)]
pub struct EndpointUrl(Url);

impl EndpointUrl {
    pub fn parse(raw: &str, policy: UrlPolicy) -> Result<Self, ValidationError> {
        let invalid = |why: &str| ValidationError::new(FIELD, why);
        let raw = raw.trim();
        if raw.len() > MAX_LEN {
            return Err(invalid("must be at most 2048 characters"));
        }
        let url = Url::parse(raw).map_err(|_| invalid("must be an absolute URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if policy.allows_http() => {}
            _ => return Err(invalid("must start with https://")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("must not contain credentials"));
        }
        if url.fragment().is_some() {
            return Err(invalid("must not contain a fragment"));
        }
        // Normalising (IDNs to ASCII, escapes) can lengthen it: the stored form must fit too.
        if url.as_str().len() > MAX_LEN {
            return Err(invalid("must be at most 2048 characters"));
        }
        let url = Self(url);
        match url.host() {
            UrlHost::Ip(ip) if !policy.allows(ip) => {
                Err(invalid("must not point at a private or reserved address"))
            }
            UrlHost::Domain(name) if policy == UrlPolicy::Public && is_local_name(name) => {
                Err(invalid("must not point at this machine"))
            }
            _ => Ok(url),
        }
    }

    /// A URL read back from the store, which only ever holds parsed ones; `None` if it does
    /// not even parse as a URL with a host.
    pub fn from_stored(raw: &str) -> Option<Self> {
        let url = Url::parse(raw).ok()?;
        url.host()?;
        Some(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }

    pub fn host(&self) -> UrlHost<'_> {
        match self.0.host() {
            Some(Host::Ipv4(ip)) => UrlHost::Ip(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => UrlHost::Ip(IpAddr::V6(ip)),
            Some(Host::Domain(name)) => UrlHost::Domain(name),
            // Parsing refused URLs without a host.
            None => UrlHost::Domain(""),
        }
    }

    /// The port, the scheme's default when the URL names none.
    pub fn port(&self) -> u16 {
        self.0.port_or_known_default().unwrap_or(443)
    }

    /// The `Host` header's value: the host, and the port when it is not the default.
    pub fn authority(&self) -> String {
        let host = self.0.host_str().unwrap_or_default();
        match self.0.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// What the request line carries: the path and the query.
    pub fn path_and_query(&self) -> &str {
        &self.0[Position::BeforePath..Position::AfterQuery]
    }
}

/// Names that resolve to this machine by convention (RFC 6761), whatever DNS says.
fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    name == "localhost" || name.ends_with(".localhost")
}

impl fmt::Debug for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EndpointUrl").field(&self.as_str()).finish()
    }
}

impl fmt::Display for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str, policy: UrlPolicy) -> bool {
        EndpointUrl::parse(raw, policy).is_err_and(|e| e.field == FIELD)
    }

    #[test]
    fn production_takes_public_https_urls_only() {
        let url = EndpointUrl::parse("https://Hooks.Example.com/in?x=1", UrlPolicy::Public);
        let url = url.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(url.host(), UrlHost::Domain("hooks.example.com"));
        assert_eq!(
            (url.port(), url.authority()),
            (443, "hooks.example.com".into())
        );
        assert_eq!(url.path_and_query(), "/in?x=1");
        for raw in [
            "http://hooks.example.com/",
            "ftp://hooks.example.com/",
            "hooks.example.com/in",
            "https://user:pw@hooks.example.com/",
            "https://hooks.example.com/#frag",
            "https://localhost/",
            "https://api.localhost./",
            "https://127.0.0.1/",
            "https://[::1]/",
            "https://10.0.0.8/",
            "https://[::ffff:192.168.0.1]/",
            "https://169.254.169.254/latest/meta-data",
            // The WHATWG parser reads these as 127.0.0.1.
            "https://2130706433/",
            "https://0x7f.1/",
        ] {
            assert!(refused(raw, UrlPolicy::Public), "{raw}");
        }
        let long = format!("https://example.com/{}", "a".repeat(2048));
        assert!(refused(&long, UrlPolicy::Public));
    }

    #[test]
    fn local_mode_takes_http_and_this_machine_but_not_metadata() {
        let url = EndpointUrl::parse("http://127.0.0.1:8081/hook", UrlPolicy::Local);
        let url = url.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(url.authority(), "127.0.0.1:8081");
        assert!(!url.is_https());
        assert!(EndpointUrl::parse("http://[::1]:9/x", UrlPolicy::Local).is_ok());
        assert!(EndpointUrl::parse("http://localhost:9/x", UrlPolicy::Local).is_ok());
        assert!(refused("http://169.254.169.254/", UrlPolicy::Local));
        assert!(refused("http://0.0.0.0:80/", UrlPolicy::Local));
    }

    #[test]
    fn the_policy_checks_resolved_addresses() {
        let ip = |raw: &str| raw.parse::<IpAddr>().unwrap_or_else(|e| panic!("{e}"));
        assert!(UrlPolicy::Public.allows(ip("93.184.215.14")));
        assert!(!UrlPolicy::Public.allows(ip("127.0.0.1")));
        assert!(!UrlPolicy::Public.allows(ip("::ffff:10.1.1.1")));
        assert!(UrlPolicy::Local.allows(ip("127.0.0.1")));
        assert!(!UrlPolicy::Local.allows(ip("fe80::1")));
    }
}
