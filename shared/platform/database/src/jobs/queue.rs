use std::time::Duration;

use jobs::{DeadLetter, DeadLetters, Delivery, Queue, Receipt};
use kernel::Unavailable;
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use uuid::Uuid;

use super::{JobsDialect, ms, now_ms};
use crate::Db;

const INSERT: &str = "INSERT INTO job_queue (id, queue, body, visible_at, created_at) \
     VALUES ($1, $2, $3, $4, $4)";
pub(crate) const EXPIRE: &str = "UPDATE job_queue SET dead_at = $2 \
     WHERE queue = $1 AND dead_at IS NULL AND visible_at <= $2 AND receive_count >= $3";
pub(crate) const DELETE: &str =
    "DELETE FROM job_queue WHERE id = $1 AND receive_count = $2 AND dead_at IS NULL";
pub(crate) const DELAY: &str = "UPDATE job_queue SET visible_at = $3 \
     WHERE id = $1 AND receive_count = $2 AND dead_at IS NULL";
pub(crate) const KILL: &str = "UPDATE job_queue SET dead_at = $3 \
     WHERE id = $1 AND receive_count = $2 AND dead_at IS NULL";
pub(crate) const LIST_DEAD: &str = "SELECT id, body FROM job_queue \
     WHERE queue = $1 AND dead_at IS NOT NULL ORDER BY dead_at, id LIMIT $2";
pub(crate) const REPLAY: &str = "UPDATE job_queue SET dead_at = NULL, receive_count = 0, visible_at = $2 \
     WHERE id = $1 AND dead_at IS NOT NULL";
pub(crate) const PURGE: &str = "DELETE FROM job_queue WHERE queue = $1 AND dead_at IS NOT NULL";

/// The embedded queue: one named queue in the `job_queue` table, with its dead letters in the
/// same rows (`dead_at` set). A receipt is the message id with its receive count, so it goes
/// stale when the message is received again.
#[derive(Debug)]
pub struct SqlQueue<DB: JobsDialect> {
    db: Db<DB>,
    name: String,
    max_receives: u32,
}

impl<DB: JobsDialect> Clone for SqlQueue<DB> {
    fn clone(&self) -> Self {
        Self {
            db: self.db.clone(),
            name: self.name.clone(),
            max_receives: self.max_receives,
        }
    }
}

impl<DB: JobsDialect> SqlQueue<DB> {
    pub fn new(db: Db<DB>, name: &str, max_receives: u32) -> Self {
        Self {
            db,
            name: name.to_owned(),
            max_receives: max_receives.max(1),
        }
    }
}

impl<DB> SqlQueue<DB>
where
    DB: JobsDialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    /// Runs `statement` on the message `receipt` names (`$1`, `$2`), with `at` as `$3`; a
    /// stale receipt matches no row.
    async fn by_receipt(
        &self,
        statement: &str,
        receipt: &Receipt,
        at: Option<i64>,
    ) -> Result<(), Unavailable> {
        let (id, count) = parse_receipt(receipt)?;
        let pool = self.db.pool().await?;
        let mut query = sqlx::query(statement).bind(id).bind(count);
        if let Some(at) = at {
            query = query.bind(at);
        }
        query
            .execute(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("not a receipt of this queue")]
struct ForeignReceipt;

fn receipt(id: Uuid, receive_count: i64) -> Receipt {
    Receipt(format!("{id}:{receive_count}"))
}

fn parse_receipt(receipt: &Receipt) -> Result<(Uuid, i64), Unavailable> {
    receipt
        .0
        .split_once(':')
        .and_then(|(id, count)| Some((id.parse().ok()?, count.parse().ok()?)))
        .ok_or_else(|| Unavailable::new(ForeignReceipt))
}

impl<DB> Queue for SqlQueue<DB>
where
    DB: JobsDialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> (Uuid, String, i64): FromRow<'r, DB::Row>,
{
    #[tracing::instrument(name = "queue.send", skip_all, fields(queue = %self.name, count = bodies.len()))]
    async fn send(&self, bodies: &[String]) -> Result<(), Unavailable> {
        let mut tx = self.db.begin().await?;
        let now = now_ms();
        for body in bodies {
            sqlx::query(INSERT)
                .bind(Uuid::now_v7())
                .bind(self.name.as_str())
                .bind(body.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.db.unavailable(e))?;
        }
        self.db.commit(tx).await
    }

    #[tracing::instrument(name = "queue.receive", skip_all, fields(queue = %self.name))]
    async fn receive(&self, max: u16, visibility: Duration) -> Result<Vec<Delivery>, Unavailable> {
        let pool = self.db.pool().await?;
        let now = now_ms();
        let max_receives = i64::from(self.max_receives);
        sqlx::query(EXPIRE)
            .bind(self.name.as_str())
            .bind(now)
            .bind(max_receives)
            .execute(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        let rows: Vec<(Uuid, String, i64)> = sqlx::query_as(DB::RECEIVE)
            .bind(self.name.as_str())
            .bind(now)
            .bind(now.saturating_add(ms(visibility)))
            .bind(i64::from(max))
            .bind(max_receives)
            .fetch_all(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(rows
            .into_iter()
            .map(|(id, body, count)| Delivery {
                message_id: id.to_string(),
                receipt: receipt(id, count),
                body,
                receive_count: u32::try_from(count).unwrap_or(u32::MAX),
            })
            .collect())
    }

    async fn delete(&self, receipt: &Receipt) -> Result<(), Unavailable> {
        self.by_receipt(DELETE, receipt, None).await
    }

    async fn retry_after(&self, receipt: &Receipt, delay: Duration) -> Result<(), Unavailable> {
        let at = now_ms().saturating_add(ms(delay));
        self.by_receipt(DELAY, receipt, Some(at)).await
    }

    async fn dead_letter(&self, delivery: &Delivery) -> Result<(), Unavailable> {
        self.by_receipt(KILL, &delivery.receipt, Some(now_ms()))
            .await
    }
}

impl<DB> DeadLetters for SqlQueue<DB>
where
    DB: JobsDialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> (Uuid, String): FromRow<'r, DB::Row>,
{
    /// Dead letters stay in their rows while listed, so `hold` is not needed here.
    async fn list(&self, max: usize, _hold: Duration) -> Result<Vec<DeadLetter>, Unavailable> {
        let pool = self.db.pool().await?;
        let rows: Vec<(Uuid, String)> = sqlx::query_as(LIST_DEAD)
            .bind(self.name.as_str())
            .bind(i64::try_from(max).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(rows
            .into_iter()
            .map(|(id, body)| DeadLetter {
                message_id: id.to_string(),
                receipt: Receipt(id.to_string()),
                body,
            })
            .collect())
    }

    /// Listing holds nothing here.
    async fn release(&self, _letters: &[DeadLetter]) -> Result<(), Unavailable> {
        Ok(())
    }

    async fn replay(&self, letter: &DeadLetter) -> Result<(), Unavailable> {
        let id: Uuid = letter
            .receipt
            .0
            .parse()
            .map_err(|_| Unavailable::new(ForeignReceipt))?;
        let pool = self.db.pool().await?;
        sqlx::query(REPLAY)
            .bind(id)
            .bind(now_ms())
            .execute(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(())
    }

    async fn purge(&self) -> Result<(), Unavailable> {
        let pool = self.db.pool().await?;
        sqlx::query(PURGE)
            .bind(self.name.as_str())
            .execute(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(())
    }
}
