//! The database the configuration names, with passwords from the source it names. Nothing
//! here migrates: deploys run `migrate` against the writer once, before traffic shifts, and
//! the local server migrates at its own start.

use anyhow::Context;
use database::postgres::PoolSettings;
use std::collections::BTreeMap;

use database::{Backend, Db, ShardConfig, postgres, sqlite};
use kernel::Unavailable;
use sqlx::Postgres;
use web::Readiness;

use crate::database_auth::{IamAuthToken, ManagedSecret};
use crate::{DatabaseAuth, DatabaseConfig};

/// Opens the configured database. PostgreSQL pools connect on first use, so a cold start
/// makes no network round trip.
pub async fn open(database: &DatabaseConfig) -> anyhow::Result<Backend> {
    match database {
        DatabaseConfig::Postgres {
            url,
            pool,
            auth,
            reader,
            shards,
        } => {
            let mut db = pool_for(url.expose(), *pool, auth).context("DATABASE_URL")?;
            if let Some(reader) = reader {
                db = db.with_reader(
                    pool_for(reader.url.expose(), reader.pool, auth)
                        .context("DATABASE_READ_URL")?,
                );
            }
            if let Some(layout) = shards {
                let mut dbs = BTreeMap::new();
                for (name, url) in &layout.urls {
                    let shard = pool_for(url.expose(), *pool, auth)
                        .with_context(|| format!("DATABASE_SHARDS: shard {name}"))?;
                    dbs.insert(name.clone(), shard);
                }
                let config = ShardConfig {
                    open: layout.open.clone(),
                    route_ttl: layout.route_ttl,
                };
                db = db.with_shards(dbs, config);
            }
            Ok(Backend::Postgres(db))
        }
        DatabaseConfig::Sqlite { path } => {
            let db = sqlite::open(path)
                .await
                .with_context(|| format!("opening SQLite at {}", path.display()))?;
            Ok(Backend::Sqlite(db))
        }
    }
}

/// A lazy pool on `url`, with passwords from the source `auth` names (an IAM token is signed for
/// this URL's host).
fn pool_for(
    url: &str,
    settings: PoolSettings,
    auth: &DatabaseAuth,
) -> anyhow::Result<Db<Postgres>> {
    Ok(match auth {
        DatabaseAuth::Url => postgres::connect_lazy(url, settings)?,
        DatabaseAuth::IamToken => {
            let aws = aws_client::AwsEnv::from_env().context("DATABASE_IAM_AUTH")?;
            let source = IamAuthToken::new(aws, url)?;
            postgres::connect_lazy_with_password(url, settings, source)?
        }
        DatabaseAuth::Secret { secret_id } => {
            let source = ManagedSecret::new(secret_id.clone());
            postgres::connect_lazy_with_password(url, settings, source)?
        }
    })
}

/// Readiness: the database (and its reader) answers a query.
#[derive(Debug, Clone)]
pub struct DatabaseReady(pub Backend);

impl Readiness for DatabaseReady {
    async fn ready(&self) -> Result<(), Unavailable> {
        self.0.ping().await
    }
}
