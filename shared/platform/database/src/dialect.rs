//! What differs between the two drivers the adapters run on. Statements are shared: `$n`
//! placeholders work in both, and the few that differ live in each module's own dialect.

use sqlx::postgres::{PgConnectOptions, PgQueryResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteQueryResult};
use sqlx::{Postgres, Sqlite};

/// A sqlx driver the platform supports.
pub trait Dialect: sqlx::Database {
    /// How a transaction starts. Every transaction the adapters open writes, so on SQLite it
    /// takes the write lock at once (waiting up to the busy timeout): one that read first and
    /// wrote later could fail outright when another writer committed in between.
    const BEGIN: &'static str;

    /// Connect options that log in with `password`.
    fn with_password(
        options: <Self::Connection as sqlx::Connection>::Options,
        password: &str,
    ) -> <Self::Connection as sqlx::Connection>::Options;

    /// How many rows a statement changed.
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

impl Dialect for Postgres {
    const BEGIN: &'static str = "BEGIN";

    fn with_password(options: PgConnectOptions, password: &str) -> PgConnectOptions {
        options.password(password)
    }

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }
}

impl Dialect for Sqlite {
    const BEGIN: &'static str = "BEGIN IMMEDIATE";

    /// A SQLite file has no login.
    fn with_password(options: SqliteConnectOptions, _: &str) -> SqliteConnectOptions {
        options
    }

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }
}
