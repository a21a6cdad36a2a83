use std::time::Duration;

use jobs::Outbox;
use kernel::{Envelope, EventId, TenantId, Unavailable};
use sqlx::types::Json;
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{JobsDialect, ms, now_ms};
use crate::Db;

pub(crate) const RELEASE: &str =
    "UPDATE outbox SET relay_lease_until = NULL WHERE id = $1 AND published_at IS NULL";
pub(crate) const PUBLISHED: &str =
    "UPDATE outbox SET published_at = $1, relay_lease_until = NULL WHERE id = $2";

/// The relay's side of the `outbox` table.
#[derive(Debug)]
pub struct SqlOutbox<DB: JobsDialect> {
    db: Db<DB>,
}

impl<DB: JobsDialect> SqlOutbox<DB> {
    pub fn new(db: Db<DB>) -> Self {
        Self { db }
    }
}

type Row = (
    Uuid,
    String,
    i16,
    Option<Uuid>,
    Json<serde_json::Value>,
    OffsetDateTime,
);

impl<DB> Outbox for SqlOutbox<DB>
where
    DB: JobsDialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> OffsetDateTime: Encode<'q, DB> + Type<DB>,
    for<'r> Row: FromRow<'r, DB::Row>,
{
    async fn claim(&self, max: u16, lease: Duration) -> Result<Vec<Envelope>, Unavailable> {
        let pool = self.db.pool().await?;
        let now = now_ms();
        let mut rows: Vec<Row> = sqlx::query_as(DB::CLAIM_OUTBOX)
            .bind(now.saturating_add(ms(lease)))
            .bind(now)
            .bind(i64::from(max))
            .fetch_all(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        rows.sort_by_key(|row| row.5);
        Ok(rows
            .into_iter()
            .map(
                |(id, kind, version, tenant, Json(payload), occurred_at)| Envelope {
                    id: EventId::from_uuid(id),
                    kind,
                    version: u16::try_from(version).unwrap_or_default(),
                    tenant_id: tenant.map(TenantId::from_uuid),
                    occurred_at,
                    payload,
                },
            )
            .collect())
    }

    async fn release(&self, ids: &[EventId]) -> Result<(), Unavailable> {
        let mut tx = self.db.begin().await?;
        for id in ids {
            sqlx::query(RELEASE)
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(|e| self.db.unavailable(e))?;
        }
        self.db.commit(tx).await
    }

    async fn mark_published(&self, ids: &[EventId]) -> Result<(), Unavailable> {
        let mut tx = self.db.begin().await?;
        let now = OffsetDateTime::now_utc();
        for id in ids {
            sqlx::query(PUBLISHED)
                .bind(now)
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(|e| self.db.unavailable(e))?;
        }
        self.db.commit(tx).await
    }
}
