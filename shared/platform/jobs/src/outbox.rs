use std::future::Future;
use std::time::Duration;

use kernel::{Envelope, EventId, Unavailable};

/// The committed side of the transactional outbox, as the relay reads it.
#[dynosaur::dynosaur(pub DynOutbox = dyn(box) Outbox)]
pub trait Outbox: Send + Sync {
    /// Up to `max` unpublished envelopes, oldest first, that no other relay holds; each is held
    /// for `lease`, after which another relay may take it.
    fn claim(
        &self,
        max: u16,
        lease: Duration,
    ) -> impl Future<Output = Result<Vec<Envelope>, Unavailable>> + Send;

    /// Gives claimed envelopes back at once, for the next relay to try.
    fn release(&self, ids: &[EventId]) -> impl Future<Output = Result<(), Unavailable>> + Send;

    fn mark_published(
        &self,
        ids: &[EventId],
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;
}
