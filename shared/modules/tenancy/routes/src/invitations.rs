//! Invitations: owners and admins invite an email with a role; whoever owns that email
//! accepts while logged in with it (signing up first if they have no account).

use axum::extract::State;
use axum::http::StatusCode;
use kernel::Email;
use serde::Deserialize;
use sessions::SessionToken;
use tenancy::{InvitationId, Role};
use web::{ApiError, Authenticated, Fields, Json, Path, Policy, Problem, parse_id, tenant_scope};

use crate::TenancyState;
use crate::dto::{
    AcceptInvitationRequest, InvitationBody, InvitationListBody, InviteRequest, MembershipBody,
};
use crate::errors::problem;
use crate::tenants::{NO_TENANT, TenantPath};

/// Invitations sent and accepted from one address: each one sends a mail or changes a tenant.
pub const INVITATIONS_PER_IP: Policy = Policy {
    name: "invitations-ip",
    limit: 60,
    window: std::time::Duration::from_secs(3600),
};

#[derive(Debug, Deserialize)]
pub(crate) struct InvitationPath {
    tenant_id: String,
    invitation_id: String,
}

/// Invites an email to the tenant with a role, replacing any pending invitation of that email,
/// and mails it a link that works once, for seven days. The answer is the same whether or not
/// the email has an account. Owners and admins only; only owners invite owners.
#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/invitations",
    tag = "tenancy",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path)),
    request_body = InviteRequest,
    responses(
        (status = 202, description = "The invitation; its mail is on its way", body = InvitationBody),
        (
            status = 400,
            description = "Malformed JSON, or a tenant id that is not a UUID",
            body = Problem
        ),
        (
            status = 403,
            description = "The caller's role may not invite with this role",
            body = Problem
        ),
        (status = 404, description = NO_TENANT, body = Problem),
        (status = 429, description = "Too many invitations from this address", body = Problem),
        (status = 409, description = "The email's account is a member already", body = Problem),
    )
)]
pub(crate) async fn invite(
    State(state): State<TenancyState>,
    auth: Authenticated,
    Path(path): Path<TenantPath>,
    Json(body): Json<InviteRequest>,
) -> Result<(StatusCode, axum::Json<InvitationBody>), ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let mut fields = Fields::default();
    let email = fields.check(Email::parse(&body.email));
    let role = fields.check(body.role.parse::<Role>());
    let (Some(email), Some(role)) = (email, role) else {
        return Err(fields.into_error());
    };
    let invited = state
        .tenancy
        .invite(auth.user, tenant, email, role)
        .await
        .map_err(problem)?;
    Ok((StatusCode::ACCEPTED, axum::Json(invited.invitation.into())))
}

/// The tenant's pending invitations, newest first. Owners and admins only.
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/invitations",
    tag = "tenancy",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Pending invitations", body = InvitationListBody),
        (status = 400, description = "A tenant id that is not a UUID", body = Problem),
        (status = 403, description = "Members may not see invitations", body = Problem),
        (status = 404, description = NO_TENANT, body = Problem),
    )
)]
pub(crate) async fn list_invitations(
    State(state): State<TenancyState>,
    auth: Authenticated,
    Path(path): Path<TenantPath>,
) -> Result<axum::Json<InvitationListBody>, ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let invitations = state
        .tenancy
        .invitations(auth.user, tenant)
        .await
        .map_err(problem)?;
    Ok(axum::Json(InvitationListBody {
        invitations: invitations.into_iter().map(Into::into).collect(),
    }))
}

/// Revokes an invitation: its link stops working. Owners and admins; only owners revoke an
/// invitation to be an owner. Revoking one that is no longer pending changes nothing.
#[utoipa::path(
    delete,
    path = "/v1/tenants/{tenant_id}/invitations/{invitation_id}",
    tag = "tenancy",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path), ("invitation_id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "An id that is not a UUID", body = Problem),
        (status = 403, description = "The caller's role may not revoke it", body = Problem),
        (
            status = 404,
            description = "No such tenant or invitation, or the caller is not a member",
            body = Problem
        ),
    )
)]
pub(crate) async fn revoke_invitation(
    State(state): State<TenancyState>,
    auth: Authenticated,
    Path(path): Path<InvitationPath>,
) -> Result<StatusCode, ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let id = InvitationId::from_uuid(parse_id(&path.invitation_id, "invitation_id")?);
    state
        .tenancy
        .revoke_invitation(auth.user, tenant, id)
        .await
        .map_err(problem)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Joins the tenant of an invitation, with its role. The caller must be logged in with the
/// invited email: someone without an account signs up first, then accepts.
#[utoipa::path(
    post,
    path = "/v1/invitations/accept",
    tag = "tenancy",
    security(("session" = [])),
    request_body = AcceptInvitationRequest,
    responses(
        (status = 200, description = "The caller's new membership", body = MembershipBody),
        (
            status = 403,
            description = "The invitation is for another email, or its sender may no longer grant its role",
            body = Problem
        ),
        (
            status = 404,
            description = "No pending invitation has this token: used, revoked, replaced or expired",
            body = Problem
        ),
        (status = 409, description = "The caller is a member already", body = Problem),
        (status = 429, description = "Too many invitations from this address", body = Problem),
    )
)]
pub(crate) async fn accept_invitation(
    State(state): State<TenancyState>,
    auth: Authenticated,
    Json(body): Json<AcceptInvitationRequest>,
) -> Result<axum::Json<MembershipBody>, ApiError> {
    let token = SessionToken::parse(&body.token).ok_or_else(|| {
        ApiError::Validation(vec![web::FieldError {
            field: "token".into(),
            message: "is not an invitation token".into(),
        }])
    })?;
    let membership = state
        .tenancy
        .accept_invitation(auth.user, &token)
        .await
        .map_err(problem)?;
    Ok(axum::Json(membership.into()))
}
