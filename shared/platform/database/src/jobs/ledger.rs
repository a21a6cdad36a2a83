use std::time::Duration;

use jobs::{Claim, Ledger};
use kernel::{EventId, Unavailable};
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use uuid::Uuid;

use super::{ms, now_ms};
use crate::{Db, Dialect};

/// Takes a new claim, or an old one whose holder let its lease run out without finishing.
const CLAIM: &str = "INSERT INTO job_ledger (consumer, event_id, lease_until) VALUES ($1, $2, $3) \
     ON CONFLICT (consumer, event_id) DO UPDATE SET lease_until = excluded.lease_until \
     WHERE job_ledger.done_at IS NULL AND job_ledger.lease_until < $4 \
     RETURNING lease_until";
pub(crate) const STATE: &str =
    "SELECT done_at FROM job_ledger WHERE consumer = $1 AND event_id = $2";
pub(crate) const COMPLETE: &str = "UPDATE job_ledger SET done_at = $3, lease_until = NULL \
     WHERE consumer = $1 AND event_id = $2";
pub(crate) const RELEASE: &str =
    "DELETE FROM job_ledger WHERE consumer = $1 AND event_id = $2 AND done_at IS NULL";

/// The idempotency ledger in the `job_ledger` table.
#[derive(Debug)]
pub struct SqlLedger<DB: Dialect> {
    db: Db<DB>,
}

impl<DB: Dialect> SqlLedger<DB> {
    pub fn new(db: Db<DB>) -> Self {
        Self { db }
    }
}

impl<DB> Ledger for SqlLedger<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> (Option<i64>,): FromRow<'r, DB::Row>,
{
    async fn claim(
        &self,
        consumer: &str,
        event: EventId,
        lease: Duration,
    ) -> Result<Claim, Unavailable> {
        let pool = self.db.pool().await?;
        let now = now_ms();
        let granted: Option<(Option<i64>,)> = sqlx::query_as(CLAIM)
            .bind(consumer)
            .bind(event.as_uuid())
            .bind(now.saturating_add(ms(lease)))
            .bind(now)
            .fetch_optional(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        if granted.is_some() {
            return Ok(Claim::Granted);
        }
        let state: Option<(Option<i64>,)> = sqlx::query_as(STATE)
            .bind(consumer)
            .bind(event.as_uuid())
            .fetch_optional(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(match state {
            Some((Some(_),)) => Claim::Done,
            // Released between the two statements: the next delivery takes it.
            _ => Claim::Busy,
        })
    }

    async fn complete(&self, consumer: &str, event: EventId) -> Result<(), Unavailable> {
        let pool = self.db.pool().await?;
        sqlx::query(COMPLETE)
            .bind(consumer)
            .bind(event.as_uuid())
            .bind(now_ms())
            .execute(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(())
    }

    async fn release(&self, consumer: &str, event: EventId) -> Result<(), Unavailable> {
        let pool = self.db.pool().await?;
        sqlx::query(RELEASE)
            .bind(consumer)
            .bind(event.as_uuid())
            .execute(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(())
    }
}
