//! The webhooks module's SQL adapter on PostgreSQL and SQLite: endpoints and their delivery
//! log, one implementation generic over the driver, roles read from the tenancy module's
//! published `tenant_members` view, each tenant's rows on its shard, and the migrations that
//! create the module's tables.

mod dialect;
mod endpoints;
mod inbound;
mod rows;
mod sql;

use std::sync::Arc;

use database::shards::moves::TenantTable;
use database::{Backend, MigrationSet};
use kernel::{Clock, Unavailable};
use sqlx::migrate::Migrator;
use time::OffsetDateTime;
use webhooks::{DynEndpoints, DynInboundSink};

pub use dialect::WebhooksDialect;
pub use endpoints::SqlEndpoints;
pub use inbound::SqlInbound;
pub use sql::AUDITED;

/// Endpoints and their log on the configured database.
pub fn endpoints(backend: &Backend) -> Box<DynEndpoints<'static>> {
    match backend {
        Backend::Postgres(db) => DynEndpoints::new_box(SqlEndpoints::new(db.clone())),
        Backend::Sqlite(db) => DynEndpoints::new_box(SqlEndpoints::new(db.clone())),
    }
}

/// Verified inbound deliveries into the outbox of the configured (home) database.
pub fn inbound(backend: &Backend, clock: Arc<dyn Clock>) -> Box<DynInboundSink<'static>> {
    match backend {
        Backend::Postgres(db) => DynInboundSink::new_box(SqlInbound::new(db.clone(), clock)),
        Backend::Sqlite(db) => DynInboundSink::new_box(SqlInbound::new(db.clone(), clock)),
    }
}

/// Deletes the delivery log's entries older than `before`; returns how many. For the
/// sweeper, with a retention longer than the queue keeps retrying an event: the log's
/// successes are what stop a redelivered event from reaching an endpoint twice.
pub async fn sweep(backend: &Backend, before: OffsetDateTime) -> Result<u64, Unavailable> {
    database::sweep::delete_before(backend, sql::DELETE_OLD_DELIVERIES, before).await
}

/// Deletes the ids of inbound deliveries first received before `before`; returns how many.
/// A provider's repeat after that is recorded again, so `before` lies past the longest
/// schedule on which providers retry (days).
pub async fn sweep_inbound(backend: &Backend, before: OffsetDateTime) -> Result<u64, Unavailable> {
    database::sweep::delete_before(backend, sql::DELETE_OLD_INBOUND_IDS, before).await
}

/// The tables that hold a tenant's data, parents first: what a move between shards copies.
pub const TENANT_TABLES: &[TenantTable] = &[
    TenantTable {
        table: "webhook_endpoints",
        tenant_column: "tenant_id",
    },
    TenantTable {
        table: "webhook_deliveries",
        tenant_column: "tenant_id",
    },
];

/// The webhooks module's tables: `webhook_endpoints` and `webhook_deliveries`. They read the
/// tenancy module's `tenant_members` view at query time, so they need it only to serve.
pub static MIGRATIONS: MigrationSet = MigrationSet {
    owner: "webhooks",
    postgres: &POSTGRES,
    sqlite: &SQLITE,
};

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
