//! The edge: routes served as Spin components, from the same routers the Lambda functions
//! serve. A component adapts the incoming `wasi:http` request into that `Router` and writes its
//! response back ([`spin`]); the router is built here, once per request, the way a function
//! builds it at cold start.
//!
//! Pieces that cannot run in a WebAssembly component (sqlx, Tokio's networking) get port
//! adapters here instead; the plan catalog needs none.

// The component's exports are generated `extern "C"` glue.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod spin;

use axum::Router;
use web::HttpOptions;

/// What the edge serves: the public plan catalog (`GET /v1/plans`), wrapped in the platform's
/// HTTP layers (request ids, problem responses, ETags and `304`, security headers), as the
/// functions wrap their routes.
pub fn router() -> Router {
    web::serve(tenancy_routes::catalog(), &HttpOptions::default())
}
