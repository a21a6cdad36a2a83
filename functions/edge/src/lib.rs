//! The edge: routes served as Spin components, from the same routers the Lambda functions
//! serve. A component adapts the incoming `wasi:http` request into that `Router` and writes its
//! response back (the `spin` module, built for wasm32 only); the router is built for each
//! request, the way a function builds it at cold start.
//!
//! Pieces that cannot run in a WebAssembly component (sqlx, Tokio's networking) get port
//! adapters instead: the plan catalog needs none; `GET /v1/me` reads sessions and accounts from
//! the edge's key-value store, filled from the origin API ([`me`]); providers' signed events
//! (`POST /v1/webhooks/inbound`) are verified by the webhooks module's own route and handed to
//! a sink that forwards them to the origin, so only verified ones reach it.

pub mod me;
#[cfg(target_arch = "wasm32")]
// The component's exports are generated `extern "C"` glue.
#[allow(unsafe_code)]
mod spin;

use axum::Router;
use web::HttpOptions;
use webhooks_routes::InboundState;

/// The public plan catalog (`GET /v1/plans`), tenancy's own route, in the platform's HTTP
/// layers (request ids, problem responses, ETags and `304`, security headers).
pub fn catalog() -> Router {
    web::serve(tenancy_routes::catalog(), &HttpOptions::default())
}

/// Everything the edge serves: the catalog, `GET /v1/me` on the edge's ports, and inbound
/// webhooks checked with `inbound`'s secret, in the platform's HTTP layers.
pub fn router(edge: me::Edge, inbound: InboundState) -> Router {
    web::serve(
        tenancy_routes::catalog()
            .merge(me::router(edge))
            .merge(webhooks_routes::inbound().with_state(inbound)),
        &HttpOptions::default(),
    )
}
