//! The Spin adapter: a `wasi:http` incoming request becomes an `http::Request` for the router,
//! and the router's response is written to the response outparam. The edge's ports are served
//! by the interfaces Spin implements: `wasi:keyvalue` (the store `default`), `wasi:config` (the
//! component's variables `origin_url`, `session_cache_seconds` and `inbound_webhook_secret`)
//! and outgoing `wasi:http`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::http;
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use identity::User;
use kernel::{Email, SystemClock, Unavailable, UserId};
use sessions::SessionToken;
use spin_sdk::http::{Fields, IncomingRequest, Method, OutgoingResponse, ResponseOutparam, Scheme};
use spin_sdk::http_component;
use spin_sdk::wit::wasi::config::store as config;
use spin_sdk::wit::wasi::keyvalue::store as keyvalue;
use tower::ServiceExt;
use webhooks::signing::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use webhooks::{DynInboundSink, InboundDelivery, InboundSink, Secret};
use webhooks_routes::InboundState;

use crate::me::{Bucket, DynOrigin, Edge, Origin, SessionCache};

/// Bodies above this are refused before the router sees them, as API Gateway refuses them.
const MAX_BODY: usize = 6 * 1024 * 1024;

#[http_component]
async fn handle(request: IncomingRequest, out: ResponseOutparam) {
    let response = match into_request(request).await {
        Ok(request) => match crate::router(edge(), inbound()).oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        Err(reason) => web::ApiError::bad_request(reason, None).into_response(),
    };
    write(response, out).await;
}

async fn into_request(request: IncomingRequest) -> Result<http::Request<Body>, String> {
    let method = match request.method() {
        Method::Get => http::Method::GET,
        Method::Head => http::Method::HEAD,
        Method::Post => http::Method::POST,
        Method::Put => http::Method::PUT,
        Method::Delete => http::Method::DELETE,
        Method::Connect => http::Method::CONNECT,
        Method::Options => http::Method::OPTIONS,
        Method::Trace => http::Method::TRACE,
        Method::Patch => http::Method::PATCH,
        Method::Other(other) => {
            http::Method::from_bytes(other.as_bytes()).map_err(|e| e.to_string())?
        }
    };
    let scheme = match request.scheme() {
        Some(Scheme::Https) => "https",
        _ => "http",
    };
    let authority = request.authority().unwrap_or_else(|| "localhost".into());
    let path = request.path_with_query().unwrap_or_else(|| "/".into());
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("{scheme}://{authority}{path}"));
    // Entries keep repeated headers apart.
    for (name, value) in request.headers().entries() {
        builder = builder.header(name, value);
    }
    let body = request
        .into_body()
        .await
        .map_err(|e| format!("reading the body: {e:?}"))?;
    if body.len() > MAX_BODY {
        return Err("the body is too large".into());
    }
    builder.body(Body::from(body)).map_err(|e| e.to_string())
}

async fn write(response: Response, out: ResponseOutparam) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let headers: Vec<(String, Vec<u8>)> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    let Ok(fields) = Fields::from_list(&headers) else {
        return;
    };
    let outgoing = OutgoingResponse::new(fields);
    if outgoing.set_status_code(parts.status.as_u16()).is_err() {
        return;
    }
    let mut sink = outgoing.take_body();
    out.set(outgoing);
    if let Err(err) = sink.send(bytes.to_vec()).await {
        eprintln!("writing the response body: {err:?}");
    }
}

/// How long a session the origin vouched for is trusted, unless `session_cache_seconds` says.
const SESSION_CACHE: Duration = Duration::from_secs(60);

/// The edge's ports on Spin's interfaces, as configured.
fn edge() -> Edge {
    let ttl = config::get("session_cache_seconds")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|s| (1..=3600).contains(s))
        .map_or(SESSION_CACHE, Duration::from_secs);
    let origin = config::get("origin_url").ok().flatten();
    Edge {
        cache: SessionCache::new(WasiBucket::default(), ttl),
        origin: Arc::from(DynOrigin::new_box(SpinOrigin { base: origin })),
    }
}

/// Inbound webhooks checked with the `inbound_webhook_secret` variable (unset or invalid: the
/// route answers 404) and forwarded to the origin.
fn inbound() -> InboundState {
    let secret = config::get("inbound_webhook_secret")
        .ok()
        .flatten()
        .and_then(|raw| Secret::parse(raw.trim()).ok());
    InboundState {
        secret,
        sink: Arc::from(DynInboundSink::new_box(SpinOrigin {
            base: config::get("origin_url").ok().flatten(),
        })),
        clock: Arc::new(SystemClock),
    }
}

