//! sqlx adapters for [`accounts::AccountsStore`].
//!
//! PostgreSQL is the production store (Aurora behind RDS Proxy); SQLite is the embedded default
//! for local runs. Both run the same SQL (`$n` placeholders work in each) through one
//! implementation, so the contract tests hold them to identical behaviour.

mod accounts_store;
pub mod credentials;
mod errors;
pub mod postgres;
mod rows;
mod sql;
pub mod sqlite;

pub use credentials::{ExpiringPassword, PasswordSource};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// A store could not be opened or migrated.
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
}
