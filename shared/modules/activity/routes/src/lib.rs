//! The activity module's HTTP side: `GET /v1/tenants/{tenant_id}/dashboard`, readable by any
//! member and answering 404 to anyone else exactly as for a tenant that does not exist, and
//! the [`ActivityRecorder`] that the functions give the shared layers to count usage.

mod dashboard;
mod dto;
mod errors;
mod recorder;

use std::sync::Arc;

use activity::Activity;
use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use sessions::Sessions;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use web::{BusinessMetrics, HttpOptions};

pub use recorder::{ActivityRecorder, FLUSH_AT, FLUSH_EVERY};

/// `options` with a recorder counting the process's usage: the one they carry already (a test
/// that reads the counts, a server that flushes them on shutdown), or a new one started over
/// the store `start` opens. Must be called inside a Tokio runtime.
pub fn recording(options: &HttpOptions, start: impl FnOnce() -> ActivityRecorder) -> HttpOptions {
    let mut options = options.clone();
    options.activity.get_or_insert_with(|| Arc::new(start()));
    options
}

/// What the activity routes need, built once per process.
#[derive(Clone)]
pub struct ActivityState {
    pub activity: Activity,
    pub sessions: Sessions,
    /// Counts dashboards served without the cache.
    pub metrics: Arc<dyn BusinessMetrics>,
}

impl FromRef<ActivityState> for Sessions {
    fn from_ref(state: &ActivityState) -> Self {
        state.sessions.clone()
    }
}

/// Every activity route: what a function builds at cold start.
pub fn router() -> Router<ActivityState> {
    Router::new().route(
        "/v1/tenants/{tenant_id}/dashboard",
        get(dashboard::get_dashboard),
    )
}

/// The same routes, each carrying its OpenAPI operation, for the document.
pub fn routes() -> OpenApiRouter<ActivityState> {
    OpenApiRouter::new().routes(routes!(dashboard::get_dashboard))
}
