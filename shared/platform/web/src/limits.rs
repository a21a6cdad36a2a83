//! Rate limits on the routes: per client address on the anonymous routes a module chooses
//! ([`per_ip`]), per session on every authenticated request, and per any subject a handler
//! names ([`RateLimits::check`], e.g. the account a login is for).
//!
//! A refusal is 429 problem+json with `Retry-After` and the IETF `RateLimit` and
//! `RateLimit-Policy` headers; an allowed request on a limited route carries them too.

use std::net::IpAddr;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use kernel::{TenantId, Unavailable};
use kv::{Decision, Policy};
use sha2::{Digest, Sha256};

use crate::options::{LimiterFailure, Limits};
use crate::{ApiError, BusinessMetric, HttpOptions};

const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
const VIEWER_ADDRESS: &str = "cloudfront-viewer-address";

/// Every authenticated request counts against its session's limit.
pub const PER_SESSION: Policy = Policy {
    name: "session",
    limit: 600,
    window: std::time::Duration::from_secs(60),
};

/// Every tenant's requests per minute, across its members; the limit is the tenant's plan's
/// (see [`TenantQuotas`]).
pub const PER_TENANT: Policy = Policy {
    name: "tenant",
    limit: 0,
    window: std::time::Duration::from_secs(60),
};

/// What each tenant may spend: its plan's requests per minute.
#[dynosaur::dynosaur(pub DynTenantQuotas = dyn(box) TenantQuotas)]
pub trait TenantQuotas: Send + Sync {
    /// `None` for a tenant that does not exist (its requests end in 404 anyway).
    fn requests_per_minute(
        &self,
        tenant: TenantId,
    ) -> impl Future<Output = Result<Option<u32>, Unavailable>> + Send;
}

/// The client's address as the platform's adapter saw it (the Lambda adapter sets it from API
/// Gateway's request context; the local server from the socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// What the routes' limits need, put on each request by [`context`].
#[derive(Clone)]
struct Context {
    limits: Limits,
    client: Option<IpAddr>,
    metrics: Option<std::sync::Arc<dyn crate::BusinessMetrics>>,
}

/// The rate limits a handler checks itself.
pub struct RateLimits(Option<Context>);

impl<S: Send + Sync> FromRequestParts<S> for RateLimits {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Self(parts.extensions.get::<Context>().cloned()))
    }
}

impl RateLimits {
    /// Counts one request by `subject` against `policy`; 429 past the limit.
    pub async fn check(&self, policy: &Policy, subject: &str) -> Result<(), ApiError> {
        match &self.0 {
            Some(context) => context.check(policy, subject).await.map(drop),
            None => Ok(()),
        }
    }
}

impl Context {
    async fn check(&self, policy: &Policy, subject: &str) -> Result<Option<Decision>, ApiError> {
        match self.limits.limiter.check(policy, subject).await {
            Ok(decision) if decision.allowed => Ok(Some(decision)),
            Ok(decision) => {
                tracing::info!(policy = policy.name, "rate limited");
                if let Some(metrics) = &self.metrics {
                    metrics.count(BusinessMetric::RateLimited);
                }
                Err(ApiError::TooManyRequests {
                    policy: *policy,
                    decision,
                })
            }
            Err(cause) => self.unavailable(policy, cause),
        }
    }

    /// The limiter (or what it needs) is down: let the request through or refuse it, as
    /// configured.
    fn unavailable(
        &self,
        policy: &Policy,
        cause: Unavailable,
    ) -> Result<Option<Decision>, ApiError> {
        tracing::warn!(policy = policy.name, error = %cause, "rate limiter unavailable");
        if let Some(metrics) = &self.metrics {
            metrics.count(BusinessMetric::RateLimiterUnavailable);
        }
        match self.limits.on_failure {
            LimiterFailure::Open => Ok(None),
            LimiterFailure::Closed => Err(ApiError::unavailable(cause)),
        }
    }
}

/// Puts the limits and the client's address on every request, and counts authenticated
/// requests against their session's limit and, under `/v1/tenants/{id}/`, their tenant's.
pub(crate) fn context(router: axum::Router, options: &HttpOptions) -> axum::Router {
    let Some(limits) = options.limits.clone() else {
        return router;
    };
    let trust_viewer_header = options.origin_secret.is_some();
    let metrics = options.metrics.clone();
    let quotas = options.tenant_quotas.clone();
    router.layer(from_fn(move |mut req: Request, next: Next| {
        let context = Context {
            limits: limits.clone(),
            client: client_ip(&req, trust_viewer_header),
            metrics: metrics.clone(),
        };
        let quotas = quotas.clone();
        async move {
            let session = session_subject(req.headers());
            req.extensions_mut().insert(context.clone());
            let Some(session) = session else {
                return next.run(req).await;
            };
            let per_session = match context.check(&PER_SESSION, &session).await {
                Ok(decision) => decision,
                Err(refused) => return refused.into_response(),
            };
            let tenant = crate::activity::tenant_of(req.uri().path());
            let per_tenant = match (tenant, quotas) {
                (Some(tenant), Some(quotas)) => match context.check_tenant(&quotas, tenant).await {
                    Ok(decision) => decision,
                    Err(refused) => return refused.into_response(),
                },
                _ => None,
            };
            let mut response = next.run(req).await;
            if let Some((policy, decision)) = per_tenant {
                if is_refusal_of_access(response.status()) {
                    // Calls by strangers are not the tenant's: they give back what they took.
                    context.refund(&policy, tenant).await;
                }
                set_headers(response.headers_mut(), &policy, &decision);
            }
            with_headers(response, &PER_SESSION, per_session)
        }
    }))
}

