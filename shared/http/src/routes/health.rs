//! Liveness and readiness probes.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{ApiError, AppState};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Health {
    #[schema(example = "ok")]
    status: &'static str,
}

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(live))
        .routes(routes!(ready))
}

/// Liveness: the process is up and serving. Touches no dependency.
#[utoipa::path(get, path = "/v1/health", tag = "health", responses((status = 200, body = Health)))]
async fn live() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

/// Readiness: the database answers queries.
#[utoipa::path(
    get,
    path = "/v1/health/ready",
    tag = "health",
    responses((status = 200, body = Health), (status = 503, body = crate::Problem))
)]
async fn ready(State(state): State<AppState>) -> Result<axum::Json<Health>, ApiError> {
    state.accounts.ready().await?;
    Ok(axum::Json(Health { status: "ready" }))
}
