//! The production adapter: PostgreSQL (Aurora Serverless v2 behind RDS Proxy in AWS).

use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::OpenError;
use crate::accounts_store::impl_accounts_store;
use crate::credentials::{PasswordSource, Renewal};

pub static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// Membership changes lock the tenant row, so concurrent demotions cannot remove the last owner.
const LOCK_TENANT: &str = "SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE";

#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Set when passwords come from a [`PasswordSource`] rather than the URL.
    renewal: Option<Arc<Renewal>>,
}

/// How a process pools its connections. Lambda instances serve one request at a time, so they
/// keep one or two connections and let RDS Proxy multiplex them.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 2,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

impl PgStore {
    /// Builds a pool that connects on first use, keeping cold starts free of network round trips.
    pub fn connect_lazy(url: &str, settings: PoolSettings) -> Result<Self, OpenError> {
        let options: PgConnectOptions = url.parse().map_err(OpenError::Url)?;
        Ok(Self {
            pool: lazy_pool(options, settings),
            renewal: None,
        })
    }

    /// Like [`connect_lazy`](Self::connect_lazy), with each new connection's password taken from
    /// `source` (an IAM auth token or a rotating secret) instead of the URL.
    pub fn connect_lazy_with_password(
        url: &str,
        settings: PoolSettings,
        source: Arc<dyn PasswordSource>,
    ) -> Result<Self, OpenError> {
        let options: PgConnectOptions = url.parse().map_err(OpenError::Url)?;
        Ok(Self {
            pool: lazy_pool(options.clone(), settings),
            renewal: Some(Arc::new(Renewal::new(source, options))),
        })
    }

    pub async fn migrate(&self) -> Result<(), OpenError> {
        if let Some(renewal) = &self.renewal {
            renewal
                .ensure_current(&self.pool)
                .await
                .map_err(|e| OpenError::Password(e.to_string()))?;
        }
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The pool, its password renewed first if it is due.
    async fn ready_pool(&self) -> Result<&PgPool, accounts::StoreError> {
        if let Some(renewal) = &self.renewal {
            renewal
                .ensure_current(&self.pool)
                .await
                .map_err(accounts::StoreError::unavailable)?;
        }
        Ok(&self.pool)
    }

    /// A refused password is renewed before the next query, without waiting for it to be due:
    /// the secret may have been rotated early.
    fn observe(&self, err: &sqlx::Error) {
        if let Some(renewal) = &self.renewal
            && crate::errors::is_auth_failure(err)
        {
            renewal.expire();
        }
    }
}

fn lazy_pool(options: PgConnectOptions, settings: PoolSettings) -> PgPool {
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_lazy_with(options)
}

impl_accounts_store!(PgStore, sqlx::Postgres, LOCK_TENANT);
