//! Async jobs, so that no request waits on slow work and no accepted job is lost.
//!
//! A module's change and its [`Envelope`](kernel::Envelope) are committed together into the
//! outbox; the [`relay`] moves committed envelopes onto a [`Queue`] (SQS in production, a table
//! in the same database locally); workers receive them and [`Dispatcher::process`] hands each
//! to the [`Consumer`]s that want it. Consumers are idempotent by event id through the
//! [`Ledger`], retries back off through the message's visibility, and a message that keeps
//! failing, or fails permanently, ends in the dead-letter queue, where [`DeadLetters`] can list,
//! replay and purge it.

mod backoff;
mod consumer;
mod dispatch;
mod ledger;
mod outbox;
mod queue;
mod relay;

pub use backoff::Backoff;
pub use consumer::{Consumer, DynConsumer, JobError};
pub use dispatch::{Dispatcher, Outcome};
pub use ledger::{Claim, DynLedger, Ledger};
pub use outbox::{DynOutbox, Outbox, Outboxes};
pub use queue::{DeadLetter, DeadLetters, Delivery, DynDeadLetters, DynQueue, Queue, Receipt};
pub use relay::relay;
