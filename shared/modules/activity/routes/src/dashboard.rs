//! A tenant's usage dashboard.

use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use kv::CacheStatus;
use serde::Deserialize;
use web::{ApiError, Authenticated, BusinessMetric, Path, Problem, tenant_scope};

use crate::ActivityState;
use crate::dto::DashboardBody;
use crate::errors::problem;

/// Where the answer came from: `hit`, `miss`, `stale` or `bypass`.
const X_CACHE: &str = "x-cache";

/// The 404 of every route under a tenant: absent and not the caller's look the same on purpose.
const NO_TENANT: &str = "No such tenant, or the caller is not a member";

#[derive(Debug, Deserialize)]
pub(crate) struct TenantPath {
    pub tenant_id: String,
}

/// The tenant's usage over the last 90 days. Any member may read it.
///
/// One entry per UTC day, today included, oldest first, every day present: members who joined,
/// logins by members, active members and successful API calls. It is cached for a minute and
/// served stale for four more while one request recomputes it; a membership change refreshes
/// it. Requests and logins are counted in batches, so the last few seconds may not show yet.
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/dashboard",
    tag = "activity",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path)),
    responses(
        (
            status = 200,
            description = "The last 90 days",
            body = DashboardBody,
            headers(("X-Cache" = String, description = "Where the answer came from: hit, miss, stale, or bypass when the cache is down"))
        ),
        (status = 400, description = "A tenant id that is not a UUID", body = Problem),
        (status = 404, description = NO_TENANT, body = Problem),
    )
)]
pub(crate) async fn get_dashboard(
    State(state): State<ActivityState>,
    auth: Authenticated,
    Path(path): Path<TenantPath>,
) -> Result<Response, ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let (dashboard, status) = state
        .activity
        .dashboard(auth.user, tenant)
        .await
        .map_err(problem)?;
    if status == CacheStatus::Bypass {
        state.metrics.count(BusinessMetric::CacheBypassed);
    }
    let header = HeaderValue::from_static(status.as_str());
    Ok((
        [(X_CACHE, header)],
        axum::Json(DashboardBody::from(dashboard)),
    )
        .into_response())
}
