//! The dashboard route through the shared layers, on fresh databases, with members from a
//! stand-in for the tenancy module's `tenant_members` view and the store wrapped to count how
//! often the dashboard is computed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use activity::{Activity, ActivityStore, Batch, DayActivity, DynActivityStore};
use activity_routes::ActivityState;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use database::{Backend, MigrationSet, PLATFORM};
use http_body_util::BodyExt;
use kernel::{Clock, TenantId, Unavailable, UserId};
use kv::{Cache, MemoryKv};
use serde_json::Value;
use sessions::{MemorySessions, Sessions};
use sqlx::migrate::Migrator;
use testkit::TestDb;
use time::{Date, OffsetDateTime};
use tower::ServiceExt;
use web::{BusinessMetric, BusinessMetrics, HttpOptions};

static MEMBERS_POSTGRES: Migrator = sqlx::migrate!("../sql/tests/members/postgres");
static MEMBERS_SQLITE: Migrator = sqlx::migrate!("../sql/tests/members/sqlite");
static MEMBERS: MigrationSet = MigrationSet {
    owner: "tenant members stand-in",
    postgres: &MEMBERS_POSTGRES,
    sqlite: &MEMBERS_SQLITE,
};

/// A clock the test moves on.
#[derive(Default)]
struct TestClock(Mutex<Duration>);

impl TestClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + *self.0.lock().unwrap()
    }
}

/// The SQL store, counting the dashboards it computes.
struct Counting {
    store: Box<DynActivityStore<'static>>,
    computed: Arc<AtomicUsize>,
}

impl ActivityStore for Counting {
    async fn flush(&self, batch: &Batch) -> Result<(), Unavailable> {
        self.store.flush(batch).await
    }

    async fn dashboard_rows(
        &self,
        tenant: TenantId,
        from: Date,
        to: Date,
    ) -> Result<Vec<DayActivity>, Unavailable> {
        self.computed.fetch_add(1, Ordering::SeqCst);
        // Slow enough for concurrent requests to overlap.
        tokio::time::sleep(Duration::from_millis(50)).await;
        self.store.dashboard_rows(tenant, from, to).await
    }

    async fn is_member(&self, tenant: TenantId, user: UserId) -> Result<bool, Unavailable> {
        self.store.is_member(tenant, user).await
    }
}

#[derive(Default)]
struct Metrics(Mutex<Vec<BusinessMetric>>);

impl BusinessMetrics for Metrics {
    fn count(&self, metric: BusinessMetric) {
        self.0.lock().unwrap().push(metric);
    }
}

struct App {
    router: Router,
    sessions: Sessions,
    db: TestDb,
    clock: Arc<TestClock>,
    computed: Arc<AtomicUsize>,
    tenant: TenantId,
}

impl App {
    async fn new(db: TestDb) -> Self {
        let clock = Arc::new(TestClock::default());
        let computed = Arc::new(AtomicUsize::new(0));
        let store = Counting {
            store: activity_sql::store(&db.backend),
            computed: computed.clone(),
        };
        let cache = Cache::new(MemoryKv::default(), clock.clone());
        let sessions = Sessions::new(
            MemorySessions::default(),
            clock.clone(),
            time::Duration::hours(1),
        );
        let state = ActivityState {
            activity: Activity::new(DynActivityStore::new_arc(store), cache, clock.clone()),
            sessions: sessions.clone(),
            metrics: Arc::new(Metrics::default()),
        };
        let router = activity_routes::router().with_state(state);
        Self {
            router: web::serve(router, &HttpOptions::default()),
            sessions,
            db,
            clock,
            computed,
            tenant: TenantId::generate(),
        }
    }

    /// A session for a new user, a member of the tenant or not.
    async fn user(&self, member: bool) -> String {
        let user = UserId::generate();
        if member {
            let insert = "INSERT INTO tenant_members (tenant_id, user_id, role, joined_at) \
                 VALUES ($1, $2, 'member', $3)";
            let now = OffsetDateTime::now_utc();
            match &self.db.backend {
                Backend::Postgres(db) => sqlx::query(insert)
                    .bind(self.tenant.as_uuid())
                    .bind(user.as_uuid())
                    .bind(now)
                    .execute(db.raw_pool())
                    .await
                    .map(drop),
                Backend::Sqlite(db) => sqlx::query(insert)
                    .bind(self.tenant.as_uuid())
                    .bind(user.as_uuid())
                    .bind(now)
                    .execute(db.raw_pool())
                    .await
                    .map(drop),
            }
            .unwrap();
        }
        let issued = self.sessions.issue(user).await.unwrap();
        issued.token.expose().to_owned()
    }

