//! HTTP plumbing every module's routes share. Each module offers its routes twice: as a plain
//! axum `Router`, which is what a function builds at cold start, and with their OpenAPI
//! operations, which only the document needs. A function [`serve`]s the routers of the modules
//! it serves; the local server serves every function's. Tests, the local server and the Lambda
//! functions run the same routers.

mod extract;
mod fields;
pub mod health;
mod metrics;
mod middleware;
pub mod openapi;
mod problem;

use axum::Router;

pub use extract::{Authenticated, Json, Path};
pub use fields::{Fields, page, parse_id, tenant_scope};
pub use health::{DynReadiness, Readiness};
pub use metrics::{BusinessMetric, BusinessMetrics, EmfMetrics};
pub use problem::{ApiError, FieldError, PROBLEM_JSON, Problem};

/// Largest request body accepted, in bytes. Larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The routes wrapped in the shared layers: request ids, tracing, problem rendering, panic
/// containment, the body limit and the default `Cache-Control`.
pub fn serve(routes: Router) -> Router {
    middleware::wrap(routes)
}
