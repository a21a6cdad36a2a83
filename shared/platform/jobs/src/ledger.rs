use std::future::Future;
use std::time::Duration;

use kernel::{EventId, Unavailable};

/// What a consumer may do with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Nobody has handled it: go ahead, then [`Ledger::complete`] or [`Ledger::release`].
    Granted,
    /// Handled already: a redelivery, to acknowledge without a second side effect.
    Done,
    /// Another worker holds an unexpired claim: try again later.
    Busy,
}

/// Which consumer has handled which event, so a redelivered message makes no second side
/// effect. A claim expires after its lease, so a worker that dies mid-job does not block the
/// event forever.
#[dynosaur::dynosaur(pub DynLedger = dyn(box) Ledger)]
pub trait Ledger: Send + Sync {
    fn claim(
        &self,
        consumer: &str,
        event: EventId,
        lease: Duration,
    ) -> impl Future<Output = Result<Claim, Unavailable>> + Send;

    fn complete(
        &self,
        consumer: &str,
        event: EventId,
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// Gives up a claim after a failure, so the next delivery may try again at once.
    fn release(
        &self,
        consumer: &str,
        event: EventId,
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;
}
