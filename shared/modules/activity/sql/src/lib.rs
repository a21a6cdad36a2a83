//! The activity module's SQL adapter on PostgreSQL and SQLite: daily usage counts, added to in
//! one transaction per database per flushed batch, the dashboard's three queries on the
//! tenant's shard, members read from the tenancy module's published `tenant_members` view, and
//! the migrations that create the module's tables.

mod dialect;
mod sql;
mod store;

use activity::DynActivityStore;
use database::shards::moves::TenantTable;
use database::{Backend, Db, Dialect, MigrationSet};
use kernel::Unavailable;
use sqlx::migrate::Migrator;
use sqlx::{Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime, UtcOffset};

pub use dialect::ActivityDialect;
pub use sql::AUDITED;
pub use store::SqlActivity;

/// Usage on the configured database.
pub fn store(backend: &Backend) -> Box<DynActivityStore<'static>> {
    match backend {
        Backend::Postgres(db) => DynActivityStore::new_box(SqlActivity::new(db.clone())),
        Backend::Sqlite(db) => DynActivityStore::new_box(SqlActivity::new(db.clone())),
    }
}

/// Deletes the counts of days before `before`'s UTC day, on every shard; returns how many
/// rows. For the sweeper, with a retention longer than the dashboard's window.
pub async fn sweep(backend: &Backend, before: OffsetDateTime) -> Result<u64, Unavailable> {
    let day = before.to_offset(UtcOffset::UTC).date();
    match backend {
        Backend::Postgres(db) => {
            let mut deleted = 0;
            for shard in db.shards() {
                deleted += sweep_on(&shard.db, day).await?;
            }
            Ok(deleted)
        }
        Backend::Sqlite(db) => sweep_on(db, day).await,
    }
}

async fn sweep_on<DB>(db: &Db<DB>, before: Date) -> Result<u64, Unavailable>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Date: Encode<'q, DB> + Type<DB>,
{
    let mut deleted = 0;
    for statement in [sql::DELETE_OLD_CALLS, sql::DELETE_OLD_LOGINS] {
        let done = sqlx::query(statement)
            .bind(before)
            .execute(db.pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        deleted += DB::rows_affected(&done);
    }
    Ok(deleted)
}

/// The tables that hold a tenant's data: what a move between shards copies. Logins are kept
/// per user on every shard already, so a move leaves them be.
pub const TENANT_TABLES: &[TenantTable] = &[TenantTable {
    table: "activity_member_daily",
    tenant_column: "tenant_id",
}];

/// The activity module's tables: `activity_member_daily` and `activity_user_daily`. They read
/// the tenancy module's `tenant_members` view at query time, so they need it only to serve.
pub static MIGRATIONS: MigrationSet = MigrationSet {
    owner: "activity",
    postgres: &POSTGRES,
    sqlite: &SQLITE,
};

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
