//! Applies migrations to `DATABASE_URL`. Deploys run it against the writer, never through the
//! proxy, before new code takes traffic.

use runtime::{Config, Migrations, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    runtime::state(&config, Migrations::Apply).await?;
    tracing::info!("migrations applied");
    Ok(())
}
