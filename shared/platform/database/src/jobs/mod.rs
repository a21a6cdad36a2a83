//! The SQL adapters of the jobs ports: the embedded queue, the idempotency ledger, and the
//! relay's side of the outbox. They run on either driver; what differs is whether a claim may
//! skip rows another transaction holds (PostgreSQL's `FOR UPDATE SKIP LOCKED`) or takes the
//! database's single write lock (SQLite).

pub(crate) mod ledger;
pub(crate) mod outbox;
pub(crate) mod queue;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jobs::{
    DeadLetters, DynDeadLetters, DynLedger, DynOutbox, DynQueue, Ledger, Outbox, Outboxes, Queue,
};
pub use ledger::SqlLedger;
pub use outbox::SqlOutbox;
pub use queue::SqlQueue;
use sqlx::{Postgres, Sqlite};

use crate::{Backend, Db, Dialect};

/// The jobs ports on the configured database.
#[derive(Clone)]
pub struct SqlJobs {
    pub queue: Arc<DynQueue<'static>>,
    pub dead_letters: Arc<DynDeadLetters<'static>>,
    pub outbox: Arc<DynOutbox<'static>>,
    pub ledger: Arc<DynLedger<'static>>,
}

impl std::fmt::Debug for SqlJobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlJobs").finish_non_exhaustive()
    }
}

/// The embedded queue named `queue`, which dead-letters a message received `max_receives`
/// times, with the outbox and ledger of the same database.
pub fn sql_jobs(backend: &Backend, queue: &str, max_receives: u32) -> SqlJobs {
    match backend {
        Backend::Postgres(db) => on(db, queue, max_receives),
        Backend::Sqlite(db) => on(db, queue, max_receives),
    }
}

fn on<DB: JobsDialect>(db: &Db<DB>, queue: &str, max_receives: u32) -> SqlJobs
where
    SqlQueue<DB>: Queue + DeadLetters + 'static,
    SqlOutbox<DB>: Outbox + 'static,
    SqlLedger<DB>: Ledger + 'static,
{
    let q = SqlQueue::new(db.clone(), queue, max_receives);
    SqlJobs {
        queue: Arc::from(DynQueue::new_box(q.clone())),
        dead_letters: Arc::from(DynDeadLetters::new_box(q)),
        outbox: Arc::from(outbox(db)),
        ledger: Arc::from(DynLedger::new_box(SqlLedger::new(db.clone()))),
    }
}

/// The database's outbox, or with shards every shard's, relayed as one.
fn outbox<DB: JobsDialect>(db: &Db<DB>) -> Box<DynOutbox<'static>>
where
    SqlOutbox<DB>: Outbox + 'static,
{
    if !db.is_sharded() {
        return DynOutbox::new_box(SqlOutbox::new(db.clone()));
    }
    let each = db
        .shards()
        .into_iter()
        .map(|shard| DynOutbox::new_box(SqlOutbox::new(shard.db)));
    DynOutbox::new_box(Outboxes(each.collect()))
}

/// The claim statements, whose locking differs by driver.
pub trait JobsDialect: Dialect {
    /// Hides up to `$4` visible messages of queue `$1` (visible at `$2`, received fewer than
    /// `$5` times) until `$3`, counting the receipt.
    const RECEIVE: &'static str;
    /// Leases up to `$3` unpublished envelopes whose lease ended before `$2` until `$1`.
    const CLAIM_OUTBOX: &'static str;
}

impl JobsDialect for Postgres {
    const RECEIVE: &'static str = "UPDATE job_queue SET receive_count = receive_count + 1, visible_at = $3 \
         WHERE id IN (SELECT id FROM job_queue WHERE queue = $1 AND dead_at IS NULL \
         AND visible_at <= $2 AND receive_count < $5 ORDER BY visible_at LIMIT $4 \
         FOR UPDATE SKIP LOCKED) RETURNING id, body, receive_count";
    const CLAIM_OUTBOX: &'static str = "UPDATE outbox SET relay_lease_until = $1 \
         WHERE id IN (SELECT id FROM outbox WHERE published_at IS NULL \
         AND (relay_lease_until IS NULL OR relay_lease_until < $2) ORDER BY created_at LIMIT $3 \
         FOR UPDATE SKIP LOCKED) \
         RETURNING id, event_type, event_version, tenant_id, payload, created_at";
}

impl JobsDialect for Sqlite {
    const RECEIVE: &'static str = "UPDATE job_queue SET receive_count = receive_count + 1, visible_at = $3 \
         WHERE id IN (SELECT id FROM job_queue WHERE queue = $1 AND dead_at IS NULL \
         AND visible_at <= $2 AND receive_count < $5 ORDER BY visible_at LIMIT $4) \
         RETURNING id, body, receive_count";
    const CLAIM_OUTBOX: &'static str = "UPDATE outbox SET relay_lease_until = $1 \
         WHERE id IN (SELECT id FROM outbox WHERE published_at IS NULL \
         AND (relay_lease_until IS NULL OR relay_lease_until < $2) ORDER BY created_at LIMIT $3) \
         RETURNING id, event_type, event_version, tenant_id, payload, created_at";
}

/// Milliseconds since the epoch, the queue's unit of time.
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
