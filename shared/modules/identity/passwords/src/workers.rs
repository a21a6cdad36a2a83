//! A fixed set of low-priority threads that run CPU-heavy jobs handed over from async code,
//! behind a bounded queue: past its capacity a job is refused at once instead of waiting
//! behind work that would outlast its request, and a job whose caller has gone (the client
//! hung up) is skipped rather than run for nobody.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

pub(crate) struct Workers {
    jobs: Mutex<Sender<Job>>,
    /// Jobs queued or running.
    pending: Arc<AtomicUsize>,
    capacity: usize,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum Refused {
    #[error("the hashing workers are gone")]
    Gone,
    #[error("the hashing queue is full")]
    Full,
}

/// Counts a job as pending until it has run, been skipped, or been dropped unrun.
struct Pending(Arc<AtomicUsize>);

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Workers {
    /// `count` threads; at most `capacity` jobs queued or running at once.
    pub(crate) fn start(count: usize, capacity: usize) -> Self {
        let (sender, receiver) = channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..count {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || {
                    deprioritize();
                    loop {
                        let job = match receiver.lock() {
                            Ok(jobs) => jobs.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        // A panicking job drops its reply channel; the worker lives on.
                        let _ = catch_unwind(AssertUnwindSafe(job));
                    }
                });
            if let Err(err) = spawned {
                tracing::error!(error = %err, "could not start a hashing thread");
            }
        }
        Self {
            jobs: Mutex::new(sender),
            pending: Arc::default(),
            capacity: capacity.max(1),
        }
    }

    /// Runs `work` on a worker thread and waits for its result without blocking the executor.
    /// Dropping the returned future before the job starts cancels it.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Refused> {
        if self.pending.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.pending.fetch_sub(1, Ordering::AcqRel);
            return Err(Refused::Full);
        }
        let pending = Pending(Arc::clone(&self.pending));
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _pending = pending;
            if !reply.is_closed() {
                let _ = reply.send(work());
            }
        });
        self.jobs
            .lock()
            .map_err(|_| Refused::Gone)?
            .send(job)
            .map_err(|_| Refused::Gone)?;
        result.await.map_err(|_| Refused::Gone)
    }
}

/// Nice 10 under SCHED_BATCH: the scheduler lets request threads preempt a running hash, yet
/// hashing still progresses under load. Failing to lower priority is harmless.
fn deprioritize() {
    use thread_priority::{
        NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy,
        set_thread_priority_and_policy, thread_native_id,
    };
    let Ok(value) = 23u8.try_into() else { return };
    let policy = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch);
    let result = set_thread_priority_and_policy(
        thread_native_id(),
        ThreadPriority::Crossplatform(value),
        policy,
    );
    if let Err(err) = result {
        tracing::debug!(?err, "hashing threads keep normal priority");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The nice value of the calling thread, from procfs.
    fn own_niceness() -> i64 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
        let after_name = stat.rsplit(')').next().unwrap_or_default();
        // Fields after the command name start at field 3; nice is field 19.
        after_name
            .split_whitespace()
            .nth(16)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    #[tokio::test]
    async fn jobs_run_on_lower_priority_threads() {
        let workers = Workers::start(1, 4);
        let nice = workers.run(own_niceness).await.ok();
        assert!(nice.is_some_and(|n| n > 0), "worker niceness {nice:?}");
        assert_eq!(own_niceness(), 0);
    }

    /// A job that holds its thread until the test lets it go.
    fn blocker(
        workers: &Arc<Workers>,
    ) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<bool>) {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let workers = Arc::clone(workers);
        let handle = tokio::spawn(async move {
            workers
                .run(move || wait.recv().is_ok())
                .await
                .unwrap_or(false)
        });
        (release, handle)
    }

    async fn until_pending(workers: &Workers, n: usize) {
        while workers.pending.load(Ordering::Acquire) != n {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let workers = Arc::new(Workers::start(1, 2));
        let (release, running) = blocker(&workers);
        until_pending(&workers, 1).await;
        let queued = tokio::spawn({
            let workers = Arc::clone(&workers);
            async move { workers.run(|| 2).await.ok() }
        });
        until_pending(&workers, 2).await;
        assert!(matches!(workers.run(|| 3).await, Err(Refused::Full)));
        release.send(()).unwrap();
        assert!(running.await.unwrap());
        assert_eq!(queued.await.unwrap(), Some(2));
        until_pending(&workers, 0).await;
        assert_eq!(workers.run(|| 4).await.ok(), Some(4));
    }

    #[tokio::test]
    async fn a_job_whose_caller_left_is_skipped() {
        let workers = Arc::new(Workers::start(1, 4));
        let (release, running) = blocker(&workers);
        until_pending(&workers, 1).await;
        let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let abandoned = {
            let ran = Arc::clone(&ran);
            workers.run(move || ran.store(true, Ordering::Release))
        };
        // The caller gives up while its job waits behind the blocker.
        let waited = tokio::time::timeout(std::time::Duration::from_millis(20), abandoned).await;
        assert!(waited.is_err());
        release.send(()).unwrap();
        assert!(running.await.unwrap());
        until_pending(&workers, 0).await;
        assert!(
            !ran.load(Ordering::Acquire),
            "no work for a caller that left"
        );
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone() {
        let workers = Workers::start(1, 4);
        let failed = workers.run(|| -> u8 { panic!("boom") }).await;
        assert!(failed.is_err());
        assert_eq!(workers.run(|| 7).await.ok(), Some(7));
    }
}