    fn dashboard(&self) -> String {
        format!("/v1/tenants/{}/dashboard", self.tenant)
    }

    /// Status, `X-Cache` and body.
    async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, String, Value) {
        let mut request = Request::builder().uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let cache = response
            .headers()
            .get("x-cache")
            .map_or("", |v| v.to_str().unwrap())
            .to_owned();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, cache, body)
    }

    fn computed(&self) -> usize {
        self.computed.load(Ordering::SeqCst)
    }
}

async fn a_member_reads_ninety_days_cached(db: TestDb) {
    let app = App::new(db).await;
    let ada = app.user(true).await;
    let (status, cache, body) = app.get(&app.dashboard(), Some(&ada)).await;
    assert_eq!((status, cache.as_str()), (StatusCode::OK, "miss"), "{body}");
    assert_eq!(body["tenant_id"], app.tenant.to_string());
    let days = body["days"].as_array().unwrap();
    assert_eq!(days.len(), 90);
    let today = OffsetDateTime::now_utc().date().to_string();
    assert_eq!(days[89]["day"], today);
    assert_eq!(days[89]["signups"], 1);
    assert_eq!(days[0]["api_calls"], 0);
    let (_, cache, again) = app.get(&app.dashboard(), Some(&ada)).await;
    assert_eq!(cache, "hit");
    assert_eq!(again, body);
    assert_eq!(app.computed(), 1);
}

async fn outsiders_get_404_even_when_the_dashboard_is_cached(db: TestDb) {
    let app = App::new(db).await;
    let ada = app.user(true).await;
    let eve = app.user(false).await;
    assert_eq!(
        app.get(&app.dashboard(), Some(&ada)).await.0,
        StatusCode::OK
    );
    let (status, cache, body) = app.get(&app.dashboard(), Some(&eve)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(cache, "");
    assert!(body.get("days").is_none());
    let unknown = format!("/v1/tenants/{}/dashboard", TenantId::generate());
    assert_eq!(app.get(&unknown, Some(&ada)).await.0, StatusCode::NOT_FOUND);
    let (status, _, body) = app
        .get("/v1/tenants/not-a-tenant/dashboard", Some(&ada))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["field"], "tenant_id", "{body}");
    assert_eq!(
        app.get(&app.dashboard(), None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

/// Fifty requests on a stale entry: one recomputes it, the others are answered without
/// recomputing (from the stale entry, or the fresh one once it lands; `kv::Cache`'s own tests
/// hold a recompute open to show the stale answer).
async fn a_stale_dashboard_is_recomputed_once_under_a_burst(db: TestDb) {
    let app = App::new(db).await;
    let ada = app.user(true).await;
    assert_eq!(app.get(&app.dashboard(), Some(&ada)).await.1, "miss");
    assert_eq!(app.computed(), 1);
    app.clock.advance(Duration::from_secs(61));
    let path = app.dashboard();
    let replies = futures_util::future::join_all((0..50).map(|_| app.get(&path, Some(&ada)))).await;
    assert!(replies.iter().all(|(status, ..)| *status == StatusCode::OK));
    let misses = replies.iter().filter(|(_, c, _)| c == "miss").count();
    let others = replies
        .iter()
        .filter(|(_, c, _)| c == "stale" || c == "hit")
        .count();
    assert_eq!((misses, others), (1, 49));
    assert_eq!(app.computed(), 2, "one recompute for the whole burst");
}

/// Fifty requests on a missing entry in one process: one computes it, the others wait for it.
async fn a_missing_dashboard_is_computed_once_under_a_burst(db: TestDb) {
    let app = App::new(db).await;
    let ada = app.user(true).await;
    let path = app.dashboard();
    let replies = futures_util::future::join_all((0..50).map(|_| app.get(&path, Some(&ada)))).await;
    let misses = replies.iter().filter(|(_, c, _)| c == "miss").count();
    let hits = replies.iter().filter(|(_, c, _)| c == "hit").count();
    assert_eq!((misses, hits), (1, 49));
    assert_eq!(app.computed(), 1);
}

testkit::on_both_drivers!(
    &[&PLATFORM, &MEMBERS, &activity_sql::MIGRATIONS];
    a_member_reads_ninety_days_cached,
    outsiders_get_404_even_when_the_dashboard_is_cached,
    a_stale_dashboard_is_recomputed_once_under_a_burst,
    a_missing_dashboard_is_computed_once_under_a_burst,
);
