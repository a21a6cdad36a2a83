//! Adapts the axum app to API Gateway HTTP API events before routing: strips a named stage
//! from the path, carries API Gateway's request id into `x-request-id`, and records the
//! caller's address.

use axum::Router;
use axum::http::{HeaderValue, Uri};
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use tower::ServiceBuilder;
use tower::util::MapRequest;

/// The service a function hands to `lambda_http::run`.
pub fn handler(app: Router) -> MapRequest<Router, fn(Request) -> Request> {
    ServiceBuilder::new()
        .map_request(prepare as fn(Request) -> Request)
        .service(app)
}

fn prepare(req: Request) -> Request {
    record_client(adopt_request_id(strip_stage(req)))
}

/// The caller's address as API Gateway saw it, for per-address rate limits.
fn record_client(mut req: Request) -> Request {
    let ip = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.as_deref(),
        _ => None,
    }
    .and_then(|ip| ip.parse().ok());
    if let Some(ip) = ip {
        req.extensions_mut().insert(web::ClientAddr(ip));
    }
    req
}

/// API Gateway puts a named stage (`/prod/v1/me`) in the path; routes are declared without it.
pub fn strip_stage(mut req: Request) -> Request {
    let stage = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.stage.clone(),
        _ => None,
    };
    let Some(stage) = stage.filter(|s| s != "$default") else {
        return req;
    };
    let rest = match req.uri().path().strip_prefix(&format!("/{stage}")) {
        Some("") => "/".to_owned(),
        Some(rest) if rest.starts_with('/') => rest.to_owned(),
        _ => return req,
    };
    let path_and_query = match req.uri().query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest,
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = path_and_query.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// API Gateway's own request id wins over a client's: it ties our logs to its access logs, and
/// a client cannot choose it.
fn adopt_request_id(mut req: Request) -> Request {
    let id = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        _ => None,
    };
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        req.headers_mut().insert("x-request-id", value);
    }
    req
}
