//! HTTP plumbing every module's routes share. Each module offers its routes twice: as a plain
//! axum `Router`, which is what a function builds at cold start, and with their OpenAPI
//! operations, which only the document needs. A function [`serve`]s the routers of the modules
//! it serves; the local server serves every function's. Tests, the local server and the Lambda
//! functions run the same routers.

mod activity;
mod etag;
mod extract;
mod fields;
mod guard;
pub mod health;
mod idempotent;
mod limits;
mod metrics;
mod middleware;
pub mod openapi;
mod options;
mod problem;
mod reads;

use axum::Router;

pub use activity::{ActivitySink, Recorder};
pub use extract::{Authenticated, Json, Path, bearer};
pub use fields::{Fields, page, parse_id, tenant_scope};
pub use health::{DynReadiness, Readiness};
pub use kv::{Decision, Policy};
pub use limits::{
    ClientAddr, DynTenantQuotas, PER_SESSION, PER_TENANT, RateLimits, TenantQuotas, per_ip,
};
pub use metrics::{BusinessMetric, BusinessMetrics, EmfMetrics};
pub use options::{HttpOptions, LimiterFailure, Limits};
pub use problem::{ApiError, FieldError, PROBLEM_JSON, Problem};
pub use reads::{Handling, OnWriter, ReadYourWrites};

/// Largest request body accepted, in bytes. Larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The routes wrapped in the shared layers: request ids, tracing, security headers, problem
/// rendering, the origin secret, CORS, rate limits, read-your-writes, idempotency keys, ETags, the default
/// `Cache-Control`, the body limit and panic containment.
pub fn serve(routes: Router, options: &HttpOptions) -> Router {
    middleware::wrap(routes, options)
}
