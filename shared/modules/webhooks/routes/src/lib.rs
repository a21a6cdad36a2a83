//! The webhooks module's HTTP routes: a tenant's endpoints and each endpoint's delivery log.
//! Owners and admins only: members get 403, and a caller outside the tenant 404, exactly as
//! for a tenant that does not exist. Handlers parse input into domain values, call one use
//! case and map the result; the mapping of the module's errors onto HTTP lives in [`errors`].

mod deliveries;
mod dto;
mod endpoints;
mod errors;
mod inbound;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{delete, get, post};
use sessions::Sessions;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use webhooks::Webhooks;

pub use inbound::InboundState;

/// What the webhooks routes need, built once per process.
#[derive(Clone)]
pub struct WebhooksState {
    pub webhooks: Webhooks,
    pub sessions: Sessions,
}

impl FromRef<WebhooksState> for Sessions {
    fn from_ref(state: &WebhooksState) -> Self {
        state.sessions.clone()
    }
}

/// Every webhooks route: what a function builds at cold start.
pub fn router() -> Router<WebhooksState> {
    Router::new()
        .route(
            "/v1/tenants/{tenant_id}/webhooks",
            get(endpoints::list_endpoints).post(endpoints::register_endpoint),
        )
        .route(
            "/v1/tenants/{tenant_id}/webhooks/{endpoint_id}",
            delete(endpoints::delete_endpoint),
        )
        .route(
            "/v1/tenants/{tenant_id}/webhooks/{endpoint_id}/deliveries",
            get(deliveries::list_deliveries),
        )
}

/// `POST /v1/webhooks/inbound`: providers' signed events, for the origin and the edge alike.
pub fn inbound() -> Router<InboundState> {
    Router::new().route("/v1/webhooks/inbound", post(inbound::receive_inbound))
}

/// The inbound route with its OpenAPI operation, for the document.
pub fn inbound_routes() -> OpenApiRouter<InboundState> {
    OpenApiRouter::new().routes(routes!(inbound::receive_inbound))
}

/// The same routes, each carrying its OpenAPI operation, for the document.
pub fn routes() -> OpenApiRouter<WebhooksState> {
    OpenApiRouter::new()
        .routes(routes!(
            endpoints::list_endpoints,
            endpoints::register_endpoint
        ))
        .routes(routes!(endpoints::delete_endpoint))
        .routes(routes!(deliveries::list_deliveries))
}
