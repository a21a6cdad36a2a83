//! Response bodies. Field names here are the public API: add fields, never rename them.

use accounts::{IssuedSession, Member, MembershipSummary, Tenant, User};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct UserBody {
    id: Uuid,
    email: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
}

impl From<User> for UserBody {
    fn from(user: User) -> Self {
        Self {
            id: user.id.as_uuid(),
            email: user.email.as_str().to_owned(),
            created_at: user.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TenantBody {
    id: Uuid,
    name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
}

impl From<Tenant> for TenantBody {
    fn from(tenant: Tenant) -> Self {
        Self {
            id: tenant.id.as_uuid(),
            name: tenant.name,
            created_at: tenant.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionBody {
    /// The bearer token; send it as `Authorization: Bearer <token>`. Shown only once.
    token: String,
    user_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    expires_at: OffsetDateTime,
}

impl From<IssuedSession> for SessionBody {
    fn from(session: IssuedSession) -> Self {
        Self {
            token: session.token.expose().to_owned(),
            user_id: session.user_id.as_uuid(),
            expires_at: session.expires_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MembershipBody {
    tenant_id: Uuid,
    tenant_name: String,
    #[schema(example = "owner")]
    role: &'static str,
}

impl From<MembershipSummary> for MembershipBody {
    fn from(m: MembershipSummary) -> Self {
        Self {
            tenant_id: m.tenant_id.as_uuid(),
            tenant_name: m.tenant_name,
            role: m.role.as_str(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MemberBody {
    user_id: Uuid,
    email: String,
    #[schema(example = "member")]
    role: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    joined_at: OffsetDateTime,
}

impl From<Member> for MemberBody {
    fn from(m: Member) -> Self {
        Self {
            user_id: m.user_id.as_uuid(),
            email: m.email.as_str().to_owned(),
            role: m.role.as_str(),
            joined_at: m.joined_at,
        }
    }
}
