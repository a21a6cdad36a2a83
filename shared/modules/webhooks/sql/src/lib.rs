//! The webhooks module's SQL adapter on PostgreSQL and SQLite: endpoints and their delivery
//! log, one implementation generic over the driver, roles read from the tenancy module's
//! published `tenant_members` view, and the migrations that create the module's tables.

mod dialect;
mod endpoints;
mod rows;
mod sql;

use database::{Backend, Db, Dialect, MigrationSet};
use kernel::Unavailable;
use sqlx::migrate::Migrator;
use sqlx::{Encode, Executor, IntoArguments, Type};
use time::OffsetDateTime;
use webhooks::DynEndpoints;

pub use dialect::WebhooksDialect;
pub use endpoints::SqlEndpoints;

/// Endpoints and their log on the configured database.
pub fn endpoints(backend: &Backend) -> Box<DynEndpoints<'static>> {
    match backend {
        Backend::Postgres(db) => DynEndpoints::new_box(SqlEndpoints::new(db.clone())),
        Backend::Sqlite(db) => DynEndpoints::new_box(SqlEndpoints::new(db.clone())),
    }
}

/// Deletes the delivery log's entries older than `before`; returns how many. For the
/// sweeper, with a retention longer than the queue keeps retrying an event: the log's
/// successes are what stop a redelivered event from reaching an endpoint twice.
pub async fn sweep(backend: &Backend, before: OffsetDateTime) -> Result<u64, Unavailable> {
    match backend {
        Backend::Postgres(db) => sweep_on(db, before).await,
        Backend::Sqlite(db) => sweep_on(db, before).await,
    }
}

async fn sweep_on<DB>(db: &Db<DB>, before: OffsetDateTime) -> Result<u64, Unavailable>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> OffsetDateTime: Encode<'q, DB> + Type<DB>,
{
    let done = sqlx::query(sql::DELETE_OLD_DELIVERIES)
        .bind(before)
        .execute(db.pool().await?)
        .await
        .map_err(|e| db.unavailable(e))?;
    Ok(DB::rows_affected(&done))
}

/// The webhooks module's tables: `webhook_endpoints` and `webhook_deliveries`. They read the
/// tenancy module's `tenant_members` view at query time, so they need it only to serve.
pub static MIGRATIONS: MigrationSet = MigrationSet {
    owner: "webhooks",
    postgres: &POSTGRES,
    sqlite: &SQLITE,
};

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
