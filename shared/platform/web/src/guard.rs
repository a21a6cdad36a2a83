//! What every response carries whatever served it (security headers), who may call at all (the
//! CDN's origin secret) and which browser origins may read responses (CORS).

use axum::Router;
use axum::extract::Request;
use axum::http::header::{
    REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::{Next, from_fn};
use axum::response::IntoResponse;
use subtle::ConstantTimeEq;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{ApiError, HttpOptions};

pub(crate) const X_ORIGIN_VERIFY: HeaderName = HeaderName::from_static("x-origin-verify");
const CONTENT_SECURITY_POLICY: HeaderName = HeaderName::from_static("content-security-policy");

/// The API serves JSON only: nothing on it may be framed, sniffed into HTML, or run scripts.
const SECURITY_HEADERS: [(HeaderName, &str); 5] = [
    (
        STRICT_TRANSPORT_SECURITY,
        "max-age=63072000; includeSubDomains",
    ),
    (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (X_FRAME_OPTIONS, "DENY"),
    (REFERRER_POLICY, "no-referrer"),
    (
        CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
];

pub(crate) fn security_headers(mut router: Router) -> Router {
    for (name, value) in SECURITY_HEADERS {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}

/// Refuses requests that did not come through the CDN, when a secret is configured.
pub(crate) fn origin_check(router: Router, options: &HttpOptions) -> Router {
    let Some(secret) = options.origin_secret.clone() else {
        return router;
    };
    router.layer(from_fn(move |req: Request, next: Next| {
        let secret = secret.clone();
        async move {
            let presented = req
                .headers()
                .get(X_ORIGIN_VERIFY)
                .map(HeaderValue::as_bytes)
                .unwrap_or_default();
            if bool::from(presented.ct_eq(secret.as_bytes())) {
                next.run(req).await
            } else {
                ApiError::Forbidden("requests must come through the API's public address")
                    .into_response()
            }
        }
    }))
}

/// Cross-origin reads for the configured origins only; none configured, none allowed.
pub(crate) fn cors(router: Router, options: &HttpOptions) -> Router {
    let origins: Vec<HeaderValue> = options
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim()).ok())
        .collect();
    if origins.is_empty() {
        return router;
    }
    router.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
            .allow_headers([
                axum::http::header::AUTHORIZATION,
                axum::http::header::CONTENT_TYPE,
                axum::http::header::IF_NONE_MATCH,
                HeaderName::from_static("idempotency-key"),
            ])
            .expose_headers([
                axum::http::header::ETAG,
                axum::http::header::RETRY_AFTER,
                HeaderName::from_static("ratelimit"),
                HeaderName::from_static("ratelimit-policy"),
                HeaderName::from_static("x-request-id"),
                HeaderName::from_static("x-cache"),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}
