//! What the shared layers enforce beyond the routes themselves, built once per process from
//! configuration: which browser origins may call, the secret that proves a request came
//! through the CDN, rate limits and idempotency keys.

use std::sync::Arc;

use kv::{Idempotency, RateLimiter};

use crate::{ActivitySink, BusinessMetrics, DynTenantQuotas, ReadYourWrites};

#[derive(Clone, Default)]
pub struct HttpOptions {
    /// Browser origins CORS lets read responses, e.g. `https://app.example.com`. None: no
    /// cross-origin reads.
    pub cors_origins: Vec<String>,
    /// When set, a request must carry `X-Origin-Verify` with this value (the CDN adds it), and
    /// the client's address is read from the CDN's `CloudFront-Viewer-Address`.
    pub origin_secret: Option<String>,
    /// None: no rate limits (tests that are not about them).
    pub limits: Option<Limits>,
    /// None: `Idempotency-Key` is ignored.
    pub idempotency: Option<Idempotency>,
    /// None: no per-tenant limits.
    pub tenant_quotas: Option<Arc<DynTenantQuotas<'static>>>,
    /// None: usage is not counted.
    pub activity: Option<Arc<dyn ActivitySink>>,
    /// Where the layers report what they bypassed or refused.
    pub metrics: Option<Arc<dyn BusinessMetrics>>,
    /// None: no replica, or nothing to pin; reads go wherever the database sends them.
    pub read_your_writes: Option<ReadYourWrites>,
}

/// The rate limiter and what to do when its store is down.
#[derive(Clone)]
pub struct Limits {
    pub limiter: RateLimiter,
    pub on_failure: LimiterFailure,
}

/// What a request gets when the limiter's store cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LimiterFailure {
    /// Served as if within its limits, with a warning and a metric. The default: a cache
    /// outage then degrades protection instead of taking the whole API down, while the bounded
    /// password-hashing queue and the API Gateway stage throttle still cap the damage.
    #[default]
    Open,
    /// Refused with 503: for deployments that would rather be unavailable than unthrottled.
    Closed,
}
