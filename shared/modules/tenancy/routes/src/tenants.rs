//! The caller's tenants: list, create, read one.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tenancy::TenantName;
use tracing::field::display;
use web::{ApiError, Authenticated, Json, Path, Problem, tenant_scope};

use crate::TenancyState;
use crate::dto::{CreateTenantRequest, MembershipsBody, TenantBody};
use crate::errors::problem;

#[derive(Debug, Deserialize)]
pub(crate) struct TenantPath {
    pub tenant_id: String,
}

/// The 404 of every route under a tenant: absent and not the caller's look the same on purpose.
pub(crate) const NO_TENANT: &str = "No such tenant, or the caller is not a member";

/// The tenants the caller belongs to, with the caller's role in each.
#[utoipa::path(
    get,
    path = "/v1/tenants",
    tag = "tenancy",
    security(("session" = [])),
    responses((status = 200, description = "The caller's tenants", body = MembershipsBody))
)]
pub(crate) async fn list_tenants(
    State(state): State<TenancyState>,
    auth: Authenticated,
) -> Result<axum::Json<MembershipsBody>, ApiError> {
    let memberships = state
        .tenancy
        .memberships(auth.user)
        .await
        .map_err(problem)?;
    Ok(axum::Json(MembershipsBody {
        tenants: memberships.into_iter().map(Into::into).collect(),
    }))
}

/// Creates a tenant with the caller as its first owner.
#[utoipa::path(
    post,
    path = "/v1/tenants",
    tag = "tenancy",
    security(("session" = [])),
    request_body = CreateTenantRequest,
    responses((status = 201, description = "The new tenant", body = TenantBody))
)]
pub(crate) async fn create_tenant(
    State(state): State<TenancyState>,
    auth: Authenticated,
    Json(body): Json<CreateTenantRequest>,
) -> Result<(StatusCode, axum::Json<TenantBody>), ApiError> {
    let name = TenantName::parse(&body.name)?;
    let tenant = state
        .tenancy
        .create_tenant(auth.user, name)
        .await
        .map_err(problem)?;
    tracing::Span::current().record("tenant_id", display(tenant.id));
    Ok((StatusCode::CREATED, axum::Json(tenant.into())))
}

/// A tenant the caller belongs to.
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}",
    tag = "tenancy",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The tenant", body = TenantBody),
        (status = 400, description = "The tenant id is not a UUID", body = Problem),
        (status = 404, description = NO_TENANT, body = Problem),
    )
)]
pub(crate) async fn get_tenant(
    State(state): State<TenancyState>,
    auth: Authenticated,
    Path(path): Path<TenantPath>,
) -> Result<axum::Json<TenantBody>, ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let found = state
        .tenancy
        .tenant(auth.user, tenant)
        .await
        .map_err(problem)?;
    Ok(axum::Json(found.into()))
}
