//! Verified inbound deliveries, recorded as [`InboundReceived`] events in the outbox of the
//! home database, from which the relay publishes them to the job queue. The delivery's id is
//! kept in the same transaction, so a provider's repeat of a message is recorded once.

use std::sync::Arc;

use database::{Db, Dialect, outbox};
use kernel::{Clock, Envelope, Unavailable};
use sqlx::types::Json;
use sqlx::{Encode, Executor, IntoArguments, Type};
use time::OffsetDateTime;
use uuid::Uuid;
use webhooks::{InboundDelivery, InboundReceived, InboundSink};

use crate::sql;

pub struct SqlInbound<DB: Dialect> {
    db: Db<DB>,
    clock: Arc<dyn Clock>,
}

impl<DB: Dialect> SqlInbound<DB> {
    pub fn new(db: Db<DB>, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }
}

impl<DB> InboundSink for SqlInbound<DB>
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
    #[tracing::instrument(name = "webhooks.inbound", skip_all)]
    async fn accept(&self, delivery: &InboundDelivery) -> Result<(), Unavailable> {
        let event = InboundReceived::of(delivery).map_err(|e| Unavailable::new(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let recorded = sqlx::query(sql::INSERT_INBOUND_ID)
            .bind(delivery.id.as_str())
            .bind(self.clock.now())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        if DB::rows_affected(&recorded) == 0 {
            tracing::info!(webhook_id = %delivery.id, "a repeat of a recorded delivery; not recorded again");
            return self.db.commit(tx).await;
        }
        outbox::append(&mut *tx, &Envelope::wrap(&event, self.clock.now()))
            .await
            .map_err(|e| self.db.unavailable(e))?;
        self.db.commit(tx).await
    }
}
