//! The layers every route shares: request ids, one tracing span per request, problem rendering,
//! panic containment, the body limit and a default `Cache-Control`.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;
use tracing::field::Empty;

use crate::problem;
use crate::{ApiError, HttpOptions, MAX_BODY_BYTES};

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest client-sent request id we keep: enough for a UUID or a trace id, too short to
/// flood a log line.
const MAX_REQUEST_ID_LEN: usize = 128;

/// Wraps the routes in the shared layers; the last `layer` call is the outermost. From the
/// outside in: request ids and the request's span, security headers, problem bodies, the
/// CDN's origin secret, CORS, rate limits, read-your-writes, idempotency keys, ETags, the default
/// `Cache-Control`, the body limit and panic containment.
pub(crate) fn wrap(router: Router, options: &HttpOptions) -> Router {
    let router = router
        .fallback(|| async { ApiError::NotFound("route") })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::Internal("a handler panicked".to_owned()).into_response()
        }))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(from_fn(crate::etag::etag));
    let router = match options.idempotency.clone() {
        Some(idempotency) => router.layer(from_fn(move |req: Request, next: Next| {
            crate::idempotent::idempotent(idempotency.clone(), req, next)
        })),
        None => router,
    };
    let router = crate::activity::layer(router, options);
    let router = crate::reads::layer(router, options);
    let router = crate::limits::context(router, options);
    let router = crate::guard::cors(router, options);
    let router = crate::guard::origin_check(router, options);
    crate::guard::security_headers(router.layer(from_fn(render_problems)))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(|res: &Response, latency: Duration, span: &Span| {
                    span.record("status", res.status().as_u16());
                    tracing::info!(latency_ms = latency.as_secs_f64() * 1e3, "served");
                }),
        )
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, MakeRequestUuid))
        .layer(from_fn(drop_unusable_request_id))
}

/// A client's request id is kept only when it is short and printable; otherwise the request
/// gets a fresh one, so logs and problem bodies never carry what a client smuggled in.
async fn drop_unusable_request_id(mut req: Request, next: Next) -> Response {
    if request_id(&req).is_none_or(|id| !usable_request_id(id)) {
        req.headers_mut().remove(X_REQUEST_ID);
    }
    next.run(req).await
}

fn usable_request_id(id: &str) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

/// The span every log line of a request carries. Handlers fill in the tenant and user.
fn request_span(req: &Request) -> Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    tracing::info_span!(
        "request",
        method = %req.method(),
        route,
        request_id = request_id(req).unwrap_or_default(),
        tenant_id = Empty,
        user_id = Empty,
        status = Empty,
    )
}

fn request_id(req: &Request) -> Option<&str> {
    req.headers()
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
}

/// Writes the body of problem responses, which only here can carry the request id.
async fn render_problems(req: Request, next: Next) -> Response {
    let id = request_id(&req).map(str::to_owned);
    problem::finish(next.run(req).await, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_short_printable_request_ids() {
        assert!(usable_request_id("3f0c2a9e-6f7d-4d4b-9a53-0e6f2d7c9b11"));
        assert!(usable_request_id(
            "Root=1-67891233-abcdef012345678912345678"
        ));
        assert!(!usable_request_id(""));
        assert!(!usable_request_id("has space"));
        assert!(!usable_request_id("tab\there"));
        assert!(!usable_request_id("é"));
        assert!(!usable_request_id(&"a".repeat(MAX_REQUEST_ID_LEN + 1)));
        assert!(usable_request_id(&"a".repeat(MAX_REQUEST_ID_LEN)));
    }
}
