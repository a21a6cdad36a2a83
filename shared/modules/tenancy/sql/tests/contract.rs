//! The tenancy adapters' contract, on SQLite, on the real PostgreSQL server, and on the
//! in-memory default. For SQL, accounts come from a stand-in for the identity module's
//! `directory_users` view.

use std::time::Duration;

use database::{Access, Backend, MigrationSet, PLATFORM};
use kernel::{Email, Envelope, TenantId, UserId};
use serde_json::Value;
use sessions::SessionToken;
use sqlx::migrate::Migrator;
use tenancy::{
    Directory, DirectoryUser, DynDirectory, DynMembers, INVITATION_TTL, Invitation, InvitationId,
    MemberInvited, Members, Membership, MemoryDirectory, MemoryMembers, NewInvitation, NewTenant,
    Role, TenancyError, TenantCreated, TenantName, Unique,
};
use tenancy_sql::{MIGRATIONS, directory, members};
use testkit::TestDb;
use time::OffsetDateTime;

static DIRECTORY_POSTGRES: Migrator = sqlx::migrate!("tests/directory/postgres");
static DIRECTORY_SQLITE: Migrator = sqlx::migrate!("tests/directory/sqlite");
static DIRECTORY: MigrationSet = MigrationSet {
    owner: "directory stand-in",
    postgres: &DIRECTORY_POSTGRES,
    sqlite: &DIRECTORY_SQLITE,
};

/// What the contract needs of a store: its adapters, a way to publish an account to the
/// directory, and the events it wrote.
trait Fixture {
    fn members(&self) -> Box<DynMembers<'static>>;
    fn directory(&self) -> Box<DynDirectory<'static>>;
    async fn account(&self, email: &str) -> DirectoryUser;
    async fn outbox(&self) -> Vec<(String, Value)>;
}

fn new_account(email: &str) -> DirectoryUser {
    DirectoryUser {
        id: UserId::generate(),
        email: Email::parse(email).unwrap(),
    }
}

impl Fixture for TestDb {
    fn members(&self) -> Box<DynMembers<'static>> {
        members(&self.backend)
    }

    fn directory(&self) -> Box<DynDirectory<'static>> {
        directory(&self.backend)
    }

    async fn account(&self, email: &str) -> DirectoryUser {
        let user = new_account(email);
        let insert = "INSERT INTO directory_users (id, email) VALUES ($1, $2)";
        match &self.backend {
            Backend::Postgres(db) => sqlx::query(insert)
                .bind(user.id.as_uuid())
                .bind(user.email.as_str())
                .execute(db.raw_pool())
                .await
                .map(drop),
            Backend::Sqlite(db) => sqlx::query(insert)
                .bind(user.id.as_uuid())
                .bind(user.email.as_str())
                .execute(db.raw_pool())
                .await
                .map(drop),
        }
        .unwrap();
        user
    }

    async fn outbox(&self) -> Vec<(String, Value)> {
        testkit::outbox(&self.backend).await
    }
}

/// The in-memory default.
#[derive(Default)]
struct Memory {
    members: MemoryMembers,
    directory: MemoryDirectory,
}

impl Memory {
    fn new() -> Self {
        let directory = MemoryDirectory::default();
        Self {
            members: MemoryMembers::new(directory.clone()),
            directory,
        }
    }
}

impl Fixture for Memory {
    fn members(&self) -> Box<DynMembers<'static>> {
        DynMembers::new_box(self.members.clone())
    }

    fn directory(&self) -> Box<DynDirectory<'static>> {
        DynDirectory::new_box(self.directory.clone())
    }

    async fn account(&self, email: &str) -> DirectoryUser {
        let user = new_account(email);
        self.directory.add(user.clone());
        user
    }

    async fn outbox(&self) -> Vec<(String, Value)> {
        self.members
            .outbox()
            .into_iter()
            .map(|e| (e.kind, e.payload))
            .collect()
    }
}

