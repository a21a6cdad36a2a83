//! Endpoints and their delivery log in the `webhook_endpoints` and `webhook_deliveries`
//! tables; roles from the tenancy module's published `tenant_members` view. Every query runs
//! on the shard that holds the tenant's data (see [`database::shards`]), the view included.

use database::{Access, Db, outbox};
use kernel::{Envelope, EventId, TenantId, Unavailable, UserId};
use sqlx::types::Json;
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use time::OffsetDateTime;
use uuid::Uuid;
use webhooks::rules::{self, Streak};
use webhooks::{
    Attempt, Delivery, DeliveryId, Endpoint, EndpointDisabled, EndpointId, Endpoints, NewEndpoint,
    Outcome, Recorded, Role, Target, WebhooksError,
};

use crate::WebhooksDialect;
use crate::rows::{DeliveryRow, EndpointRow, TargetRow, corrupt};
use crate::sql;

#[derive(Debug)]
pub struct SqlEndpoints<DB: WebhooksDialect> {
    db: Db<DB>,
}

impl<DB: WebhooksDialect> SqlEndpoints<DB> {
    pub fn new(db: Db<DB>) -> Self {
        Self { db }
    }
}

impl<DB> Endpoints for SqlEndpoints<DB>
where
    DB: WebhooksDialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> Option<Uuid>: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
    for<'q> i16: Encode<'q, DB> + Type<DB>,
    for<'q> i32: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i32>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Json<&'q serde_json::Value>: Encode<'q, DB> + Type<DB>,
    for<'q> OffsetDateTime: Encode<'q, DB> + Type<DB>,
    for<'r> EndpointRow: FromRow<'r, DB::Row>,
    for<'r> TargetRow: FromRow<'r, DB::Row>,
    for<'r> DeliveryRow: FromRow<'r, DB::Row>,
    for<'r> (String,): FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'r> (String, bool, i32): FromRow<'r, DB::Row>,
{
    #[tracing::instrument(name = "webhooks.role", skip_all, fields(tenant_id = %tenant))]
    async fn role(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let row: Option<(String,)> = sqlx::query_as(sql::SELECT_ROLE)
            .bind(tenant.as_uuid())
            .bind(user.as_uuid())
            .fetch_optional(db.read_pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        row.map(|(raw,)| Role::parse(&raw).ok_or_else(|| corrupt("role")))
            .transpose()
    }

    #[tracing::instrument(name = "webhooks.create", skip_all, fields(tenant_id = %new.endpoint.tenant_id))]
    async fn create(&self, new: &NewEndpoint, max: u32) -> Result<(), WebhooksError> {
        let endpoint = &new.endpoint;
        let db = self.db.shard_for(endpoint.tenant_id, Access::Write).await?;
        let mut tx = db.begin().await?;
        let fail = |e| db.unavailable(e);
        let (count,): (i64,) = sqlx::query_as(sql::COUNT_ENDPOINTS)
            .bind(endpoint.tenant_id.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(fail)?;
        if count >= i64::from(max) {
            return Err(WebhooksError::TooManyEndpoints);
        }
        let secret = new.secret.expose();
        sqlx::query(sql::INSERT_ENDPOINT)
            .bind(endpoint.id.as_uuid())
            .bind(endpoint.tenant_id.as_uuid())
            .bind(endpoint.url.as_str())
            .bind(endpoint.description.as_ref().map(|d| d.as_str()))
            .bind(secret.as_str())
            .bind(endpoint.enabled)
            .bind(i32::try_from(endpoint.consecutive_failures).unwrap_or(i32::MAX))
            .bind(endpoint.created_at)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        Ok(db.commit(tx).await?)
    }

    #[tracing::instrument(name = "webhooks.list", skip_all, fields(tenant_id = %tenant))]
    async fn list(&self, tenant: TenantId) -> Result<Vec<Endpoint>, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let rows: Vec<EndpointRow> = sqlx::query_as(sql::SELECT_ENDPOINTS)
            .bind(tenant.as_uuid())
            .fetch_all(db.read_pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(name = "webhooks.endpoint", skip_all, fields(tenant_id = %tenant))]
    async fn endpoint(
        &self,
        tenant: TenantId,
        id: EndpointId,
    ) -> Result<Option<Endpoint>, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let row: Option<EndpointRow> = sqlx::query_as(sql::SELECT_ENDPOINT)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(db.read_pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        row.map(TryInto::try_into).transpose()
    }

    #[tracing::instrument(name = "webhooks.delete", skip_all, fields(tenant_id = %tenant))]
    async fn delete(&self, tenant: TenantId, id: EndpointId) -> Result<bool, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Write).await?;
        let mut tx = db.begin().await?;
        let fail = |e| db.unavailable(e);
        sqlx::query(sql::DELETE_DELIVERIES)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        let done = sqlx::query(sql::DELETE_ENDPOINT)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        db.commit(tx).await?;
        Ok(DB::rows_affected(&done) == 1)
    }

    #[tracing::instrument(name = "webhooks.deliveries", skip_all, fields(tenant_id = %tenant))]
    async fn deliveries(
        &self,
        tenant: TenantId,
        endpoint: EndpointId,
        before: Option<DeliveryId>,
        limit: u32,
    ) -> Result<Vec<Delivery>, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let rows: Vec<DeliveryRow> = sqlx::query_as(sql::SELECT_DELIVERIES)
            .bind(tenant.as_uuid())
            .bind(endpoint.as_uuid())
            .bind(before.map(DeliveryId::as_uuid))
            .bind(i64::from(limit))
            .fetch_all(db.read_pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(name = "webhooks.targets", skip_all, fields(tenant_id = %tenant))]
    async fn targets(&self, tenant: TenantId, event: EventId) -> Result<Vec<Target>, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let rows: Vec<TargetRow> = sqlx::query_as(sql::SELECT_TARGETS)
            .bind(tenant.as_uuid())
            .bind(event.as_uuid())
            // The writer: the delivery job runs right after the event's commit, which a
            // replica may not have replayed yet.
            .fetch_all(db.pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(name = "webhooks.record", skip_all, fields(tenant_id = %attempt.tenant_id))]
    async fn record(
        &self,
        attempt: &Attempt,
        threshold: u32,
    ) -> Result<Option<Recorded>, Unavailable> {
        let db = self.db.shard_for(attempt.tenant_id, Access::Write).await?;
        let mut tx = db.begin().await?;
        let fail = |e| db.unavailable(e);
        let tenant = attempt.tenant_id.as_uuid();
        let endpoint = attempt.endpoint_id.as_uuid();
        let locked: Option<(String, bool, i32)> = sqlx::query_as(DB::LOCK_ENDPOINT)
            .bind(tenant)
            .bind(endpoint)
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail)?;
        let Some((url, enabled, failures)) = locked else {
            return Ok(None);
        };
        let (prior,): (i64,) = sqlx::query_as(sql::COUNT_ATTEMPTS)
            .bind(endpoint)
            .bind(attempt.event_id.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(fail)?;
        let seen = Streak {
            enabled,
            consecutive_failures: u32::try_from(failures).map_err(|_| corrupt("failures"))?,
            prior_attempts: u32::try_from(prior).unwrap_or(u32::MAX),
        };
        let succeeded = attempt.outcome.succeeded();
        let recorded = rules::after_attempt(seen, succeeded, threshold);
        let (status, error) = match &attempt.outcome {
            Outcome::Status(code) => (Some(i32::from(*code)), None),
            Outcome::Error(why) => (None, Some(why.as_str())),
        };
        sqlx::query(sql::INSERT_DELIVERY)
            .bind(attempt.id.as_uuid())
            .bind(tenant)
            .bind(endpoint)
            .bind(attempt.event_id.as_uuid())
            .bind(attempt.event_type.as_str())
            .bind(i32::try_from(recorded.attempt).unwrap_or(i32::MAX))
            .bind(status)
            .bind(error)
            .bind(succeeded)
            .bind(i64::from(attempt.duration_ms))
            .bind(attempt.at)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        sqlx::query(sql::UPDATE_STREAK)
            .bind(tenant)
            .bind(endpoint)
            .bind(i32::try_from(recorded.consecutive_failures).unwrap_or(i32::MAX))
            .bind(enabled && !recorded.disabled)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        if recorded.disabled {
            let event = EndpointDisabled {
                tenant_id: attempt.tenant_id,
                endpoint_id: endpoint,
                url,
                consecutive_failures: recorded.consecutive_failures,
            };
            outbox::append(&mut *tx, &Envelope::wrap(&event, attempt.at))
                .await
                .map_err(fail)?;
        }
        db.commit(tx).await?;
        Ok(Some(recorded))
    }
}
