//! Fresh, migrated databases for tests: a new SQLite file or a new PostgreSQL database per
//! test, removed when the test ends, so tests never share state and run in parallel; a moto
//! server for the AWS adapters, Redis, and a throwaway PostgreSQL server that checks passwords;
//! and the contract suites every adapter of a port runs.

pub mod dynamodb;
pub mod kv_contract;
mod moto;
mod password_postgres;
pub mod queue_contract;
pub mod redis;
pub mod replica;
pub mod session_contract;
pub mod shards;
pub mod sqs;

pub use moto::{ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, moto_endpoint};
pub use password_postgres::PasswordPostgres;

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Blocks until something accepts connections on the loopback `port`; panics after 30 s.
pub fn wait_until_listening(port: u16, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not listen on 127.0.0.1:{port} within 30 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use database::postgres::PoolSettings;
use database::{Backend, MigrationSet, ShardConfig};

/// The shards of [`TestDb::postgres_sharded`].
pub const SHARDS: [&str; 2] = ["s1", "s2"];
use sqlx::{Connection, PgConnection};
use time::OffsetDateTime;
use uuid::Uuid;

/// Where test databases are created: `TEST_DATABASE_URL`, a server URL whose user may create
/// databases; by default the local server's `postgres` user. `scripts/test` drops leftovers
/// named `test_%` first, in case a run was killed.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The transaction pooler in front of the test server, standing in for RDS Proxy:
/// `TEST_POOLER_URL`, by default the PgBouncer that `scripts/test` starts on 127.0.0.1:6432
/// (`scripts/lib/pgbouncer.sh`). Its database name is replaced by each test's.
pub fn pooler_url() -> String {
    std::env::var("TEST_POOLER_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:6432/postgres".to_owned())
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let base = url.rsplit_once('/').map_or(url, |(base, _)| base);
    format!("{base}/{name}")
}

/// A fresh, migrated database for one test, removed when dropped.
#[derive(Debug)]
pub struct TestDb {
    pub backend: Backend,
    /// The URL of each database of a sharded one by shard name, home (`main`) first; empty
    /// otherwise.
    pub shard_urls: Vec<(String, String)>,
    _cleanup: Cleanup,
}

impl TestDb {
    /// A new SQLite file under the system temp dir, migrated with `sets`.
    pub async fn sqlite(sets: &[&MigrationSet]) -> Self {
        let path =
            std::env::temp_dir().join(format!("saas-test-{}.sqlite", Uuid::now_v7().simple()));
        let db = database::sqlite::open(&path)
            .await
            .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        Self::migrated(Backend::Sqlite(db), Cleanup::Files(path), sets).await
    }

    /// A new database on the PostgreSQL test server, migrated with `sets`.
    pub async fn postgres(sets: &[&MigrationSet]) -> Self {
        let database = PostgresDatabase::create().await;
        let settings = PoolSettings {
            max_connections: 4,
            ..PoolSettings::default()
        };
        let db = database::postgres::connect_lazy(&database.url, settings)
            .unwrap_or_else(|e| panic!("{e}"));
        Self::migrated(Backend::Postgres(db), Cleanup::Database(database), sets).await
    }

    /// A new database on the PostgreSQL test server, migrated there directly (as deploys
    /// migrate the writer), that the test then reaches through the transaction pooler of
    /// [`pooler_url`], as functions reach it through RDS Proxy.
    pub async fn postgres_pooled(sets: &[&MigrationSet]) -> Self {
        let database = PostgresDatabase::create().await;
        let settings = PoolSettings {
            max_connections: 4,
            ..PoolSettings::default()
        };
        let direct = database::postgres::connect_lazy(&database.url, settings)
            .unwrap_or_else(|e| panic!("{e}"));
        database::migrations::run(&Backend::Postgres(direct.clone()), sets)
            .await
            .unwrap_or_else(|e| panic!("migrate: {e}"));
        direct.raw_pool().close().await;
        let pooled = with_database(&pooler_url(), &database.name);
        let db =
            database::postgres::connect_lazy(&pooled, settings).unwrap_or_else(|e| panic!("{e}"));
        if let Err(e) = db.raw_pool().acquire().await {
            panic!("connect through the pooler at {pooled}: {e} (scripts/test starts PgBouncer)");
        }
        Self {
            backend: Backend::Postgres(db),
            shard_urls: Vec::new(),
            _cleanup: Cleanup::Database(database),
        }
    }

    /// A home database with two shards, `s1` and `s2`, each a new database on the test server,
    /// all migrated with `sets`. New tenants are placed on the two shards, never at home, so
    /// tenant data and the directory are always apart; routes are cached for `route_ttl`.
    pub async fn postgres_sharded_with(sets: &[&MigrationSet], route_ttl: Duration) -> Self {
        let settings = PoolSettings {
            max_connections: 4,
            ..PoolSettings::default()
        };
        let home = PostgresDatabase::create().await;
        let mut shards = BTreeMap::new();
        let mut databases = Vec::new();
        let mut urls = vec![(database::HOME.to_owned(), home.url.clone())];
        for name in SHARDS {
            let database = PostgresDatabase::create().await;
            urls.push((name.to_owned(), database.url.clone()));
            let db = database::postgres::connect_lazy(&database.url, settings)
                .unwrap_or_else(|e| panic!("{e}"));
            shards.insert(name.to_owned(), db);
            databases.push(database);
        }
        let config = ShardConfig {
            open: SHARDS.map(str::to_owned).to_vec(),
            route_ttl,
        };
        let db = database::postgres::connect_lazy(&home.url, settings)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_shards(shards, config);
        databases.push(home);
        let migrated = Self::migrated(Backend::Postgres(db), Cleanup::Databases(databases), sets);
        Self {
            shard_urls: urls,
            ..migrated.await
        }
    }

    /// [`TestDb::postgres_sharded_with`] with routes cached for 5 s, as in production.
    pub async fn postgres_sharded(sets: &[&MigrationSet]) -> Self {
        Self::postgres_sharded_with(sets, Duration::from_secs(5)).await
    }

    async fn migrated(backend: Backend, cleanup: Cleanup, sets: &[&MigrationSet]) -> Self {
        database::migrations::run(&backend, sets)
            .await
            .unwrap_or_else(|e| panic!("migrate: {e}"));
        Self {
            backend,
            shard_urls: Vec::new(),
            _cleanup: cleanup,
        }
    }
}

/// What to remove when the test ends; held only for its `Drop`.
#[derive(Debug)]
enum Cleanup {
    Files(PathBuf),
    Database(#[allow(dead_code)] PostgresDatabase),
    Databases(#[allow(dead_code)] Vec<PostgresDatabase>),
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Self::Files(path) = self {
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.clone().into_os_string();
                file.push(suffix);
                let _ = std::fs::remove_file(file);
            }
        }
    }
}

/// An empty database on the test server, dropped (with its connections) when this is.
#[derive(Debug)]
pub struct PostgresDatabase {
    pub url: String,
    name: String,
}

impl PostgresDatabase {
    pub async fn create() -> Self {
        let admin = admin_url();
        let name = format!("test_{}", Uuid::now_v7().simple());
        let mut conn = PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("connect to {admin}: {e} (is PostgreSQL running?)"));
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("create database {name}: {e}"));
        let _ = conn.close().await;
        Self {
            url: with_database(&admin, &name),
            name,
        }
    }
}