/// A tenant owned by a new account.
async fn tenant(f: &impl Fixture, owner_email: &str, name: &str) -> (TenantId, DirectoryUser) {
    let owner = f.account(owner_email).await;
    let tenant = NewTenant {
        id: TenantId::generate(),
        name: TenantName::parse(name).unwrap(),
        owner: owner.id,
        created_at: OffsetDateTime::now_utc(),
    };
    let event = TenantCreated {
        tenant_id: tenant.id,
        owner: owner.id,
    };
    f.members()
        .create_tenant(&tenant, &Envelope::wrap(&event, tenant.created_at))
        .await
        .unwrap();
    (tenant.id, owner)
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// An invitation of `user`'s email to `t` as `role`, sent by `inviter`, with its token.
fn invitation(
    t: TenantId,
    inviter: UserId,
    user: &DirectoryUser,
    role: Role,
) -> (NewInvitation, Envelope, SessionToken) {
    let token = SessionToken::generate().unwrap();
    let at = now();
    let invitation = Invitation {
        id: InvitationId::generate(),
        tenant_id: t,
        email: user.email.clone(),
        role,
        invited_by: inviter,
        created_at: at,
        expires_at: at + INVITATION_TTL,
    };
    let event = MemberInvited {
        tenant_id: t,
        invitation_id: invitation.id.as_uuid(),
        tenant_name: "Acme".into(),
        email: user.email.as_str().to_owned(),
        role,
        invited_by: inviter,
        token: token.expose().to_owned(),
        expires_at: invitation.expires_at,
    };
    let new = NewInvitation {
        invitation,
        token_hash: token.hash(),
    };
    (new, Envelope::wrap(&event, at), token)
}

/// `user` joins `t` as `role` through an invitation from `inviter`.
async fn join(
    store: &DynMembers<'_>,
    t: TenantId,
    inviter: UserId,
    user: &DirectoryUser,
    role: Role,
) -> Result<Membership, TenancyError> {
    let (new, event, token) = invitation(t, inviter, user, role);
    store.invite(&new, Some(user.id), &event).await?;
    store.accept_invitation(&token.hash(), user, now()).await
}

async fn create_tenant_writes_tenant_owner_and_event(f: impl Fixture) {
    let store = f.members();
    let (t, owner) = tenant(&f, "ada@example.com", "Acme").await;
    assert_eq!(store.tenant(t).await.unwrap().unwrap().name, "Acme");
    assert_eq!(store.role(t, owner.id).await.unwrap(), Some(Role::Owner));
    let mine = store.memberships(owner.id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].tenant_id, mine[0].role), (t, Role::Owner));
    assert_eq!(mine[0].tenant_name, "Acme");
    let outbox = f.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].0, "tenancy.tenant_created");
    assert_eq!(outbox[0].1["tenant_id"], t.to_string());
}

async fn the_directory_finds_accounts_by_email(f: impl Fixture) {
    let ada = f.account("ada@example.com").await;
    let found = f.directory().find(&ada.email).await.unwrap();
    assert_eq!(found, Some(ada));
    let nobody = Email::parse("nobody@example.com").unwrap();
    assert!(f.directory().find(&nobody).await.unwrap().is_none());
}

async fn unknown_records_are_absent(f: impl Fixture) {
    let store = f.members();
    let (t, u) = (TenantId::generate(), UserId::generate());
    assert!(store.tenant(t).await.unwrap().is_none());
    assert!(store.role(t, u).await.unwrap().is_none());
    assert!(store.memberships(u).await.unwrap().is_empty());
    assert!(store.members(t, None, 10).await.unwrap().is_empty());
}

async fn members_paginate_in_id_order(f: impl Fixture) {
    let store = f.members();
    let (t, owner) = tenant(&f, "owner@example.com", "Acme").await;
    let mut expected = vec![owner.id];
    for i in 0..5 {
        let user = f.account(&format!("m{i}@example.com")).await;
        join(&store, t, owner.id, &user, Role::Member)
            .await
            .unwrap();
        expected.push(user.id);
    }
    expected.sort();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.members(t, after, 2).await.unwrap();
        assert!(page.len() <= 2);
        if page.is_empty() {
            break;
        }
        after = page.last().map(|m| m.user_id);
        seen.extend(page.into_iter().map(|m| m.user_id));
    }
    assert_eq!(seen, expected);
}

