//! The transactional outbox: events are written in the same transaction as the change they
//! describe, and published from there after the commit.

use kernel::Envelope;
use sqlx::types::Json;
use sqlx::{Encode, Executor, IntoArguments, Type};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Dialect;

const INSERT: &str = "INSERT INTO outbox (id, event_type, event_version, tenant_id, payload, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6)";

/// Appends `envelope` within the caller's transaction.
pub async fn append<DB>(conn: &mut DB::Connection, envelope: &Envelope) -> Result<(), sqlx::Error>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> Option<Uuid>: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i16: Encode<'q, DB> + Type<DB>,
    for<'q> Json<&'q serde_json::Value>: Encode<'q, DB> + Type<DB>,
    for<'q> OffsetDateTime: Encode<'q, DB> + Type<DB>,
{
    sqlx::query(INSERT)
        .bind(envelope.id.as_uuid())
        .bind(envelope.kind.as_str())
        .bind(i16::try_from(envelope.version).unwrap_or(i16::MAX))
        .bind(envelope.tenant_id.map(|t| t.as_uuid()))
        .bind(Json(&envelope.payload))
        .bind(envelope.occurred_at)
        .execute(conn)
        .await?;
    Ok(())
}
