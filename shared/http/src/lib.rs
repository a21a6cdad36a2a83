//! The HTTP surface. [`app`] builds the whole API as one axum `Router`; [`group`] builds the
//! slice one Lambda function serves. Tests, the local server and the functions run the same code.

mod extract;
mod metrics;
mod middleware;
mod openapi;
mod problem;
mod routes;

use std::sync::Arc;

use accounts::Accounts;
use axum::Router;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

pub use metrics::{BusinessMetric, BusinessMetrics, EmfMetrics};
pub use openapi::openapi;
pub use problem::{ApiError, FieldError, Problem};

/// Largest request body accepted, in bytes. Larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Everything a handler needs, built once per process and cloned per request.
#[derive(Clone)]
pub struct AppState {
    pub accounts: Accounts,
    pub metrics: Arc<dyn BusinessMetrics>,
}

/// A group of routes deployed together as one Lambda function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteGroup {
    /// Signup, sessions, `/v1/me`, health and the OpenAPI document.
    Accounts,
    /// Tenants and their members.
    Tenants,
}

impl RouteGroup {
    pub const ALL: [RouteGroup; 2] = [RouteGroup::Accounts, RouteGroup::Tenants];

    fn routes(self) -> OpenApiRouter<AppState> {
        match self {
            Self::Accounts => routes::accounts::router(),
            Self::Tenants => routes::tenants::router(),
        }
    }
}

/// The whole API: every route group, health, and `/openapi.json`.
pub fn app(state: AppState) -> Router {
    serve(&RouteGroup::ALL, state)
}

/// The routes of one group, as its Lambda function serves them. Every group answers health
/// checks, so each function can be probed on its own.
pub fn group(group: RouteGroup, state: AppState) -> Router {
    serve(&[group], state)
}

fn serve(groups: &[RouteGroup], state: AppState) -> Router {
    let (router, _) = routes(groups).split_for_parts();
    middleware::wrap(router).with_state(state)
}

/// The groups' routes plus health, each route carrying its OpenAPI operation.
fn routes(groups: &[RouteGroup]) -> OpenApiRouter<AppState> {
    groups.iter().fold(
        OpenApiRouter::with_openapi(openapi::ApiDoc::openapi()).merge(routes::health::router()),
        |router, group| router.merge(group.routes()),
    )
}
