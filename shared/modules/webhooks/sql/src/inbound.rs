//! Verified inbound deliveries, recorded as [`InboundReceived`] events in the outbox of the
//! home database, from which the relay publishes them to the job queue.

use std::sync::Arc;

use database::{Db, Dialect, outbox};
use kernel::{Clock, Envelope, Unavailable};
use sqlx::types::Json;
use sqlx::{Encode, Executor, IntoArguments, Type};
use time::OffsetDateTime;
use uuid::Uuid;
use webhooks::{InboundDelivery, InboundReceived, InboundSink};

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
        outbox::append(&mut *tx, &Envelope::wrap(&event, self.clock.now()))
            .await
            .map_err(|e| self.db.unavailable(e))?;
        self.db.commit(tx).await
    }
}
