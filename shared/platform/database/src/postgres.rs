//! The production driver: PostgreSQL (Aurora Serverless v2 behind RDS Proxy in AWS).

use std::sync::Arc;
use std::time::Duration;

use sqlx::Postgres;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::renewal::Renewal;
use crate::{Db, DynPasswordSource, OpenError, PasswordSource};

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

/// A pool that connects on first use, keeping cold starts free of network round trips.
pub fn connect_lazy(url: &str, settings: PoolSettings) -> Result<Db<Postgres>, OpenError> {
    let options: PgConnectOptions = url.parse().map_err(OpenError::Url)?;
    Ok(Db::new(lazy_pool(options, settings), None))
}

/// Like [`connect_lazy`], with each new connection's password taken from `source` (an IAM auth
/// token or a rotating secret) instead of the URL.
pub fn connect_lazy_with_password(
    url: &str,
    settings: PoolSettings,
    source: impl PasswordSource + 'static,
) -> Result<Db<Postgres>, OpenError> {
    let options: PgConnectOptions = url.parse().map_err(OpenError::Url)?;
    let source: Arc<DynPasswordSource<'static>> = DynPasswordSource::new_arc(source);
    let renewal = Renewal::new(source, options.clone());
    Ok(Db::new(lazy_pool(options, settings), Some(renewal)))
}

fn lazy_pool(options: PgConnectOptions, settings: PoolSettings) -> PgPool {
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_lazy_with(options)
}
