//! The scheduled sweeper. EventBridge invokes it every minute: it relays the outbox envelopes
//! that the after-commit relay missed (the queue was down, the function was frozen), so an
//! accepted job reaches the queue within about a minute of the queue coming back, then deletes
//! expired sessions, password resets and invitations, and what is past its
//! retention (the webhook delivery log and inbound webhook ids after 30 days, the activity counts
//! after 100).

use database::sweep::{Retention, Swept};
use kernel::Unavailable;
use runtime::Platform;
use serde::Serialize;

/// What one run did, returned to the invoker and logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Report {
    pub relayed: usize,
    pub swept: Swept,
    /// Expired password resets deleted.
    pub password_resets: u64,
    /// Expired invitations deleted.
    pub invitations: u64,
    /// Webhook delivery log entries past their retention deleted.
    pub webhook_deliveries: u64,
    /// Inbound webhook ids past the delivery log's retention deleted.
    pub inbound_webhook_ids: u64,
    /// Daily activity counts past their retention deleted.
    pub activity_counts: u64,
}

/// How long the webhook delivery log, and the ids of inbound deliveries, are kept.
pub const DELIVERY_LOG_RETENTION: time::Duration = time::Duration::days(30);

/// How long daily activity counts are kept: longer than the dashboard's 90 days.
pub const ACTIVITY_RETENTION: time::Duration = time::Duration::days(100);

/// One sweep. A relay failure (the queue is down) does not stop the housekeeping; it is
/// reported once the rest is done, so the schedule's retry and alarms see it.
pub async fn run(platform: &Platform) -> Result<Report, Unavailable> {
    let relayed = platform.jobs.relay().await;
    let now = platform.clock.now();
    let swept = database::sweep::sweep(&platform.backend, now, Retention::default()).await?;
    let password_resets = identity_sql::sweep(&platform.backend, now).await?;
    let invitations = tenancy_sql::sweep(&platform.backend, now).await?;
    let webhook_deliveries =
        webhooks_sql::sweep(&platform.backend, now - DELIVERY_LOG_RETENTION).await?;
    let inbound_webhook_ids =
        webhooks_sql::sweep_inbound(&platform.backend, now - DELIVERY_LOG_RETENTION).await?;
    let activity_counts = activity_sql::sweep(&platform.backend, now - ACTIVITY_RETENTION).await?;
    let relayed = relayed?;
    tracing::info!(
        relayed,
        ?swept,
        password_resets,
        invitations,
        webhook_deliveries,
        inbound_webhook_ids,
        activity_counts,
        "swept"
    );
    Ok(Report {
        relayed,
        swept,
        password_resets,
        invitations,
        webhook_deliveries,
        inbound_webhook_ids,
        activity_counts,
    })
}
