//! A tenant and its members. Every route is tenant-scoped: a caller outside the tenant gets 404.

use accounts::MAX_PAGE_SIZE;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use domain::{Email, Role, TenantId, UserId};
use serde::{Deserialize, Serialize};
use tracing::field::display;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::{MemberBody, TenantBody};
use super::{Fields, parse_id};
use crate::extract::{Authenticated, Json, Path};
use crate::{ApiError, AppState, Problem};

const DEFAULT_PAGE_SIZE: u32 = 20;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_tenant))
        .routes(routes!(list_members, add_member))
        .routes(routes!(change_role, remove_member))
}

#[derive(Debug, Deserialize)]
struct TenantPath {
    tenant_id: String,
}

#[derive(Debug, Deserialize)]
struct MemberPath {
    tenant_id: String,
    user_id: String,
}

/// Parses the tenant id and tags the request span with it.
fn tenant_scope(raw: &str) -> Result<TenantId, ApiError> {
    let tenant: TenantId = parse_id(raw, "tenant_id")?;
    tracing::Span::current().record("tenant_id", display(tenant));
    Ok(tenant)
}

fn member_scope(path: &MemberPath) -> Result<(TenantId, UserId), ApiError> {
    Ok((
        tenant_scope(&path.tenant_id)?,
        parse_id(&path.user_id, "user_id")?,
    ))
}

/// A tenant the caller belongs to.
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}",
    tag = "tenants",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path)),
    responses((status = 200, body = TenantBody), (status = 401, body = Problem), (status = 404, body = Problem))
)]
async fn get_tenant(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(path): Path<TenantPath>,
) -> Result<axum::Json<TenantBody>, ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let found = state.accounts.tenant(auth.user, tenant).await?;
    Ok(axum::Json(found.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1 to 100; 20 by default.
    limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MemberPageBody {
    members: Vec<MemberBody>,
    /// Pass as `cursor` to get the next page; null on the last page.
    next_cursor: Option<String>,
}

/// The tenant's members, in a stable order, one page at a time.
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/members",
    tag = "tenants",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path), PageQuery),
    responses(
        (status = 200, body = MemberPageBody),
        (status = 400, body = Problem),
        (status = 401, body = Problem),
        (status = 404, body = Problem),
    )
)]
async fn list_members(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(path): Path<TenantPath>,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<MemberPageBody>, ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let Query(query) =
        query.map_err(|_| ApiError::bad_request("the query string is malformed", None))?;
    let after = query
        .cursor
        .as_deref()
        .map(|c| parse_id::<UserId>(c, "cursor"))
        .transpose()?;
    let limit = match query.limit.as_deref() {
        None => DEFAULT_PAGE_SIZE,
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request("limit must be between 1 and 100", Some("limit".to_owned()))
            })?,
    };
    let page = state
        .accounts
        .members(auth.user, tenant, after, limit)
        .await?;
    Ok(axum::Json(MemberPageBody {
        members: page.members.into_iter().map(Into::into).collect(),
        next_cursor: page.next.map(|id| id.to_string()),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AddMemberRequest {
    /// The email of an existing account.
    #[schema(example = "grace@example.com")]
    email: String,
    #[schema(example = "member")]
    role: String,
}

/// Adds an existing account to the tenant. Owners and admins only; only owners add owners.
#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/members",
    tag = "tenants",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path)),
    request_body = AddMemberRequest,
    responses(
        (status = 201, body = MemberBody),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Already a member", body = Problem),
        (status = 422, body = Problem),
    )
)]
async fn add_member(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(path): Path<TenantPath>,
    Json(body): Json<AddMemberRequest>,
) -> Result<(StatusCode, axum::Json<MemberBody>), ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let mut fields = Fields::default();
    let email = fields.check(Email::parse(&body.email));
    let role = fields.check(body.role.parse::<Role>());
    let (Some(email), Some(role)) = (email, role) else {
        return Err(fields.into_error());
    };
    let member = state
        .accounts
        .add_member(auth.user, tenant, &email, role)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(member.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ChangeRoleRequest {
    #[schema(example = "admin")]
    role: String,
}

/// Changes a member's role. A tenant always keeps at least one owner.
#[utoipa::path(
    patch,
    path = "/v1/tenants/{tenant_id}/members/{user_id}",
    tag = "tenants",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    request_body = ChangeRoleRequest,
    responses(
        (status = 200, body = MemberBody),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "It would leave no owner", body = Problem),
        (status = 422, body = Problem),
    )
)]
async fn change_role(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(path): Path<MemberPath>,
    Json(body): Json<ChangeRoleRequest>,
) -> Result<axum::Json<MemberBody>, ApiError> {
    let (tenant, user) = member_scope(&path)?;
    let role: Role = body.role.parse()?;
    let member = state
        .accounts
        .change_role(auth.user, tenant, user, role)
        .await?;
    Ok(axum::Json(member.into()))
}

/// Removes a member. Members may remove themselves; the last owner cannot be removed.
#[utoipa::path(
    delete,
    path = "/v1/tenants/{tenant_id}/members/{user_id}",
    tag = "tenants",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    responses(
        (status = 204),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "It would leave no owner", body = Problem),
    )
)]
async fn remove_member(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(path): Path<MemberPath>,
) -> Result<StatusCode, ApiError> {
    let (tenant, user) = member_scope(&path)?;
    state
        .accounts
        .remove_member(auth.user, tenant, user)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
