//! The webhooks module's [`Sender`]: one POST on a new connection, over hyper and rustls.
//!
//! The host is resolved here, every address it resolves to is checked against the
//! [`UrlPolicy`], and the connection goes to a checked address, with the URL's host in the
//! `Host` header and as the TLS server name: nothing resolves the name a second time, so DNS
//! cannot swap in an internal address between the check and the connection. Redirects are
//! answered as they are (a 3xx is not a success), and the whole exchange has a timeout.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::header::{CONTENT_TYPE, HOST, USER_AGENT};
use http::{Method, Request};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use webhooks::{EndpointUrl, Outgoing, SendError, Sender, UrlHost, UrlPolicy};

/// How deliveries are sent.
#[derive(Debug, Clone, Copy)]
pub struct HttpSenderConfig {
    /// Must be the policy the service registers URLs with.
    pub policy: UrlPolicy,
    /// For the whole exchange: DNS, connection, TLS, request and the response's head.
    pub timeout: Duration,
}

impl Default for HttpSenderConfig {
    fn default() -> Self {
        Self {
            policy: UrlPolicy::Public,
            timeout: Duration::from_secs(10),
        }
    }
}

impl HttpSenderConfig {
    /// `WEBHOOK_URL_POLICY` from the environment: `public` or `local`. Unset, it is `public`
    /// inside Lambda and `local` elsewhere (a receiver on the developer's machine works).
    pub fn from_env() -> Result<Self, InvalidPolicy> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, InvalidPolicy> {
        let policy = match lookup("WEBHOOK_URL_POLICY").map(|p| p.trim().to_ascii_lowercase()) {
            Some(p) if p == "public" => UrlPolicy::Public,
            Some(p) if p == "local" => UrlPolicy::Local,
            Some(p) if !p.is_empty() => return Err(InvalidPolicy(p)),
            _ if lookup("AWS_LAMBDA_FUNCTION_NAME").is_some() => UrlPolicy::Public,
            _ => UrlPolicy::Local,
        };
        Ok(Self {
            policy,
            ..Self::default()
        })
    }
}

/// `WEBHOOK_URL_POLICY` holds something else than `public` or `local`.
#[derive(Debug, thiserror::Error)]
#[error("WEBHOOK_URL_POLICY is invalid: {0:?} is neither public nor local")]
pub struct InvalidPolicy(String);

/// The sender could not be built.
#[derive(Debug, thiserror::Error)]
#[error("TLS configuration: {0}")]
pub struct TlsError(#[from] rustls::Error);

/// Sends over HTTP/1.1, with TLS for `https://` (Mozilla's roots, through webpki-roots).
/// Cheap to clone; build it once per process.
#[derive(Clone)]
pub struct HttpSender {
    config: HttpSenderConfig,
    tls: TlsConnector,
}

impl std::fmt::Debug for HttpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSender")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

const AGENT: &str = concat!("webhooks/", env!("CARGO_PKG_VERSION"));

impl HttpSender {
    pub fn new(config: HttpSenderConfig) -> Result<Self, TlsError> {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(Self {
            config,
            tls: TlsConnector::from(Arc::new(tls)),
        })
    }

    async fn post(&self, outgoing: &Outgoing) -> Result<u16, SendError> {
        let url = &outgoing.url;
        if !url.is_https() && !self.config.policy.allows_http() {
            return Err(SendError::Refused("only https:// URLs are called".into()));
        }
        let addresses = self.resolve(url).await?;
        let tcp = connect(&addresses).await?;
        let request = request(outgoing)?;
        if !url.is_https() {
            return exchange(tcp, request).await;
        }
        let name = match url.host() {
            UrlHost::Domain(name) => ServerName::try_from(name.to_owned())
                .map_err(|e| SendError::Transport(format!("server name: {e}")))?,
            UrlHost::Ip(ip) => ServerName::IpAddress(ip.into()),
        };
        let tls = self
            .tls
            .connect(name, tcp)
            .await
            .map_err(|e| SendError::Transport(format!("tls: {e}")))?;
        exchange(tls, request).await
    }

    /// The URL's addresses, every one of them allowed by the policy.
    async fn resolve(&self, url: &EndpointUrl) -> Result<Vec<SocketAddr>, SendError> {
        let port = url.port();
        let addresses: Vec<SocketAddr> = match url.host() {
            UrlHost::Ip(ip) => vec![SocketAddr::new(ip, port)],
            UrlHost::Domain(name) => tokio::net::lookup_host((name, port))
                .await
                .map_err(|e| SendError::Transport(format!("dns: {e}")))?
                .collect(),
        };
        if let Some(refused) = addresses
            .iter()
            .find(|a| !self.config.policy.allows(a.ip()))
        {
            return Err(SendError::Refused(format!(
                "{} is not a public address",
                refused.ip()
            )));
        }
        if addresses.is_empty() {
            return Err(SendError::Transport("dns: no address".into()));
        }
        Ok(addresses)
    }
}

impl Sender for HttpSender {
    #[tracing::instrument(name = "webhooks.send", skip_all, fields(host = %outgoing.url.authority()))]
    async fn send(&self, outgoing: &Outgoing) -> Result<u16, SendError> {
        match tokio::time::timeout(self.config.timeout, self.post(outgoing)).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Timeout),
        }
    }
}

