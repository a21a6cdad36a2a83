//! Applies every module's migrations and exits. It builds no application state: deploys run it
//! against the writer, never through the proxy, before new code takes traffic.
//!
//! The database is `DATABASE_MIGRATION_URL` when set (the writer, while `DATABASE_URL` names
//! the proxy the functions use), else `DATABASE_URL`. The runner holds a session-level advisory
//! lock, which a transaction pooler cannot keep on one server connection: an RDS Proxy endpoint
//! is refused, and a URL whose port is not the server's own (PgBouncer, or a tunnel) is warned
//! about.

use anyhow::{Context, bail};
use database::Backend;
use database::postgres::{self, Route};
use runtime::{Config, DatabaseConfig, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let migration_url = std::env::var("DATABASE_MIGRATION_URL")
        .ok()
        .filter(|url| !url.trim().is_empty());
    let config = Config::from_lookup(|name| match name {
        "DATABASE_URL" => migration_url.clone().or_else(|| std::env::var(name).ok()),
        _ => std::env::var(name).ok(),
    })?;
    telemetry::init(config.log_format);
    let backend = runtime::database::open(&config.database).await?;
    if let (DatabaseConfig::Postgres { url, .. }, Backend::Postgres(db)) =
        (&config.database, &backend)
    {
        match postgres::route(db, url.expose())
            .await
            .context("DATABASE_URL")?
        {
            Route::Direct => {}
            Route::RdsProxy => bail!(
                "refusing to migrate through RDS Proxy: set DATABASE_MIGRATION_URL to the cluster's writer endpoint"
            ),
            Route::Relayed {
                url_port,
                server_port,
            } => tracing::warn!(
                url_port,
                server_port,
                "the server listens on another port than the URL names: migrations must reach the writer directly, not through a transaction pooler"
            ),
        }
    }
    app::migrate(&backend).await.context("migrating")?;
    tracing::info!("migrations applied");
    Ok(())
}
