//! The webhooks module as one Lambda function: owners and admins register their tenant's
//! endpoints and read the delivery log, and providers POST their signed events. Deliveries
//! themselves are the jobs worker's. Of the
//! other modules it links only the activity module's recorder, which counts its tenant-scoped
//! requests for the tenants' dashboards, and the tenancy module's plans, which set each
//! tenant's request budget.

use std::sync::Arc;

use activity_routes::ActivityRecorder;
use axum::Router;
use runtime::{DatabaseReady, Platform};
use webhooks::{Secret, Webhooks};
use webhooks_http::{HttpSender, HttpSenderConfig};
use webhooks_routes::{InboundState, WebhooksState};

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

/// Everything this function serves, relaying the outbox after each write: the tenants'
/// endpoints, and providers' events when `inbound` (their shared secret) is set.
pub fn app(platform: &Platform, webhooks: Webhooks, inbound: Option<Secret>) -> Router {
    web::serve(
        platform.jobs.relay_after_writes(
            web::health::router(DatabaseReady(platform.backend.clone()))
                .merge(router(platform, webhooks))
                .merge(inbound_router(platform, inbound)),
        ),
        &options(platform),
    )
}

/// `INBOUND_WEBHOOK_SECRET`: the `whsec_…` secret providers sign their events with; unset, the
/// inbound route answers 404.
pub fn inbound_secret_from_env() -> anyhow::Result<Option<Secret>> {
    match std::env::var("INBOUND_WEBHOOK_SECRET") {
        Ok(raw) if !raw.trim().is_empty() => Secret::parse(raw.trim())
            .map(Some)
            .map_err(|e| anyhow::anyhow!("INBOUND_WEBHOOK_SECRET is invalid: {e}")),
        _ => Ok(None),
    }
}

/// Providers' signed events, recorded in the outbox, for this function and the local server.
pub fn inbound_router(platform: &Platform, secret: Option<Secret>) -> Router {
    webhooks_routes::inbound().with_state(InboundState {
        secret,
        sink: Arc::from(webhooks_sql::inbound(
            &platform.backend,
            platform.clock.clone(),
        )),
        clock: platform.clock.clone(),
    })
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
        webhooks_routes::inbound_routes().into_openapi(),
    ])
}
