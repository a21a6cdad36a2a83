use std::time::Duration;

use kernel::{EventId, Unavailable};

use crate::{DynOutbox, DynQueue, Outbox, Queue};

/// How many envelopes one round moves: SQS takes ten per batch call.
const BATCH: u16 = 10;
/// How long a round may hold its envelopes before another relay takes them over.
const LEASE: Duration = Duration::from_secs(30);

/// Moves committed envelopes from the outbox onto the queue until none is left, and answers
/// how many it moved. A relay that dies between sending and marking leaves its envelopes to be
/// sent again after the lease: delivery is at least once, and consumers dedupe by event id.
#[tracing::instrument(name = "outbox.relay", skip_all, fields(published))]
pub async fn relay(outbox: &DynOutbox<'_>, queue: &DynQueue<'_>) -> Result<usize, Unavailable> {
    let mut published = 0;
    loop {
        let envelopes = outbox.claim(BATCH, LEASE).await?;
        if envelopes.is_empty() {
            break;
        }
        let bodies: Vec<String> = envelopes
            .iter()
            .map(|e| serde_json::to_string(e).unwrap_or_default())
            .collect();
        let ids: Vec<EventId> = envelopes.iter().map(|e| e.id).collect();
        if let Err(err) = queue.send(&bodies).await {
            if let Err(release) = outbox.release(&ids).await {
                tracing::warn!(error = %release, "claim not released; it expires with its lease");
            }
            return Err(err);
        }
        outbox.mark_published(&ids).await?;
        published += ids.len();
        if envelopes.len() < usize::from(BATCH) {
            break;
        }
    }
    tracing::Span::current().record("published", published);
    Ok(published)
}