async fn invitations_apply_the_rules_and_record_events(f: impl Fixture) {
    let store = f.members();
    let (t, owner) = tenant(&f, "owner@example.com", "Acme").await;
    let grace = f.account("grace@example.com").await;
    let joined = join(&store, t, owner.id, &grace, Role::Admin)
        .await
        .unwrap();
    assert_eq!(
        (joined.tenant_id, joined.tenant_name.as_str(), joined.role),
        (t, "Acme", Role::Admin)
    );
    assert_eq!(store.role(t, grace.id).await.unwrap(), Some(Role::Admin));
    let (again, event, _) = invitation(t, owner.id, &grace, Role::Member);
    let again = store.invite(&again, Some(grace.id), &event).await;
    assert!(
        matches!(again, Err(TenancyError::Unique(Unique::Membership))),
        "{again:?}"
    );
    // An admin may not invite an owner; an outsider sees no tenant.
    let other = f.account("other@example.com").await;
    let (as_admin, event, _) = invitation(t, grace.id, &other, Role::Owner);
    let as_admin = store.invite(&as_admin, Some(other.id), &event).await;
    assert!(
        matches!(as_admin, Err(TenancyError::Forbidden)),
        "{as_admin:?}"
    );
    let (outsider, event, _) = invitation(t, other.id, &other, Role::Member);
    let outsider = store.invite(&outsider, Some(other.id), &event).await;
    assert!(
        matches!(outsider, Err(TenancyError::TenantNotFound)),
        "{outsider:?}"
    );
    let kinds: Vec<String> = f.outbox().await.into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(
        kinds,
        [
            "tenancy.tenant_created",
            "tenancy.member_invited",
            "tenancy.member_added",
            "tenancy.invitation_accepted"
        ]
    );
}

/// A token works once, only while its invitation is pending: not after it expires, is revoked
/// or is replaced by a newer invitation of the same email; and only for its own email.
async fn invitations_are_single_use_and_for_their_email(f: impl Fixture) {
    let store = f.members();
    let (t, owner) = tenant(&f, "owner@example.com", "Acme").await;
    let grace = f.account("grace@example.com").await;
    let mallory = f.account("mallory@example.com").await;

    let (first, event, first_token) = invitation(t, owner.id, &grace, Role::Member);
    store.invite(&first, Some(grace.id), &event).await.unwrap();
    let (second, event, second_token) = invitation(t, owner.id, &grace, Role::Admin);
    store.invite(&second, Some(grace.id), &event).await.unwrap();
    let pending = store.invitations(t, now()).await.unwrap();
    let ids: Vec<InvitationId> = pending.iter().map(|i| i.id).collect();
    assert_eq!(
        ids,
        vec![second.invitation.id],
        "the newer one replaced the older"
    );
    assert_eq!(
        (pending[0].role, &pending[0].email),
        (Role::Admin, &grace.email)
    );
    let replaced = store
        .accept_invitation(&first_token.hash(), &grace, now())
        .await;
    assert!(
        matches!(replaced, Err(TenancyError::InvitationNotFound)),
        "{replaced:?}"
    );

    let stolen = store
        .accept_invitation(&second_token.hash(), &mallory, now())
        .await;
    assert!(
        matches!(stolen, Err(TenancyError::InvitationForAnotherEmail)),
        "{stolen:?}"
    );
    let late = now() + INVITATION_TTL + time::Duration::minutes(1);
    let expired = store
        .accept_invitation(&second_token.hash(), &grace, late)
        .await;
    assert!(
        matches!(expired, Err(TenancyError::InvitationNotFound)),
        "{expired:?}"
    );
    assert!(store.invitations(t, late).await.unwrap().is_empty());

    let joined = store
        .accept_invitation(&second_token.hash(), &grace, now())
        .await
        .unwrap();
    assert_eq!(joined.role, Role::Admin);
    let twice = store
        .accept_invitation(&second_token.hash(), &grace, now())
        .await;
    assert!(
        matches!(twice, Err(TenancyError::InvitationNotFound)),
        "{twice:?}"
    );
    assert!(store.invitations(t, now()).await.unwrap().is_empty());

    let (third, event, third_token) = invitation(t, owner.id, &mallory, Role::Member);
    store
        .invite(&third, Some(mallory.id), &event)
        .await
        .unwrap();
    let id = third.invitation.id;
    let found = store.invitation(t, id).await.unwrap();
    assert_eq!(found.map(|i| (i.id, i.invited_by)), Some((id, owner.id)));
    let (other_tenant, _) = tenant(&f, "b@example.com", "B").await;
    assert!(
        !store
            .revoke_invitation(other_tenant, id, now())
            .await
            .unwrap(),
        "tenant-scoped"
    );
    assert!(store.invitation(other_tenant, id).await.unwrap().is_none());
    assert!(store.revoke_invitation(t, id, now()).await.unwrap());
    assert!(!store.revoke_invitation(t, id, now()).await.unwrap());
    let revoked = store
        .accept_invitation(&third_token.hash(), &mallory, now())
        .await;
    assert!(
        matches!(revoked, Err(TenancyError::InvitationNotFound)),
        "{revoked:?}"
    );
    assert_eq!(store.role(t, mallory.id).await.unwrap(), None);
}

