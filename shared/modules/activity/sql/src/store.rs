//! Usage in the `activity_member_daily` and `activity_user_daily` tables; members and when
//! they joined from the tenancy module's published `tenant_members` view.

use activity::{ActivityStore, Batch, DayActivity};
use database::Db;
use kernel::{TenantId, Unavailable, UserId};
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use time::Date;
use uuid::Uuid;

use crate::ActivityDialect;
use crate::sql;

#[derive(Debug)]
pub struct SqlActivity<DB: ActivityDialect> {
    db: Db<DB>,
}

impl<DB: ActivityDialect> SqlActivity<DB> {
    pub fn new(db: Db<DB>) -> Self {
        Self { db }
    }
}

/// A count as the databases keep it.
fn stored(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// A count as the domain reads it; a negative one cannot pass the tables' checks.
fn count(raw: i64) -> u64 {
    u64::try_from(raw).unwrap_or(0)
}

impl<DB> ActivityStore for SqlActivity<DB>
where
    DB: ActivityDialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> Date: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> (String,): FromRow<'r, DB::Row>,
    for<'r> (Date, i64): FromRow<'r, DB::Row>,
    for<'r> (Date, i64, i64): FromRow<'r, DB::Row>,
{
    #[tracing::instrument(name = "activity.flush", skip_all, fields(
        api_calls = batch.api_calls.len(), logins = batch.logins.len()))]
    async fn flush(&self, batch: &Batch) -> Result<(), Unavailable> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        let fail = |e| self.db.unavailable(e);
        for chunk in batch.api_calls.chunks(sql::CHUNK) {
            let statement = sql::upsert_calls(chunk.len());
            let mut query = sqlx::query(&statement);
            for c in chunk {
                query = query
                    .bind(c.tenant_id.as_uuid())
                    .bind(c.day)
                    .bind(c.user_id.as_uuid())
                    .bind(stored(c.calls));
            }
            query.execute(&mut *tx).await.map_err(fail)?;
        }
        for chunk in batch.logins.chunks(sql::CHUNK) {
            let statement = sql::upsert_logins(chunk.len());
            let mut query = sqlx::query(&statement);
            for l in chunk {
                query = query
                    .bind(l.user_id.as_uuid())
                    .bind(l.day)
                    .bind(stored(l.logins));
            }
            query.execute(&mut *tx).await.map_err(fail)?;
        }
        self.db.commit(tx).await
    }

    #[tracing::instrument(name = "activity.dashboard_rows", skip_all, fields(tenant_id = %tenant))]
    async fn dashboard_rows(
        &self,
        tenant: TenantId,
        from: Date,
        to: Date,
    ) -> Result<Vec<DayActivity>, Unavailable> {
        let pool = self.db.read_pool().await?;
        let fail = |e| self.db.unavailable(e);
        let signups: Vec<(Date, i64)> = sqlx::query_as(DB::SELECT_SIGNUPS)
            .bind(tenant.as_uuid())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
            .map_err(fail)?;
        let logins: Vec<(Date, i64)> = sqlx::query_as(sql::SELECT_LOGINS)
            .bind(tenant.as_uuid())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
            .map_err(fail)?;
        let calls: Vec<(Date, i64, i64)> = sqlx::query_as(sql::SELECT_CALLS)
            .bind(tenant.as_uuid())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
            .map_err(fail)?;
        let signups = signups.into_iter().map(|(day, n)| DayActivity {
            signups: count(n),
            ..DayActivity::zero(day)
        });
        let logins = logins.into_iter().map(|(day, n)| DayActivity {
            logins: count(n),
            ..DayActivity::zero(day)
        });
        let calls = calls.into_iter().map(|(day, members, n)| DayActivity {
            active_members: count(members),
            api_calls: count(n),
            ..DayActivity::zero(day)
        });
        Ok(signups.chain(logins).chain(calls).collect())
    }

    #[tracing::instrument(name = "activity.is_member", skip_all, fields(tenant_id = %tenant))]
    async fn is_member(&self, tenant: TenantId, user: UserId) -> Result<bool, Unavailable> {
        let row: Option<(String,)> = sqlx::query_as(sql::SELECT_MEMBER)
            .bind(tenant.as_uuid())
            .bind(user.as_uuid())
            .fetch_optional(self.db.read_pool().await?)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(row.is_some())
    }
}
