use std::future::Future;
use std::time::Duration;

use kernel::Unavailable;

/// Proof of one receipt of a message: deleting or delaying the message needs it, and it goes
/// stale when the message is received again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt(pub String);

/// A message as a worker received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub message_id: String,
    pub receipt: Receipt,
    pub body: String,
    /// 1 on the first delivery.
    pub receive_count: u32,
}

/// A message in the dead-letter queue, held out of sight of other listers while it is listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub message_id: String,
    pub receipt: Receipt,
    pub body: String,
}

/// An at-least-once queue with visibility timeouts, in the shape of SQS: a received message is
/// hidden for a while and comes back unless it is deleted; one received too often moves to the
/// dead-letter queue.
#[dynosaur::dynosaur(pub DynQueue = dyn(box) Queue)]
pub trait Queue: Send + Sync {
    /// Enqueues each body as one message.
    fn send(&self, bodies: &[String]) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// Up to `max` visible messages, each hidden for `visibility` from now.
    fn receive(
        &self,
        max: u16,
        visibility: Duration,
    ) -> impl Future<Output = Result<Vec<Delivery>, Unavailable>> + Send;

    /// The message is done. A stale receipt deletes nothing.
    fn delete(&self, receipt: &Receipt) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// The message comes back after `delay` instead of after its visibility timeout.
    fn retry_after(
        &self,
        receipt: &Receipt,
        delay: Duration,
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// Moves the message to the dead-letter queue now, whatever its receive count.
    fn dead_letter(
        &self,
        delivery: &Delivery,
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;
}

/// The dead-letter side of a [`Queue`], for operators.
#[dynosaur::dynosaur(pub DynDeadLetters = dyn(box) DeadLetters)]
pub trait DeadLetters: Send + Sync {
    /// Up to `max` dead letters, each kept from other listers for `hold`.
    fn list(
        &self,
        max: usize,
        hold: Duration,
    ) -> impl Future<Output = Result<Vec<DeadLetter>, Unavailable>> + Send;

    /// Ends the hold on listed letters, so the next listing shows them again at once.
    fn release(
        &self,
        letters: &[DeadLetter],
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// Puts a listed dead letter back on its queue, as a fresh message.
    fn replay(&self, letter: &DeadLetter) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// Deletes every dead letter.
    fn purge(&self) -> impl Future<Output = Result<(), Unavailable>> + Send;
}
