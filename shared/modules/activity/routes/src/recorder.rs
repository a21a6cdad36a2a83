//! Usage counted as it happens, written to the store in batches off the request path.
//!
//! A request or login only adds to an in-memory [`ActivityBuffer`]. A task flushes the buffer
//! every [`FLUSH_EVERY`], and sooner once it holds [`FLUSH_AT`] keys; each flush is one
//! transaction that adds the batch to the stored counts, so instances never overwrite each
//! other. What an instance counted since its last flush is lost if it dies before the next
//! one: at most [`FLUSH_EVERY`] of its usage (a frozen Lambda instance flushes when it thaws).
//! A flush that fails puts its batch back for the next one; the buffer's bound
//! ([`activity::MAX_KEYS`]) caps the memory that can take meanwhile.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use activity::{ActivityBuffer, ActivityStore, DynActivityStore};
use kernel::{Clock, TenantId, Unavailable, UserId};
use time::{Date, UtcOffset};
use tokio::sync::Notify;

/// How often the buffer is written to the store.
pub const FLUSH_EVERY: Duration = Duration::from_secs(10);

/// A buffer holding this many keys is written at once, without waiting for the next tick.
pub const FLUSH_AT: usize = 1_000;

struct Inner {
    buffer: Mutex<ActivityBuffer>,
    store: Arc<DynActivityStore<'static>>,
    clock: Arc<dyn Clock>,
}

/// The [`web::ActivitySink`] of a process. Cheap to clone; every clone shares one buffer.
#[derive(Clone)]
pub struct ActivityRecorder {
    inner: Arc<Inner>,
    wake: Arc<Notify>,
}

impl ActivityRecorder {
    /// A recorder over `store`, with its flushing task. Must be called inside a Tokio runtime;
    /// the task ends once every clone of the recorder is dropped.
    pub fn start(store: Arc<DynActivityStore<'static>>, clock: Arc<dyn Clock>) -> Self {
        let recorder = Self {
            inner: Arc::new(Inner {
                buffer: Mutex::new(ActivityBuffer::default()),
                store,
                clock,
            }),
            wake: Arc::new(Notify::new()),
        };
        tokio::spawn(flushing(
            Arc::downgrade(&recorder.inner),
            recorder.wake.clone(),
        ));
        recorder
    }

    /// Writes what the buffer holds now: for shutdown, and for tests that read the counts.
    pub async fn flush(&self) -> Result<(), Unavailable> {
        flush(&self.inner).await
    }

    fn today(&self) -> Date {
        self.inner.clock.now().to_offset(UtcOffset::UTC).date()
    }

    fn counted(&self, buffer: MutexGuard<'_, ActivityBuffer>) {
        let full = buffer.keys() >= FLUSH_AT;
        drop(buffer);
        if full {
            self.wake.notify_one();
        }
    }
}

impl web::ActivitySink for ActivityRecorder {
    fn api_call(&self, tenant: TenantId, user: UserId) {
        let day = self.today();
        let mut buffer = lock(&self.inner.buffer);
        buffer.api_calls(tenant, user, day, 1);
        self.counted(buffer);
    }

    fn login(&self, user: UserId) {
        let day = self.today();
        let mut buffer = lock(&self.inner.buffer);
        buffer.logins(user, day, 1);
        self.counted(buffer);
    }
}

fn lock(buffer: &Mutex<ActivityBuffer>) -> MutexGuard<'_, ActivityBuffer> {
    buffer.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn flush(inner: &Inner) -> Result<(), Unavailable> {
    let batch = lock(&inner.buffer).take();
    if batch.dropped > 0 {
        tracing::warn!(
            dropped = batch.dropped,
            "activity buffer full: counts dropped"
        );
    }
    if batch.is_empty() {
        return Ok(());
    }
    if let Err(err) = inner.store.flush(&batch).await {
        lock(&inner.buffer).restore(batch);
        return Err(err);
    }
    Ok(())
}

/// Flushes on every tick and whenever the buffer fills, until the recorder is gone.
async fn flushing(inner: Weak<Inner>, wake: Arc<Notify>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = wake.notified() => {}
        }
        let Some(inner) = inner.upgrade() else {
            return;
        };
        if let Err(err) = flush(&inner).await {
            tracing::warn!(error = %err, "activity flush failed; the next one retries");
        }
    }
}

#[cfg(test)]
mod tests {
    use activity::{ActivityStore, MemoryActivity};
    use kernel::SystemClock;
    use time::OffsetDateTime;
    use web::ActivitySink;

    use super::*;

    fn recorder(store: &MemoryActivity) -> ActivityRecorder {
        ActivityRecorder::start(
            DynActivityStore::new_arc(store.clone()),
            Arc::new(SystemClock),
        )
    }

    async fn calls_today(store: &MemoryActivity, tenant: TenantId) -> (u64, u64) {
        let today = OffsetDateTime::now_utc().date();
        let rows = store.dashboard_rows(tenant, today, today).await.unwrap();
        rows.iter()
            .fold((0, 0), |(m, c), r| (m + r.active_members, c + r.api_calls))
    }

    #[tokio::test]
    async fn counts_reach_the_store_only_when_flushed() {
        let store = MemoryActivity::default();
        let (tenant, ada) = (TenantId::generate(), UserId::generate());
        let recorder = recorder(&store);
        recorder.api_call(tenant, ada);
        recorder.api_call(tenant, ada);
        assert_eq!(calls_today(&store, tenant).await, (0, 0));
        recorder.flush().await.unwrap();
        assert_eq!(calls_today(&store, tenant).await, (1, 2));
        // Flushed counts are gone from the buffer: a second flush adds nothing.
        recorder.flush().await.unwrap();
        assert_eq!(calls_today(&store, tenant).await, (1, 2));
    }

    #[tokio::test]
    async fn a_full_buffer_is_flushed_without_waiting_for_the_tick() {
        let store = MemoryActivity::default();
        let tenant = TenantId::generate();
        let recorder = recorder(&store);
        // Let the task take its first, immediate tick.
        tokio::task::yield_now().await;
        for _ in 0..FLUSH_AT {
            recorder.api_call(tenant, UserId::generate());
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while calls_today(&store, tenant).await.1 < FLUSH_AT as u64 {
            assert!(tokio::time::Instant::now() < deadline, "not flushed");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(calls_today(&store, tenant).await, (1000, 1000));
    }
}
