//! Tenants, members and the account directory in the process's memory: the embedded default
//! for unit tests and single-process runs, held to the same contract suite as the SQL adapters
//! (`tenancy-sql/tests/contract.rs`). One mutex plays the tenant lock, so changes are decided
//! by the same [`rules`](crate::rules) on the roles as they are. Events land in an in-memory
//! outbox.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use kernel::{Email, Envelope, TenantId, Unavailable, UserId};
use time::OffsetDateTime;

use crate::rules::{self, Seen};
use sessions::TokenHash;

use crate::{
    Directory, DirectoryUser, Invitation, InvitationAccepted, InvitationId, Member, Members,
    Membership, NewInvitation, NewTenant, Role, TenancyError, Tenant,
};

/// Accounts as the identity module publishes them; filled with [`MemoryDirectory::add`].
#[derive(Debug, Clone, Default)]
pub struct MemoryDirectory {
    users: Arc<Mutex<Vec<DirectoryUser>>>,
}

impl MemoryDirectory {
    pub fn add(&self, user: DirectoryUser) {
        lock(&self.users).push(user);
    }

    fn email(&self, id: UserId) -> Option<Email> {
        lock(&self.users)
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.email.clone())
    }
}

impl Directory for MemoryDirectory {
    async fn find(&self, email: &Email) -> Result<Option<DirectoryUser>, Unavailable> {
        Ok(lock(&self.users)
            .iter()
            .find(|u| &u.email == email)
            .cloned())
    }

    async fn user(&self, id: UserId) -> Result<Option<DirectoryUser>, Unavailable> {
        Ok(lock(&self.users).iter().find(|u| u.id == id).cloned())
    }
}

/// An invitation with what became of it.
#[derive(Debug)]
struct StoredInvitation {
    new: NewInvitation,
    closed: bool,
}

impl StoredInvitation {
    fn pending(&self, now: OffsetDateTime) -> bool {
        !self.closed && self.new.invitation.expires_at > now
    }
}

#[derive(Debug, Default)]
struct State {
    tenants: BTreeMap<TenantId, Tenant>,
    roles: BTreeMap<(TenantId, UserId), (Role, OffsetDateTime)>,
    invitations: Vec<StoredInvitation>,
    outbox: Vec<Envelope>,
}

impl State {
    fn seen(&self, tenant: TenantId, actor: UserId, target: UserId) -> Seen {
        let role = |user| self.roles.get(&(tenant, user)).map(|(role, _)| *role);
        let owners = self
            .roles
            .iter()
            .filter(|((t, _), (role, _))| *t == tenant && *role == Role::Owner)
            .count();
        Seen {
            actor: role(actor),
            target: role(target),
            owners: owners as u64,
        }
    }
}

/// Tenants and members; member emails come from `directory`.
#[derive(Debug, Clone, Default)]
pub struct MemoryMembers {
    state: Arc<Mutex<State>>,
    directory: MemoryDirectory,
}

impl MemoryMembers {
    pub fn new(directory: MemoryDirectory) -> Self {
        Self {
            state: Arc::default(),
            directory,
        }
    }

    /// The events written so far, oldest first.
    pub fn outbox(&self) -> Vec<Envelope> {
        lock(&self.state).outbox.clone()
    }

    fn member(&self, user_id: UserId, (role, joined_at): (Role, OffsetDateTime)) -> Option<Member> {
        Some(Member {
            user_id,
            email: self.directory.email(user_id)?,
            role,
            joined_at,
        })
    }
}

impl Members for MemoryMembers {
    async fn create_tenant(&self, tenant: &NewTenant, event: &Envelope) -> Result<(), Unavailable> {
        let mut state = lock(&self.state);
        state.tenants.insert(
            tenant.id,
            Tenant {
                id: tenant.id,
                name: tenant.name.as_str().to_owned(),
                created_at: tenant.created_at,
                plan: crate::plans::starting_plan(),
            },
        );
        state
            .roles
            .insert((tenant.id, tenant.owner), (Role::Owner, tenant.created_at));
        state.outbox.push(event.clone());
        Ok(())
    }

    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>, Unavailable> {
        let state = lock(&self.state);
        Ok(state
            .roles
            .iter()
            .filter(|((_, u), _)| *u == user)
            .filter_map(|((t, _), (role, _))| {
                state.tenants.get(t).map(|tenant| Membership {
                    tenant_id: *t,
                    tenant_name: tenant.name.clone(),
                    role: *role,
                })
            })
            .collect())
    }

    async fn tenant(&self, tenant: TenantId) -> Result<Option<Tenant>, Unavailable> {
        Ok(lock(&self.state).tenants.get(&tenant).cloned())
    }

