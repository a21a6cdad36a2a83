use std::sync::Arc;
use std::time::Duration;

use kernel::{Envelope, Unavailable};
use tracing::Instrument;

use crate::{
    Backoff, Claim, Consumer, Delivery, DynConsumer, DynLedger, DynQueue, JobError, Ledger, Queue,
};

/// What became of one delivery.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every consumer that wants the event has handled it (now or before).
    Done,
    /// Deliver again after `delay`.
    Retry { delay: Duration },
    /// Move to the dead-letter queue now.
    Dead { reason: String },
}

/// Hands each delivered envelope to the consumers that want it, each at most once per event.
#[derive(Clone)]
pub struct Dispatcher {
    consumers: Vec<Arc<DynConsumer<'static>>>,
    ledger: Arc<DynLedger<'static>>,
    backoff: Backoff,
    lease: Duration,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.consumers.iter().map(|c| c.name()).collect();
        f.debug_struct("Dispatcher")
            .field("consumers", &names)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("another worker is handling this event")]
struct Busy;

impl Dispatcher {
    /// `lease` bounds one consumer's work on one event: after it, another delivery may claim
    /// the event again. Keep it within the queue's visibility timeout.
    pub fn new(
        consumers: Vec<Arc<DynConsumer<'static>>>,
        ledger: Arc<DynLedger<'static>>,
        backoff: Backoff,
        lease: Duration,
    ) -> Self {
        Self {
            consumers,
            ledger,
            backoff,
            lease,
        }
    }

    /// Runs one delivery through its consumers, in one span that names the event and tenant.
    pub async fn process(&self, delivery: &Delivery) -> Outcome {
        let envelope: Envelope = match serde_json::from_str(&delivery.body) {
            Ok(envelope) => envelope,
            Err(err) => {
                tracing::error!(message_id = %delivery.message_id, error = %err, "not an event envelope");
                return Outcome::Dead {
                    reason: format!("not an event envelope: {err}"),
                };
            }
        };
        let span = tracing::info_span!(
            "job",
            event_id = %envelope.id,
            event_type = %envelope.kind,
            tenant_id = tracing::field::Empty,
            message_id = %delivery.message_id,
            receive_count = delivery.receive_count,
        );
        if let Some(tenant) = envelope.tenant_id {
            span.record("tenant_id", tracing::field::display(tenant));
        }
        self.run_all(&envelope, delivery.receive_count)
            .instrument(span)
            .await
    }

    async fn run_all(&self, envelope: &Envelope, receive_count: u32) -> Outcome {
        for consumer in self.consumers.iter().filter(|c| c.wants(&envelope.kind)) {
            match self.run(consumer, envelope).await {
                Ok(()) => {}
                Err(JobError::Retryable(err)) => {
                    let delay = self.backoff.delay(receive_count);
                    tracing::warn!(consumer = consumer.name(), error = %err, retry_in = ?delay, "job failed; will retry");
                    return Outcome::Retry { delay };
                }
                Err(JobError::Permanent(err)) => {
                    tracing::error!(consumer = consumer.name(), error = %err, "job failed permanently");
                    return Outcome::Dead {
                        reason: format!("{}: {err}", consumer.name()),
                    };
                }
            }
        }
        Outcome::Done
    }

    async fn run(
        &self,
        consumer: &DynConsumer<'static>,
        envelope: &Envelope,
    ) -> Result<(), JobError> {
        let name = consumer.name();
        match self.ledger.claim(name, envelope.id, self.lease).await? {
            Claim::Granted => {}
            Claim::Done => {
                tracing::info!(consumer = name, "already handled; skipped");
                return Ok(());
            }
            Claim::Busy => return Err(JobError::retryable(Busy)),
        }
        match consumer.handle(envelope).await {
            Ok(()) => {
                // The side effect has happened: a retry now would repeat it. Until the claim's
                // lease ends, a redelivery is held off as busy.
                if let Err(err) = self.ledger.complete(name, envelope.id).await {
                    tracing::warn!(consumer = name, error = %err, "handled, but not recorded");
                }
                tracing::info!(consumer = name, "handled");
                Ok(())
            }
            Err(err) => {
                if let Err(release) = self.ledger.release(name, envelope.id).await {
                    tracing::warn!(consumer = name, error = %release, "claim not released");
                }
                Err(err)
            }
        }
    }

    /// Acts on an outcome for a worker that polls the queue itself: delete, delay or
    /// dead-letter the message. (An SQS event source deletes what its batch reports done.)
    pub async fn settle(
        &self,
        queue: &DynQueue<'_>,
        delivery: &Delivery,
        outcome: &Outcome,
    ) -> Result<(), Unavailable> {
        match outcome {
            Outcome::Done => queue.delete(&delivery.receipt).await,
            Outcome::Retry { delay } => queue.retry_after(&delivery.receipt, *delay).await,
            Outcome::Dead { .. } => queue.dead_letter(delivery).await,
        }
    }
}