/// The first of the checked addresses that accepts a connection.
async fn connect(addresses: &[SocketAddr]) -> Result<TcpStream, SendError> {
    let mut last = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => return Ok(stream),
            Err(err) => last = Some(err),
        }
    }
    Err(SendError::Transport(format!(
        "connect: {}",
        last.map_or_else(|| "no address".to_owned(), |e| e.to_string())
    )))
}

fn request(outgoing: &Outgoing) -> Result<Request<Full<Bytes>>, SendError> {
    let url = &outgoing.url;
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri(url.path_and_query())
        .header(HOST, url.authority())
        .header(CONTENT_TYPE, "application/json")
        .header(USER_AGENT, AGENT);
    for (name, value) in &outgoing.headers {
        builder = builder.header(*name, value);
    }
    builder
        .body(Full::new(Bytes::from(outgoing.body.clone())))
        .map_err(|e| SendError::Transport(format!("request: {e}")))
}

/// HTTP/1.1 over `io`: the status of the response; its body is not read.
async fn exchange<T>(io: T, request: Request<Full<Bytes>>) -> Result<u16, SendError>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let transport = |e: hyper::Error| SendError::Transport(format!("http: {e}"));
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(transport)?;
    tokio::spawn(connection);
    let response = sender.send_request(request).await.map_err(transport)?;
    Ok(response.status().as_u16())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn policy(vars: &[(&str, &str)]) -> Result<UrlPolicy, InvalidPolicy> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        HttpSenderConfig::from_lookup(|name| vars.get(name).cloned()).map(|c| c.policy)
    }

    #[test]
    fn lambda_is_public_unless_told_and_a_local_run_is_local() {
        assert_eq!(
            policy(&[("AWS_LAMBDA_FUNCTION_NAME", "w")]).ok(),
            Some(UrlPolicy::Public)
        );
        assert_eq!(policy(&[]).ok(), Some(UrlPolicy::Local));
        assert_eq!(
            policy(&[("WEBHOOK_URL_POLICY", "public")]).ok(),
            Some(UrlPolicy::Public)
        );
        assert_eq!(
            policy(&[
                ("AWS_LAMBDA_FUNCTION_NAME", "w"),
                ("WEBHOOK_URL_POLICY", "LOCAL")
            ])
            .ok(),
            Some(UrlPolicy::Local)
        );
        let bad = policy(&[("WEBHOOK_URL_POLICY", "open")])
            .err()
            .map(|e| e.to_string());
        assert!(bad.is_some_and(|e| e.starts_with("WEBHOOK_URL_POLICY")));
    }
}
