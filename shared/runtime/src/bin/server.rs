//! The whole API as one local HTTP server: `scripts/dev` runs this.

use anyhow::Context;
use runtime::{Config, Migrations, telemetry};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let state = runtime::state(&config, Migrations::Apply).await?;
    let addr = (config.host.as_str(), config.port);
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {}:{}", config.host, config.port))?;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    axum::serve(listener, http_api::app(state))
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

/// Stops on Ctrl-C or SIGTERM, letting in-flight requests finish.
async fn shutdown() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
}
