//! Applies every module's migrations to `DATABASE_URL` and exits. It builds no application
//! state: deploys run it against the writer, never through the proxy, before new code takes
//! traffic.

use anyhow::Context;
use runtime::{Config, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let backend = runtime::database::open(&config.database).await?;
    app::migrate(&backend).await.context("migrating")?;
    tracing::info!("migrations applied");
    Ok(())
}
