//! The tenancy use cases on the in-memory ports: no database, so this runs in milliseconds.

use std::sync::Arc;

use kernel::{Email, SystemClock, UserId};
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
        let add = f
            .tenancy
            .add_member(eve, acme.id, &email(probe), Role::Member)
            .await;
        assert!(
            matches!(add, Err(TenancyError::TenantNotFound)),
            "{probe}: {add:?}"
        );
    }
    let ghost = f
        .tenancy
        .add_member(ada, acme.id, &email("ghost@example.com"), Role::Member)
        .await;
    assert!(
        matches!(ghost, Err(TenancyError::UnknownEmail)),
        "{ghost:?}"
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
        f.account(&address);
        f.tenancy
            .add_member(ada, acme.id, &email(&address), Role::Member)
            .await
            .unwrap();
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
    f.tenancy
        .add_member(ada, acme.id, &email("grace@example.com"), Role::Admin)
        .await
        .unwrap();
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
            "tenancy.member_added",
            "tenancy.role_changed",
            "tenancy.member_removed"
        ]
    );
}
