use database::Dialect;
use sqlx::{Postgres, Sqlite};

/// The one statement the drivers write differently: reading an endpoint's streak and locking
/// it for the rest of the transaction, so concurrent attempts are counted one after another.
pub trait WebhooksDialect: Dialect {
    const LOCK_ENDPOINT: &'static str;
}

impl WebhooksDialect for Postgres {
    const LOCK_ENDPOINT: &'static str = "SELECT url, enabled, consecutive_failures \
         FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2 FOR UPDATE";
}

impl WebhooksDialect for Sqlite {
    /// Transactions begin immediate on SQLite, so the write lock is held already.
    const LOCK_ENDPOINT: &'static str = "SELECT url, enabled, consecutive_failures \
         FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2";
}