impl Drop for PostgresDatabase {
    /// Runs on its own thread and runtime: a test's runtime may be shutting down already.
    fn drop(&mut self) {
        drop_database(admin_url(), std::mem::take(&mut self.name));
    }
}

/// Drops database `name` on the server at `admin`, on its own thread and runtime: a test's
/// runtime may be shutting down already.
pub(crate) fn drop_database(admin: String, name: String) {
    let _ = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async {
            if let Ok(mut conn) = PgConnection::connect(&admin).await {
                let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let _ = sqlx::raw_sql(&drop).execute(&mut conn).await;
                let _ = conn.close().await;
            }
        });
    })
    .join();
}

/// The outbox as `(event type, payload)`, oldest first: what adapters' tests check they wrote.
pub async fn outbox(backend: &Backend) -> Vec<(String, serde_json::Value)> {
    let rows: Vec<(String, String)> = match backend {
        Backend::Postgres(db) => {
            // Tenant data writes its events to its shard's outbox.
            let mut rows = Vec::new();
            for shard in db.shards() {
                rows.extend(
                    sqlx::query_as::<_, (OffsetDateTime, Uuid, String, String)>(
                        "SELECT created_at, id, event_type, payload::text FROM outbox",
                    )
                    .fetch_all(shard.db.raw_pool())
                    .await
                    .unwrap_or_else(|e| panic!("read the outbox: {e}")),
                );
            }
            rows.sort();
            Ok(rows
                .into_iter()
                .map(|(_, _, kind, payload)| (kind, payload))
                .collect())
        }
        Backend::Sqlite(db) => {
            sqlx::query_as("SELECT event_type, payload FROM outbox ORDER BY created_at, id")
                .fetch_all(db.raw_pool())
                .await
        }
    }
    .unwrap_or_else(|e| panic!("read the outbox: {e}"));
    rows.into_iter()
        .map(|(kind, payload)| {
            let payload = serde_json::from_str(&payload).unwrap_or_else(|e| panic!("{e}"));
            (kind, payload)
        })
        .collect()
}

