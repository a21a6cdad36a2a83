//! The whole platform on one port, for development and for the API suite: every function's
//! module routes, health, and the whole API's OpenAPI document, generated live.

use axum::Router;
use database::{Backend, MigrationSet, OpenError};
use identity_passwords::Argon2Hasher;
use runtime::{DatabaseReady, Platform};

/// Every table's migrations: the platform's, then each module's.
pub const MIGRATIONS: [&MigrationSet; 3] = [
    &database::PLATFORM,
    &identity_sql::MIGRATIONS,
    &tenancy_sql::MIGRATIONS,
];

pub async fn migrate(backend: &Backend) -> Result<(), OpenError> {
    database::migrations::run(backend, &MIGRATIONS).await
}

/// Every route of every function, and the whole API's document generated live.
pub fn app(platform: &Platform, hasher: Argon2Hasher) -> Router {
    let document = web::openapi::to_json(&openapi());
    web::serve(
        web::health::router(DatabaseReady(platform.backend.clone()))
            .merge(accounts_api::router(platform, hasher))
            .merge(tenants_api::router(platform))
            .merge(web::openapi::served(document)),
    )
}

/// The whole API's document: what every function serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    web::openapi::merged([accounts_api::openapi(), tenants_api::openapi()])
}
