//! The tenancy module as one Lambda function: tenants, their members and roles, and health;
//! with the activity module's tenant dashboard, served beside the tenant routes. Every
//! tenant-scoped request and its caller are counted for the dashboard.

use std::sync::Arc;

use activity::Activity;
use activity_routes::{ActivityRecorder, ActivityState};
use axum::Router;
use runtime::{DatabaseReady, Platform};
use tenancy::Tenancy;
use tenancy_routes::TenancyState;

/// Everything this function serves, relaying the outbox after each write. The routers are
/// plain axum: their OpenAPI operations are built only for the document, never at cold start.
pub fn app(platform: &Platform) -> Router {
    web::serve(
        platform.jobs.relay_after_writes(
            web::health::router(DatabaseReady(platform.backend.clone())).merge(router(platform)),
        ),
        &options(platform),
    )
}

/// The platform's HTTP options with this function's usage recorder and the tenants' plan
/// budgets for the per-tenant rate limit.
pub fn options(platform: &Platform) -> web::HttpOptions {
    let mut http = activity_routes::recording(&platform.http, || recorder(platform));
    http.tenant_quotas
        .get_or_insert_with(|| tenant_quotas(platform));
    http
}

/// Each tenant's request budget, from its plan in the tenancy tables.
pub fn tenant_quotas(platform: &Platform) -> Arc<web::DynTenantQuotas<'static>> {
    web::DynTenantQuotas::new_arc(tenancy_routes::PlanQuotas::new(tenancy_sql::members(
        &platform.backend,
    )))
}

/// The tenancy module's routes and the tenant dashboard with their state, for this function
/// and the local server.
pub fn router(platform: &Platform) -> Router {
    let tenancy = Tenancy::new(
        tenancy_sql::members(&platform.backend),
        tenancy_sql::directory(&platform.backend),
        platform.clock.clone(),
    );
    let activity = Activity::new(
        Arc::from(activity_sql::store(&platform.backend)),
        platform.cache.clone(),
        platform.clock.clone(),
    );
    tenancy_routes::router()
        .with_state(TenancyState {
            tenancy,
            sessions: platform.sessions.clone(),
        })
        .merge(activity_routes::router().with_state(ActivityState {
            activity,
            sessions: platform.sessions.clone(),
            metrics: platform.metrics.clone(),
        }))
}

/// Counts usage into the platform's database, flushing every few seconds. Must be called inside
/// a Tokio runtime.
pub fn recorder(platform: &Platform) -> ActivityRecorder {
    ActivityRecorder::start(
        activity_sql::store(&platform.backend).into(),
        platform.clock.clone(),
    )
}

/// The document of the routes this function serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    web::openapi::merged([
        web::health::routes().into_openapi(),
        tenancy_routes::routes().into_openapi(),
        activity_routes::routes().into_openapi(),
    ])
}