/// Runs each named `async fn(TestDb)` test against a fresh SQLite file, a fresh PostgreSQL
/// database, and another reached through the transaction pooler ([`TestDb::postgres_pooled`]),
/// each migrated with the given migration sets (`&[&SET, ...]`).
#[macro_export]
macro_rules! on_both_drivers {
    ($sets:expr; $($name:ident),* $(,)?) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::TestDb::sqlite($sets).await).await;
            })*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::TestDb::postgres($sets).await).await;
            })*
        }
        mod pooled {
            #[allow(unused_imports)]
            use super::*;
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::TestDb::postgres_pooled($sets).await).await;
            })*
        }
        mod sharded {
            #[allow(unused_imports)]
            use super::*;
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::TestDb::postgres_sharded($sets).await).await;
            })*
        }
    };
}

/// Commits `envelopes` to the outbox, as a module's write would.
pub async fn append_outbox(backend: &Backend, envelopes: &[kernel::Envelope]) {
    match backend {
        Backend::Postgres(db) => {
            let mut tx = db.begin().await.expect("begin");
            for e in envelopes {
                database::outbox::append::<sqlx::Postgres>(&mut tx, e)
                    .await
                    .expect("append");
            }
            db.commit(tx).await.expect("commit");
        }
        Backend::Sqlite(db) => {
            let mut tx = db.begin().await.expect("begin");
            for e in envelopes {
                database::outbox::append::<sqlx::Sqlite>(&mut tx, e)
                    .await
                    .expect("append");
            }
            db.commit(tx).await.expect("commit");
        }
    }
}

/// A platform on `backend` whose business metrics go nowhere.
pub fn platform(backend: &Backend) -> runtime::Platform {
    let metrics = web::EmfMetrics::new("test".into(), "test".into(), Box::new(std::io::sink()));
    runtime::Platform::new(
        backend.clone(),
        std::sync::Arc::new(metrics),
        time::Duration::hours(1),
    )
}

/// Replays the API Gateway v2 event in `file` through `app` as a Lambda function serves it;
/// returns the status and the JSON body (`Null` when there is none).
pub async fn replay(app: axum::Router, file: &std::path::Path) -> (u16, serde_json::Value) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let raw = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let request =
        lambda_http::request::from_str(&raw).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let response = runtime::lambda::handler(app)
        .oneshot(request)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

/// Every file in `dir` is one of `expected`: an event without an expectation fails.
pub fn assert_every_event_expected(dir: &str, expected: &[(&str, u16)]) {
    for file in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let name = file
            .ok()
            .and_then(|f| f.file_name().into_string().ok())
            .unwrap_or_default();
        assert!(
            expected.iter().any(|(f, _)| *f == name),
            "{dir}/{name} has no expectation"
        );
    }
}

/// Every operation in `doc` reaches a handler of `router`: none answers "route not found" or
/// 405. Path parameters get a well-formed UUID; nothing is authenticated, so most answers are
/// 401, which is what matters here: the route exists.
pub async fn assert_serves_documented(router: axum::Router, doc: &utoipa::openapi::OpenApi) {
    use tower::ServiceExt;

    let id = "00000000-0000-7000-8000-000000000000";
    let doc: serde_json::Value =
        serde_json::from_str(&web::openapi::to_json(doc)).unwrap_or_default();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    assert!(!paths.is_empty(), "the document has no paths");
    for (path, item) in paths {
        let concrete = path
            .split('/')
            .map(|part| if part.starts_with('{') { id } else { part })
            .collect::<Vec<_>>()
            .join("/");
        for method in item
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            let request = axum::http::Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&concrete)
                .body(axum::body::Body::empty())
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let response = router
                .clone()
                .oneshot(request)
                .await
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let status = response.status();
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            assert_ne!(
                body["detail"], "route not found",
                "{method} {path} is not served"
            );
            assert_ne!(status.as_u16(), 405, "{method} {path} is not served");
        }
    }
}
