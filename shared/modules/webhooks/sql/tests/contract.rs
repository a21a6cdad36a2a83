//! The webhooks store's contract, on SQLite, on the real PostgreSQL server (alone and with
//! shards), and on the in-memory default. For SQL, roles come from a stand-in for the tenancy
//! module's `tenant_members` view, kept on each tenant's shard as the tenancy module keeps it.

use std::time::Duration;

use database::{Access, Backend, Db, HOME, MigrationSet, PLATFORM};
use kernel::{EventId, TenantId, UserId};
use serde_json::Value;
use sqlx::Postgres;
use sqlx::migrate::Migrator;
use testkit::TestDb;
use time::OffsetDateTime;
use webhooks::{
    Attempt, DeliveryId, Description, DynEndpoints, Endpoint, EndpointId, EndpointUrl, Endpoints,
    MemoryEndpoints, NewEndpoint, Outcome, Role, Secret, UrlPolicy, WebhooksError,
};
use webhooks_sql::{MIGRATIONS, endpoints};

static MEMBERS_POSTGRES: Migrator = sqlx::migrate!("tests/members/postgres");
static MEMBERS_SQLITE: Migrator = sqlx::migrate!("tests/members/sqlite");
static MEMBERS: MigrationSet = MigrationSet {
    owner: "tenant members stand-in",
    postgres: &MEMBERS_POSTGRES,
    sqlite: &MEMBERS_SQLITE,
};

/// What the contract needs of a store: its adapter, new tenants, a way to publish a member's
/// role, and the events it wrote.
trait Fixture {
    fn store(&self) -> Box<DynEndpoints<'static>>;
    /// A new tenant, placed on a shard as the tenancy module places the tenants it creates.
    async fn tenant(&self) -> TenantId;
    async fn set_role(&self, tenant: TenantId, user: UserId, role: Role);
    async fn outbox(&self) -> Vec<(String, Value)>;
}

impl Fixture for TestDb {
    fn store(&self) -> Box<DynEndpoints<'static>> {
        endpoints(&self.backend)
    }

    async fn tenant(&self) -> TenantId {
        let tenant = TenantId::generate();
        if let Backend::Postgres(db) = &self.backend {
            db.place(tenant).await.unwrap();
        }
        tenant
    }

    async fn set_role(&self, tenant: TenantId, user: UserId, role: Role) {
        let insert = "INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, $3)";
        match &self.backend {
            Backend::Postgres(db) => sqlx::query(insert)
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .bind(role.as_str())
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
                .bind(role.as_str())
                .execute(db.raw_pool())
                .await
                .map(drop),
        }
        .unwrap();
    }

    async fn outbox(&self) -> Vec<(String, Value)> {
        testkit::outbox(&self.backend).await
    }
}

/// The in-memory default.
#[derive(Default)]
struct Memory(MemoryEndpoints);

impl Fixture for Memory {
    fn store(&self) -> Box<DynEndpoints<'static>> {
        DynEndpoints::new_box(self.0.clone())
    }

    async fn tenant(&self) -> TenantId {
        TenantId::generate()
    }

    async fn set_role(&self, tenant: TenantId, user: UserId, role: Role) {
        self.0.set_role(tenant, user, role);
    }

    async fn outbox(&self) -> Vec<(String, Value)> {
        self.0
            .outbox()
            .into_iter()
            .map(|e| (e.kind, e.payload))
            .collect()
    }
}

fn now() -> OffsetDateTime {
    // Whole microseconds: what both databases store.
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap()
}

fn new_endpoint(tenant: TenantId, url: &str, description: Option<&str>) -> NewEndpoint {
    NewEndpoint {
        endpoint: Endpoint {
            id: EndpointId::generate(),
            tenant_id: tenant,
            url: EndpointUrl::parse(url, UrlPolicy::Public).unwrap(),
            description: description.and_then(|d| Description::parse(d).unwrap()),
            enabled: true,
            consecutive_failures: 0,
            created_at: now(),
        },
        secret: Secret::generate().unwrap(),
    }
}

async fn registered(store: &DynEndpoints<'_>, tenant: TenantId) -> NewEndpoint {
    let new = new_endpoint(tenant, "https://hooks.example.com/in", None);
    store.create(&new, 20).await.unwrap();
    new
}

fn attempt(endpoint: &Endpoint, event: EventId, outcome: Outcome) -> Attempt {
    Attempt {
        id: DeliveryId::generate(),
        tenant_id: endpoint.tenant_id,
        endpoint_id: endpoint.id,
        event_id: event,
        event_type: "tenancy.member_added".into(),
        outcome,
        duration_ms: 42,
        at: now(),
    }
}

fn failure() -> Outcome {
    Outcome::Status(500)
}

