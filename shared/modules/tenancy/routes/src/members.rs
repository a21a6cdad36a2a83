//! A tenant's members: list, change a role, remove. Members join through invitations.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use kernel::{TenantId, UserId};
use serde::Deserialize;
use tenancy::{MAX_PAGE_SIZE, Role};
use web::{ApiError, Authenticated, Json, Path, Problem, parse_id, tenant_scope};

use crate::TenancyState;
use crate::dto::{ChangeRoleRequest, MemberBody, MemberPageBody, PageQuery};
use crate::errors::problem;
use crate::tenants::{NO_TENANT, TenantPath};

const DEFAULT_PAGE_SIZE: u32 = 20;

const NO_MEMBER: &str = "No such tenant or member, or the caller is not a member";

#[derive(Debug, Deserialize)]
pub(crate) struct MemberPath {
    tenant_id: String,
    user_id: String,
}

fn member_scope(path: &MemberPath) -> Result<(TenantId, UserId), ApiError> {
    Ok((
        tenant_scope(&path.tenant_id)?,
        parse_id(&path.user_id, "user_id")?,
    ))
}

/// The tenant's members, in a stable order, one page at a time.
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/members",
    tag = "tenancy",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path), PageQuery),
    responses(
        (status = 200, description = "A page of members", body = MemberPageBody),
        (
            status = 400,
            description = "A malformed tenant id, cursor, limit or query string",
            body = Problem
        ),
        (status = 404, description = NO_TENANT, body = Problem),
    )
)]
pub(crate) async fn list_members(
    State(state): State<TenancyState>,
    auth: Authenticated,
    Path(path): Path<TenantPath>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<axum::Json<MemberPageBody>, ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let Query(query) =
        query.map_err(|_| ApiError::bad_request("the query string is malformed", None))?;
    let (after, limit) = web::page::<UserId>(
        query.cursor.as_deref(),
        query.limit.as_deref(),
        DEFAULT_PAGE_SIZE,
        MAX_PAGE_SIZE,
    )?;
    let page = state
        .tenancy
        .members(auth.user, tenant, after, limit)
        .await
        .map_err(problem)?;
    Ok(axum::Json(MemberPageBody {
        members: page.members.into_iter().map(Into::into).collect(),
        next_cursor: page.next.map(|id| id.to_string()),
    }))
}

/// Changes a member's role. A tenant always keeps at least one owner.
#[utoipa::path(
    patch,
    path = "/v1/tenants/{tenant_id}/members/{user_id}",
    tag = "tenancy",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    request_body = ChangeRoleRequest,
    responses(
        (status = 200, description = "The member, with the new role", body = MemberBody),
        (
            status = 400,
            description = "Malformed JSON, or an id that is not a UUID",
            body = Problem
        ),
        (
            status = 403,
            description = "The caller's role may not make this change",
            body = Problem
        ),
        (status = 404, description = NO_MEMBER, body = Problem),
        (status = 409, description = "It would leave no owner", body = Problem),
    )
)]
pub(crate) async fn change_role(
    State(state): State<TenancyState>,
    auth: Authenticated,
    Path(path): Path<MemberPath>,
    Json(body): Json<ChangeRoleRequest>,
) -> Result<axum::Json<MemberBody>, ApiError> {
    let (tenant, user) = member_scope(&path)?;
    let role: Role = body.role.parse()?;
    let member = state
        .tenancy
        .change_role(auth.user, tenant, user, role)
        .await
        .map_err(problem)?;
    Ok(axum::Json(member.into()))
}

/// Removes a member. Members may remove themselves; the last owner cannot be removed.
#[utoipa::path(
    delete,
    path = "/v1/tenants/{tenant_id}/members/{user_id}",
    tag = "tenancy",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "The member is removed"),
        (status = 400, description = "An id is not a UUID", body = Problem),
        (
            status = 403,
            description = "The caller's role may not remove this member",
            body = Problem
        ),
        (status = 404, description = NO_MEMBER, body = Problem),
        (status = 409, description = "It would leave no owner", body = Problem),
    )
)]
pub(crate) async fn remove_member(
    State(state): State<TenancyState>,
    auth: Authenticated,
    Path(path): Path<MemberPath>,
) -> Result<StatusCode, ApiError> {
    let (tenant, user) = member_scope(&path)?;
    state
        .tenancy
        .remove_member(auth.user, tenant, user)
        .await
        .map_err(problem)?;
    Ok(StatusCode::NO_CONTENT)
}
