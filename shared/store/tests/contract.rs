//! The `AccountsStore` contract. Every test runs against both adapters: SQLite and the real
//! PostgreSQL server, each on a fresh database.

use accounts::{AccountsStore, NewSignup, SessionRecord, SessionToken, StoreError};
use domain::{DomainEvent, Email, Role, TenantId, TenantName, UserId, UserSignedUp};
use store::{PgStore, SqliteStore};
use time::{Duration, OffsetDateTime};

/// Reads the outbox back through each driver; the port itself only writes it.
trait OutboxRows {
    async fn outbox_rows(&self) -> Vec<(String, String)>;
}

impl OutboxRows for PgStore {
    async fn outbox_rows(&self) -> Vec<(String, String)> {
        sqlx::query_as("SELECT event_type, payload::text FROM outbox ORDER BY created_at")
            .fetch_all(self.pool())
            .await
            .unwrap()
    }
}

impl OutboxRows for SqliteStore {
    async fn outbox_rows(&self) -> Vec<(String, String)> {
        sqlx::query_as("SELECT event_type, payload FROM outbox ORDER BY created_at")
            .fetch_all(self.pool())
            .await
            .unwrap()
    }
}

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

fn new_signup(raw_email: &str, tenant_name: &str) -> NewSignup {
    let at = OffsetDateTime::now_utc();
    let (user_id, tenant_id) = (UserId::generate(), TenantId::generate());
    let token = SessionToken::generate().unwrap();
    NewSignup {
        tenant_id,
        tenant_name: TenantName::parse(tenant_name).unwrap(),
        user_id,
        email: email(raw_email),
        password_hash: "$argon2id$fake".into(),
        session: SessionRecord {
            token_hash: token.hash(),
            user_id,
            expires_at: at + Duration::hours(1),
        },
        event: DomainEvent::UserSignedUp(UserSignedUp {
            user_id,
            tenant_id,
            email: raw_email.into(),
            occurred_at: at,
        }),
        at,
    }
}

async fn signed_up<S: AccountsStore>(store: &S, raw_email: &str, tenant: &str) -> NewSignup {
    let signup = new_signup(raw_email, tenant);
    store.create_signup(&signup).await.unwrap();
    signup
}

async fn signup_writes_every_record<S: AccountsStore + OutboxRows>(store: S) {
    let s = signed_up(&store, "ada@example.com", "Acme").await;

    let creds = store.credentials(&s.email).await.unwrap().unwrap();
    assert_eq!(creds.user_id, s.user_id);
    assert_eq!(creds.password_hash, "$argon2id$fake");
    let user = store.user(s.user_id).await.unwrap().unwrap();
    assert_eq!(user.email, s.email);
    assert_eq!(
        store.user_by_email(&s.email).await.unwrap().map(|u| u.id),
        Some(s.user_id)
    );
    let tenant = store.tenant(s.tenant_id).await.unwrap().unwrap();
    assert_eq!(tenant.name, "Acme");
    assert_eq!(
        store.role(s.tenant_id, s.user_id).await.unwrap(),
        Some(Role::Owner)
    );
    let memberships = store.memberships(s.user_id).await.unwrap();
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].tenant_id, s.tenant_id);
    assert_eq!(memberships[0].tenant_name, "Acme");
    let session = store.session(&s.session.token_hash).await.unwrap().unwrap();
    assert_eq!(session.user_id, s.user_id);
    assert!(session.token_hash.matches(&s.session.token_hash));

    let outbox = store.outbox_rows().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].0, "UserSignedUp");
    let event: DomainEvent = serde_json::from_str(&outbox[0].1).unwrap();
    assert_eq!(event, s.event);
}

async fn duplicate_email_writes_nothing<S: AccountsStore + OutboxRows>(store: S) {
    signed_up(&store, "ada@example.com", "Acme").await;
    let again = new_signup("ada@example.com", "Other");
    let err = store.create_signup(&again).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate("email")), "{err:?}");
    assert!(store.tenant(again.tenant_id).await.unwrap().is_none());
    assert!(
        store
            .session(&again.session.token_hash)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.outbox_rows().await.len(), 1);
}

