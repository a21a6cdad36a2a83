use kernel::{Event, TenantId, UserId};
use serde::{Deserialize, Serialize};

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
