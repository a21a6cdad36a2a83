//! The identity module as one Lambda function: signup, sessions, `/v1/me`, health, and the
//! whole API's OpenAPI document. Of the other modules it links only the activity module's
//! recorder, which counts logins for the tenants' dashboards.

use activity_routes::ActivityRecorder;
use axum::Router;
use identity::Identity;
use identity_passwords::Argon2Hasher;
use identity_routes::IdentityState;
use runtime::{DatabaseReady, Platform};

/// The whole API's document, as `app` generates it and the API suite checks it; served at
/// `/openapi.json` without linking the other modules' routes.
pub const API_DOCUMENT: &str = include_str!("../../../docs/openapi.json");

/// Everything this function serves, relaying the outbox after each write. The routers are
/// plain axum: their OpenAPI operations are built only for the document, never at cold start.
pub fn app(platform: &Platform, hasher: Argon2Hasher) -> Router {
    web::serve(
        platform.jobs.relay_after_writes(
            web::health::router(DatabaseReady(platform.backend.clone()))
                .merge(router(platform, hasher))
                .merge(web::openapi::served(API_DOCUMENT)),
        ),
        &activity_routes::recording(&platform.http, || {
            ActivityRecorder::start(
                activity_sql::store(&platform.backend).into(),
                platform.clock.clone(),
            )
        }),
    )
}

/// The identity module's routes with their state, for this function and the local server.
pub fn router(platform: &Platform, hasher: Argon2Hasher) -> Router {
    let identity = Identity::new(
        identity_sql::users(&platform.backend),
        hasher,
        platform.sessions.clone(),
        platform.clock.clone(),
    );
    identity_routes::router().with_state(IdentityState {
        identity,
        sessions: platform.sessions.clone(),
        metrics: platform.metrics.clone(),
    })
}

/// The document of the routes this function serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    web::openapi::merged([
        web::health::routes().into_openapi(),
        identity_routes::routes().into_openapi(),
        web::openapi::routes().into_openapi(),
    ])
}
