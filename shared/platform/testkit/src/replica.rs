//! A database on a primary with a streaming replica, for the read-replica tests:
//! `TEST_REPLICA_PRIMARY_URL` and `TEST_REPLICA_URL`, by default the pair `scripts/test` starts
//! on 127.0.0.1:5442 and 127.0.0.1:5443 (`scripts/lib/replica.sh`).

use std::time::{Duration, Instant};

use database::Db;
use database::postgres::PoolSettings;
use sqlx::{Connection, PgConnection, Postgres};
use uuid::Uuid;

fn env_url(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

pub fn primary_url() -> String {
    env_url(
        "TEST_REPLICA_PRIMARY_URL",
        "postgres://postgres@127.0.0.1:5442/postgres",
    )
}

pub fn replica_url() -> String {
    env_url(
        "TEST_REPLICA_URL",
        "postgres://postgres@127.0.0.1:5443/postgres",
    )
}

async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e} (scripts/test starts the replica pair)"))
}

/// A fresh database on the primary, once the replica has it too; dropped on the primary (and
/// so on the replica) when this is.
#[derive(Debug)]
pub struct ReplicatedDb {
    /// The primary's pool with the replica's as its reader.
    pub db: Db<Postgres>,
    pub writer_url: String,
    pub reader_url: String,
    name: String,
}

impl ReplicatedDb {
    pub async fn create() -> Self {
        let name = format!("test_{}", Uuid::now_v7().simple());
        let mut primary = connect(&primary_url()).await;
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut primary)
            .await
            .unwrap_or_else(|e| panic!("create database {name}: {e}"));
        let _ = primary.close().await;
        let writer_url = with_database(&primary_url(), &name);
        let reader_url = with_database(&replica_url(), &name);
        let deadline = Instant::now() + Duration::from_secs(30);
        while PgConnection::connect(&reader_url).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "the replica did not replay CREATE DATABASE {name} within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let settings = PoolSettings {
            max_connections: 4,
            ..PoolSettings::default()
        };
        let writer = database::postgres::connect_lazy(&writer_url, settings)
            .unwrap_or_else(|e| panic!("{e}"));
        let reader = database::postgres::connect_lazy(&reader_url, settings)
            .unwrap_or_else(|e| panic!("{e}"));
        Self {
            db: writer.with_reader(reader),
            writer_url,
            reader_url,
            name,
        }
    }

    /// Waits until the replica has replayed everything the primary has written so far.
    pub async fn caught_up(&self) {
        let mut primary = connect(&self.writer_url).await;
        let lsn: String = sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
            .fetch_one(&mut primary)
            .await
            .expect("primary lsn");
        let mut replica = connect(&self.reader_url).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let replayed: bool = sqlx::query_scalar(
                "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AND NOT pg_is_wal_replay_paused()",
            )
            .bind(&lsn)
            .fetch_one(&mut replica)
            .await
            .expect("replica lsn");
            if replayed {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the replica did not reach {lsn} in 30 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Pauses WAL replay on the replica until the guard is dropped, failing test or not.
    pub async fn pause_replay(&self) -> ReplayPaused {
        let mut replica = connect(&self.reader_url).await;
        sqlx::query("SELECT pg_wal_replay_pause()")
            .execute(&mut replica)
            .await
            .expect("pause replay");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let state: String = sqlx::query_scalar("SELECT pg_get_wal_replay_pause_state()")
                .fetch_one(&mut replica)
                .await
                .expect("replay pause state");
            if state == "paused" {
                break;
            }
            assert!(Instant::now() < deadline, "replay did not pause in 10 s");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        ReplayPaused {
            reader_url: Some(self.reader_url.clone()),
        }
    }
}

/// Resumes replay when dropped, on its own thread and runtime (the test's may be unwinding).
#[derive(Debug)]
pub struct ReplayPaused {
    reader_url: Option<String>,
}

impl ReplayPaused {
    pub fn resume(mut self) {
        resume(self.reader_url.take());
    }
}

impl Drop for ReplayPaused {
    fn drop(&mut self) {
        resume(self.reader_url.take());
    }
}

fn resume(url: Option<String>) {
    let Some(url) = url else { return };
    let _ = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async {
            if let Ok(mut conn) = PgConnection::connect(&url).await {
                let _ = sqlx::query("SELECT pg_wal_replay_resume()")
                    .execute(&mut conn)
                    .await;
                let _ = conn.close().await;
            }
        });
    })
    .join();
}

impl Drop for ReplicatedDb {
    fn drop(&mut self) {
        crate::drop_database(primary_url(), std::mem::take(&mut self.name));
    }
}

fn with_database(url: &str, name: &str) -> String {
    let base = url.rsplit_once('/').map_or(url, |(base, _)| base);
    format!("{base}/{name}")
}
