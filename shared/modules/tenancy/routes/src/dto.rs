//! Request and response bodies. Field names here are the public API: add fields, never
//! rename them. The schemas carry the same limits the domain enforces.

use serde::{Deserialize, Serialize};
use tenancy::{Invitation, Member, Membership, Role, Tenant};
use time::OffsetDateTime;
use utoipa::openapi::schema::Object;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `TenantName`: 1 to 100 visible characters, trimmed.
fn tenant_name() -> Object {
    web::openapi::visible_text(100)
        .description(Some(
            "1 to 100 characters once leading and trailing whitespace is trimmed; no control, \
             zero-width or text-direction characters.",
        ))
        .examples(["Acme"])
        .build()
}

/// An account's email, as `kernel::Email` accepts it.
fn member_email() -> Object {
    web::openapi::email("The email to invite; it need not have an account yet.")
        .examples(["grace@example.com"])
        .build()
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct CreateTenantRequest {
    #[schema(schema_with = tenant_name)]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TenantBody {
    id: Uuid,
    name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    /// The plan's id, one of `GET /v1/plans`.
    #[schema(example = "free")]
    plan: &'static str,
}

impl From<Tenant> for TenantBody {
    fn from(tenant: Tenant) -> Self {
        Self {
            id: tenant.id.as_uuid(),
            name: tenant.name,
            created_at: tenant.created_at,
            plan: tenant.plan.id,
        }
    }
}

/// A member's role in a tenant.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = Role)]
pub(crate) enum RoleBody {
    Owner,
    Admin,
    Member,
}

impl From<Role> for RoleBody {
    fn from(role: Role) -> Self {
        match role {
            Role::Owner => Self::Owner,
            Role::Admin => Self::Admin,
            Role::Member => Self::Member,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MembershipBody {
    tenant_id: Uuid,
    tenant_name: String,
    role: RoleBody,
}

impl From<Membership> for MembershipBody {
    fn from(m: Membership) -> Self {
        Self {
            tenant_id: m.tenant_id.as_uuid(),
            tenant_name: m.tenant_name,
            role: m.role.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MembershipsBody {
    pub tenants: Vec<MembershipBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MemberBody {
    user_id: Uuid,
    email: String,
    role: RoleBody,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    joined_at: OffsetDateTime,
}

impl From<Member> for MemberBody {
    fn from(m: Member) -> Self {
        Self {
            user_id: m.user_id.as_uuid(),
            email: m.email.as_str().to_owned(),
            role: m.role.into(),
            joined_at: m.joined_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
    /// The `next_cursor` of the previous page.
    #[param(format = Uuid)]
    pub cursor: Option<String>,
    /// Page size, 1 to 100; 20 by default.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MemberPageBody {
    pub members: Vec<MemberBody>,
    /// Pass as `cursor` to get the next page; null on the last page.
    #[schema(format = Uuid, required = true)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct InviteRequest {
    #[schema(schema_with = member_email)]
    pub email: String,
    // A string, parsed by the handler so that its problem is reported with the email's.
    #[schema(value_type = RoleBody)]
    pub role: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ChangeRoleRequest {
    #[schema(value_type = RoleBody)]
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InvitationBody {
    id: Uuid,
    tenant_id: Uuid,
    email: String,
    role: RoleBody,
    invited_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    expires_at: OffsetDateTime,
}

impl From<Invitation> for InvitationBody {
    fn from(i: Invitation) -> Self {
        Self {
            id: i.id.as_uuid(),
            tenant_id: i.tenant_id.as_uuid(),
            email: i.email.as_str().to_owned(),
            role: i.role.into(),
            invited_by: i.invited_by.as_uuid(),
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InvitationListBody {
    /// Pending invitations, newest first.
    pub invitations: Vec<InvitationBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AcceptInvitationRequest {
    /// The token from the invitation mail: 32 random bytes in unpadded base64url.
    #[schema(
        example = "q3Jx0cY1VnQ4m2Zc1F9Kx8u3b7WJ0YtR9pE2LhQk5aA",
        pattern = "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$"
    )]
    pub token: String,
}