/// An invitation from someone who has since lost the right to grant its role brings nobody in.
async fn an_invitation_whose_sender_lost_the_right_is_withdrawn(f: impl Fixture) {
    let store = f.members();
    let (t, owner) = tenant(&f, "owner@example.com", "Acme").await;
    let admin = f.account("admin@example.com").await;
    join(&store, t, owner.id, &admin, Role::Admin)
        .await
        .unwrap();
    let grace = f.account("grace@example.com").await;
    let (new, event, token) = invitation(t, admin.id, &grace, Role::Member);
    store.invite(&new, Some(grace.id), &event).await.unwrap();
    store
        .change_role(t, owner.id, admin.id, Role::Member, now())
        .await
        .unwrap();
    let withdrawn = store.accept_invitation(&token.hash(), &grace, now()).await;
    assert!(
        matches!(withdrawn, Err(TenancyError::InvitationWithdrawn)),
        "{withdrawn:?}"
    );
    assert_eq!(store.role(t, grace.id).await.unwrap(), None);
}

/// The sweeper deletes invitations past their expiry.
async fn the_sweep_deletes_expired_invitations(db: TestDb) {
    let store = members(&db.backend);
    let (t, owner) = tenant(&db, "owner@example.com", "Acme").await;
    let grace = db.account("grace@example.com").await;
    let (new, event, _) = invitation(t, owner.id, &grace, Role::Member);
    store.invite(&new, Some(grace.id), &event).await.unwrap();
    assert_eq!(tenancy_sql::sweep(&db.backend, now()).await.unwrap(), 0);
    let late = now() + INVITATION_TTL + time::Duration::minutes(1);
    assert_eq!(tenancy_sql::sweep(&db.backend, late).await.unwrap(), 1);
}

async fn tenant_scoped_changes_never_cross_tenants(f: impl Fixture) {
    let store = f.members();
    let (ta, a) = tenant(&f, "a@example.com", "A").await;
    let (tb, b) = tenant(&f, "b@example.com", "B").await;
    assert_eq!(store.role(tb, a.id).await.unwrap(), None);
    let members = store.members(tb, None, 100).await.unwrap();
    assert_eq!(
        members.iter().map(|m| m.user_id).collect::<Vec<_>>(),
        vec![b.id]
    );
    // A's owner acting on B, and B's owner acting on A's owner through B.
    let cross = store.change_role(tb, a.id, b.id, Role::Member, now()).await;
    assert!(
        matches!(cross, Err(TenancyError::TenantNotFound)),
        "{cross:?}"
    );
    let missing = store.remove_member(tb, b.id, a.id, now()).await;
    assert!(
        matches!(missing, Err(TenancyError::MemberNotFound)),
        "{missing:?}"
    );
    assert_eq!(store.role(ta, a.id).await.unwrap(), Some(Role::Owner));
}

