//! The webhooks module as one Lambda function: owners and admins register their tenant's
//! endpoints and read the delivery log. Deliveries themselves are the jobs worker's. Of the
//! other modules it links only the activity module's recorder, which counts its tenant-scoped
//! requests for the tenants' dashboards, and the tenancy module's plans, which set each
//! tenant's request budget.

use activity_routes::ActivityRecorder;
use axum::Router;
use runtime::{DatabaseReady, Platform};
use webhooks::Webhooks;
use webhooks_http::{HttpSender, HttpSenderConfig};
use webhooks_routes::WebhooksState;

/// The module on the platform's database, with the sender and URL policy of `config`: the API
/// accepts exactly the URLs the worker will deliver to.
pub fn webhooks(platform: &Platform, config: HttpSenderConfig) -> anyhow::Result<Webhooks> {
    Ok(Webhooks::new(
        webhooks_sql::endpoints(&platform.backend),
        HttpSender::new(config)?,
        platform.clock.clone(),
        config.policy,
    ))
}

/// Everything this function serves, relaying the outbox after each write.
pub fn app(platform: &Platform, webhooks: Webhooks) -> Router {
    web::serve(
        platform.jobs.relay_after_writes(
            web::health::router(DatabaseReady(platform.backend.clone()))
                .merge(router(platform, webhooks)),
        ),
        &options(platform),
    )
}

/// The platform's HTTP options with a usage recorder and the tenants' plan budgets, read from
/// the tenancy tables, for the per-tenant rate limit.
fn options(platform: &Platform) -> web::HttpOptions {
    let mut http = activity_routes::recording(&platform.http, || {
        ActivityRecorder::start(
            activity_sql::store(&platform.backend).into(),
            platform.clock.clone(),
        )
    });
    http.tenant_quotas.get_or_insert_with(|| {
        web::DynTenantQuotas::new_arc(tenancy_routes::PlanQuotas::new(tenancy_sql::members(
            &platform.backend,
        )))
    });
    http
}

/// The webhooks module's routes with their state, for this function and the local server.
pub fn router(platform: &Platform, webhooks: Webhooks) -> Router {
    webhooks_routes::router().with_state(WebhooksState {
        webhooks,
        sessions: platform.sessions.clone(),
    })
}

/// The document of the routes this function serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    web::openapi::merged([
        web::health::routes().into_openapi(),
        webhooks_routes::routes().into_openapi(),
    ])
}