    async fn role(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>, Unavailable> {
        Ok(lock(&self.state).seen(tenant, user, user).actor)
    }

    async fn members(
        &self,
        tenant: TenantId,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<Member>, Unavailable> {
        let state = lock(&self.state);
        Ok(state
            .roles
            .range(
                (
                    tenant,
                    after.unwrap_or(UserId::from_uuid(uuid::Uuid::nil())),
                )..,
            )
            .take_while(|((t, _), _)| *t == tenant)
            .filter(|((_, u), _)| Some(*u) != after)
            .filter_map(|((_, u), joined)| self.member(*u, *joined))
            .take(limit as usize)
            .collect())
    }

    async fn invite(
        &self,
        invitation: &NewInvitation,
        existing: Option<UserId>,
        event: &Envelope,
    ) -> Result<(), TenancyError> {
        let mut state = lock(&self.state);
        let new = &invitation.invitation;
        let seen = state.seen(
            new.tenant_id,
            new.invited_by,
            existing.unwrap_or(new.invited_by),
        );
        let seen = Seen {
            target: existing.and(seen.target),
            ..seen
        };
        rules::invite(new.role, seen)?;
        for old in &mut state.invitations {
            let same = old.new.invitation.tenant_id == new.tenant_id
                && old.new.invitation.email == new.email;
            if same {
                old.closed = true;
            }
        }
        state.invitations.push(StoredInvitation {
            new: invitation.clone(),
            closed: false,
        });
        state.outbox.push(event.clone());
        Ok(())
    }

    async fn invitations(
        &self,
        tenant: TenantId,
        now: OffsetDateTime,
    ) -> Result<Vec<Invitation>, Unavailable> {
        let state = lock(&self.state);
        let mut pending: Vec<Invitation> = state
            .invitations
            .iter()
            .filter(|i| i.new.invitation.tenant_id == tenant && i.pending(now))
            .map(|i| i.new.invitation.clone())
            .collect();
        pending.sort_by_key(|i| std::cmp::Reverse(i.id));
        Ok(pending)
    }

    async fn invitation(
        &self,
        tenant: TenantId,
        id: InvitationId,
    ) -> Result<Option<Invitation>, Unavailable> {
        Ok(lock(&self.state)
            .invitations
            .iter()
            .find(|i| i.new.invitation.id == id && i.new.invitation.tenant_id == tenant)
            .map(|i| i.new.invitation.clone()))
    }

    async fn revoke_invitation(
        &self,
        tenant: TenantId,
        id: InvitationId,
        at: OffsetDateTime,
    ) -> Result<bool, Unavailable> {
        let mut state = lock(&self.state);
        let found = state.invitations.iter_mut().find(|i| {
            i.new.invitation.id == id && i.new.invitation.tenant_id == tenant && i.pending(at)
        });
        Ok(found.map(|i| i.closed = true).is_some())
    }

    async fn accept_invitation(
        &self,
        token: &TokenHash,
        user: &DirectoryUser,
        at: OffsetDateTime,
    ) -> Result<Membership, TenancyError> {
        let mut state = lock(&self.state);
        let index = state
            .invitations
            .iter()
            .position(|i| i.new.token_hash.matches(token) && i.pending(at))
            .ok_or(TenancyError::InvitationNotFound)?;
        let invitation = state.invitations[index].new.invitation.clone();
        if invitation.email != user.email {
            return Err(TenancyError::InvitationForAnotherEmail);
        }
        let tenant = invitation.tenant_id;
        let added = rules::accept(
            tenant,
            invitation.invited_by,
            user.id,
            invitation.role,
            state.seen(tenant, invitation.invited_by, user.id),
        )?;
        state.roles.insert((tenant, user.id), (invitation.role, at));
        state.invitations[index].closed = true;
        let accepted = InvitationAccepted {
            tenant_id: tenant,
            invitation_id: invitation.id.as_uuid(),
            user_id: user.id,
            role: invitation.role,
        };
        state.outbox.push(Envelope::wrap(&added, at));
        state.outbox.push(Envelope::wrap(&accepted, at));
        let tenant_name = state
            .tenants
            .get(&tenant)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        Ok(Membership {
            tenant_id: tenant,
            tenant_name,
            role: invitation.role,
        })
    }

    async fn change_role(
        &self,
        tenant: TenantId,
        actor: UserId,
        target: UserId,
        role: Role,
        at: OffsetDateTime,
    ) -> Result<Member, TenancyError> {
        let mut state = lock(&self.state);
        let event = rules::change_role(
            tenant,
            actor,
            target,
            role,
            state.seen(tenant, actor, target),
        )?;
        let joined = state
            .roles
            .get_mut(&(tenant, target))
            .ok_or(TenancyError::MemberNotFound)?;
        joined.0 = role;
        let joined = *joined;
        state.outbox.push(Envelope::wrap(&event, at));
        self.member(target, joined)
            .ok_or(TenancyError::MemberNotFound)
    }

    async fn remove_member(
        &self,
        tenant: TenantId,
        actor: UserId,
        target: UserId,
        at: OffsetDateTime,
    ) -> Result<(), TenancyError> {
        let mut state = lock(&self.state);
        let event = rules::remove(tenant, actor, target, state.seen(tenant, actor, target))?;
        state.roles.remove(&(tenant, target));
        state.outbox.push(Envelope::wrap(&event, at));
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
