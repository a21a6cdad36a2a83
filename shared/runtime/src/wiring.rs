//! Builds the application state from configuration: clients are made once, here.

use std::sync::Arc;
use std::time::Duration;

use accounts::{Accounts, AccountsStore};
use anyhow::Context;
use http_api::{AppState, EmfMetrics};
use passwords::Argon2Hasher;
use store::postgres::PoolSettings;
use store::{PasswordSource, PgStore, SqliteStore};

use crate::database_auth::{IamAuthToken, ManagedSecret};
use crate::{Config, DatabaseAuth, DatabaseConfig};

/// Whether to apply migrations while wiring. Lambda functions never do: deploys migrate the
/// writer once, before traffic shifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migrations {
    Apply,
    Skip,
}

pub async fn state(config: &Config, migrations: Migrations) -> anyhow::Result<AppState> {
    let store = open_store(&config.database, migrations).await?;
    let hasher = Arc::new(Argon2Hasher::new(config.hash_concurrency));
    let ttl = time::Duration::seconds(config.session_ttl_seconds);
    let metrics = EmfMetrics::stdout(config.metrics_namespace.clone(), config.service.clone());
    Ok(AppState {
        accounts: Accounts::new(store, hasher, ttl),
        metrics: Arc::new(metrics),
    })
}

async fn open_store(
    database: &DatabaseConfig,
    migrations: Migrations,
) -> anyhow::Result<Arc<dyn AccountsStore>> {
    match database {
        DatabaseConfig::Postgres {
            url,
            max_connections,
            auth,
        } => {
            let settings = PoolSettings {
                max_connections: *max_connections,
                acquire_timeout: Duration::from_secs(5),
            };
            let url = url.expose();
            let store = match password_source(auth, url)? {
                None => PgStore::connect_lazy(url, settings),
                Some(source) => PgStore::connect_lazy_with_password(url, settings, source),
            }
            .context("DATABASE_URL")?;
            if migrations == Migrations::Apply {
                store.migrate().await.context("migrating PostgreSQL")?;
            }
            Ok(Arc::new(store))
        }
        // SQLite is migrated on open: it is the embedded default, owned by this process.
        DatabaseConfig::Sqlite { path } => {
            let store = SqliteStore::open(path)
                .await
                .with_context(|| format!("opening SQLite at {}", path.display()))?;
            Ok(Arc::new(store))
        }
    }
}

/// The source of passwords for new connections, when `DATABASE_URL` does not carry one.
fn password_source(
    auth: &DatabaseAuth,
    url: &str,
) -> anyhow::Result<Option<Arc<dyn PasswordSource>>> {
    Ok(match auth {
        DatabaseAuth::Url => None,
        DatabaseAuth::IamToken => {
            let aws = aws_client::AwsEnv::from_env().context("DATABASE_IAM_AUTH")?;
            Some(Arc::new(
                IamAuthToken::new(aws, url).context("DATABASE_URL")?,
            ))
        }
        DatabaseAuth::Secret { secret_id } => {
            let secrets = aws_client::SecretsManager::from_env().context("DATABASE_SECRET_ARN")?;
            Some(Arc::new(ManagedSecret::new(secrets, secret_id.clone())))
        }
    })
}
