use crate::plans::Plan;
use kernel::{Email, TenantId, UserId};
use sessions::TokenHash;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Role, TenantName};

#[derive(Debug, Clone, PartialEq)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub plan: &'static Plan,
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

/// Names one invitation within its tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvitationId(Uuid);

impl InvitationId {
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    pub const fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    pub const fn as_uuid(self) -> Uuid {
        self.0
    }
}

impl std::fmt::Display for InvitationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// An offer to join a tenant with a role, for whoever proves they own `email`.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    pub id: InvitationId,
    pub tenant_id: TenantId,
    pub email: Email,
    pub role: Role,
    pub invited_by: UserId,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// An invitation to store, with the hash of the single-use token its mail carries.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub invitation: Invitation,
    pub token_hash: TokenHash,
}
