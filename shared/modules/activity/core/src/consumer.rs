use jobs::{Consumer, JobError};
use kernel::{Envelope, TenantId};
use kv::Cache;

use crate::{MEMBERSHIP_EVENTS, dashboard_key};

/// Drops a tenant's cached dashboard when its membership changes, as a queue consumer of the
/// [`MEMBERSHIP_EVENTS`]: the next read shows the new member's signup at once, not a minute
/// later. A cache that cannot be reached makes the event retryable.
#[derive(Clone)]
pub struct DashboardInvalidation(Cache);

impl DashboardInvalidation {
    /// The idempotency ledger's key for this consumer: keep it stable across deploys.
    pub const NAME: &'static str = "activity.invalidate_dashboard";

    /// Over the cache the dashboards are read through.
    pub fn new(cache: Cache) -> Self {
        Self(cache)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("a membership event without a tenant")]
struct NoTenant;

impl Consumer for DashboardInvalidation {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn wants(&self, kind: &str) -> bool {
        MEMBERSHIP_EVENTS.contains(&kind)
    }

    async fn handle(&self, envelope: &Envelope) -> Result<(), JobError> {
        let tenant: TenantId = envelope.tenant_id.ok_or(JobError::permanent(NoTenant))?;
        Ok(self.0.invalidate(&dashboard_key(tenant)).await?)
    }
}
