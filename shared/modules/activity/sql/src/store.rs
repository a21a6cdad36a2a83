//! Usage in the `activity_member_daily` and `activity_user_daily` tables; members and when
//! they joined from the tenancy module's published `tenant_members` view.
//!
//! With shards (see [`database::shards`]), a tenant's member-days live on its shard, with its
//! members. User-days (logins) belong to users, not tenants: every database keeps all of them,
//! so that each shard joins its tenants' members with their logins locally.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use activity::{ActivityStore, Batch, DayActivity, MemberCalls, UserLogins};
use database::{Access, Db, Dialect, Shard};
use kernel::{TenantId, Unavailable, UserId};
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use time::Date;
use uuid::Uuid;

use crate::ActivityDialect;
use crate::sql;

#[derive(Debug)]
pub struct SqlActivity<DB: ActivityDialect> {
    db: Db<DB>,
    /// What failed flushes committed on some databases (see the flush).
    written: Mutex<Written>,
}

impl<DB: ActivityDialect> SqlActivity<DB> {
    pub fn new(db: Db<DB>) -> Self {
        Self {
            db,
            written: Mutex::default(),
        }
    }

    fn written(&self) -> MutexGuard<'_, Written> {
        self.written.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Counts that a failed flush committed. Its caller puts the batch back and flushes it again
/// with its next one, so these counts come again: the next flush leaves them out where they are
/// written already. This holds for batches flushed one after another, as the recorder does.
#[derive(Debug, Default)]
struct Written {
    /// Calls by key, whichever shard holds them: a tenant's move carries them along.
    calls: BTreeMap<(TenantId, Date, UserId), u64>,
    /// Logins by database, then key: each database holds its own copy.
    logins: BTreeMap<String, BTreeMap<(UserId, Date), u64>>,
}

impl Written {
    /// Only the counts of keys that `batch` holds: a key the caller could not put back (its
    /// buffer was full) is not flushed again.
    fn within(mut self, batch: &Batch) -> Self {
        let calls: BTreeSet<_> = batch.api_calls.iter().map(call_key).collect();
        let logins: BTreeSet<_> = batch.logins.iter().map(login_key).collect();
        self.calls.retain(|key, _| calls.contains(key));
        for held in self.logins.values_mut() {
            held.retain(|key, _| logins.contains(key));
        }
        self
    }

    /// `share` was committed whole.
    fn record<DB: Dialect>(&mut self, share: &Share<DB>) {
        for c in &share.calls {
            self.calls.insert(call_key(c), c.calls);
        }
        let logins = share.logins.iter().map(|l| (login_key(l), l.logins));
        self.logins
            .insert(share.shard.name.clone(), logins.collect());
    }

