//! The database the configuration names, with passwords from the source it names. Nothing
//! here migrates: deploys run `migrate` against the writer once, before traffic shifts, and
//! the local server migrates at its own start.

use anyhow::Context;
use database::{Backend, postgres, sqlite};
use kernel::Unavailable;
use web::Readiness;

use crate::database_auth::{IamAuthToken, ManagedSecret};
use crate::{DatabaseAuth, DatabaseConfig};

/// Opens the configured database. PostgreSQL pools connect on first use, so a cold start
/// makes no network round trip.
pub async fn open(database: &DatabaseConfig) -> anyhow::Result<Backend> {
    match database {
        DatabaseConfig::Postgres { url, pool, auth } => {
            let settings = *pool;
            let url = url.expose();
            let db = match auth {
                DatabaseAuth::Url => postgres::connect_lazy(url, settings),
                DatabaseAuth::IamToken => {
                    let aws = aws_client::AwsEnv::from_env().context("DATABASE_IAM_AUTH")?;
                    let source = IamAuthToken::new(aws, url).context("DATABASE_URL")?;
                    postgres::connect_lazy_with_password(url, settings, source)
                }
                DatabaseAuth::Secret { secret_id } => {
                    let source = ManagedSecret::new(secret_id.clone());
                    postgres::connect_lazy_with_password(url, settings, source)
                }
            }
            .context("DATABASE_URL")?;
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

/// Readiness: the database answers a query.
#[derive(Debug, Clone)]
pub struct DatabaseReady(pub Backend);

impl Readiness for DatabaseReady {
    async fn ready(&self) -> Result<(), Unavailable> {
        self.0.ping().await
    }
}
