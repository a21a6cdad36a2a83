//! The identity module's HTTP routes: signup, sessions, `/v1/me` and password resets. Handlers parse input into
//! domain values, call one use case and map the result; the mapping of the module's errors
//! onto HTTP lives in [`errors`].

mod dto;
mod errors;
mod handlers;
pub mod limits;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{delete, get, post};
use identity::Identity;
use sessions::Sessions;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use web::{BusinessMetrics, per_ip};

/// What the identity routes need, built once per process.
#[derive(Clone)]
pub struct IdentityState {
    pub identity: Identity,
    pub sessions: Sessions,
    pub metrics: Arc<dyn BusinessMetrics>,
}

impl FromRef<IdentityState> for Sessions {
    fn from_ref(state: &IdentityState) -> Self {
        state.sessions.clone()
    }
}

/// `GET /v1/me` alone: what the edge serves from its session cache.
pub fn me() -> Router<IdentityState> {
    Router::new().route("/v1/me", get(handlers::me))
}

/// Every identity route: what a function builds at cold start. The functions' tests check that
/// it serves every operation of [`routes`].
pub fn router() -> Router<IdentityState> {
    Router::new()
        .route(
            "/v1/signup",
            per_ip(post(handlers::signup), &limits::SIGNUP_PER_IP),
        )
        .route(
            "/v1/sessions",
            per_ip(post(handlers::login), &limits::LOGIN_PER_IP),
        )
        .route("/v1/sessions/current", delete(handlers::logout))
        .merge(me())
        .route(
            "/v1/password-resets",
            per_ip(
                post(handlers::request_password_reset),
                &limits::PASSWORD_RESET_PER_IP,
            ),
        )
        .route(
            "/v1/password-resets/confirm",
            per_ip(
                post(handlers::confirm_password_reset),
                &limits::PASSWORD_RESET_PER_IP,
            ),
        )
}

/// The same routes, each carrying its OpenAPI operation, for the document.
pub fn routes() -> OpenApiRouter<IdentityState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::signup))
        .routes(routes!(handlers::login))
        .routes(routes!(handlers::logout))
        .routes(routes!(handlers::me))
        .routes(routes!(handlers::request_password_reset))
        .routes(routes!(handlers::confirm_password_reset))
}
