//! The relational database every module's SQL adapters run on.
//!
//! PostgreSQL is the production store (Aurora behind RDS Proxy); SQLite is the embedded
//! default for local runs. A [`Db`] is one driver's pool, whose PostgreSQL passwords may come
//! from a renewing [`PasswordSource`]; [`Backend`] is whichever of the two the configuration
//! chose. Module adapters are generic over the [`Dialect`], so each statement is written once
//! and the contract suites hold both drivers to the same behaviour. The platform's own tables
//! (the outbox and sessions) and the migration runner live here too.

mod audited;
mod db;
mod dialect;
mod errors;
pub mod jobs;
pub mod migrations;
pub mod outbox;
pub mod postgres;
pub mod reads;
mod renewal;
mod sessions;
pub mod shards;
pub mod sqlite;
pub mod sweep;

pub use audited::AUDITED;
pub use db::{Backend, Db};
pub use dialect::Dialect;
pub use errors::is_unique_violation;
pub use jobs::{SqlJobs, sql_jobs};
pub use migrations::{MigrationSet, PLATFORM};
pub use renewal::{DynPasswordSource, ExpiringPassword, PasswordSource, SourceError};
pub use sessions::{SqlSessions, session_store};
pub use shards::{Access, HOME, Shard, ShardConfig};

/// A database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("invalid database url: {0}")]
    Url(#[source] sqlx::Error),
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("no database password: {0}")]
    Password(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("two migrations share version {0}: versions must be unique across modules")]
    DuplicateVersion(i64),
}