async fn endpoints_round_trip_without_their_secret(f: impl Fixture) {
    let store = f.store();
    let tenant = f.tenant().await;
    let described = new_endpoint(tenant, "https://a.example.com/x?y=1", Some("CRM"));
    let plain = new_endpoint(tenant, "https://b.example.com/", None);
    store.create(&described, 20).await.unwrap();
    store.create(&plain, 20).await.unwrap();
    let listed = store.list(tenant).await.unwrap();
    assert_eq!(
        listed,
        vec![described.endpoint.clone(), plain.endpoint.clone()]
    );
    let found = store.endpoint(tenant, plain.endpoint.id).await.unwrap();
    assert_eq!(found, Some(plain.endpoint.clone()));
    // The secret comes back only to sign with.
    let targets = store.targets(tenant, EventId::generate()).await.unwrap();
    assert_eq!(targets.len(), 2);
    assert_eq!(targets[0].secret, described.secret);
    assert_eq!(targets[0].url, described.endpoint.url);
    assert!(store.delete(tenant, described.endpoint.id).await.unwrap());
    assert!(!store.delete(tenant, described.endpoint.id).await.unwrap());
    assert_eq!(store.list(tenant).await.unwrap(), vec![plain.endpoint]);
}

async fn roles_come_from_the_tenants_members(f: impl Fixture) {
    let store = f.store();
    let (tenant, owner, member) = (f.tenant().await, UserId::generate(), UserId::generate());
    f.set_role(tenant, owner, Role::Owner).await;
    f.set_role(tenant, member, Role::Member).await;
    assert_eq!(store.role(tenant, owner).await.unwrap(), Some(Role::Owner));
    assert_eq!(
        store.role(tenant, member).await.unwrap(),
        Some(Role::Member)
    );
    assert_eq!(store.role(TenantId::generate(), owner).await.unwrap(), None);
    assert_eq!(store.role(tenant, UserId::generate()).await.unwrap(), None);
}

async fn a_tenant_holds_at_most_max_endpoints(f: impl Fixture) {
    let store = f.store();
    let tenant = f.tenant().await;
    for _ in 0..2 {
        registered(&store, tenant).await;
    }
    let third = store
        .create(&new_endpoint(tenant, "https://c.example.com/", None), 2)
        .await;
    assert!(
        matches!(third, Err(WebhooksError::TooManyEndpoints)),
        "{third:?}"
    );
    // Another tenant's quota is its own.
    registered(&store, f.tenant().await).await;
    assert_eq!(store.list(tenant).await.unwrap().len(), 2);
}

