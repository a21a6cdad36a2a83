//! The embedded default: one SQLite file, migrated when opened. No server, no cloud account.

use std::path::Path;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::OpenError;
use crate::accounts_store::impl_accounts_store;

pub static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// A no-op write takes SQLite's write lock at once, so the reads that follow in the same
/// transaction cannot be invalidated by another writer.
const LOCK_TENANT: &str = "UPDATE tenants SET id = id WHERE id = $1";

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database file at `path`.
    pub async fn open(path: &Path) -> Result<Self, OpenError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| OpenError::Connect(sqlx::Error::Io(e)))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(OpenError::Connect)?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The pool, for the shared store implementation (a SQLite file needs no credentials).
    async fn ready_pool(&self) -> Result<&SqlitePool, accounts::StoreError> {
        Ok(&self.pool)
    }

    fn observe(&self, _: &sqlx::Error) {}
}

impl_accounts_store!(SqliteStore, sqlx::Sqlite, LOCK_TENANT);