async fn the_last_owner_is_kept(f: impl Fixture) {
    let store = f.members();
    let (t, a) = tenant(&f, "a@example.com", "A").await;
    let demote = store.change_role(t, a.id, a.id, Role::Admin, now()).await;
    assert!(matches!(demote, Err(TenancyError::LastOwner)), "{demote:?}");
    let leave = store.remove_member(t, a.id, a.id, now()).await;
    assert!(matches!(leave, Err(TenancyError::LastOwner)), "{leave:?}");

    let b = f.account("b@example.com").await;
    join(&store, t, a.id, &b, Role::Owner).await.unwrap();
    let changed = store
        .change_role(t, a.id, a.id, Role::Member, now())
        .await
        .unwrap();
    assert_eq!(changed.role, Role::Member);
    let last = store.remove_member(t, b.id, b.id, now()).await;
    assert!(matches!(last, Err(TenancyError::LastOwner)), "{last:?}");
    store.remove_member(t, a.id, a.id, now()).await.unwrap();
    assert_eq!(store.role(t, a.id).await.unwrap(), None);
}

async fn concurrent_demotions_keep_an_owner(f: impl Fixture) {
    let store = f.members();
    let (t, a) = tenant(&f, "a@example.com", "A").await;
    let b = f.account("b@example.com").await;
    join(&store, t, a.id, &b, Role::Owner).await.unwrap();
    let (first, second) = tokio::join!(
        store.change_role(t, a.id, a.id, Role::Member, now()),
        store.change_role(t, b.id, b.id, Role::Member, now()),
    );
    let refused = [&first, &second]
        .iter()
        .filter(|r| matches!(r, Err(TenancyError::LastOwner)))
        .count();
    assert_eq!(refused, 1, "{first:?} {second:?}");
    let owners = store.members(t, None, 10).await.unwrap();
    assert_eq!(owners.iter().filter(|m| m.role == Role::Owner).count(), 1);
}

/// Runs `change` while another transaction holds the tenant's lock and sets `user`'s role to
/// `role`, then commits it. The change must be decided on the committed role, not on the one
/// it could read before the lock was free.
async fn while_role_changes<T>(
    backend: &Backend,
    tenant: TenantId,
    user: UserId,
    role: Role,
    change: impl Future<Output = T> + Send + 'static,
) -> T
where
    T: Send + 'static,
{
    let update = "UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2";
    macro_rules! hold {
        ($db:expr, $lock:expr) => {{
            let mut tx = $db.raw_pool().begin().await.unwrap();
            sqlx::query($lock)
                .bind(tenant.as_uuid())
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query(update)
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .bind(role.as_str())
                .execute(&mut *tx)
                .await
                .unwrap();
            let pending = tokio::spawn(change);
            tokio::time::sleep(Duration::from_millis(300)).await;
            tx.commit().await.unwrap();
            pending.await.unwrap()
        }};
    }
    use tenancy_sql::TenancyDialect;
    match backend {
        Backend::Postgres(home) => {
            let db = home.shard_for(tenant, Access::Read).await.unwrap();
            hold!(db, <sqlx::Postgres as TenancyDialect>::LOCK_TENANT)
        }
        Backend::Sqlite(db) => hold!(db, <sqlx::Sqlite as TenancyDialect>::LOCK_TENANT),
    }
}

/// An admin removing a member who is promoted to owner meanwhile is refused: the permission
/// is checked under the tenant's lock, on the promoted role.
async fn permission_is_checked_on_the_role_at_commit(db: TestDb) {
    let store = members(&db.backend);
    let (t, owner) = tenant(&db, "owner@example.com", "Acme").await;
    let admin = db.account("admin@example.com").await;
    let target = db.account("target@example.com").await;
    join(&store, t, owner.id, &admin, Role::Admin)
        .await
        .unwrap();
    join(&store, t, owner.id, &target, Role::Member)
        .await
        .unwrap();

    let backend = db.backend.clone();
    let removal = async move {
        members(&backend)
            .remove_member(t, admin.id, target.id, now())
            .await
    };
    let removed = while_role_changes(&db.backend, t, target.id, Role::Owner, removal).await;
    assert!(
        matches!(removed, Err(TenancyError::Forbidden)),
        "{removed:?}"
    );
    assert_eq!(store.role(t, target.id).await.unwrap(), Some(Role::Owner));

    // A just-demoted admin cannot finish inviting someone either.
    let newcomer = db.account("new@example.com").await;
    let backend = db.backend.clone();
    let adding = async move {
        let (new, event, _) = invitation(t, admin.id, &newcomer, Role::Member);
        members(&backend)
            .invite(&new, Some(newcomer.id), &event)
            .await
    };
    let added = while_role_changes(&db.backend, t, admin.id, Role::Member, adding).await;
    assert!(matches!(added, Err(TenancyError::Forbidden)), "{added:?}");
}

