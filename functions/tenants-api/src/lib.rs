//! The tenancy module as one Lambda function: tenants, their members and roles, and health.
//! It links no other module.

use axum::Router;
use runtime::{DatabaseReady, Platform};
use tenancy::Tenancy;
use tenancy_routes::TenancyState;
use utoipa_axum::router::OpenApiRouter;
use web::Api;

/// Everything this function serves.
pub fn app(platform: &Platform) -> Router {
    Api::default()
        .merge(web::health::router(DatabaseReady(platform.backend.clone())))
        .merge(routes(platform))
        .into_router()
}

/// The tenancy module's routes with their state, for this function and the local server.
pub fn routes(platform: &Platform) -> OpenApiRouter {
    let tenancy = Tenancy::new(
        tenancy_sql::members(&platform.backend),
        tenancy_sql::directory(&platform.backend),
        platform.clock.clone(),
    );
    let state = TenancyState {
        tenancy,
        sessions: platform.sessions.clone(),
    };
    tenancy_routes::routes().with_state(state)
}

/// The document of the routes this function serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    web::openapi::merged([
        web::health::routes().into_openapi(),
        tenancy_routes::routes().into_openapi(),
    ])
}
