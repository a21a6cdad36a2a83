use std::sync::Arc;

use kernel::{Clock, Email, Envelope, TenantId, UserId};

use crate::{
    Directory, DynDirectory, DynMembers, Member, MemberPage, Members, Membership, NewTenant, Role,
    TenancyError, Tenant, TenantCreated, TenantName,
};

/// The tenancy use cases. Cheap to clone; build it once per process.
#[derive(Clone)]
pub struct Tenancy {
    members: Arc<DynMembers<'static>>,
    directory: Arc<DynDirectory<'static>>,
    clock: Arc<dyn Clock>,
}

impl Tenancy {
    pub fn new(
        members: impl Members + 'static,
        directory: impl Directory + 'static,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            members: DynMembers::new_arc(members),
            directory: DynDirectory::new_arc(directory),
            clock,
        }
    }

    /// Creates a tenant with the caller as its first owner.
    pub async fn create_tenant(
        &self,
        actor: UserId,
        name: TenantName,
    ) -> Result<Tenant, TenancyError> {
        let tenant = NewTenant {
            id: TenantId::generate(),
            name,
            owner: actor,
            created_at: self.clock.now(),
        };
        let event = TenantCreated {
            tenant_id: tenant.id,
            owner: actor,
        };
        self.members
            .create_tenant(&tenant, &Envelope::wrap(&event, tenant.created_at))
            .await?;
        Ok(Tenant {
            id: tenant.id,
            name: tenant.name.as_str().to_owned(),
            created_at: tenant.created_at,
        })
    }

    pub async fn memberships(&self, actor: UserId) -> Result<Vec<Membership>, TenancyError> {
        Ok(self.members.memberships(actor).await?)
    }

    pub async fn tenant(&self, actor: UserId, tenant: TenantId) -> Result<Tenant, TenancyError> {
        self.role_in(actor, tenant).await?;
        self.members
            .tenant(tenant)
            .await?
            .ok_or(TenancyError::TenantNotFound)
    }

    pub async fn members(
        &self,
        actor: UserId,
        tenant: TenantId,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<MemberPage, TenancyError> {
        self.role_in(actor, tenant).await?;
        let limit = limit.clamp(1, crate::MAX_PAGE_SIZE);
        let mut members = self.members.members(tenant, after, limit + 1).await?;
        let next = if members.len() > limit as usize {
            members.truncate(limit as usize);
            members.last().map(|m| m.user_id)
        } else {
            None
        };
        Ok(MemberPage { members, next })
    }

    /// Adds the account that uses `email`. Outsiders learn nothing about which emails exist:
    /// their answer is "tenant not found" before the directory is asked.
    pub async fn add_member(
        &self,
        actor: UserId,
        tenant: TenantId,
        email: &Email,
        role: Role,
    ) -> Result<Member, TenancyError> {
        self.role_in(actor, tenant).await?;
        let user = self
            .directory
            .find(email)
            .await?
            .ok_or(TenancyError::UnknownEmail)?;
        self.members
            .add_member(tenant, actor, &user, role, self.clock.now())
            .await
    }

    pub async fn change_role(
        &self,
        actor: UserId,
        tenant: TenantId,
        target: UserId,
        role: Role,
    ) -> Result<Member, TenancyError> {
        self.members
            .change_role(tenant, actor, target, role, self.clock.now())
            .await
    }

    /// Owners and admins remove others; anyone may leave, unless they are the last owner.
    pub async fn remove_member(
        &self,
        actor: UserId,
        tenant: TenantId,
        target: UserId,
    ) -> Result<(), TenancyError> {
        self.members
            .remove_member(tenant, actor, target, self.clock.now())
            .await
    }

    /// The actor's role in the tenant. Outsiders get `TenantNotFound`, so tenant ids don't leak.
    async fn role_in(&self, actor: UserId, tenant: TenantId) -> Result<Role, TenancyError> {
        self.members
            .role(tenant, actor)
            .await?
            .ok_or(TenancyError::TenantNotFound)
    }
}