/// Other modules authorise tenant-scoped requests through `tenant_members`: who belongs to
/// which tenant, with which role.
async fn the_members_view_publishes_tenant_user_and_role(db: TestDb) {
    let (t, owner) = tenant(&db, "owner@example.com", "Acme").await;
    let select = "SELECT role FROM tenant_members WHERE tenant_id = $1 AND user_id = $2";
    let role: String = match &db.backend {
        Backend::Postgres(home) => {
            let pg = home.shard_for(t, Access::Read).await.unwrap();
            sqlx::query_scalar(select)
                .bind(t.as_uuid())
                .bind(owner.id.as_uuid())
                .fetch_one(pg.raw_pool())
                .await
        }
        Backend::Sqlite(lite) => {
            sqlx::query_scalar(select)
                .bind(t.as_uuid())
                .bind(owner.id.as_uuid())
                .fetch_one(lite.raw_pool())
                .await
        }
    }
    .unwrap();
    assert_eq!(role, "owner");
}

/// Each contract test on SQLite, PostgreSQL and the in-memory default; the lock and view tests
/// on the two SQL drivers, whose locking and views they are about.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        testkit::on_both_drivers!(
            &[&PLATFORM, &DIRECTORY, &MIGRATIONS];
            $($name,)*
            permission_is_checked_on_the_role_at_commit,
            the_members_view_publishes_tenant_user_and_role,
            the_sweep_deletes_expired_invitations,
        );
        mod memory {
            $(#[tokio::test]
            async fn $name() {
                super::$name(super::Memory::new()).await;
            })*
        }
    };
}

contract!(
    create_tenant_writes_tenant_owner_and_event,
    the_directory_finds_accounts_by_email,
    unknown_records_are_absent,
    members_paginate_in_id_order,
    invitations_apply_the_rules_and_record_events,
    invitations_are_single_use_and_for_their_email,
    an_invitation_whose_sender_lost_the_right_is_withdrawn,
    tenant_scoped_changes_never_cross_tenants,
    the_last_owner_is_kept,
    concurrent_demotions_keep_an_owner,
);

/// Tenancy with its data on two shards beside the directory.
mod sharding {
    use std::collections::BTreeSet;

    use super::*;

    const SETS: &[&MigrationSet] = &[&PLATFORM, &DIRECTORY, &MIGRATIONS];

    fn home(db: &TestDb) -> &database::Db<sqlx::Postgres> {
        match &db.backend {
            Backend::Postgres(home) => home,
            Backend::Sqlite(_) => unreachable!("sharding is PostgreSQL's"),
        }
    }

    /// Counts `tenant`'s rows in `table` on each database: home, s1, s2.
    async fn rows_per_shard(db: &TestDb, table: &str, column: &str, t: TenantId) -> Vec<i64> {
        let mut counts = Vec::new();
        for shard in home(db).shards() {
            let sql = format!("SELECT count(*) FROM {table} WHERE {column} = $1");
            let n: i64 = sqlx::query_scalar(&sql)
                .bind(t.as_uuid())
                .fetch_one(shard.db.raw_pool())
                .await
                .unwrap();
            counts.push(n);
        }
        counts
    }

