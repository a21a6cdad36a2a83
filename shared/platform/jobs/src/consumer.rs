use std::error::Error;
use std::future::Future;

use kernel::{Envelope, Unavailable};

type Cause = Box<dyn Error + Send + Sync>;

/// Why a job failed, which decides what happens to its message.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another try later (a dependency is down, a rate limit): the message comes back
    /// after a backoff, and goes to the dead-letter queue after the queue's maximum receives.
    #[error("retryable: {0}")]
    Retryable(#[source] Cause),
    /// No retry can succeed (a payload this consumer cannot read, an address that is refused):
    /// the message goes to the dead-letter queue at once.
    #[error("permanent: {0}")]
    Permanent(#[source] Cause),
}

impl JobError {
    pub fn retryable(cause: impl Into<Cause>) -> Self {
        Self::Retryable(cause.into())
    }

    pub fn permanent(cause: impl Into<Cause>) -> Self {
        Self::Permanent(cause.into())
    }
}

impl From<Unavailable> for JobError {
    fn from(err: Unavailable) -> Self {
        Self::Retryable(Box::new(err))
    }
}

/// Something a module does when an event arrives. A consumer's side effects happen at most
/// once per event id and consumer [name](Consumer::name), whatever the redeliveries.
#[dynosaur::dynosaur(pub DynConsumer = dyn(box) Consumer)]
pub trait Consumer: Send + Sync {
    /// Stable across deploys: the idempotency ledger is keyed by it.
    fn name(&self) -> &'static str;

    /// Whether this consumer acts on events of type `kind`.
    fn wants(&self, kind: &str) -> bool;

    fn handle(&self, envelope: &Envelope) -> impl Future<Output = Result<(), JobError>> + Send;
}
