use std::sync::Arc;

use kernel::Unavailable;
use sqlx::{Pool, Postgres, Sqlite, Transaction};

use crate::Dialect;
use crate::errors::{commit_failed, is_auth_failure};
use crate::renewal::Renewal;
use crate::shards::ShardSet;

/// One driver's connection pool, as module adapters use it: every query first makes sure the
/// pool's password is current, and every driver error becomes the kernel's [`Unavailable`].
///
/// The pool is the writer's. A reader (a replica's pool) may be attached: adapters take
/// [`Db::read_pool`] for plain reads outside transactions, which is the reader's unless the
/// current task reads from the writer (see [`crate::reads`]), and [`Db::pool`] for the rest.
#[derive(Debug)]
pub struct Db<DB: Dialect> {
    pool: Pool<DB>,
    /// Set when passwords come from a [`PasswordSource`](crate::PasswordSource), not the URL.
    renewal: Option<Arc<Renewal<DB>>>,
    reader: Option<Arc<Db<DB>>>,
    /// Set on the home database of a sharded deployment (see [`crate::shards`]).
    pub(crate) shards: Option<Arc<ShardSet<DB>>>,
}

impl<DB: Dialect> Clone for Db<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            renewal: self.renewal.clone(),
            reader: self.reader.clone(),
            shards: self.shards.clone(),
        }
    }
}

/// The database the configuration chose.
#[derive(Debug, Clone)]
pub enum Backend {
    Postgres(Db<Postgres>),
    Sqlite(Db<Sqlite>),
}

impl Backend {
    /// Succeeds when the database, its shards and its reader when there is one, answer a query.
    pub async fn ping(&self) -> Result<(), Unavailable> {
        match self {
            Self::Postgres(db) => {
                for shard in db.shards() {
                    shard.db.ping().await?;
                }
                match &db.reader {
                    Some(reader) => reader.ping().await,
                    None => Ok(()),
                }
            }
            Self::Sqlite(db) => db.ping().await,
        }
    }
}

impl<DB: Dialect> Db<DB> {
    pub(crate) fn new(pool: Pool<DB>, renewal: Option<Renewal<DB>>) -> Self {
        Self {
            pool,
            renewal: renewal.map(Arc::new),
            reader: None,
            shards: None,
        }
    }

    /// This database with plain reads served by `reader`, a replica of it.
    #[must_use]
    pub fn with_reader(mut self, reader: Db<DB>) -> Self {
        self.reader = Some(Arc::new(reader));
        self
    }

    /// The pool plain reads use: the reader's, or the writer's when there is no reader or the
    /// current task reads from the writer ([`crate::reads::on_writer`]). Only for statements
    /// that change nothing and need not see a write of the same task.
    pub async fn read_pool(&self) -> Result<&Pool<DB>, Unavailable> {
        match &self.reader {
            Some(reader) if !crate::reads::pinned_to_writer() => reader.pool().await,
            _ => self.pool().await,
        }
    }

    /// The reader alone (the writer when there is none), whatever the task: for tests and
    /// readiness checks.
    pub fn reader(&self) -> &Db<DB> {
        self.reader.as_deref().unwrap_or(self)
    }

    /// The pool, its password renewed first if it is due.
    pub async fn pool(&self) -> Result<&Pool<DB>, Unavailable> {
        if let Some(renewal) = &self.renewal {
            renewal
                .ensure_current(&self.pool)
                .await
                .map_err(Unavailable::new)?;
        }
        Ok(&self.pool)
    }

    pub async fn begin(&self) -> Result<Transaction<'static, DB>, Unavailable> {
        let pool = self.pool().await?;
        pool.begin_with(DB::BEGIN)
            .await
            .map_err(|e| self.unavailable(e))
    }

    /// Commits; a connection lost during the commit is reported as an unknown outcome.
    pub async fn commit(&self, tx: Transaction<'static, DB>) -> Result<(), Unavailable> {
        tx.commit().await.map_err(|e| {
            self.observe(&e);
            commit_failed(e)
        })
    }

    /// Maps a driver error. A refused password is renewed before the next query, without
    /// waiting for it to be due: the secret may have been rotated early.
    pub fn unavailable(&self, err: sqlx::Error) -> Unavailable {
        self.observe(&err);
        Unavailable::new(err)
    }

    async fn ping(&self) -> Result<(), Unavailable>
    where
        for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
        for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    {
        let pool = self.pool().await?;
        sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map_err(|e| self.unavailable(e))?;
        Ok(())
    }

    /// The pool as it is, without renewal: for tests and the migration runner.
    pub fn raw_pool(&self) -> &Pool<DB> {
        &self.pool
    }

    fn observe(&self, err: &sqlx::Error) {
        if let Some(renewal) = &self.renewal
            && is_auth_failure(err)
        {
            renewal.expire();
        }
        // An error from a reader query reaches the writer's handle: the reader may hold the
        // refused password.
        if let Some(reader) = &self.reader {
            reader.observe(err);
        }
    }
}
