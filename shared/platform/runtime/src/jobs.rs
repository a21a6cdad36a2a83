//! Async jobs as each kind of process runs them. An API function relays its outbox after each
//! successful write ([`Jobs::relay_after_writes`]); a worker function serves SQS batches
//! ([`serve_sqs`]); the local server runs the whole loop in-process on the embedded queue
//! ([`work_embedded`]).

use std::sync::{Arc, Once};
use std::time::Duration;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use database::{Backend, sql_jobs};
use futures_util::future::join_all;
use jobs::{
    Delivery, Dispatcher, DynDeadLetters, DynLedger, DynOutbox, DynQueue, Outcome, Queue, Receipt,
};
use jobs_sqs::SqsQueue;
use lambda_http::{LambdaEvent, service_fn};
use tokio::sync::Notify;

use crate::JobsConfig;

/// The name of the embedded queue in the `job_queue` table.
pub const EMBEDDED_QUEUE: &str = "jobs";
/// How long a received message stays hidden while a worker handles it.
pub const VISIBILITY: Duration = Duration::from_secs(30);

/// The queue, its dead letters, the outbox and the idempotency ledger, as configured.
#[derive(Clone)]
pub struct Jobs {
    pub queue: Arc<DynQueue<'static>>,
    pub dead_letters: Arc<DynDeadLetters<'static>>,
    pub outbox: Arc<DynOutbox<'static>>,
    pub ledger: Arc<DynLedger<'static>>,
    relay: Arc<Notify>,
    relay_started: Arc<Once>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs").finish_non_exhaustive()
    }
}

impl Jobs {
    /// The outbox and ledger are always the database's; the queue is SQS when configured.
    /// Nothing here touches the network: an SQS client is built on its first call.
    pub fn new(config: &JobsConfig, backend: &Backend) -> Self {
        match config {
            JobsConfig::Embedded { max_receives } => {
                let sql = sql_jobs(backend, EMBEDDED_QUEUE, *max_receives);
                Self::on(backend, sql.queue, sql.dead_letters)
            }
            JobsConfig::Sqs { queue_url, dlq_url } => {
                Self::on_sqs(backend, SqsQueue::new(queue_url, dlq_url.clone()))
            }
        }
    }

    /// The database's outbox and ledger with `queue`, an SQS queue built by the caller.
    pub fn on_sqs(backend: &Backend, queue: SqsQueue) -> Self {
        Self::on(
            backend,
            Arc::from(DynQueue::new_box(queue.clone())),
            Arc::from(DynDeadLetters::new_box(queue)),
        )
    }

    fn on(
        backend: &Backend,
        queue: Arc<DynQueue<'static>>,
        dead_letters: Arc<DynDeadLetters<'static>>,
    ) -> Self {
        // The outbox and ledger do not depend on the queue's receive limit.
        let sql = sql_jobs(backend, EMBEDDED_QUEUE, 1);
        Self {
            queue,
            dead_letters,
            outbox: sql.outbox,
            ledger: sql.ledger,
            relay: Arc::new(Notify::new()),
            relay_started: Arc::new(Once::new()),
        }
    }

    /// Moves what the outbox holds onto the queue now; answers how many envelopes it moved.
    pub async fn relay(&self) -> Result<usize, kernel::Unavailable> {
        jobs::relay(&self.outbox, &self.queue).await
    }

    /// After each successful write `router` answers, relays the outbox in the background: the
    /// response never waits on the queue, and a queue that is down only delays delivery until
    /// the next write or the scheduled sweeper. Must be called inside a Tokio runtime.
    pub fn relay_after_writes(&self, router: Router) -> Router {
        self.relay_started.call_once(|| {
            let jobs = self.clone();
            tokio::spawn(async move {
                loop {
                    jobs.relay.notified().await;
                    if let Err(err) = jobs.relay().await {
                        tracing::warn!(error = %err, "outbox relay failed; the sweeper will retry");
                    }
                }
            });
        });
        router.layer(axum::middleware::from_fn_with_state(
            self.relay.clone(),
            relay_after_write,
        ))
    }
}

async fn relay_after_write(State(relay): State<Arc<Notify>>, req: Request, next: Next) -> Response {
    let write = !req.method().is_safe();
    let response = next.run(req).await;
    if write && response.status().is_success() {
        relay.notify_one();
    }
    response
}

/// Runs one SQS batch through `dispatcher`, its messages concurrently, and reports the
/// messages to deliver again: a retryable failure is delayed by its backoff and reported; a
/// permanent one is moved to the dead-letter queue and reported done, so one bad message never
/// fails its batch.
pub async fn handle_batch(
    dispatcher: &Dispatcher,
    queue: &DynQueue<'_>,
    event: SqsEvent,
) -> SqsBatchResponse {
    let handled = event.records.into_iter().map(|record| async move {
        let message_id = record.message_id.clone().unwrap_or_default();
        let delivery = Delivery {
            receive_count: record
                .attributes
                .get("ApproximateReceiveCount")
                .and_then(|n| n.parse().ok())
                .unwrap_or(1),
            message_id: message_id.clone(),
            receipt: Receipt(record.receipt_handle.unwrap_or_default()),
            body: record.body.unwrap_or_default(),
        };
        let failed = match dispatcher.process(&delivery).await {
            Outcome::Done => false,
            Outcome::Retry { delay } => {
                if let Err(err) = queue.retry_after(&delivery.receipt, delay).await {
                    tracing::warn!(%message_id, error = %err, "backoff not set; the visibility timeout applies");
                }
                true
            }
            Outcome::Dead { .. } => match queue.dead_letter(&delivery).await {
                Ok(()) => false,
                Err(err) => {
                    tracing::error!(%message_id, error = %err, "not dead-lettered; will be redelivered");
                    true
                }
            },
        };
        failed.then(|| {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message_id;
            failure
        })
    });
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = join_all(handled).await.into_iter().flatten().collect();
    response
}

/// A worker function's Lambda loop: SQS batches in, partial batch failures out.
pub async fn serve_sqs(dispatcher: Dispatcher, jobs: Jobs) -> Result<(), lambda_http::Error> {
    let dispatcher = &dispatcher;
    let jobs = &jobs;
    lambda_http::lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, lambda_http::Error>(handle_batch(dispatcher, &jobs.queue, event.payload).await)
    }))
    .await
}

/// The local stand-in for the relay, SQS and the worker functions: relays the outbox, receives
/// up to ten messages at a time, handles them concurrently and settles each, until `stop`
/// resolves.
pub async fn work_embedded(jobs: Jobs, dispatcher: Dispatcher, stop: impl Future<Output = ()>) {
    let idle = Duration::from_millis(200);
    let work = async {
        loop {
            if let Err(err) = jobs.relay().await {
                tracing::warn!(error = %err, "outbox relay failed");
            }
            let deliveries = match jobs.queue.receive(10, VISIBILITY).await {
                Ok(deliveries) => deliveries,
                Err(err) => {
                    tracing::warn!(error = %err, "queue receive failed");
                    Vec::new()
                }
            };
            if deliveries.is_empty() {
                tokio::time::sleep(idle).await;
            }
            join_all(deliveries.iter().map(|delivery| async {
                let outcome = dispatcher.process(delivery).await;
                if let Err(err) = dispatcher.settle(&jobs.queue, delivery, &outcome).await {
                    tracing::warn!(message_id = %delivery.message_id, error = %err, "not settled; will be redelivered");
                }
            }))
            .await;
        }
    };
    tokio::select! {
        () = work => {}
        () = stop => {}
    }
}
