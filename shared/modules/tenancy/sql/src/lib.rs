//! The tenancy module's SQL adapters on PostgreSQL and SQLite: tenants and members, one
//! implementation generic over the driver, the directory of accounts read from the identity
//! module's published view, and the migrations that create the module's tables.

mod dialect;
mod directory;
mod listing;
mod members;
mod rows;
mod sql;

use database::shards::moves::TenantTable;
use database::{Backend, MigrationSet};
use kernel::Unavailable;
use sqlx::migrate::Migrator;
use tenancy::{DynDirectory, DynMembers};
use time::OffsetDateTime;

pub use dialect::TenancyDialect;
pub use directory::SqlDirectory;
pub use listing::{ListedTenant, tenants};
pub use members::SqlMembers;
pub use sql::AUDITED;

/// Tenants and members on the configured database.
pub fn members(backend: &Backend) -> Box<DynMembers<'static>> {
    match backend {
        Backend::Postgres(db) => DynMembers::new_box(SqlMembers::new(db.clone())),
        Backend::Sqlite(db) => DynMembers::new_box(SqlMembers::new(db.clone())),
    }
}

/// The account directory on the configured database.
pub fn directory(backend: &Backend) -> Box<DynDirectory<'static>> {
    match backend {
        Backend::Postgres(db) => DynDirectory::new_box(SqlDirectory::new(db.clone())),
        Backend::Sqlite(db) => DynDirectory::new_box(SqlDirectory::new(db.clone())),
    }
}

/// Deletes the invitations that expired before `now`; returns how many. The sweeper runs it.
pub async fn sweep(backend: &Backend, now: OffsetDateTime) -> Result<u64, Unavailable> {
    database::sweep::delete_before(backend, sql::DELETE_EXPIRED_INVITATIONS, now).await
}

/// The tables that hold a tenant's data, parents first: what a move between shards copies.
pub const TENANT_TABLES: &[TenantTable] = &[
    TenantTable {
        table: "tenants",
        tenant_column: "id",
    },
    TenantTable {
        table: "memberships",
        tenant_column: "tenant_id",
    },
    TenantTable {
        table: "invitations",
        tenant_column: "tenant_id",
    },
];

/// The tenancy module's tables: `tenants`, `memberships` and `invitations`. They read the identity module's
/// `directory_users` view, so they run after the identity migrations.
pub static MIGRATIONS: MigrationSet = MigrationSet {
    owner: "tenancy",
    postgres: &POSTGRES,
    sqlite: &SQLITE,
};

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
