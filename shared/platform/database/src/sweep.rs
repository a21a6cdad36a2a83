//! Housekeeping of the platform's tables, run by the scheduled sweeper: expired sessions,
//! published outbox rows (on every shard) and old ledger entries and dead letters past their
//! retention.

use std::time::Duration;

use kernel::Unavailable;
use sqlx::{Encode, Executor, IntoArguments, Type};
use time::OffsetDateTime;

use crate::{Backend, Db, Dialect};

/// How long each kind of row is kept once it is no longer needed.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Published outbox rows, for audits and replays by hand.
    pub outbox: Duration,
    /// Handled events in the idempotency ledger. Longer than a message can live anywhere
    /// (SQS keeps dead letters 14 days), so a replayed letter is still recognised.
    pub ledger: Duration,
    /// Dead letters of the embedded queue, as long as SQS keeps them.
    pub dead_letters: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        const DAY: u64 = 24 * 3600;
        Self {
            outbox: Duration::from_secs(7 * DAY),
            ledger: Duration::from_secs(15 * DAY),
            dead_letters: Duration::from_secs(14 * DAY),
        }
    }
}

/// Rows deleted by one sweep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Swept {
    pub sessions: u64,
    pub outbox: u64,
    pub ledger: u64,
    pub dead_letters: u64,
}

pub(crate) const SESSIONS: &str = "DELETE FROM sessions WHERE expires_at < $1";
pub(crate) const OUTBOX: &str =
    "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < $1";
pub(crate) const LEDGER: &str = "DELETE FROM job_ledger WHERE done_at IS NOT NULL AND done_at < $1";
pub(crate) const DEAD: &str = "DELETE FROM job_queue WHERE dead_at IS NOT NULL AND dead_at < $1";

/// Runs `statement`, a `DELETE` whose one parameter is a time, with `at`, on the database and
/// each of its shards; returns how many rows it deleted. Modules sweep their own tables with it.
pub async fn delete_before(
    backend: &Backend,
    statement: &'static str,
    at: OffsetDateTime,
) -> Result<u64, Unavailable> {
    let mut deleted = 0;
    match backend {
        Backend::Postgres(db) => {
            for shard in db.shards() {
                deleted += delete_on(&shard.db, statement, at).await?;
            }
        }
        Backend::Sqlite(db) => deleted += delete_on(db, statement, at).await?,
    }
    Ok(deleted)
}

async fn delete_on<DB>(db: &Db<DB>, statement: &str, at: OffsetDateTime) -> Result<u64, Unavailable>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> OffsetDateTime: Encode<'q, DB> + Type<DB>,
{
    let done = sqlx::query(statement)
        .bind(at)
        .execute(db.pool().await?)
        .await
        .map_err(|e| db.unavailable(e))?;
    Ok(DB::rows_affected(&done))
}

/// Deletes what has expired as of `now`.
pub async fn sweep(
    backend: &Backend,
    now: OffsetDateTime,
    retention: Retention,
) -> Result<Swept, Unavailable> {
    match backend {
        Backend::Postgres(db) => {
            let mut swept = sweep_on(db, now, retention).await?;
            // Each shard keeps the outbox of the tenant data it holds.
            for shard in db.shards().into_iter().skip(1) {
                swept.outbox += delete_on(&shard.db, OUTBOX, now - retention.outbox).await?;
            }
            Ok(swept)
        }
        Backend::Sqlite(db) => sweep_on(db, now, retention).await,
    }
}

async fn sweep_on<DB>(
    db: &Db<DB>,
    now: OffsetDateTime,
    retention: Retention,
) -> Result<Swept, Unavailable>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> OffsetDateTime: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    let pool = db.pool().await?;
    let ms = |at: OffsetDateTime| i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    let before = |keep: Duration| now - keep;
    let sessions = sqlx::query(SESSIONS)
        .bind(now)
        .execute(pool)
        .await
        .map_err(|e| db.unavailable(e))?;
    let outbox = sqlx::query(OUTBOX)
        .bind(before(retention.outbox))
        .execute(pool)
        .await
        .map_err(|e| db.unavailable(e))?;
    let ledger = sqlx::query(LEDGER)
        .bind(ms(before(retention.ledger)))
        .execute(pool)
        .await
        .map_err(|e| db.unavailable(e))?;
    let dead = sqlx::query(DEAD)
        .bind(ms(before(retention.dead_letters)))
        .execute(pool)
        .await
        .map_err(|e| db.unavailable(e))?;
    Ok(Swept {
        sessions: DB::rows_affected(&sessions),
        outbox: DB::rows_affected(&outbox),
        ledger: DB::rows_affected(&ledger),
        dead_letters: DB::rows_affected(&dead),
    })
}