/// 401, 403 and 404: the caller was not let into the tenant.
fn is_refusal_of_access(status: axum::http::StatusCode) -> bool {
    matches!(status.as_u16(), 401 | 403 | 404)
}

impl Context {
    /// The tenant's plan limit, for a tenant that exists.
    async fn check_tenant(
        &self,
        quotas: &DynTenantQuotas<'static>,
        tenant: TenantId,
    ) -> Result<Option<(Policy, Decision)>, ApiError> {
        let limit = match quotas.requests_per_minute(tenant).await {
            Ok(Some(limit)) => limit,
            Ok(None) => return Ok(None),
            Err(cause) => return self.unavailable(&PER_TENANT, cause).map(|_| None),
        };
        let policy = Policy {
            limit,
            ..PER_TENANT
        };
        Ok(self
            .check(&policy, &tenant.to_string())
            .await?
            .map(|decision| (policy, decision)))
    }

    async fn refund(&self, policy: &Policy, tenant: Option<TenantId>) {
        if let Some(tenant) = tenant
            && let Err(e) = self
                .limits
                .limiter
                .refund(policy, &tenant.to_string())
                .await
        {
            tracing::debug!(error = %e, "tenant limit not refunded");
        }
    }
}

/// `route` limited per client address: for routes anyone may call.
pub fn per_ip<S: Clone + Send + Sync + 'static>(
    route: MethodRouter<S>,
    policy: &'static Policy,
) -> MethodRouter<S> {
    route.layer(from_fn(move |req: Request, next: Next| {
        limit_ip(policy, req, next)
    }))
}

async fn limit_ip(policy: &'static Policy, req: Request, next: Next) -> Response {
    let Some(context) = req.extensions().get::<Context>().cloned() else {
        return next.run(req).await;
    };
    // Without a known address every such client shares one limit: stricter, not looser.
    let subject = context
        .client
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    match context.check(policy, &subject).await {
        Ok(decision) => with_headers(next.run(req).await, policy, decision),
        Err(refused) => refused.into_response(),
    }
}

/// The address behind the CDN's viewer header when requests are known to come through it,
/// else the one the adapter recorded.
fn client_ip(req: &Request, trust_viewer_header: bool) -> Option<IpAddr> {
    if trust_viewer_header {
        // `CloudFront-Viewer-Address: 203.0.113.7:46532` (IPv6 unbracketed, port last).
        let viewer = req
            .headers()
            .get(VIEWER_ADDRESS)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit_once(':'))
            .and_then(|(ip, _)| ip.parse().ok());
        if viewer.is_some() {
            return viewer;
        }
    }
    req.extensions().get::<ClientAddr>().map(|a| a.0)
}

/// A session's limit is keyed by its token's hash, so no lookup is needed to count it.
pub(crate) fn session_subject(headers: &HeaderMap) -> Option<String> {
    let token = crate::extract::bearer(headers)?;
    Some(
        Sha256::digest(token.expose().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

fn with_headers(mut response: Response, policy: &Policy, decision: Option<Decision>) -> Response {
    if let Some(decision) = decision {
        set_headers(response.headers_mut(), policy, &decision);
    }
    response
}

/// `RateLimit-Policy: "login-ip";q=10;w=60` and `RateLimit: "login-ip";r=3;t=42`.
pub(crate) fn set_headers(headers: &mut HeaderMap, policy: &Policy, decision: &Decision) {
    // A route's own limit wins over the session's, which the outer layer adds last.
    if headers.contains_key(&RATELIMIT) {
        return;
    }
    let name = policy.name;
    let values = [
        (
            RATELIMIT_POLICY,
            format!(
                "\"{name}\";q={};w={}",
                decision.limit,
                policy.window.as_secs()
            ),
        ),
        (
            RATELIMIT,
            format!(
                "\"{name}\";r={};t={}",
                decision.remaining,
                decision.reset_after.as_secs()
            ),
        ),
    ];
    for (header, value) in values {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(header, value);
        }
    }
}
