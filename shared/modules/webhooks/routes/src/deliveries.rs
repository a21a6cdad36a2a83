//! An endpoint's delivery log: every attempt, newest first.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use web::{ApiError, Authenticated, Path, Problem, parse_id, tenant_scope};
use webhooks::{DeliveryId, EndpointId, MAX_PAGE_SIZE};

use crate::WebhooksState;
use crate::dto::{DeliveryBody, DeliveryPageBody, PageQuery};
use crate::endpoints::{EndpointPath, NO_ENDPOINT};
use crate::errors::problem;

const DEFAULT_PAGE_SIZE: u32 = 20;

/// The endpoint's delivery log, newest first, one page at a time: each attempt with its status
/// code or error and how long it took. Owners and admins only.
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/webhooks/{endpoint_id}/deliveries",
    tag = "webhooks",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path), ("endpoint_id" = uuid::Uuid, Path), PageQuery),
    responses(
        (status = 200, description = "A page of the log", body = DeliveryPageBody),
        (
            status = 400,
            description = "A malformed id, cursor, limit or query string",
            body = Problem
        ),
        (status = 403, description = "Members may not manage webhooks", body = Problem),
        (status = 404, description = NO_ENDPOINT, body = Problem),
    )
)]
pub(crate) async fn list_deliveries(
    State(state): State<WebhooksState>,
    auth: Authenticated,
    Path(path): Path<EndpointPath>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<axum::Json<DeliveryPageBody>, ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let endpoint: EndpointId = parse_id(&path.endpoint_id, "endpoint_id")?;
    let Query(query) =
        query.map_err(|_| ApiError::bad_request("the query string is malformed", None))?;
    let (before, limit) = web::page::<DeliveryId>(
        query.cursor.as_deref(),
        query.limit.as_deref(),
        DEFAULT_PAGE_SIZE,
        MAX_PAGE_SIZE,
    )?;
    let page = state
        .webhooks
        .deliveries(auth.user, tenant, endpoint, before, limit)
        .await
        .map_err(problem)?;
    Ok(axum::Json(DeliveryPageBody {
        deliveries: page
            .deliveries
            .into_iter()
            .map(DeliveryBody::from)
            .collect(),
        next_cursor: page.next.map(|id| id.to_string()),
    }))
}
