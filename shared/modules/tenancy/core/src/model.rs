use kernel::{Email, TenantId, UserId};
use time::OffsetDateTime;

use crate::{Role, TenantName};

#[derive(Debug, Clone, PartialEq)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub created_at: OffsetDateTime,
}

/// A tenant to create, with the user who becomes its first owner.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub id: TenantId,
    pub name: TenantName,
    pub owner: UserId,
    pub created_at: OffsetDateTime,
}

/// One of a user's tenants, with the user's role in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub role: Role,
}

/// One member of a tenant, as the member list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub user_id: UserId,
    pub email: Email,
    pub role: Role,
    pub joined_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberPage {
    pub members: Vec<Member>,
    /// The id to resume after, present while more members remain.
    pub next: Option<UserId>,
}
