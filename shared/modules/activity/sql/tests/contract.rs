//! The activity store's contract, on SQLite, on the real PostgreSQL server (alone and with
//! shards), and on the in-memory default. For SQL, members come from a stand-in for the tenancy
//! module's `tenant_members` view, kept on each tenant's shard as the tenancy module keeps it.

use std::time::Duration;

use activity::{
    ActivityBuffer, ActivityStore, Batch, DayActivity, DynActivityStore, MemberCalls,
    MemoryActivity, UserLogins,
};
use activity_sql::{MIGRATIONS, store};
use database::{Access, Backend, Db, HOME, MigrationSet, PLATFORM};
use kernel::{TenantId, UserId};
use sqlx::Postgres;
use sqlx::migrate::Migrator;
use testkit::TestDb;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

static MEMBERS_POSTGRES: Migrator = sqlx::migrate!("tests/members/postgres");
static MEMBERS_SQLITE: Migrator = sqlx::migrate!("tests/members/sqlite");
static MEMBERS: MigrationSet = MigrationSet {
    owner: "tenant members stand-in",
    postgres: &MEMBERS_POSTGRES,
    sqlite: &MEMBERS_SQLITE,
};

/// What the contract needs of a store: its adapter, new tenants, and a way to publish members.
trait Fixture {
    fn store(&self) -> Box<DynActivityStore<'static>>;
    /// A new tenant, placed on a shard as the tenancy module places the tenants it creates.
    async fn tenant(&self) -> TenantId;
    async fn join(&self, tenant: TenantId, user: UserId, at: OffsetDateTime);
    async fn leave(&self, tenant: TenantId, user: UserId);
}

impl Fixture for TestDb {
    fn store(&self) -> Box<DynActivityStore<'static>> {
        store(&self.backend)
    }

    async fn tenant(&self) -> TenantId {
        let tenant = TenantId::generate();
        if let Backend::Postgres(db) = &self.backend {
            db.place(tenant).await.unwrap();
        }
        tenant
    }

    async fn join(&self, tenant: TenantId, user: UserId, at: OffsetDateTime) {
        let insert = "INSERT INTO tenant_members (tenant_id, user_id, role, joined_at) \
             VALUES ($1, $2, 'member', $3)";
        match &self.backend {
            Backend::Postgres(db) => sqlx::query(insert)
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .bind(at)
                .execute(
                    db.shard_for(tenant, Access::Write)
                        .await
                        .unwrap()
                        .raw_pool(),
                )
                .await
                .map(drop),
            Backend::Sqlite(db) => sqlx::query(insert)
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .bind(at)
                .execute(db.raw_pool())
                .await
                .map(drop),
        }
        .unwrap();
    }

    async fn leave(&self, tenant: TenantId, user: UserId) {
        let delete = "DELETE FROM tenant_members WHERE tenant_id = $1 AND user_id = $2";
        match &self.backend {
            Backend::Postgres(db) => sqlx::query(delete)
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .execute(
                    db.shard_for(tenant, Access::Write)
                        .await
                        .unwrap()
                        .raw_pool(),
                )
                .await
                .map(drop),
            Backend::Sqlite(db) => sqlx::query(delete)
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .execute(db.raw_pool())
                .await
                .map(drop),
        }
        .unwrap();
    }
}

/// The in-memory default.
#[derive(Default)]
struct Memory(MemoryActivity);

impl Fixture for Memory {
    fn store(&self) -> Box<DynActivityStore<'static>> {
        DynActivityStore::new_box(self.0.clone())
    }

    async fn tenant(&self) -> TenantId {
        TenantId::generate()
    }

    async fn join(&self, tenant: TenantId, user: UserId, at: OffsetDateTime) {
        self.0.set_member(tenant, user, at);
    }

    async fn leave(&self, tenant: TenantId, user: UserId) {
        self.0.remove_member(tenant, user);
    }
}

const FROM: Date = date!(2026 - 01 - 01);
const TO: Date = date!(2026 - 03 - 31);

fn calls(tenant: TenantId, user: UserId, day: Date, calls: u64) -> MemberCalls {
    MemberCalls {
        tenant_id: tenant,
        day,
        user_id: user,
        calls,
    }
}

