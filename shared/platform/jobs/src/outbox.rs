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

/// Several outboxes relayed as one: each shard of a sharded database keeps its own, written in
/// the transactions of the tenant data it holds.
pub struct Outboxes(pub Vec<Box<DynOutbox<'static>>>);

impl Outbox for Outboxes {
    /// Fills the batch from each outbox in turn, so a relay that stops at a short batch has
    /// found every outbox empty.
    async fn claim(&self, max: u16, lease: Duration) -> Result<Vec<Envelope>, Unavailable> {
        let mut claimed = Vec::new();
        for outbox in &self.0 {
            let room = max.saturating_sub(u16::try_from(claimed.len()).unwrap_or(max));
            if room == 0 {
                break;
            }
            claimed.extend(outbox.claim(room, lease).await?);
        }
        Ok(claimed)
    }

    /// Each outbox ignores the ids it does not hold.
    async fn release(&self, ids: &[EventId]) -> Result<(), Unavailable> {
        for outbox in &self.0 {
            outbox.release(ids).await?;
        }
        Ok(())
    }

    async fn mark_published(&self, ids: &[EventId]) -> Result<(), Unavailable> {
        for outbox in &self.0 {
            outbox.mark_published(ids).await?;
        }
        Ok(())
    }
}
