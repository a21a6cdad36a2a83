//! The identity module's SQL adapters: the user directory on PostgreSQL and SQLite, one
//! implementation generic over the driver, and the migrations that create its tables.

mod users;

use database::{Backend, Db, Dialect, MigrationSet};
use identity::DynUsers;
use kernel::Unavailable;
use sqlx::migrate::Migrator;
use sqlx::{Encode, Executor, IntoArguments, Type};
use time::OffsetDateTime;

pub use users::SqlUsers;

/// The user directory on the configured database.
pub fn users(backend: &Backend) -> Box<DynUsers<'static>> {
    match backend {
        Backend::Postgres(db) => DynUsers::new_box(SqlUsers::new(db.clone())),
        Backend::Sqlite(db) => DynUsers::new_box(SqlUsers::new(db.clone())),
    }
}

const DELETE_EXPIRED_RESETS: &str = "DELETE FROM password_resets WHERE expires_at < $1";

/// Deletes the password resets that expired before `now`; returns how many. The sweeper runs it.
pub async fn sweep(backend: &Backend, now: OffsetDateTime) -> Result<u64, Unavailable> {
    match backend {
        Backend::Postgres(db) => sweep_on(db, now).await,
        Backend::Sqlite(db) => sweep_on(db, now).await,
    }
}

async fn sweep_on<DB>(db: &Db<DB>, now: OffsetDateTime) -> Result<u64, Unavailable>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> OffsetDateTime: Encode<'q, DB> + Type<DB>,
{
    let done = sqlx::query(DELETE_EXPIRED_RESETS)
        .bind(now)
        .execute(db.pool().await?)
        .await
        .map_err(|e| db.unavailable(e))?;
    Ok(DB::rows_affected(&done))
}

/// The identity module's tables: `users` and `password_resets`, and the `directory_users`
/// view other modules read.
pub static MIGRATIONS: MigrationSet = MigrationSet {
    owner: "identity",
    postgres: &POSTGRES,
    sqlite: &SQLITE,
};

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
