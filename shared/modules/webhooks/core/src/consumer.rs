use jobs::{Consumer, JobError};
use kernel::Envelope;

use crate::Webhooks;

/// The deliveries, as a queue consumer: the [`PUBLISHED`](crate::PUBLISHED) event types. A failed endpoint makes the event retryable; the endpoints it reached are
/// skipped when it comes again.
#[derive(Clone)]
pub struct DeliverConsumer(Webhooks);

impl DeliverConsumer {
    /// The idempotency ledger's key for this consumer: keep it stable across deploys.
    pub const NAME: &'static str = "webhooks.deliver";

    pub fn new(webhooks: Webhooks) -> Self {
        Self(webhooks)
    }
}

impl Consumer for DeliverConsumer {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn wants(&self, kind: &str) -> bool {
        crate::PUBLISHED.contains(&kind)
    }

    async fn handle(&self, envelope: &Envelope) -> Result<(), JobError> {
        self.0.deliver(envelope).await.map(drop).map_err(|err| {
            if err.is_permanent() {
                JobError::permanent(err)
            } else {
                JobError::retryable(err)
            }
        })
    }
}
