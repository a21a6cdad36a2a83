//! Migrations belong to whoever owns the tables: the platform (outbox, sessions) and each
//! module. The runner merges the sets it is given into one ordered history and refuses two
//! migrations with the same version, whichever sets they come from.

use std::borrow::Cow;

use sqlx::migrate::{Migration, Migrator};

use crate::{Backend, OpenError};

/// One owner's migrations, for each driver.
#[derive(Debug, Clone, Copy)]
pub struct MigrationSet {
    pub owner: &'static str,
    pub postgres: &'static Migrator,
    pub sqlite: &'static Migrator,
}

/// The platform's own tables: the outbox and sessions.
pub static PLATFORM: MigrationSet = MigrationSet {
    owner: "platform",
    postgres: &PLATFORM_POSTGRES,
    sqlite: &PLATFORM_SQLITE,
};

static PLATFORM_POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static PLATFORM_SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");

/// Applies every pending migration of `sets`, in version order, on the database and each of its
/// shards. Deploys run this against the
/// writer, never through a pooler: the runner holds a session-level advisory lock.
pub async fn run(backend: &Backend, sets: &[&MigrationSet]) -> Result<(), OpenError> {
    match backend {
        Backend::Postgres(db) => {
            let migrator = merged(sets.iter().map(|s| s.postgres))?;
            // Every shard holds every table: which rows each holds is the routing table's call.
            for shard in db.shards() {
                let pool = shard
                    .db
                    .pool()
                    .await
                    .map_err(|e| OpenError::Password(e.to_string()))?;
                migrator.run(pool).await?;
            }
        }
        Backend::Sqlite(db) => {
            merged(sets.iter().map(|s| s.sqlite))?
                .run(db.raw_pool())
                .await?
        }
    }
    Ok(())
}

/// One history from several sets, ordered by version.
pub fn merged<'a>(sets: impl Iterator<Item = &'a Migrator>) -> Result<Migrator, OpenError> {
    let mut all: Vec<Migration> = sets.flat_map(|m| m.migrations.iter().cloned()).collect();
    all.sort_by_key(|m| m.version);
    if let Some(pair) = all.windows(2).find(|w| w[0].version == w[1].version) {
        return Err(OpenError::DuplicateVersion(pair[0].version));
    }
    Ok(Migrator {
        migrations: Cow::Owned(all),
        ..Migrator::DEFAULT
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_version_used_twice() {
        let twice = [&PLATFORM_POSTGRES, &PLATFORM_POSTGRES];
        assert!(matches!(
            merged(twice.into_iter()),
            Err(OpenError::DuplicateVersion(_))
        ));
        let once = merged([&PLATFORM_SQLITE].into_iter()).map(|m| m.migrations.len());
        assert_eq!(once.ok(), Some(PLATFORM_SQLITE.migrations.len()));
    }
}