    fn extend(&mut self, other: Self) {
        self.calls.extend(other.calls);
        for (database, logins) in other.logins {
            self.logins.entry(database).or_default().extend(logins);
        }
    }
}

fn call_key(c: &MemberCalls) -> (TenantId, Date, UserId) {
    (c.tenant_id, c.day, c.user_id)
}

fn login_key(l: &UserLogins) -> (UserId, Date) {
    (l.user_id, l.day)
}

/// One database's part of a batch.
struct Share<DB: Dialect> {
    shard: Shard<DB>,
    calls: Vec<MemberCalls>,
    logins: Vec<UserLogins>,
}

impl<DB: Dialect> Share<DB> {
    /// The counts of this share that `written` does not hold yet.
    fn rest(&self, written: &Written) -> (Vec<MemberCalls>, Vec<UserLogins>) {
        let calls = self.calls.iter().filter_map(|c| {
            let done = written.calls.get(&call_key(c)).copied().unwrap_or(0);
            let calls = c.calls.saturating_sub(done);
            (calls > 0).then_some(MemberCalls { calls, ..*c })
        });
        let here = written.logins.get(&self.shard.name);
        let logins = self.logins.iter().filter_map(|l| {
            let done = here
                .and_then(|h| h.get(&login_key(l)))
                .copied()
                .unwrap_or(0);
            let logins = l.logins.saturating_sub(done);
            (logins > 0).then_some(UserLogins { logins, ..*l })
        });
        (calls.collect(), logins.collect())
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
    /// Adds each database's share of the batch in one transaction there: a tenant's calls on
    /// its shard, every login on every database. Without shards, that is one transaction.
    ///
    /// Several databases cannot commit as one. When one fails, or a tenant is being moved and
    /// its calls must wait, the flush fails although other databases may have committed their
    /// share. The caller then puts the batch back and flushes it with its next one (see
    /// [`activity::ActivityBuffer::restore`]); this store remembers what was committed, and
    /// that next flush leaves it out. So each count is written once, and a tenant being moved
    /// holds back only its own calls.
    #[tracing::instrument(name = "activity.flush", skip_all, fields(
        api_calls = batch.api_calls.len(), logins = batch.logins.len()))]
    async fn flush(&self, batch: &Batch) -> Result<(), Unavailable> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut written = std::mem::take(&mut *self.written()).within(batch);
        let (shares, mut failure) = self.shares(batch).await;
        // A tenant's calls are in one share, and each share has its own logins: what one share
        // committed changes nothing of another's rest.
        for share in &shares {
            let (calls, logins) = share.rest(&written);
            match write(&share.shard.db, &calls, &logins).await {
                Ok(()) => written.record(share),
                Err(err) => {
                    failure.get_or_insert(err);
                }
            }
        }
        match failure {
            None => Ok(()),
            Some(err) => {
                self.written().extend(written);
                Err(err)
            }
        }
    }

    #[tracing::instrument(name = "activity.dashboard_rows", skip_all, fields(tenant_id = %tenant))]
    async fn dashboard_rows(
        &self,
        tenant: TenantId,
        from: Date,
        to: Date,
    ) -> Result<Vec<DayActivity>, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let pool = db.read_pool().await?;
        let fail = |e| db.unavailable(e);
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
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let row: Option<(String,)> = sqlx::query_as(sql::SELECT_MEMBER)
            .bind(tenant.as_uuid())
            .bind(user.as_uuid())
            .fetch_optional(db.read_pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        Ok(row.is_some())
    }
}

impl<DB: ActivityDialect> SqlActivity<DB> {
    /// The batch split by database: each tenant's calls go to its shard, every login to every
    /// database. The calls of a tenant that cannot be written now (it is being moved) are in no
    /// share, and the error says why.
    async fn shares(&self, batch: &Batch) -> (Vec<Share<DB>>, Option<Unavailable>) {
        let mut shares: Vec<Share<DB>> = self
            .db
            .shards()
            .into_iter()
            .map(|shard| Share {
                shard,
                calls: Vec::new(),
                logins: batch.logins.clone(),
            })
            .collect();
        let mut failure = None;
        for calls in batch.api_calls.chunk_by(|a, b| a.tenant_id == b.tenant_id) {
            match self.share_of(calls[0].tenant_id, &shares).await {
                Ok(share) => shares[share].calls.extend_from_slice(calls),
                Err(err) => {
                    failure.get_or_insert(err);
                }
            }
        }
        (shares, failure)
    }

    /// The share of the shard that serves `tenant`, if the tenant's data may be written.
    async fn share_of(&self, tenant: TenantId, shares: &[Share<DB>]) -> Result<usize, Unavailable> {
        // Refuses a tenant being moved.
        self.db.shard_for(tenant, Access::Write).await?;
        for (i, share) in shares.iter().enumerate() {
            if self.db.routes_to(tenant, &share.shard.name).await? {
                return Ok(i);
            }
        }
        Err(Unavailable::new(format!(
            "no configured shard serves tenant {tenant}"
        )))
    }
}

/// Adds `calls` and `logins` to the counts on `db`, in one transaction.
async fn write<DB>(
    db: &Db<DB>,
    calls: &[MemberCalls],
    logins: &[UserLogins],
) -> Result<(), Unavailable>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> Date: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    if calls.is_empty() && logins.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let fail = |e| db.unavailable(e);
    for chunk in calls.chunks(sql::CHUNK) {
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
    for chunk in logins.chunks(sql::CHUNK) {
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
    db.commit(tx).await
}
