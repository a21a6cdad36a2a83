use kernel::{Event, TenantId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Role;

/// A tenant exists, with its first owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantCreated {
    pub tenant_id: TenantId,
    pub owner: UserId,
}

/// A user joined a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberAdded {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub role: Role,
    pub by: UserId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleChanged {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub from: Role,
    pub to: Role,
    pub by: UserId,
}

/// A user left a tenant, or was removed from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRemoved {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub by: UserId,
}

/// Someone was invited to join a tenant. The payload carries the single-use token for the
/// mail that delivers it (the database keeps only its hash); the token is useless once the
/// invitation is accepted, revoked, replaced or past `expires_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberInvited {
    pub tenant_id: TenantId,
    pub invitation_id: Uuid,
    pub tenant_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by: UserId,
    pub token: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// An invitation was accepted: its invitee is now a member (`MemberAdded` says so too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationAccepted {
    pub tenant_id: TenantId,
    pub invitation_id: Uuid,
    pub user_id: UserId,
    pub role: Role,
}

macro_rules! tenant_event {
    ($type:ty, $name:literal) => {
        impl Event for $type {
            const TYPE: &'static str = $name;
            const VERSION: u16 = 1;

            fn tenant(&self) -> Option<TenantId> {
                Some(self.tenant_id)
            }
        }
    };
}

tenant_event!(TenantCreated, "tenancy.tenant_created");
tenant_event!(MemberAdded, "tenancy.member_added");
tenant_event!(RoleChanged, "tenancy.role_changed");
tenant_event!(MemberRemoved, "tenancy.member_removed");
tenant_event!(MemberInvited, "tenancy.member_invited");
tenant_event!(InvitationAccepted, "tenancy.invitation_accepted");