/// The `default` store of `wasi:keyvalue`, opened on first use.
#[derive(Default)]
struct WasiBucket(Mutex<Option<keyvalue::Bucket>>);

impl WasiBucket {
    fn with<T>(
        &self,
        f: impl FnOnce(&keyvalue::Bucket) -> Result<T, keyvalue::Error>,
    ) -> Result<T, Unavailable> {
        let mut bucket = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if bucket.is_none() {
            *bucket = Some(keyvalue::open("default").map_err(store_error)?);
        }
        match bucket.as_ref() {
            Some(open) => f(open).map_err(store_error),
            None => Err(Unavailable::new("the key-value store did not open")),
        }
    }
}

fn store_error(err: keyvalue::Error) -> Unavailable {
    Unavailable::new(format!("key-value store: {err:?}"))
}

impl Bucket for WasiBucket {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Unavailable> {
        self.with(|b| b.get(key))
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), Unavailable> {
        self.with(|b| b.set(key, value))
    }

    fn delete(&self, key: &str) -> Result<(), Unavailable> {
        self.with(|b| b.delete(key))
    }
}

/// The origin API over outgoing `wasi:http`, at `origin_url`.
struct SpinOrigin {
    base: Option<String>,
}

#[derive(serde::Deserialize)]
struct MeBody {
    user: UserBody,
}

#[derive(serde::Deserialize)]
struct UserBody {
    id: uuid::Uuid,
    email: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
}

impl Origin for SpinOrigin {
    fn me(
        &self,
        token: &SessionToken,
    ) -> impl std::future::Future<Output = Result<Option<User>, Unavailable>> + Send {
        let base = self.base.clone();
        let authorization = format!("Bearer {}", token.expose());
        send_wrapper::SendWrapper::new(async move {
            let base = base.ok_or_else(|| Unavailable::new("origin_url is not configured"))?;
            let request = http::Request::get(format!("{}/v1/me", base.trim_end_matches('/')))
                .header("authorization", authorization)
                .header("accept", "application/json")
                .body(Vec::new())
                .map_err(Unavailable::new)?;
            let response: http::Response<Vec<u8>> = spin_sdk::http::send(request)
                .await
                .map_err(|e| Unavailable::new(format!("the origin: {e}")))?;
            match response.status().as_u16() {
                200 => {
                    let me: MeBody =
                        serde_json::from_slice(response.body()).map_err(Unavailable::new)?;
                    Ok(Some(User {
                        id: UserId::from_uuid(me.user.id),
                        email: Email::parse(&me.user.email)
                            .map_err(|e| Unavailable::new(e.to_string()))?,
                        created_at: me.user.created_at,
                    }))
                }
                401 => Ok(None),
                status => Err(Unavailable::new(format!("the origin answered {status}"))),
            }
        })
    }
}

/// Verified deliveries go to the origin's own inbound route, headers and body as they came;
/// anything but its 202 is a failure the provider retries.
impl InboundSink for SpinOrigin {
    fn accept(
        &self,
        delivery: &InboundDelivery,
    ) -> impl std::future::Future<Output = Result<(), Unavailable>> + Send {
        let base = self.base.clone();
        let delivery = delivery.clone();
        send_wrapper::SendWrapper::new(async move {
            let base = base.ok_or_else(|| Unavailable::new("origin_url is not configured"))?;
            let url = format!("{}/v1/webhooks/inbound", base.trim_end_matches('/'));
            let request = http::Request::post(url)
                .header("content-type", "application/json")
                .header(ID_HEADER, delivery.id)
                .header(TIMESTAMP_HEADER, delivery.timestamp)
                .header(SIGNATURE_HEADER, delivery.signature)
                .body(delivery.body)
                .map_err(Unavailable::new)?;
            let response: http::Response<Vec<u8>> = spin_sdk::http::send(request)
                .await
                .map_err(|e| Unavailable::new(format!("the origin: {e}")))?;
            match response.status().as_u16() {
                202 => Ok(()),
                status => Err(Unavailable::new(format!("the origin answered {status}"))),
            }
        })
    }
}