async fn tenants_never_reach_each_others_endpoints_or_logs(f: impl Fixture) {
    let store = f.store();
    let (mine, theirs) = (f.tenant().await, f.tenant().await);
    let endpoint = registered(&store, mine).await.endpoint;
    let event = EventId::generate();
    store
        .record(&attempt(&endpoint, event, failure()), 10)
        .await
        .unwrap();
    assert!(store.list(theirs).await.unwrap().is_empty());
    assert_eq!(store.endpoint(theirs, endpoint.id).await.unwrap(), None);
    assert!(store.targets(theirs, event).await.unwrap().is_empty());
    let log = store
        .deliveries(theirs, endpoint.id, None, 10)
        .await
        .unwrap();
    assert!(log.is_empty());
    assert!(!store.delete(theirs, endpoint.id).await.unwrap());
    // An attempt claimed for another tenant's endpoint is not logged.
    let forged = Attempt {
        tenant_id: theirs,
        ..attempt(&endpoint, event, Outcome::Status(200))
    };
    assert_eq!(store.record(&forged, 10).await.unwrap(), None);
    assert_eq!(
        store.list(mine).await.unwrap(),
        vec![Endpoint {
            consecutive_failures: 1,
            ..endpoint.clone()
        }]
    );
    assert_eq!(
        store
            .deliveries(mine, endpoint.id, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn the_log_pages_newest_first(f: impl Fixture) {
    let store = f.store();
    let tenant = f.tenant().await;
    let endpoint = registered(&store, tenant).await.endpoint;
    let outcomes = [
        Outcome::Status(500),
        Outcome::Error("timed out".into()),
        Outcome::Status(302),
        Outcome::Status(204),
        Outcome::Status(200),
    ];
    let mut ids = Vec::new();
    for outcome in outcomes.clone() {
        let a = attempt(&endpoint, EventId::generate(), outcome);
        ids.push(a.id);
        store.record(&a, 10).await.unwrap();
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .deliveries(tenant, endpoint.id, before, 2)
            .await
            .unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        seen.extend(page);
    }
    assert_eq!(seen.iter().map(|d| d.id).collect::<Vec<_>>(), ids);
    let mut expected = outcomes.to_vec();
    expected.reverse();
    assert_eq!(
        seen.iter().map(|d| d.outcome.clone()).collect::<Vec<_>>(),
        expected
    );
    assert!(seen.iter().all(|d| d.attempt == 1 && d.duration_ms == 42));
    assert_eq!(seen[0].event_type, "tenancy.member_added");
}

async fn retries_count_once_and_a_success_ends_them(f: impl Fixture) {
    let store = f.store();
    let tenant = f.tenant().await;
    let endpoint = registered(&store, tenant).await.endpoint;
    let (event, next) = (EventId::generate(), EventId::generate());
    let first = store
        .record(&attempt(&endpoint, event, failure()), 10)
        .await
        .unwrap();
    let second = store
        .record(
            &attempt(&endpoint, event, Outcome::Error("refused".into())),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        first.map(|r| (r.attempt, r.consecutive_failures)),
        Some((1, 1))
    );
    assert_eq!(
        second.map(|r| (r.attempt, r.consecutive_failures)),
        Some((2, 1))
    );
    assert_eq!(store.targets(tenant, event).await.unwrap().len(), 1);
    let third = store
        .record(&attempt(&endpoint, event, Outcome::Status(200)), 10)
        .await
        .unwrap();
    assert_eq!(
        third.map(|r| (r.attempt, r.consecutive_failures)),
        Some((3, 0))
    );
    assert!(store.targets(tenant, event).await.unwrap().is_empty());
    assert_eq!(store.targets(tenant, next).await.unwrap().len(), 1);
    let found = store.endpoint(tenant, endpoint.id).await.unwrap().unwrap();
    assert_eq!((found.enabled, found.consecutive_failures), (true, 0));
}

async fn failing_distinct_events_disables_the_endpoint_once(f: impl Fixture) {
    let store = f.store();
    let tenant = f.tenant().await;
    let endpoint = registered(&store, tenant).await.endpoint;
    let mut disabled = Vec::new();
    for _ in 0..4 {
        let recorded = store
            .record(&attempt(&endpoint, EventId::generate(), failure()), 3)
            .await
            .unwrap()
            .unwrap();
        disabled.push(recorded.disabled);
    }
    assert_eq!(disabled, [false, false, true, false]);
    let found = store.endpoint(tenant, endpoint.id).await.unwrap().unwrap();
    assert_eq!((found.enabled, found.consecutive_failures), (false, 4));
    assert!(
        store
            .targets(tenant, EventId::generate())
            .await
            .unwrap()
            .is_empty()
    );
    let outbox = f.outbox().await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0].0, "webhooks.endpoint_disabled");
    assert_eq!(outbox[0].1["endpoint_id"], endpoint.id.to_string());
    assert_eq!(outbox[0].1["tenant_id"], tenant.to_string());
    assert_eq!(outbox[0].1["consecutive_failures"], 3);
    assert_eq!(outbox[0].1["url"], endpoint.url.as_str());
}

async fn deleting_an_endpoint_deletes_its_log(f: impl Fixture) {
    let store = f.store();
    let tenant = f.tenant().await;
    let endpoint = registered(&store, tenant).await.endpoint;
    let event = EventId::generate();
    store
        .record(&attempt(&endpoint, event, failure()), 10)
        .await
        .unwrap();
    assert!(store.delete(tenant, endpoint.id).await.unwrap());
    assert!(
        store
            .deliveries(tenant, endpoint.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let late = store
        .record(&attempt(&endpoint, event, failure()), 10)
        .await
        .unwrap();
    assert_eq!(late, None);
}

/// The sweeper deletes log entries past the retention.
async fn the_sweep_deletes_old_deliveries(db: TestDb) {
    let store = endpoints(&db.backend);
    let tenant = db.tenant().await;
    let endpoint = registered(&store, tenant).await.endpoint;
    store
        .record(&attempt(&endpoint, EventId::generate(), failure()), 10)
        .await
        .unwrap();
    let hour_ago = now() - time::Duration::hours(1);
    assert_eq!(webhooks_sql::sweep(&db.backend, hour_ago).await.unwrap(), 0);
    let later = now() + time::Duration::minutes(1);
    assert_eq!(webhooks_sql::sweep(&db.backend, later).await.unwrap(), 1);
    assert!(
        store
            .deliveries(tenant, endpoint.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A tenant's endpoints, delivery log and events are on the one database that serves it; with
/// shards, that is the shard the tenant was placed on, never the home database.
async fn a_tenants_rows_are_on_its_shard_alone(db: TestDb) {
    let store = endpoints(&db.backend);
    let tenant = db.tenant().await;
    let endpoint = registered(&store, tenant).await.endpoint;
    let disabled = store
        .record(&attempt(&endpoint, EventId::generate(), failure()), 1)
        .await
        .unwrap();
    assert!(disabled.is_some_and(|r| r.disabled));
    assert_eq!(store.list(tenant).await.unwrap().len(), 1);
    let Backend::Postgres(home) = &db.backend else {
        return;
    };
    assert_eq!(
        home.routes_to(tenant, HOME).await.unwrap(),
        !home.is_sharded()
    );
    for shard in home.shards() {
        let serves = home.routes_to(tenant, &shard.name).await.unwrap();
        let expected = if serves { [1, 1, 1] } else { [0, 0, 0] };
        assert_eq!(rows_on(&shard.db, tenant).await, expected, "{}", shard.name);
    }
}

/// The tenant's endpoints, deliveries and events on one database.
async fn rows_on(db: &Db<Postgres>, tenant: TenantId) -> [i64; 3] {
    let mut counts = [0; 3];
    let statements = [
        "SELECT count(*) FROM webhook_endpoints WHERE tenant_id = $1::text::uuid",
        "SELECT count(*) FROM webhook_deliveries WHERE tenant_id = $1::text::uuid",
        "SELECT count(*) FROM outbox WHERE payload->>'tenant_id' = $1",
    ];
    for (count, statement) in counts.iter_mut().zip(statements) {
        *count = sqlx::query_scalar(statement)
            .bind(tenant.to_string())
            .fetch_one(db.raw_pool())
            .await
            .unwrap();
    }
    counts
}

/// While its tenant is being moved, a tenant's endpoints, log and roles are read from the shard
/// that serves them, and every write is refused as unavailable, to be retried after the move.
#[tokio::test]
async fn a_tenant_being_moved_is_read_only() {
    let sets = [&PLATFORM, &MEMBERS, &MIGRATIONS];
    let db = TestDb::postgres_sharded_with(&sets, Duration::ZERO).await;
    let Backend::Postgres(home) = &db.backend else {
        unreachable!("a sharded database is PostgreSQL");
    };
    let store = endpoints(&db.backend);
    let (tenant, owner) = (db.tenant().await, UserId::generate());
    db.set_role(tenant, owner, Role::Owner).await;
    let endpoint = registered(&store, tenant).await.endpoint;
    let event = EventId::generate();
    let failed = attempt(&endpoint, event, failure());
    store.record(&failed, 10).await.unwrap();

    testkit::shards::mark_move(home, tenant, Some("frozen")).await;
    assert_eq!(store.role(tenant, owner).await.unwrap(), Some(Role::Owner));
    assert_eq!(
        store.list(tenant).await.unwrap(),
        vec![Endpoint {
            consecutive_failures: 1,
            ..endpoint.clone()
        }]
    );
    assert!(store.endpoint(tenant, endpoint.id).await.unwrap().is_some());
    let log = store
        .deliveries(tenant, endpoint.id, None, 10)
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(store.targets(tenant, event).await.unwrap().len(), 1);
    let another = new_endpoint(tenant, "https://c.example.com/", None);
    match store.create(&another, 20).await {
        Err(WebhooksError::Unavailable(e)) => assert!(testkit::shards::is_moving(&e), "{e}"),
        other => panic!("created during a move: {other:?}"),
    }
    let succeeded = attempt(&endpoint, event, Outcome::Status(200));
    assert!(testkit::shards::is_moving(
        &store.record(&succeeded, 10).await.unwrap_err()
    ));
    assert!(testkit::shards::is_moving(
        &store.delete(tenant, endpoint.id).await.unwrap_err()
    ));
    assert_eq!(store.list(tenant).await.unwrap().len(), 1);

    testkit::shards::mark_move(home, tenant, None).await;
    let recorded = store.record(&succeeded, 10).await.unwrap();
    assert_eq!(recorded.map(|r| r.attempt), Some(2));
    assert!(store.delete(tenant, endpoint.id).await.unwrap());
}

/// Each contract test on SQLite, PostgreSQL and the in-memory default; the sweep and where rows
/// are kept on the two SQL drivers.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        testkit::on_both_drivers!(
            &[&PLATFORM, &MEMBERS, &MIGRATIONS];
            $($name,)*
            the_sweep_deletes_old_deliveries,
            a_tenants_rows_are_on_its_shard_alone,
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
    endpoints_round_trip_without_their_secret,
    roles_come_from_the_tenants_members,
    a_tenant_holds_at_most_max_endpoints,
    tenants_never_reach_each_others_endpoints_or_logs,
    the_log_pages_newest_first,
    retries_count_once_and_a_success_ends_them,
    failing_distinct_events_disables_the_endpoint_once,
    deleting_an_endpoint_deletes_its_log,
);
