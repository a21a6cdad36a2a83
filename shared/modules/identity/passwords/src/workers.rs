//! A fixed set of low-priority threads that run CPU-heavy jobs handed over from async code.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

pub(crate) struct Workers {
    jobs: Mutex<Sender<Job>>,
}

#[derive(Debug, thiserror::Error)]
#[error("the hashing workers are gone")]
pub(crate) struct WorkersGone;

impl Workers {
    pub(crate) fn start(count: usize) -> Self {
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
        }
    }

    /// Runs `work` on a worker thread and waits for its result without blocking the executor.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, WorkersGone> {
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(work());
        });
        self.jobs
            .lock()
            .map_err(|_| WorkersGone)?
            .send(job)
            .map_err(|_| WorkersGone)?;
        result.await.map_err(|_| WorkersGone)
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
        let workers = Workers::start(1);
        let nice = workers.run(own_niceness).await.ok();
        assert!(nice.is_some_and(|n| n > 0), "worker niceness {nice:?}");
        assert_eq!(own_niceness(), 0);
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone() {
        let workers = Workers::start(1);
        let failed = workers.run(|| -> u8 { panic!("boom") }).await;
        assert!(failed.is_err());
        assert_eq!(workers.run(|| 7).await.ok(), Some(7));
    }
}
