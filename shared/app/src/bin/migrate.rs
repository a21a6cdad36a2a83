//! Applies every module's migrations and exits. It builds no application state: deploys run it
//! against the writer, never through the proxy, before new code takes traffic.
//!
//!     migrate [--bootstrap-app-role <role>]
//!
//! The database is `DATABASE_MIGRATION_URL` when set (the writer, while `DATABASE_URL` names
//! the proxy the functions use), else `DATABASE_URL`. The runner holds a session-level advisory
//! lock, which a transaction pooler cannot keep on one server connection: an RDS Proxy endpoint
//! is refused, and a URL whose port is not the server's own (PgBouncer, or a tunnel) is warned
//! about. On PostgreSQL the connected role must be the owner, which may create tables in schema
//! `public`; the application role is refused before anything runs.
//!
//! With `DATABASE_SHARDS`, every shard is migrated (and bootstrapped) the same way: each holds
//! every table.
//!
//! With `--bootstrap-app-role <role>` (PostgreSQL only), it then creates the application role
//! if it is missing and grants it DML on every table, present and future, and nothing else (see
//! `app::roles`). The role logs in with IAM tokens (it joins `rds_iam` on RDS), or, with
//! `APP_DATABASE_PASSWORD` set, with that password and not through `rds_iam`: behind RDS Proxy,
//! which logs in with the role's own secret.

use anyhow::{Context, bail};
use app::roles::Login;
use clap::Parser;
use database::Backend;
use database::postgres::{self, Route};
use runtime::{Config, DatabaseConfig, telemetry};

#[derive(Parser)]
#[command(
    name = "migrate",
    about = "Applies the migrations as the owner role, then optionally sets up the application role"
)]
struct Cli {
    /// After migrating, create this login role if missing and grant it DML on every table
    /// (and on tables later migrations create), no DDL; idempotent.
    #[arg(long, value_name = "ROLE")]
    bootstrap_app_role: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
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
        for shard in db.shards() {
            let pool = shard
                .db
                .pool()
                .await
                .with_context(|| format!("shard {}", shard.name))?;
            app::roles::ensure_can_migrate(pool).await?;
        }
    }
    app::migrate(&backend).await.context("migrating")?;
    tracing::info!("migrations applied");
    if let Some(role) = cli.bootstrap_app_role {
        let Backend::Postgres(db) = &backend else {
            bail!("--bootstrap-app-role needs PostgreSQL: SQLite has no roles");
        };
        let password = std::env::var("APP_DATABASE_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty());
        let login = password
            .as_deref()
            .map_or(Login::IamTokens, Login::Password);
        for shard in db.shards() {
            let pool = shard
                .db
                .pool()
                .await
                .with_context(|| format!("shard {}", shard.name))?;
            app::roles::bootstrap_app_role(pool, &role, login)
                .await
                .with_context(|| {
                    format!(
                        "bootstrapping the application role {role} on {}",
                        shard.name
                    )
                })?;
        }
        tracing::info!(role, "application role ready");
    }
    Ok(())
}
