//! The Spin adapter: a `wasi:http` incoming request becomes an `http::Request` for the router,
//! and the router's response is written to the response outparam.

use axum::body::Body;
use axum::http::{self, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use spin_sdk::http::{Fields, IncomingRequest, Method, OutgoingResponse, ResponseOutparam, Scheme};
use spin_sdk::http_component;
use tower::ServiceExt;

/// Bodies above this are refused before the router sees them, as API Gateway refuses them.
const MAX_BODY: usize = 6 * 1024 * 1024;

#[http_component]
async fn handle(request: IncomingRequest, out: ResponseOutparam) {
    let response = match into_request(request).await {
        Ok(request) => match crate::router().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        Err(reason) => (StatusCode::BAD_REQUEST, reason).into_response(),
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
