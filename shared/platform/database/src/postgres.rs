//! The production driver: PostgreSQL (Aurora Serverless v2 behind RDS Proxy in AWS).

use std::sync::Arc;
use std::time::Duration;

use sqlx::Postgres;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::renewal::Renewal;
use crate::{Db, DynPasswordSource, OpenError, PasswordSource};

/// How a process pools its connections. Lambda instances serve one request at a time, so they
/// keep one or two connections and let RDS Proxy multiplex them.
///
/// sqlx's statement cache stays on: RDS Proxy multiplexes the extended query protocol, and
/// PgBouncer 1.21 or later does with `max_prepared_statements`, so protocol-level prepared
/// statements pin nothing. Turning the cache off would not help an older pooler: sqlx still
/// names each statement and only stops reusing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// How long a request waits for a free connection before it fails.
    pub acquire_timeout: Duration,
    /// An unused connection is closed after this long, so a frozen Lambda instance holds no
    /// proxy client connection for long once it thaws.
    pub idle_timeout: Duration,
    /// Every connection is replaced after this long, so failovers and rotated credentials
    /// are picked up even on a busy instance.
    pub max_lifetime: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 2,
            acquire_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(300),
            max_lifetime: Duration::from_secs(1800),
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
        .min_connections(0)
        .acquire_timeout(settings.acquire_timeout)
        .idle_timeout(settings.idle_timeout)
        .max_lifetime(settings.max_lifetime)
        .connect_lazy_with(options)
}

/// How a connection reaches the server, as far as can be told without extra privileges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The URL's port is the server's own.
    Direct,
    /// The host is an RDS Proxy endpoint (`*.proxy-*.rds.amazonaws.com`).
    RdsProxy,
    /// The server listens on another port than the URL names: a pooler such as PgBouncer, or
    /// a tunnel, sits in between.
    Relayed { url_port: u16, server_port: u16 },
}

/// Tells how `db`, opened on `url`, reaches its server: by the host's name for RDS Proxy,
/// otherwise by asking the server which port it listens on.
pub async fn route(db: &Db<Postgres>, url: &str) -> Result<Route, OpenError> {
    let options: PgConnectOptions = url.parse().map_err(OpenError::Url)?;
    if is_rds_proxy_host(options.get_host()) {
        return Ok(Route::RdsProxy);
    }
    let pool = db
        .pool()
        .await
        .map_err(|e| OpenError::Password(e.to_string()))?;
    let server_port: Option<i32> = sqlx::query_scalar("SELECT inet_server_port()")
        .fetch_one(pool)
        .await
        .map_err(OpenError::Connect)?;
    let url_port = options.get_port();
    Ok(match server_port.and_then(|p| u16::try_from(p).ok()) {
        Some(server_port) if server_port != url_port => Route::Relayed {
            url_port,
            server_port,
        },
        _ => Route::Direct,
    })
}

fn is_rds_proxy_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host.contains(".proxy-") && host.ends_with(".rds.amazonaws.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_rds_proxy_endpoints_by_name() {
        assert!(is_rds_proxy_host(
            "saas-prod.proxy-c1abcdefghij.eu-west-1.rds.amazonaws.com"
        ));
        assert!(!is_rds_proxy_host(
            "saas-prod.cluster-c1abcdefghij.eu-west-1.rds.amazonaws.com"
        ));
        assert!(!is_rds_proxy_host("127.0.0.1"));
    }
}
