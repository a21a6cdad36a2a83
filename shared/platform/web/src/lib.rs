//! HTTP plumbing every module's routes share. A function composes the routes of the modules
//! it serves into one [`Api`]; the local server composes every function's. Tests, the local
//! server and the Lambda functions run the same routers.

mod extract;
mod fields;
pub mod health;
mod metrics;
mod middleware;
pub mod openapi;
mod problem;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

pub use extract::{Authenticated, Json, Path};
pub use fields::{Fields, parse_id};
pub use health::{DynReadiness, Readiness};
pub use metrics::{BusinessMetric, BusinessMetrics, EmfMetrics};
pub use problem::{ApiError, FieldError, PROBLEM_JSON, Problem};

/// Largest request body accepted, in bytes. Larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Routes being composed into one API, each group already holding its state.
pub struct Api(OpenApiRouter);

impl Default for Api {
    fn default() -> Self {
        Self(OpenApiRouter::with_openapi(openapi::base()))
    }
}

impl Api {
    pub fn merge(self, routes: OpenApiRouter) -> Self {
        Self(self.0.merge(routes))
    }

    /// The document of everything merged so far.
    pub fn openapi(&self) -> utoipa::openapi::OpenApi {
        self.0.get_openapi().clone()
    }

    /// The routes wrapped in the shared layers: request ids, tracing, problem rendering,
    /// panic containment, the body limit and the default `Cache-Control`.
    pub fn into_router(self) -> Router {
        let (router, _) = self.0.split_for_parts();
        middleware::wrap(router)
    }
}
