//! Fresh, migrated stores for tests: a new SQLite file or a new PostgreSQL database per call,
//! so tests never share state and run in parallel; a moto server for the AWS adapters; and a
//! throwaway PostgreSQL server that checks passwords.

mod moto;
mod password_postgres;

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

use sqlx::{Connection, PgConnection};
use store::postgres::PoolSettings;
use store::{PgStore, SqliteStore};
use uuid::Uuid;

/// Where test databases are created. `scripts/test` drops leftovers named `test_%` first.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A fresh SQLite file under the system temp dir.
pub async fn sqlite_store() -> SqliteStore {
    let path = std::env::temp_dir().join(format!("saas-test-{}.sqlite", Uuid::now_v7().simple()));
    SqliteStore::open(&path)
        .await
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// A fresh, migrated PostgreSQL database on the test server.
pub async fn postgres_store() -> PgStore {
    let url = postgres_database().await;
    let settings = PoolSettings {
        max_connections: 4,
        ..PoolSettings::default()
    };
    let store = PgStore::connect_lazy(&url, settings).unwrap_or_else(|e| panic!("{e}"));
    store.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    store
}

/// Creates an empty database and returns its URL.
pub async fn postgres_database() -> String {
    let admin = admin_url();
    let name = format!("test_{}", Uuid::now_v7().simple());
    let mut conn = PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("connect to {admin}: {e} (is PostgreSQL running?)"));
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("create database {name}: {e}"));
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}
