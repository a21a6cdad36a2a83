//! Request and response bodies. Field names here are the public API: add fields, never
//! rename them. The schemas carry the same limits the domain enforces.

use serde::{Deserialize, Serialize};
use tenancy::{Member, Membership, Tenant};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct CreateTenantRequest {
    /// 1 to 100 characters, after trimming.
    #[schema(example = "Acme", min_length = 1, max_length = 100)]
    pub name: String,
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
pub(crate) struct MembershipBody {
    tenant_id: Uuid,
    tenant_name: String,
    #[schema(example = "owner")]
    role: &'static str,
}

impl From<Membership> for MembershipBody {
    fn from(m: Membership) -> Self {
        Self {
            tenant_id: m.tenant_id.as_uuid(),
            tenant_name: m.tenant_name,
            role: m.role.as_str(),
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
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AddMemberRequest {
    /// The email of an existing account.
    #[schema(example = "grace@example.com", format = "email", max_length = 254)]
    pub email: String,
    #[schema(example = "member", pattern = "^(owner|admin|member)$")]
    pub role: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ChangeRoleRequest {
    #[schema(example = "admin", pattern = "^(owner|admin|member)$")]
    pub role: String,
}
