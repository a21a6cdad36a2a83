//! The tenancy module as one Lambda function: tenants, their members and roles, and health.
//! It links no other module.

use axum::Router;
use runtime::{DatabaseReady, Platform};
use tenancy::Tenancy;
use tenancy_routes::TenancyState;

/// Everything this function serves, relaying the outbox after each write. The routers are
/// plain axum: their OpenAPI operations are built only for the document, never at cold start.
pub fn app(platform: &Platform) -> Router {
    web::serve(platform.jobs.relay_after_writes(
        web::health::router(DatabaseReady(platform.backend.clone())).merge(router(platform)),
    ))
}

/// The tenancy module's routes with their state, for this function and the local server.
pub fn router(platform: &Platform) -> Router {
    let tenancy = Tenancy::new(
        tenancy_sql::members(&platform.backend),
        tenancy_sql::directory(&platform.backend),
        platform.clock.clone(),
    );
    tenancy_routes::router().with_state(TenancyState {
        tenancy,
        sessions: platform.sessions.clone(),
    })
}

/// The document of the routes this function serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    web::openapi::merged([
        web::health::routes().into_openapi(),
        tenancy_routes::routes().into_openapi(),
    ])
}
