//! The whole API as one local HTTP server: `scripts/dev` runs this. It migrates the database
//! at start, which deployed functions never do. `--openapi` prints the whole API's document
//! (`docs/openapi.json` is that output). It also runs the job consumers in-process, on the
//! configured queue (the embedded one by default), as the worker functions do in AWS.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{ConnectInfo, Request};
use identity_passwords::Argon2Hasher;
use runtime::{Config, Platform, telemetry};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("--openapi") {
        println!("{}", web::openapi::to_json(&app::openapi()));
        return Ok(());
    }
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let mut platform = Platform::from_config(&config).await?;
    app::migrate(&platform.backend)
        .await
        .context("migrating the database")?;
    let hasher = Argon2Hasher::new(
        config
            .hash_concurrency
            .unwrap_or_else(identity_passwords::default_concurrency),
    );
    let addr = (config.host.as_str(), config.port);
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {}:{}", config.host, config.port))?;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    let mail = jobs_worker::MailConfig::from_env()?;
    webhooks_http::HttpSenderConfig::from_env()?;
    // Kept here, so the usage counted since its last flush is written when the server stops.
    let recorder = tenants_api::recorder(&platform);
    platform.http.activity = Some(Arc::new(recorder.clone()));
    // The peer's address feeds the per-address rate limits.
    let service = app::app(&platform, hasher)
        .layer(axum::middleware::map_request(client_addr))
        .into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, service).with_graceful_shutdown(shutdown());
    let stopped: anyhow::Result<()> = if in_process_jobs()? {
        let worker = app::work(&platform, &mail, std::future::pending());
        // The server stops on a signal; the in-process worker stops with it.
        tokio::select! {
            served = server => served.map_err(Into::into),
            worked = worker => worked,
        }
    } else {
        // Jobs wait in the queue for a worker elsewhere (or for the next run).
        server.await.map_err(Into::into)
    };
    if let Err(err) = recorder.flush().await {
        tracing::warn!(error = %err, "the last activity counts were not written");
    }
    stopped
}

/// Hands the socket's peer address to the rate limits, as the Lambda adapter hands API
/// Gateway's source address.
async fn client_addr(ConnectInfo(peer): ConnectInfo<SocketAddr>, mut req: Request) -> Request {
    req.extensions_mut().insert(web::ClientAddr(peer.ip()));
    req
}

/// `JOBS_IN_PROCESS`: whether this server also runs the job consumers (default true). The
/// fuzzing run turns them off, so that no webhook goes to a URL a fuzzer made up.
fn in_process_jobs() -> anyhow::Result<bool> {
    match std::env::var("JOBS_IN_PROCESS")
        .ok()
        .as_deref()
        .map(str::trim)
    {
        None | Some("" | "true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(other) => anyhow::bail!("JOBS_IN_PROCESS is invalid: {other:?} is not true or false"),
    }
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
