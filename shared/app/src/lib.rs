//! The whole platform on one port, for development and for the API suite: every function's
//! module routes, health, and the whole API's OpenAPI document, generated live.

pub mod roles;
pub mod seed;

use axum::Router;
use database::shards::moves::TenantTable;
use database::{Backend, MigrationSet, OpenError};
use identity_passwords::Argon2Hasher;
use runtime::{DatabaseReady, Platform};
use webhooks::Secret;
use webhooks_http::HttpSenderConfig;

/// Every table's migrations: the platform's, then each module's.
pub const MIGRATIONS: [&MigrationSet; 5] = [
    &database::PLATFORM,
    &identity_sql::MIGRATIONS,
    &tenancy_sql::MIGRATIONS,
    &webhooks_sql::MIGRATIONS,
    &activity_sql::MIGRATIONS,
];

/// Every table of tenant data, parents first: what a move between shards copies.
pub fn tenant_tables() -> Vec<TenantTable> {
    [
        tenancy_sql::TENANT_TABLES,
        webhooks_sql::TENANT_TABLES,
        activity_sql::TENANT_TABLES,
    ]
    .concat()
}

pub async fn migrate(backend: &Backend) -> Result<(), OpenError> {
    database::migrations::run(backend, &MIGRATIONS).await
}

/// Every route of every function, and the whole API's document generated live. Writes relay
/// the outbox onto the configured queue, and usage is counted for the tenants' dashboards (by
/// the recorder `platform.http` carries, or a new one), as the functions do. Inbound webhooks
/// take their secret from `INBOUND_WEBHOOK_SECRET` (an invalid one turns them off).
pub fn app(platform: &Platform, hasher: Argon2Hasher) -> Router {
    let inbound = webhooks_api::inbound_secret_from_env().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "inbound webhooks are off");
        None
    });
    app_with(platform, hasher, inbound)
}

/// [`app`] with providers' events signed with `inbound` (none: the route answers 404).
pub fn app_with(platform: &Platform, hasher: Argon2Hasher, inbound: Option<Secret>) -> Router {
    let document = web::openapi::to_json(&openapi());
    web::serve(
        platform.jobs.relay_after_writes(
            web::health::router(DatabaseReady(platform.backend.clone()))
                .merge(accounts_api::router(platform, hasher))
                .merge(tenants_api::router(platform))
                .merge(webhooks_api::router(platform, webhooks(platform)))
                .merge(webhooks_api::inbound_router(platform, inbound))
                .merge(web::openapi::served(document)),
        ),
        &tenants_api::options(platform),
    )
}

/// The queue's consumers, run in-process as the worker functions run them in AWS: until
/// `stop`, relays the outbox, receives jobs and hands them to every worker's consumers.
pub async fn work(
    platform: &Platform,
    mail: &jobs_worker::MailConfig,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let dispatcher = jobs_worker::dispatcher(
        platform,
        jobs_worker::notifications(mail)?,
        webhooks(platform),
    );
    runtime::jobs::work_embedded(platform.jobs.clone(), dispatcher, stop).await;
    Ok(())
}

/// The whole API's document: what every function serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    web::openapi::merged([
        accounts_api::openapi(),
        tenants_api::openapi(),
        webhooks_api::openapi(),
    ])
}

/// The webhooks module with the URL policy of the environment (the server checks it at
/// start); an invalid one falls back to the strict public policy.
fn webhooks(platform: &Platform) -> webhooks::Webhooks {
    let config = HttpSenderConfig::from_env().unwrap_or_default();
    // Building the sender only loads compiled-in root certificates.
    webhooks_api::webhooks(platform, config).unwrap_or_else(|e| panic!("webhook sender: {e}"))
}
