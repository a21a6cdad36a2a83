//! The tenancy use cases on the in-memory ports: no database, so this runs in milliseconds.

use std::sync::Arc;

use kernel::{Email, SystemClock, TenantId, UserId};
use tenancy::{
    DirectoryUser, MemoryDirectory, MemoryMembers, Role, Tenancy, TenancyError, TenantName,
};

struct Fixture {
    tenancy: Tenancy,
    directory: MemoryDirectory,
    members: MemoryMembers,
}

fn fixture() -> Fixture {
    let directory = MemoryDirectory::default();
    let members = MemoryMembers::new(directory.clone());
    let tenancy = Tenancy::new(members.clone(), directory.clone(), Arc::new(SystemClock));
    Fixture {
        tenancy,
        directory,
        members,
    }
}

impl Fixture {
    /// `user` (whose account uses `address`) joins `tenant` as `role`, invited by `by`.
    async fn join(&self, by: UserId, tenant: TenantId, user: UserId, address: &str, role: Role) {
        let invited = self
            .tenancy
            .invite(by, tenant, email(address), role)
            .await
            .unwrap();
        self.tenancy
            .accept_invitation(user, &invited.token)
            .await
            .unwrap();
    }

    fn account(&self, email: &str) -> UserId {
        let id = UserId::generate();
        self.directory.add(DirectoryUser {
            id,
            email: Email::parse(email).unwrap(),
        });
        id
    }
}

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

#[tokio::test]
async fn the_creator_owns_the_tenant_and_sees_it_listed() {
    let f = fixture();
    let ada = f.account("ada@example.com");
    let acme = f
        .tenancy
        .create_tenant(ada, TenantName::parse("Acme").unwrap())
        .await
        .unwrap();
    let mine = f.tenancy.memberships(ada).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].tenant_id, mine[0].role), (acme.id, Role::Owner));
    assert_eq!(f.tenancy.tenant(ada, acme.id).await.unwrap().name, "Acme");
    assert_eq!(f.members.outbox()[0].kind, "tenancy.tenant_created");
}

#[tokio::test]
async fn outsiders_see_no_tenant_and_learn_no_emails() {
    let f = fixture();
    let ada = f.account("ada@example.com");
    let eve = f.account("eve@example.com");
    let acme = f
        .tenancy
        .create_tenant(ada, TenantName::parse("Acme").unwrap())
        .await
        .unwrap();
    let read = f.tenancy.tenant(eve, acme.id).await;
    assert!(matches!(read, Err(TenancyError::TenantNotFound)));
    let list = f.tenancy.members(eve, acme.id, None, 10).await;
    assert!(matches!(list, Err(TenancyError::TenantNotFound)));
    // Known or unknown, an email gets the same answer from an outsider.
    for probe in ["ada@example.com", "ghost@example.com"] {
        let invite = f
            .tenancy
            .invite(eve, acme.id, email(probe), Role::Member)
            .await;
        assert!(
            matches!(invite, Err(TenancyError::TenantNotFound)),
            "{probe}: {invite:?}"
        );
    }
    // And from a member: inviting an email with or without an account looks the same.
    let ghost = f
        .tenancy
        .invite(ada, acme.id, email("ghost@example.com"), Role::Member)
        .await
        .unwrap();
    let known = f
        .tenancy
        .invite(ada, acme.id, email("eve@example.com"), Role::Member)
        .await
        .unwrap();
    assert_eq!(
        (ghost.invitation.role, ghost.invitation.tenant_id),
        (known.invitation.role, known.invitation.tenant_id)
    );
    let invited: Vec<_> = f
        .members
        .outbox()
        .into_iter()
        .filter(|e| e.kind == "tenancy.member_invited")
        .map(|e| e.payload["email"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(invited, ["ghost@example.com", "eve@example.com"]);
}

#[tokio::test]
async fn members_invite_only_with_the_rights_they_have() {
    let f = fixture();
    let ada = f.account("ada@example.com");
    let grace = f.account("grace@example.com");
    let acme = f
        .tenancy
        .create_tenant(ada, TenantName::parse("Acme").unwrap())
        .await
        .unwrap();
    f.join(ada, acme.id, grace, "grace@example.com", Role::Member)
        .await;
    let as_member = f
        .tenancy
        .invite(grace, acme.id, email("new@example.com"), Role::Member)
        .await;
    assert!(
        matches!(as_member, Err(TenancyError::Forbidden)),
        "{as_member:?}"
    );
    let list = f.tenancy.invitations(grace, acme.id).await;
    assert!(matches!(list, Err(TenancyError::Forbidden)), "{list:?}");
    let pending = f
        .tenancy
        .invite(ada, acme.id, email("new@example.com"), Role::Owner)
        .await
        .unwrap();
    let revoke = f
        .tenancy
        .revoke_invitation(grace, acme.id, pending.invitation.id)
        .await;
    assert!(matches!(revoke, Err(TenancyError::Forbidden)), "{revoke:?}");
    assert_eq!(f.tenancy.invitations(ada, acme.id).await.unwrap().len(), 1);
    f.tenancy
        .revoke_invitation(ada, acme.id, pending.invitation.id)
        .await
        .unwrap();
    assert!(
        f.tenancy
            .invitations(ada, acme.id)
            .await
            .unwrap()
            .is_empty()
    );
    // Revoking again changes nothing, and says so the same way.
    f.tenancy
        .revoke_invitation(ada, acme.id, pending.invitation.id)
        .await
        .unwrap();
    let unknown = f
        .tenancy
        .revoke_invitation(ada, acme.id, tenancy::InvitationId::generate())
        .await;
    assert!(
        matches!(unknown, Err(TenancyError::InvitationNotFound)),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn pages_carry_a_cursor_until_the_last() {
    let f = fixture();
    let ada = f.account("ada@example.com");
    let acme = f
        .tenancy
        .create_tenant(ada, TenantName::parse("Acme").unwrap())
        .await
        .unwrap();
    for i in 0..4 {
        let address = format!("m{i}@example.com");
        let user = f.account(&address);
        f.join(ada, acme.id, user, &address, Role::Member).await;
    }
    let mut seen = 0;
    let mut after = None;
    loop {
        let page = f.tenancy.members(ada, acme.id, after, 2).await.unwrap();
        seen += page.members.len();
        assert!(page.members.len() <= 2);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, 5);
}

#[tokio::test]
async fn role_changes_follow_the_rules() {
    let f = fixture();
    let ada = f.account("ada@example.com");
    let grace = f.account("grace@example.com");
    let acme = f
        .tenancy
        .create_tenant(ada, TenantName::parse("Acme").unwrap())
        .await
        .unwrap();
    f.join(ada, acme.id, grace, "grace@example.com", Role::Admin)
        .await;
    let grab = f
        .tenancy
        .change_role(grace, acme.id, grace, Role::Owner)
        .await;
    assert!(matches!(grab, Err(TenancyError::Forbidden)), "{grab:?}");
    let last = f.tenancy.remove_member(ada, acme.id, ada).await;
    assert!(matches!(last, Err(TenancyError::LastOwner)), "{last:?}");
    let member = f
        .tenancy
        .change_role(ada, acme.id, grace, Role::Member)
        .await
        .unwrap();
    assert_eq!(member.role, Role::Member);
    f.tenancy
        .remove_member(grace, acme.id, grace)
        .await
        .unwrap();
    let kinds: Vec<_> = f.members.outbox().into_iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            "tenancy.tenant_created",
            "tenancy.member_invited",
            "tenancy.member_added",
            "tenancy.invitation_accepted",
            "tenancy.role_changed",
            "tenancy.member_removed"
        ]
    );
}
