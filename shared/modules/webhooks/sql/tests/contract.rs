//! The webhooks store's contract, on SQLite, on the real PostgreSQL server, and on the
//! in-memory default. For SQL, roles come from a stand-in for the tenancy module's
//! `tenant_members` view.

use database::{Backend, MigrationSet, PLATFORM};
use kernel::{EventId, TenantId, UserId};
use serde_json::Value;
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

/// What the contract needs of a store: its adapter, a way to publish a member's role, and
/// the events it wrote.
trait Fixture {
    fn store(&self) -> Box<DynEndpoints<'static>>;
    async fn set_role(&self, tenant: TenantId, user: UserId, role: Role);
    async fn outbox(&self) -> Vec<(String, Value)>;
}

impl Fixture for TestDb {
    fn store(&self) -> Box<DynEndpoints<'static>> {
        endpoints(&self.backend)
    }

    async fn set_role(&self, tenant: TenantId, user: UserId, role: Role) {
        let insert = "INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, $3)";
        match &self.backend {
            Backend::Postgres(db) => sqlx::query(insert)
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .bind(role.as_str())
                .execute(db.raw_pool())
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
    let tenant = TenantId::generate();
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
    let (tenant, owner, member) = (TenantId::generate(), UserId::generate(), UserId::generate());
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
    let tenant = TenantId::generate();
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
    registered(&store, TenantId::generate()).await;
    assert_eq!(store.list(tenant).await.unwrap().len(), 2);
}

async fn tenants_never_reach_each_others_endpoints_or_logs(f: impl Fixture) {
    let store = f.store();
    let (mine, theirs) = (TenantId::generate(), TenantId::generate());
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
    let tenant = TenantId::generate();
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
    let tenant = TenantId::generate();
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
    let tenant = TenantId::generate();
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
    let tenant = TenantId::generate();
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
    let tenant = TenantId::generate();
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

/// Each contract test on SQLite, PostgreSQL and the in-memory default; the sweep on the two
/// SQL drivers.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        testkit::on_both_drivers!(
            &[&PLATFORM, &MEMBERS, &MIGRATIONS];
            $($name,)*
            the_sweep_deletes_old_deliveries,
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
