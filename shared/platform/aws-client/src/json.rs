//! A client for AWS APIs that speak the JSON protocol (`X-Amz-Target` plus a JSON body):
//! Secrets Manager, and also DynamoDB and SQS. Requests are signed with SigV4 in headers and
//! bounded in time; errors keep the service's error type and message.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use http::{Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::AwsError;

/// One service endpoint, e.g. Secrets Manager in the function's region.
#[derive(Debug, Clone)]
pub struct JsonService {
    service: &'static str,
    target_prefix: &'static str,
    content_type: &'static str,
    endpoint: Uri,
    region: String,
    credentials: Credentials,
    timeout: Duration,
    /// TLS with the Mozilla roots (webpki-roots); `None` for a plain-HTTP emulator endpoint.
    tls: Option<Arc<rustls::ClientConfig>>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What identifies a JSON-protocol service.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSpec {
    /// The SigV4 signing name and endpoint prefix, e.g. `secretsmanager`.
    pub signing_name: &'static str,
    /// Prefix of `X-Amz-Target`, e.g. `secretsmanager` or `DynamoDB_20120810`.
    pub target_prefix: &'static str,
    /// `1.0` or `1.1`.
    pub json_version: &'static str,
}

impl JsonService {
    /// A client for `spec` at `endpoint` (`https://...`, or `http://` for a local emulator).
    pub fn new(
        spec: ServiceSpec,
        endpoint: &str,
        region: impl Into<String>,
        credentials: Credentials,
    ) -> Result<Self, AwsError> {
        let invalid = |reason: &str| AwsError::Endpoint {
            endpoint: endpoint.to_owned(),
            reason: reason.to_owned(),
        };
        let endpoint: Uri = endpoint.parse().map_err(|_| invalid("not a URL"))?;
        if !matches!(endpoint.scheme_str(), Some("https" | "http")) || endpoint.host().is_none() {
            return Err(invalid("must be http(s)://host[:port]"));
        }
        let tls = (endpoint.scheme_str() == Some("https"))
            .then(tls_config)
            .transpose()
            .map_err(|e| invalid(&e.to_string()))?;
        Ok(Self {
            service: spec.signing_name,
            target_prefix: spec.target_prefix,
            content_type: match spec.json_version {
                "1.0" => "application/x-amz-json-1.0",
                _ => "application/x-amz-json-1.1",
            },
            endpoint,
            region: region.into(),
            credentials,
            timeout: Duration::from_secs(5),
            tls,
        })
    }

    /// The endpoint the SDKs would use: `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`,
    /// then the public regional endpoint.
    pub fn endpoint_from_env(
        spec: ServiceSpec,
        service_env: &str,
        region: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> String {
        [
            format!("AWS_ENDPOINT_URL_{service_env}"),
            "AWS_ENDPOINT_URL".into(),
        ]
        .iter()
        .find_map(|name| lookup(name).filter(|v| !v.is_empty()))
        .unwrap_or_else(|| format!("https://{}.{region}.amazonaws.com", spec.signing_name))
    }

    /// Calls `operation` (e.g. `GetSecretValue`) with `input`, returning the output document.
    pub async fn call(&self, operation: &str, input: &Value) -> Result<Value, AwsError> {
        let body = serde_json::to_vec(input).map_err(|e| self.response_error(e))?;
        let request = self.signed_request(operation, body)?;
        let response = tokio::time::timeout(self.timeout, async {
            let response = self.send(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, BoxError>((status, body))
        })
        .await;
        let (status, body) = match response {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => return Err(self.transport_error(e)),
            Err(_) => return Err(self.transport_error(format!("no answer in {:?}", self.timeout))),
        };
        let document: Value = match serde_json::from_slice(&body) {
            Ok(document) => document,
            Err(_) if body.is_empty() => Value::Object(Default::default()),
            // An error page from something in between (a load balancer, a proxy) is still an error.
            Err(_) if !status.is_success() => Value::Object(Default::default()),
            Err(e) => return Err(self.response_error(e)),
        };
        if status.is_success() {
            return Ok(document);
        }
        let text = |key: &str| document.get(key).and_then(Value::as_str);
        let error_type = text("__type").unwrap_or("UnknownError");
        Err(AwsError::Service {
            service: self.service,
            status: status.as_u16(),
            // `__type` may be namespaced: `com.amazonaws.secretsmanager#ResourceNotFoundException`.
            error_type: error_type
                .rsplit('#')
                .next()
                .unwrap_or(error_type)
                .to_owned(),
            message: text("message")
                .or_else(|| text("Message"))
                .unwrap_or("")
                .to_owned(),
        })
    }

    fn signed_request(
        &self,
        operation: &str,
        body: Vec<u8>,
    ) -> Result<Request<Full<Bytes>>, AwsError> {
        let signing = |e: &dyn std::fmt::Display| AwsError::Signing(e.to_string());
        let host = match (self.endpoint.host(), self.endpoint.port_u16()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => unreachable!("checked in new()"),
        };
        let target = format!("{}.{operation}", self.target_prefix);
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(self.endpoint.clone())
            .header(http::header::HOST, host)
            .header(http::header::CONTENT_TYPE, self.content_type)
            .header("x-amz-target", target)
            .body(Full::new(Bytes::new()))
            .map_err(|e| signing(&e))?;
        let identity: Identity = self.credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(self.service)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| signing(&e))?
            .into();
        let headers = request
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or_default()));
        let uri = request.uri().to_string();
        let signable = SignableRequest::new("POST", &uri, headers, SignableBody::Bytes(&body))
            .map_err(|e| signing(&e))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| signing(&e))?
            .into_parts();
        instructions.apply_to_request_http1x(&mut request);
        *request.body_mut() = Full::new(Bytes::from(body));
        Ok(request)
    }

    /// One request on a new connection: calls are minutes apart, so there is nothing to pool.
    async fn send(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<http::Response<hyper::body::Incoming>, BoxError> {
        let host = self.endpoint.host().unwrap_or_default();
        let port = self.endpoint.port_u16().unwrap_or(match self.tls {
            Some(_) => 443,
            None => 80,
        });
        let tcp = TcpStream::connect((host, port)).await?;
        match &self.tls {
            Some(tls) => {
                let name = ServerName::try_from(host.to_owned())?;
                let stream = TlsConnector::from(tls.clone()).connect(name, tcp).await?;
                exchange(stream, request).await
            }
            None => exchange(tcp, request).await,
        }
    }

    fn transport_error(&self, reason: impl std::fmt::Display) -> AwsError {
        AwsError::Transport {
            service: self.service,
            reason: reason.to_string(),
        }
    }

    fn response_error(&self, reason: impl std::fmt::Display) -> AwsError {
        AwsError::Response {
            service: self.service,
            reason: reason.to_string(),
        }
    }
}

/// HTTP/1.1 over `io`: the connection is driven in the background until the response is read.
async fn exchange<T>(
    io: T,
    mut request: Request<Full<Bytes>>,
) -> Result<http::Response<hyper::body::Incoming>, BoxError>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io)).await?;
    tokio::spawn(connection);
    // On a connection of its own, the request line carries only the path.
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    *request.uri_mut() = path.parse()?;
    Ok(sender.send_request(request).await?)
}

fn tls_config() -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(config))
}
