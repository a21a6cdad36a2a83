//! What differs between the two drivers the adapters run on. Statements are shared: `$n`
//! placeholders work in both, and the few that differ live in each module's own dialect.

use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Postgres, Sqlite};

/// A sqlx driver the platform supports.
pub trait Dialect: sqlx::Database {
    /// Connect options that log in with `password`.
    fn with_password(
        options: <Self::Connection as sqlx::Connection>::Options,
        password: &str,
    ) -> <Self::Connection as sqlx::Connection>::Options;
}

impl Dialect for Postgres {
    fn with_password(options: PgConnectOptions, password: &str) -> PgConnectOptions {
        options.password(password)
    }
}

impl Dialect for Sqlite {
    /// A SQLite file has no login.
    fn with_password(options: SqliteConnectOptions, _: &str) -> SqliteConnectOptions {
        options
    }
}