async fn unknown_records_are_absent<S: AccountsStore>(store: S) {
    assert!(
        store
            .credentials(&email("nobody@example.com"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.user(UserId::generate()).await.unwrap().is_none());
    assert!(store.tenant(TenantId::generate()).await.unwrap().is_none());
    let hash = SessionToken::generate().unwrap().hash();
    assert!(store.session(&hash).await.unwrap().is_none());
    assert!(!store.delete_session(&hash).await.unwrap());
    store.ping().await.unwrap();
}

async fn sessions_insert_and_delete<S: AccountsStore>(store: S) {
    let s = signed_up(&store, "ada@example.com", "Acme").await;
    let token = SessionToken::generate().unwrap();
    let record = SessionRecord {
        token_hash: token.hash(),
        user_id: s.user_id,
        expires_at: OffsetDateTime::now_utc() + Duration::days(7),
    };
    store.insert_session(&record).await.unwrap();
    let found = store.session(&token.hash()).await.unwrap().unwrap();
    assert_eq!(found.user_id, s.user_id);
    assert_eq!(
        found.expires_at.unix_timestamp(),
        record.expires_at.unix_timestamp()
    );
    assert!(store.delete_session(&token.hash()).await.unwrap());
    assert!(store.session(&token.hash()).await.unwrap().is_none());
    // The signup's own session is untouched.
    assert!(
        store
            .session(&s.session.token_hash)
            .await
            .unwrap()
            .is_some()
    );
}

async fn members_paginate_in_id_order<S: AccountsStore>(store: S) {
    let owner = signed_up(&store, "owner@example.com", "Acme").await;
    let mut expected = vec![owner.user_id];
    for i in 0..5 {
        let other = signed_up(&store, &format!("m{i}@example.com"), "Own").await;
        let at = OffsetDateTime::now_utc();
        store
            .add_member(owner.tenant_id, other.user_id, Role::Member, at)
            .await
            .unwrap();
        expected.push(other.user_id);
    }
    expected.sort();

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.members(owner.tenant_id, after, 2).await.unwrap();
        assert!(page.len() <= 2);
        if page.is_empty() {
            break;
        }
        after = page.last().map(|m| m.user_id);
        seen.extend(page.into_iter().map(|m| m.user_id));
    }
    assert_eq!(seen, expected);
}

async fn duplicate_membership_is_refused<S: AccountsStore>(store: S) {
    let a = signed_up(&store, "a@example.com", "A").await;
    let b = signed_up(&store, "b@example.com", "B").await;
    let at = OffsetDateTime::now_utc();
    store
        .add_member(a.tenant_id, b.user_id, Role::Admin, at)
        .await
        .unwrap();
    let err = store
        .add_member(a.tenant_id, b.user_id, Role::Member, at)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate("membership")),
        "{err:?}"
    );
    let missing = store
        .add_member(TenantId::generate(), b.user_id, Role::Member, at)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let member = store.member(a.tenant_id, b.user_id).await.unwrap().unwrap();
    assert_eq!(member.role, Role::Admin);
    assert_eq!(member.email, b.email);
}

async fn tenant_scoped_reads_never_cross_tenants<S: AccountsStore>(store: S) {
    let a = signed_up(&store, "a@example.com", "A").await;
    let b = signed_up(&store, "b@example.com", "B").await;
    assert_eq!(store.role(b.tenant_id, a.user_id).await.unwrap(), None);
    assert!(
        store
            .member(b.tenant_id, a.user_id)
            .await
            .unwrap()
            .is_none()
    );
    let members = store.members(b.tenant_id, None, 100).await.unwrap();
    assert_eq!(
        members.iter().map(|m| m.user_id).collect::<Vec<_>>(),
        vec![b.user_id]
    );
    let err = store
        .change_role(b.tenant_id, a.user_id, Role::Member)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    let err = store
        .remove_member(b.tenant_id, a.user_id)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(
        store.role(a.tenant_id, a.user_id).await.unwrap(),
        Some(Role::Owner)
    );
}

async fn last_owner_is_kept<S: AccountsStore>(store: S) {
    let a = signed_up(&store, "a@example.com", "A").await;
    let b = signed_up(&store, "b@example.com", "B").await;
    let demote = store.change_role(a.tenant_id, a.user_id, Role::Admin).await;
    assert!(matches!(demote, Err(StoreError::LastOwner)), "{demote:?}");
    let remove = store.remove_member(a.tenant_id, a.user_id).await;
    assert!(matches!(remove, Err(StoreError::LastOwner)), "{remove:?}");

    let at = OffsetDateTime::now_utc();
    store
        .add_member(a.tenant_id, b.user_id, Role::Owner, at)
        .await
        .unwrap();
    store
        .change_role(a.tenant_id, a.user_id, Role::Member)
        .await
        .unwrap();
    assert_eq!(
        store.role(a.tenant_id, a.user_id).await.unwrap(),
        Some(Role::Member)
    );
    let remove = store.remove_member(a.tenant_id, b.user_id).await;
    assert!(matches!(remove, Err(StoreError::LastOwner)), "{remove:?}");
    store.remove_member(a.tenant_id, a.user_id).await.unwrap();
    assert_eq!(store.role(a.tenant_id, a.user_id).await.unwrap(), None);
}

async fn concurrent_demotions_keep_an_owner<S: AccountsStore>(store: S) {
    let a = signed_up(&store, "a@example.com", "A").await;
    let b = signed_up(&store, "b@example.com", "B").await;
    let at = OffsetDateTime::now_utc();
    store
        .add_member(a.tenant_id, b.user_id, Role::Owner, at)
        .await
        .unwrap();
    let (first, second) = tokio::join!(
        store.change_role(a.tenant_id, a.user_id, Role::Member),
        store.change_role(a.tenant_id, b.user_id, Role::Member),
    );
    let refused = [&first, &second]
        .iter()
        .filter(|r| matches!(r, Err(StoreError::LastOwner)))
        .count();
    assert_eq!(refused, 1, "{first:?} {second:?}");
    let members = store.members(a.tenant_id, None, 10).await.unwrap();
    assert_eq!(members.iter().filter(|m| m.role == Role::Owner).count(), 1);
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(testkit::sqlite_store().await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                super::$name(testkit::postgres_store().await).await;
            })*
        }
    };
}

contract!(
    signup_writes_every_record,
    duplicate_email_writes_nothing,
    unknown_records_are_absent,
    sessions_insert_and_delete,
    members_paginate_in_id_order,
    duplicate_membership_is_refused,
    tenant_scoped_reads_never_cross_tenants,
    last_owner_is_kept,
    concurrent_demotions_keep_an_owner,
);
