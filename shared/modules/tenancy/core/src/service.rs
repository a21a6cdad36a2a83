use std::sync::Arc;

use kernel::{Clock, Email, Envelope, TenantId, Unavailable, UserId};
use sessions::SessionToken;

use crate::{
    Directory, DynDirectory, DynMembers, Invitation, InvitationId, Member, MemberInvited,
    MemberPage, Members, Membership, NewInvitation, NewTenant, Role, TenancyError, Tenant,
    TenantCreated, TenantName,
};

/// How long an invitation stays open.
pub const INVITATION_TTL: time::Duration = time::Duration::days(7);

/// A stored invitation, and the token its mail carries.
#[derive(Debug, Clone)]
pub struct Invited {
    pub invitation: Invitation,
    pub token: SessionToken,
}

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
            plan: crate::plans::starting_plan(),
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

    /// Invites `email` to the tenant as `role`, replacing any pending invitation of the same
    /// email, and mails it a single-use token. The answer is the same whether or not the email
    /// has an account; outsiders get "tenant not found" before anything is looked up.
    pub async fn invite(
        &self,
        actor: UserId,
        tenant: TenantId,
        email: Email,
        role: Role,
    ) -> Result<Invited, TenancyError> {
        let actor_role = self.role_in(actor, tenant).await?;
        if !actor_role.may_assign(role) {
            return Err(TenancyError::Forbidden);
        }
        let name = self
            .members
            .tenant(tenant)
            .await?
            .ok_or(TenancyError::TenantNotFound)?
            .name;
        let existing = self.directory.find(&email).await?.map(|user| user.id);
        let token = SessionToken::generate().map_err(|e| Unavailable::new(EntropyError(e)))?;
        let now = self.clock.now();
        let invitation = Invitation {
            id: InvitationId::generate(),
            tenant_id: tenant,
            email,
            role,
            invited_by: actor,
            created_at: now,
            expires_at: now + INVITATION_TTL,
        };
        let event = MemberInvited {
            tenant_id: tenant,
            invitation_id: invitation.id.as_uuid(),
            tenant_name: name,
            email: invitation.email.as_str().to_owned(),
            role,
            invited_by: actor,
            token: token.expose().to_owned(),
            expires_at: invitation.expires_at,
        };
        let new = NewInvitation {
            invitation,
            token_hash: token.hash(),
        };
        self.members
            .invite(&new, existing, &Envelope::wrap(&event, now))
            .await?;
        Ok(Invited {
            invitation: new.invitation,
            token,
        })
    }

    /// The tenant's pending invitations, for owners and admins.
    pub async fn invitations(
        &self,
        actor: UserId,
        tenant: TenantId,
    ) -> Result<Vec<Invitation>, TenancyError> {
        if !self.role_in(actor, tenant).await?.manages_members() {
            return Err(TenancyError::Forbidden);
        }
        Ok(self.members.invitations(tenant, self.clock.now()).await?)
    }

    /// Revokes an invitation; only someone who may grant its role may revoke it. Revoking one
    /// that is no longer pending (accepted, revoked, replaced or expired) changes nothing and
    /// succeeds, so a retried revocation gets the same answer.
    pub async fn revoke_invitation(
        &self,
        actor: UserId,
        tenant: TenantId,
        id: InvitationId,
    ) -> Result<(), TenancyError> {
        let actor_role = self.role_in(actor, tenant).await?;
        if !actor_role.manages_members() {
            return Err(TenancyError::Forbidden);
        }
        let invitation = self
            .members
            .invitation(tenant, id)
            .await?
            .ok_or(TenancyError::InvitationNotFound)?;
        if !actor_role.may_assign(invitation.role) {
            return Err(TenancyError::Forbidden);
        }
        self.members
            .revoke_invitation(tenant, id, self.clock.now())
            .await?;
        Ok(())
    }

    /// Joins the tenant of the invitation that `token` proves, if it was sent to the caller's
    /// email.
    pub async fn accept_invitation(
        &self,
        actor: UserId,
        token: &SessionToken,
    ) -> Result<Membership, TenancyError> {
        let user = self
            .directory
            .user(actor)
            .await?
            .ok_or(TenancyError::InvitationNotFound)?;
        self.members
            .accept_invitation(&token.hash(), &user, self.clock.now())
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

/// The system's random source failed.
#[derive(Debug, thiserror::Error)]
#[error("no entropy for a token: {0}")]
struct EntropyError(getrandom::Error);
