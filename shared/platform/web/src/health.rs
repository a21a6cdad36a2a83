//! Liveness and readiness probes, which every function serves.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use kernel::Unavailable;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiError;

/// What readiness checks: the dependencies a function cannot serve without.
#[dynosaur::dynosaur(pub DynReadiness = dyn(box) Readiness)]
pub trait Readiness: Send + Sync {
    fn ready(&self) -> impl Future<Output = Result<(), Unavailable>> + Send;
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    status: &'static str,
}

/// `/v1/health` and `/v1/health/ready`, answered with `readiness`.
pub fn router(readiness: impl Readiness + 'static) -> Router {
    Router::new()
        .route("/v1/health", get(live))
        .route("/v1/health/ready", get(ready))
        .with_state(DynReadiness::new_arc(readiness))
}

/// The same routes with their OpenAPI operations, for the document.
pub fn routes() -> OpenApiRouter<Arc<DynReadiness<'static>>> {
    OpenApiRouter::new()
        .routes(routes!(live))
        .routes(routes!(ready))
}

/// Liveness: the process is up and serving. Touches no dependency.
#[utoipa::path(
    get,
    path = "/v1/health",
    tag = "health",
    responses((status = 200, description = "The process serves requests", body = Health))
)]
async fn live() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

/// Readiness: the database answers queries.
#[utoipa::path(
    get,
    path = "/v1/health/ready",
    tag = "health",
    responses(
        (status = 200, description = "The database answers", body = Health),
        (status = 503, description = "The database does not answer", body = crate::Problem),
    )
)]
async fn ready(
    State(readiness): State<Arc<DynReadiness<'static>>>,
) -> Result<axum::Json<Health>, ApiError> {
    readiness.ready().await.map_err(ApiError::unavailable)?;
    Ok(axum::Json(Health { status: "ready" }))
}
