//! Who may change a tenant's member list. Pure functions of the roles involved, so adapters
//! can apply them inside the transaction that holds the tenant's lock, and tests need no
//! database. `None` means "not a member of this tenant".

use kernel::{TenantId, UserId};

use crate::{MemberAdded, MemberRemoved, Role, RoleChanged, TenancyError, Unique};

/// The roles a change is decided on, read under the tenant's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub actor: Option<Role>,
    pub target: Option<Role>,
    /// How many owners the tenant has.
    pub owners: u64,
}

/// Adding `target` with `role`: owners and admins add; only owners add owners.
pub fn add(
    tenant_id: TenantId,
    actor: UserId,
    target: UserId,
    role: Role,
    seen: Seen,
) -> Result<MemberAdded, TenancyError> {
    let actor_role = seen.actor.ok_or(TenancyError::TenantNotFound)?;
    if !actor_role.may_assign(role) {
        return Err(TenancyError::Forbidden);
    }
    if seen.target.is_some() {
        return Err(TenancyError::Unique(Unique::Membership));
    }
    Ok(MemberAdded {
        tenant_id,
        user_id: target,
        role,
        by: actor,
    })
}

/// Inviting the account that uses an email, as `role`: owners and admins invite; only owners
/// invite owners; `seen.target` is that account's role here, if it has an account and is a
/// member already.
pub fn invite(role: Role, seen: Seen) -> Result<(), TenancyError> {
    let actor_role = seen.actor.ok_or(TenancyError::TenantNotFound)?;
    if !actor_role.may_assign(role) {
        return Err(TenancyError::Forbidden);
    }
    if seen.target.is_some() {
        return Err(TenancyError::Unique(Unique::Membership));
    }
    Ok(())
}

/// Accepting an invitation: [`add`], as if the inviter added the invitee now, so an inviter
/// who has since left or lost the right to grant the role no longer brings anyone in.
pub fn accept(
    tenant_id: TenantId,
    inviter: UserId,
    invitee: UserId,
    role: Role,
    seen: Seen,
) -> Result<MemberAdded, TenancyError> {
    add(tenant_id, inviter, invitee, role, seen).map_err(|err| match err {
        TenancyError::TenantNotFound | TenancyError::Forbidden => TenancyError::InvitationWithdrawn,
        other => other,
    })
}

/// Changing `target`'s role to `role`: the actor must be allowed to assign both the old role
/// and the new one, and the tenant keeps an owner.
pub fn change_role(
    tenant_id: TenantId,
    actor: UserId,
    target: UserId,
    role: Role,
    seen: Seen,
) -> Result<RoleChanged, TenancyError> {
    let actor_role = seen.actor.ok_or(TenancyError::TenantNotFound)?;
    let from = seen.target.ok_or(TenancyError::MemberNotFound)?;
    if !(actor_role.may_assign(from) && actor_role.may_assign(role)) {
        return Err(TenancyError::Forbidden);
    }
    if from == Role::Owner && role != Role::Owner && seen.owners <= 1 {
        return Err(TenancyError::LastOwner);
    }
    Ok(RoleChanged {
        tenant_id,
        user_id: target,
        from,
        to: role,
        by: actor,
    })
}

/// Removing `target`: anyone may leave; owners and admins remove those whose role they may
/// assign; the last owner stays.
pub fn remove(
    tenant_id: TenantId,
    actor: UserId,
    target: UserId,
    seen: Seen,
) -> Result<MemberRemoved, TenancyError> {
    let actor_role = seen.actor.ok_or(TenancyError::TenantNotFound)?;
    let target_role = seen.target.ok_or(TenancyError::MemberNotFound)?;
    if !(actor == target || actor_role.may_assign(target_role)) {
        return Err(TenancyError::Forbidden);
    }
    if target_role == Role::Owner && seen.owners <= 1 {
        return Err(TenancyError::LastOwner);
    }
    Ok(MemberRemoved {
        tenant_id,
        user_id: target,
        by: actor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::{Admin, Member, Owner};

    fn seen(actor: Option<Role>, target: Option<Role>, owners: u64) -> Seen {
        Seen {
            actor,
            target,
            owners,
        }
    }

    fn ids() -> (TenantId, UserId, UserId) {
        (TenantId::generate(), UserId::generate(), UserId::generate())
    }

    #[test]
    fn outsiders_see_no_tenant() {
        let (t, a, b) = ids();
        let none = seen(None, Some(Member), 1);
        assert!(matches!(
            add(t, a, b, Member, none),
            Err(TenancyError::TenantNotFound)
        ));
        assert!(matches!(
            change_role(t, a, b, Admin, none),
            Err(TenancyError::TenantNotFound)
        ));
        assert!(matches!(
            remove(t, a, b, none),
            Err(TenancyError::TenantNotFound)
        ));
    }

    #[test]
    fn only_owners_grant_or_revoke_ownership() {
        let (t, a, b) = ids();
        assert!(matches!(
            add(t, a, b, Owner, seen(Some(Admin), None, 1)),
            Err(TenancyError::Forbidden)
        ));
        assert!(add(t, a, b, Owner, seen(Some(Owner), None, 1)).is_ok());
        assert!(matches!(
            change_role(t, a, b, Member, seen(Some(Admin), Some(Owner), 2)),
            Err(TenancyError::Forbidden)
        ));
        assert!(matches!(
            remove(t, a, b, seen(Some(Admin), Some(Owner), 2)),
            Err(TenancyError::Forbidden)
        ));
    }

    #[test]
    fn members_manage_nobody_but_may_leave() {
        let (t, a, b) = ids();
        assert!(matches!(
            add(t, a, b, Member, seen(Some(Member), None, 1)),
            Err(TenancyError::Forbidden)
        ));
        assert!(matches!(
            remove(t, a, b, seen(Some(Member), Some(Member), 1)),
            Err(TenancyError::Forbidden)
        ));
        assert!(remove(t, a, a, seen(Some(Member), Some(Member), 1)).is_ok());
    }

    #[test]
    fn the_last_owner_stays() {
        let (t, a, _) = ids();
        let last = seen(Some(Owner), Some(Owner), 1);
        assert!(matches!(
            change_role(t, a, a, Admin, last),
            Err(TenancyError::LastOwner)
        ));
        assert!(matches!(
            remove(t, a, a, last),
            Err(TenancyError::LastOwner)
        ));
        let two = seen(Some(Owner), Some(Owner), 2);
        let changed = change_role(t, a, a, Admin, two);
        assert!(matches!(
            changed,
            Ok(RoleChanged {
                from: Owner,
                to: Admin,
                ..
            })
        ));
    }

    #[test]
    fn a_taken_membership_is_a_duplicate() {
        let (t, a, b) = ids();
        assert!(matches!(
            add(t, a, b, Member, seen(Some(Owner), Some(Member), 1)),
            Err(TenancyError::Unique(Unique::Membership))
        ));
    }

    #[test]
    fn a_missing_target_is_not_found() {
        let (t, a, b) = ids();
        let missing = seen(Some(Owner), None, 1);
        assert!(matches!(
            change_role(t, a, b, Admin, missing),
            Err(TenancyError::MemberNotFound)
        ));
        assert!(matches!(
            remove(t, a, b, missing),
            Err(TenancyError::MemberNotFound)
        ));
    }
}