    /// Tenants are spread over the open shards; each one's rows are on its shard only, and one
    /// account's memberships, the operators' listing and an invitation work across shards.
    #[tokio::test]
    async fn tenants_live_on_their_shard_and_work_across_shards() {
        let db = TestDb::postgres_sharded(SETS).await;
        let store = db.members();
        let owner = db.account("owner@example.com").await;
        let mut tenants = Vec::new();
        let mut shards = BTreeSet::new();
        for i in 0..16 {
            let t = TenantId::generate();
            let new = NewTenant {
                id: t,
                name: TenantName::parse(&format!("T{i}")).unwrap(),
                owner: owner.id,
                created_at: now(),
            };
            let event = TenantCreated {
                tenant_id: t,
                owner: owner.id,
            };
            store
                .create_tenant(&new, &Envelope::wrap(&event, now()))
                .await
                .unwrap();
            let route = home(&db).route(t).await.unwrap();
            let on: Vec<i64> = rows_per_shard(&db, "memberships", "tenant_id", t).await;
            let index = if route.shard == "s1" { 1 } else { 2 };
            let mut expected = vec![0, 0, 0];
            expected[index] = 1;
            assert_eq!(on, expected, "{t} is routed to {}", route.shard);
            shards.insert(route.shard);
            tenants.push(t);
        }
        assert_eq!(shards, BTreeSet::from(["s1".to_owned(), "s2".to_owned()]));

        let mine: Vec<TenantId> = store
            .memberships(owner.id)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.tenant_id)
            .collect();
        tenants.sort();
        assert_eq!(mine, tenants);

        let page = tenancy_sql::tenants(&db.backend, None, 10).await.unwrap();
        let rest = tenancy_sql::tenants(&db.backend, Some(page[9].tenant.id), 10)
            .await
            .unwrap();
        let listed: Vec<TenantId> = page.iter().chain(&rest).map(|t| t.tenant.id).collect();
        assert_eq!(listed, tenants);
        for t in page.iter().chain(&rest) {
            assert_eq!(t.shard, home(&db).route(t.tenant.id).await.unwrap().shard);
            assert_eq!(t.members, 1);
        }

        // The invitation is found on its tenant's shard; the member's email comes from the
        // directory at home.
        let guest = db.account("guest@example.com").await;
        let joined = join(&store, tenants[3], owner.id, &guest, Role::Member)
            .await
            .unwrap();
        assert_eq!(joined.tenant_id, tenants[3]);
        let members = store.members(tenants[3], None, 10).await.unwrap();
        let emails: BTreeSet<&str> = members.iter().map(|m| m.email.as_str()).collect();
        assert_eq!(
            emails,
            BTreeSet::from(["owner@example.com", "guest@example.com"])
        );
        assert_eq!(store.role(tenants[4], guest.id).await.unwrap(), None);
    }

    /// Between a move's freeze and its flip the tenant reads as before and refuses changes;
    /// rows of it on a shard that does not serve it are not its data.
    #[tokio::test]
    async fn a_moving_tenant_is_read_only_and_read_from_one_shard() {
        let db = TestDb::postgres_sharded_with(SETS, Duration::ZERO).await;
        let store = db.members();
        let (t, owner) = tenant(&db, "owner@example.com", "Acme").await;
        let other = testkit::shards::mark_move(home(&db), t, Some("copied")).await;
        // The copy a move would have made on the other shard.
        let target = home(&db)
            .shards()
            .into_iter()
            .find(|s| s.name == other)
            .unwrap();
        for sql in [
            "INSERT INTO tenants (id, name, created_at) VALUES ($1, 'Acme', now())",
            "INSERT INTO memberships (tenant_id, user_id, role, created_at) \
             VALUES ($1, $2, 'owner', now())",
        ] {
            sqlx::query(sql)
                .bind(t.as_uuid())
                .bind(owner.id.as_uuid())
                .execute(target.db.raw_pool())
                .await
                .unwrap();
        }

        assert_eq!(store.tenant(t).await.unwrap().unwrap().name, "Acme");
        assert_eq!(store.memberships(owner.id).await.unwrap().len(), 1);
        assert_eq!(
            tenancy_sql::tenants(&db.backend, None, 10)
                .await
                .unwrap()
                .len(),
            1
        );
        let guest = db.account("guest@example.com").await;
        let (new, event, _) = invitation(t, owner.id, &guest, Role::Member);
        let refused = store.invite(&new, Some(guest.id), &event).await;
        assert!(
            matches!(refused, Err(TenancyError::Unavailable(_))),
            "{refused:?}"
        );
    }
}
