use database::Dialect;
use sqlx::{Postgres, Sqlite};

/// The one statement the drivers write differently: locking a tenant's member list for the
/// rest of a transaction, so concurrent changes are decided one after another.
pub trait TenancyDialect: Dialect {
    const LOCK_TENANT: &'static str;
}

impl TenancyDialect for Postgres {
    const LOCK_TENANT: &'static str = "SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE";
}

impl TenancyDialect for Sqlite {
    /// A no-op write takes SQLite's write lock at once, so the reads that follow in the same
    /// transaction cannot be invalidated by another writer.
    const LOCK_TENANT: &'static str = "UPDATE tenants SET id = id WHERE id = $1";
}