fn logins(user: UserId, day: Date, logins: u64) -> UserLogins {
    UserLogins {
        user_id: user,
        day,
        logins,
    }
}

fn batch(api_calls: Vec<MemberCalls>, logins: Vec<UserLogins>) -> Batch {
    Batch {
        api_calls,
        logins,
        dropped: 0,
    }
}

/// The sparse rows summed per day, as the dashboard reads them.
async fn per_day(store: &DynActivityStore<'_>, tenant: TenantId) -> Vec<DayActivity> {
    let rows = store.dashboard_rows(tenant, FROM, TO).await.unwrap();
    let mut days: Vec<DayActivity> = Vec::new();
    for row in rows {
        assert!(
            (FROM..=TO).contains(&row.day),
            "{row:?} is outside the range"
        );
        match days.iter_mut().find(|d| d.day == row.day) {
            Some(d) => {
                d.signups += row.signups;
                d.logins += row.logins;
                d.active_members += row.active_members;
                d.api_calls += row.api_calls;
            }
            None => days.push(row),
        }
    }
    days.sort_by_key(|d| d.day);
    days
}

async fn flushes_add_to_the_stored_counts(f: impl Fixture) {
    let store = f.store();
    let (tenant, ada, bob) = (f.tenant().await, UserId::generate(), UserId::generate());
    let day = date!(2026 - 02 - 10);
    f.join(tenant, ada, datetime!(2025-06-01 12:00 UTC)).await;
    f.join(tenant, bob, datetime!(2025-06-01 12:00 UTC)).await;
    store
        .flush(&batch(
            vec![calls(tenant, ada, day, 2), calls(tenant, bob, day, 1)],
            vec![logins(ada, day, 1)],
        ))
        .await
        .unwrap();
    // A second instance's batch for the same keys adds to them.
    store
        .flush(&batch(
            vec![calls(tenant, ada, day, 3)],
            vec![logins(ada, day, 2)],
        ))
        .await
        .unwrap();
    store.flush(&Batch::default()).await.unwrap();
    assert_eq!(
        per_day(&store, tenant).await,
        [DayActivity {
            day,
            signups: 0,
            logins: 3,
            active_members: 2,
            api_calls: 6,
        }]
    );
}

async fn signups_are_members_by_the_utc_day_they_joined(f: impl Fixture) {
    let store = f.store();
    let (tenant, ada, bob, eve) = (
        f.tenant().await,
        UserId::generate(),
        UserId::generate(),
        UserId::generate(),
    );
    f.join(tenant, ada, datetime!(2026-01-05 09:00 UTC)).await;
    // 01:30 at +02:00 is the evening before in UTC.
    f.join(tenant, bob, datetime!(2026-01-06 01:30 +02:00))
        .await;
    f.join(tenant, eve, datetime!(2026-01-05 18:00 UTC)).await;
    // Before the range: not a row.
    f.join(tenant, UserId::generate(), datetime!(2025-12-31 23:59 UTC))
        .await;
    // Another tenant's members never count here.
    f.join(
        f.tenant().await,
        UserId::generate(),
        datetime!(2026-01-05 10:00 UTC),
    )
    .await;
    let days = per_day(&store, tenant).await;
    let signups: Vec<(Date, u64)> = days.iter().map(|d| (d.day, d.signups)).collect();
    assert_eq!(signups, [(date!(2026 - 01 - 05), 3)]);
    // Who left is no longer counted.
    f.leave(tenant, eve).await;
    let days = per_day(&store, tenant).await;
    assert_eq!(days[0].signups, 2);
}

