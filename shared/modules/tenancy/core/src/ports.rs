use std::future::Future;

use kernel::{Email, Envelope, TenantId, Unavailable, UserId};
use sessions::TokenHash;
use time::OffsetDateTime;

use crate::{
    Invitation, InvitationId, Member, Membership, NewInvitation, NewTenant, Role, TenancyError,
    Tenant,
};

/// An account as the tenancy module sees it: an id and an email, read from the identity
/// module's published directory.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryUser {
    pub id: UserId,
    pub email: Email,
}

/// Finds accounts: by email when someone is invited, by id when they accept.
#[dynosaur::dynosaur(pub DynDirectory = dyn(box) Directory)]
pub trait Directory: Send + Sync {
    fn find(
        &self,
        email: &Email,
    ) -> impl Future<Output = Result<Option<DirectoryUser>, Unavailable>> + Send;

    fn user(
        &self,
        id: UserId,
    ) -> impl Future<Output = Result<Option<DirectoryUser>, Unavailable>> + Send;
}

/// Tenants and their members. Every tenant-scoped method takes the tenant id and filters by
/// it, so one tenant's data is never reachable through another's id. The changes apply the
/// [`rules`](crate::rules) under a lock on the tenant, to the roles as they are then.
#[dynosaur::dynosaur(pub DynMembers = dyn(box) Members)]
pub trait Members: Send + Sync {
    /// Stores the tenant, its owner's membership and the event, all or nothing.
    fn create_tenant(
        &self,
        tenant: &NewTenant,
        event: &Envelope,
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// The tenants `user` belongs to.
    fn memberships(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<Vec<Membership>, Unavailable>> + Send;

    fn tenant(
        &self,
        tenant: TenantId,
    ) -> impl Future<Output = Result<Option<Tenant>, Unavailable>> + Send;

    fn role(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> impl Future<Output = Result<Option<Role>, Unavailable>> + Send;

    /// Members ordered by user id, starting after `after`, at most `limit` of them.
    fn members(
        &self,
        tenant: TenantId,
        after: Option<UserId>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Member>, Unavailable>> + Send;

    /// [`rules::invite`](crate::rules::invite) for the inviter and `existing` (the account
    /// that uses the email, if any), then stores the invitation, revokes the pending ones it
    /// replaces (same tenant and email) and writes `event`, all or nothing.
    fn invite(
        &self,
        invitation: &NewInvitation,
        existing: Option<UserId>,
        event: &Envelope,
    ) -> impl Future<Output = Result<(), TenancyError>> + Send;

    /// The tenant's pending invitations as of `now`, newest first.
    fn invitations(
        &self,
        tenant: TenantId,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Vec<Invitation>, Unavailable>> + Send;

    /// One invitation of the tenant, pending or not.
    fn invitation(
        &self,
        tenant: TenantId,
        id: InvitationId,
    ) -> impl Future<Output = Result<Option<Invitation>, Unavailable>> + Send;

    /// Revokes a pending invitation; false if there was none.
    fn revoke_invitation(
        &self,
        tenant: TenantId,
        id: InvitationId,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, Unavailable>> + Send;

    /// Accepts the pending invitation that `token` proves for `user`, whose email must be the
    /// invited one: [`rules::accept`](crate::rules::accept) under the tenant's lock, then the
    /// membership, the invitation marked accepted and both events, all or nothing.
    fn accept_invitation(
        &self,
        token: &TokenHash,
        user: &DirectoryUser,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<Membership, TenancyError>> + Send;

    /// [`rules::change_role`](crate::rules::change_role), then the update and its event.
    fn change_role(
        &self,
        tenant: TenantId,
        actor: UserId,
        target: UserId,
        role: Role,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<Member, TenancyError>> + Send;

    /// [`rules::remove`](crate::rules::remove), then the delete and its event.
    fn remove_member(
        &self,
        tenant: TenantId,
        actor: UserId,
        target: UserId,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), TenancyError>> + Send;
}