async fn logins_count_current_members_only(f: impl Fixture) {
    let store = f.store();
    let (acme, globex) = (f.tenant().await, f.tenant().await);
    let (ada, bob, eve) = (UserId::generate(), UserId::generate(), UserId::generate());
    let day = date!(2026 - 03 - 01);
    let long_ago = datetime!(2025-01-01 00:00 UTC);
    f.join(acme, ada, long_ago).await;
    f.join(acme, bob, long_ago).await;
    f.join(globex, bob, long_ago).await;
    f.join(globex, eve, long_ago).await;
    store
        .flush(&batch(
            vec![],
            vec![
                logins(ada, day, 1),
                logins(bob, day, 2),
                logins(eve, day, 4),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(per_day(&store, acme).await[0].logins, 3);
    assert_eq!(per_day(&store, globex).await[0].logins, 6);
    f.leave(acme, bob).await;
    assert_eq!(per_day(&store, acme).await[0].logins, 1);
}

async fn tenants_never_see_each_others_calls(f: impl Fixture) {
    let store = f.store();
    let (acme, globex) = (f.tenant().await, f.tenant().await);
    let bob = UserId::generate();
    let day = date!(2026 - 03 - 02);
    store
        .flush(&batch(
            vec![calls(acme, bob, day, 5), calls(globex, bob, day, 7)],
            vec![],
        ))
        .await
        .unwrap();
    let acme_days = per_day(&store, acme).await;
    assert_eq!(
        (acme_days[0].active_members, acme_days[0].api_calls),
        (1, 5)
    );
    let globex_days = per_day(&store, globex).await;
    assert_eq!(globex_days[0].api_calls, 7);
    assert!(per_day(&store, TenantId::generate()).await.is_empty());
}

async fn only_the_asked_days_come_back(f: impl Fixture) {
    let store = f.store();
    let (tenant, ada) = (f.tenant().await, UserId::generate());
    f.join(tenant, ada, datetime!(2025-01-01 00:00 UTC)).await;
    store
        .flush(&batch(
            vec![
                calls(tenant, ada, date!(2025 - 12 - 31), 1),
                calls(tenant, ada, FROM, 2),
                calls(tenant, ada, TO, 3),
                calls(tenant, ada, date!(2026 - 04 - 01), 4),
            ],
            vec![logins(ada, date!(2026 - 04 - 01), 1), logins(ada, TO, 1)],
        ))
        .await
        .unwrap();
    let days = per_day(&store, tenant).await;
    let seen: Vec<(Date, u64, u64)> = days
        .iter()
        .map(|d| (d.day, d.api_calls, d.logins))
        .collect();
    assert_eq!(seen, [(FROM, 2, 0), (TO, 3, 1)]);
}

async fn membership_comes_from_the_published_members(f: impl Fixture) {
    let store = f.store();
    let (tenant, ada) = (f.tenant().await, UserId::generate());
    assert!(!store.is_member(tenant, ada).await.unwrap());
    f.join(tenant, ada, datetime!(2026-01-01 00:00 UTC)).await;
    assert!(store.is_member(tenant, ada).await.unwrap());
    assert!(!store.is_member(TenantId::generate(), ada).await.unwrap());
    f.leave(tenant, ada).await;
    assert!(!store.is_member(tenant, ada).await.unwrap());
}

/// A flush of more rows than one statement carries.
async fn a_large_batch_is_written_whole(f: impl Fixture) {
    let store = f.store();
    let tenant = f.tenant().await;
    let day = date!(2026 - 02 - 01);
    let rows: Vec<MemberCalls> = (0..1_234)
        .map(|_| calls(tenant, UserId::generate(), day, 2))
        .collect();
    store.flush(&batch(rows, vec![])).await.unwrap();
    let days = per_day(&store, tenant).await;
    assert_eq!((days[0].active_members, days[0].api_calls), (1_234, 2_468));
}

/// The sweeper deletes the counts of days before the cutoff's day.
async fn the_sweep_deletes_old_days(db: TestDb) {
    let store = db.store();
    let (tenant, ada) = (db.tenant().await, UserId::generate());
    db.join(tenant, ada, datetime!(2025-01-01 00:00 UTC)).await;
    store
        .flush(&batch(
            vec![calls(tenant, ada, FROM, 1), calls(tenant, ada, TO, 1)],
            vec![logins(ada, FROM, 1), logins(ada, TO, 1)],
        ))
        .await
        .unwrap();
    let cutoff = datetime!(2026-01-01 23:00 UTC);
    assert_eq!(activity_sql::sweep(&db.backend, cutoff).await.unwrap(), 0);
    let cutoff = datetime!(2026-01-02 00:00 UTC);
    // The old day's calls, and its logins on every database.
    let databases = match &db.backend {
        Backend::Postgres(home) => home.shards().len() as u64,
        Backend::Sqlite(_) => 1,
    };
    assert_eq!(
        activity_sql::sweep(&db.backend, cutoff).await.unwrap(),
        1 + databases
    );
    let days = per_day(&store, tenant).await;
    let seen: Vec<(Date, u64, u64)> = days
        .iter()
        .map(|d| (d.day, d.api_calls, d.logins))
        .collect();
    assert_eq!(seen, [(TO, 1, 1)]);
}

/// A tenant's calls are on the one database that serves it, with shards the shard it was
/// placed on, never the home database; logins are on every database, so that each shard counts
/// the logins of its tenants' members.
async fn calls_are_on_the_tenants_shard_and_logins_everywhere(db: TestDb) {
    let store = db.store();
    let (acme, globex, ada) = (db.tenant().await, db.tenant().await, UserId::generate());
    let day = date!(2026 - 02 - 10);
    for tenant in [acme, globex] {
        db.join(tenant, ada, datetime!(2025-06-01 12:00 UTC)).await;
    }
    store
        .flush(&batch(
            vec![calls(acme, ada, day, 2), calls(globex, ada, day, 3)],
            vec![logins(ada, day, 4)],
        ))
        .await
        .unwrap();
    for (tenant, n) in [(acme, 2), (globex, 3)] {
        let days = per_day(&store, tenant).await;
        assert_eq!((days[0].api_calls, days[0].logins), (n, 4));
    }
    let Backend::Postgres(home) = &db.backend else {
        return;
    };
    for shard in home.shards() {
        for (tenant, n) in [(acme, 2), (globex, 3)] {
            let here = home.routes_to(tenant, &shard.name).await.unwrap();
            assert!(!(here && home.is_sharded() && shard.name == HOME));
            let expected = (if here { n } else { 0 }, 4);
            assert_eq!(
                stored_on(&shard.db, tenant, ada).await,
                expected,
                "{}",
                shard.name
            );
        }
    }
}

/// The calls on `tenant` and the logins of `user` that one database holds.
async fn stored_on(db: &Db<Postgres>, tenant: TenantId, user: UserId) -> (i64, i64) {
    let sum = |statement, id: uuid::Uuid| {
        sqlx::query_scalar::<_, i64>(statement)
            .bind(id)
            .fetch_one(db.raw_pool())
    };
    let calls = sum(
        "SELECT CAST(coalesce(sum(api_calls), 0) AS bigint) FROM activity_member_daily \
         WHERE tenant_id = $1",
        tenant.as_uuid(),
    );
    let logins = sum(
        "SELECT CAST(coalesce(sum(logins), 0) AS bigint) FROM activity_user_daily \
         WHERE user_id = $1",
        user.as_uuid(),
    );
    (calls.await.unwrap(), logins.await.unwrap())
}

/// A sharded database whose routes are read on every request, and its home database.
async fn sharded() -> (TestDb, Db<Postgres>) {
    let sets = [&PLATFORM, &MEMBERS, &MIGRATIONS];
    let db = TestDb::postgres_sharded_with(&sets, Duration::ZERO).await;
    let Backend::Postgres(home) = &db.backend else {
        unreachable!("a sharded database is PostgreSQL");
    };
    let home = home.clone();
    (db, home)
}

/// While a tenant is being moved, flushes fail and its calls wait in the caller's buffer, but
/// the other tenants' calls and the logins are written, each count once however many flushes
/// carry it again; the tenant's dashboard is read meanwhile.
#[tokio::test]
async fn a_tenant_being_moved_holds_back_only_its_own_calls() {
    let (db, home) = sharded().await;
    let store = db.store();
    let (held, other, ada) = (db.tenant().await, db.tenant().await, UserId::generate());
    let day = date!(2026 - 02 - 10);
    for tenant in [held, other] {
        db.join(tenant, ada, datetime!(2025-06-01 12:00 UTC)).await;
    }
    let mut buffer = ActivityBuffer::default();
    buffer.api_calls(held, ada, day, 1);
    testkit::shards::mark_move(&home, held, Some("frozen")).await;
    // As the recorder does: a failed batch is put back, with what is counted meanwhile.
    for _ in 0..2 {
        buffer.api_calls(other, ada, day, 2);
        buffer.logins(ada, day, 1);
        let batch = buffer.take();
        let err = store.flush(&batch).await.unwrap_err();
        assert!(testkit::shards::is_moving(&err), "{err}");
        buffer.restore(batch);
    }
    let seen = |days: Vec<DayActivity>| (days[0].api_calls, days[0].logins);
    assert_eq!(seen(per_day(&store, held).await), (0, 2));
    assert_eq!(seen(per_day(&store, other).await), (4, 2));

    testkit::shards::mark_move(&home, held, None).await;
    buffer.api_calls(other, ada, day, 2);
    buffer.logins(ada, day, 1);
    store.flush(&buffer.take()).await.unwrap();
    assert_eq!(seen(per_day(&store, held).await), (1, 3));
    assert_eq!(seen(per_day(&store, other).await), (6, 3));
    for shard in home.shards() {
        assert_eq!(
            stored_on(&shard.db, other, ada).await.1,
            3,
            "{}",
            shard.name
        );
    }
    // Nothing is left out of the flushes after a successful one.
    store
        .flush(&batch(
            vec![calls(other, ada, day, 1)],
            vec![logins(ada, day, 1)],
        ))
        .await
        .unwrap();
    assert_eq!(seen(per_day(&store, other).await), (7, 4));
}

/// A database that fails its share of a flush gets it with the next flush; the databases that
/// committed theirs do not get it twice.
#[tokio::test]
async fn a_failed_share_is_written_with_the_next_flush_and_only_there() {
    let (db, home) = sharded().await;
    let store = db.store();
    let (acme, ada) = (db.tenant().await, UserId::generate());
    let day = date!(2026 - 02 - 10);
    db.join(acme, ada, datetime!(2025-06-01 12:00 UTC)).await;
    let failing = home.shard_for(acme, Access::Write).await.unwrap();
    let refuse =
        "ALTER TABLE activity_user_daily ADD CONSTRAINT refused CHECK (logins < 0) NOT VALID";
    sqlx::query(refuse)
        .execute(failing.raw_pool())
        .await
        .unwrap();
    let mut buffer = ActivityBuffer::default();
    buffer.api_calls(acme, ada, day, 2);
    buffer.logins(ada, day, 1);
    let batch = buffer.take();
    assert!(store.flush(&batch).await.is_err());
    buffer.restore(batch);
    for shard in home.shards() {
        let here = home.routes_to(acme, &shard.name).await.unwrap();
        let expected = if here { (0, 0) } else { (0, 1) };
        assert_eq!(
            stored_on(&shard.db, acme, ada).await,
            expected,
            "{}",
            shard.name
        );
    }

    let allow = "ALTER TABLE activity_user_daily DROP CONSTRAINT refused";
    sqlx::query(allow)
        .execute(failing.raw_pool())
        .await
        .unwrap();
    buffer.api_calls(acme, ada, day, 1);
    buffer.logins(ada, day, 1);
    store.flush(&buffer.take()).await.unwrap();
    for shard in home.shards() {
        let here = home.routes_to(acme, &shard.name).await.unwrap();
        let expected = (if here { 3 } else { 0 }, 2);
        assert_eq!(
            stored_on(&shard.db, acme, ada).await,
            expected,
            "{}",
            shard.name
        );
    }
    let days = per_day(&store, acme).await;
    assert_eq!((days[0].api_calls, days[0].logins), (3, 2));
}

/// Each contract test on SQLite, PostgreSQL and the in-memory default; the sweep and where
/// counts are kept on the two SQL drivers.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        testkit::on_both_drivers!(
            &[&PLATFORM, &MEMBERS, &MIGRATIONS];
            $($name,)*
            the_sweep_deletes_old_days,
            calls_are_on_the_tenants_shard_and_logins_everywhere,
        );
        mod memory {
            $(#[tokio::test]
            async fn $name() {
                super::$name(super::Memory::default()).await;
            })*
        }
    };
}

contract!(
    flushes_add_to_the_stored_counts,
    signups_are_members_by_the_utc_day_they_joined,
    logins_count_current_members_only,
    tenants_never_see_each_others_calls,
    only_the_asked_days_come_back,
    membership_comes_from_the_published_members,
    a_large_batch_is_written_whole,
);
