use std::sync::Arc;
use std::time::Duration;

use kernel::{Clock, TenantId, Unavailable, UserId};
use kv::{Cache, CacheStatus, Freshness};
use time::UtcOffset;

use crate::{ActivityError, ActivityStore, Dashboard, DynActivityStore, window};

/// A dashboard is served from the cache for a minute, then, for four more, served stale while
/// one caller recomputes it.
pub const FRESHNESS: Freshness = Freshness {
    fresh: Duration::from_secs(60),
    stale: Duration::from_secs(240),
};

/// The cache key of a tenant's dashboard.
pub fn dashboard_key(tenant: TenantId) -> String {
    format!("dashboard:{tenant}")
}

/// The dashboard use cases. Cheap to clone; build it once per process.
#[derive(Clone)]
pub struct Activity {
    store: Arc<DynActivityStore<'static>>,
    cache: Cache,
    clock: Arc<dyn Clock>,
}

impl Activity {
    pub fn new(store: Arc<DynActivityStore<'static>>, cache: Cache, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            cache,
            clock,
        }
    }

    /// The tenant's last [`DAYS`](crate::DAYS) days, for any of its members, and where the
    /// answer came from. Membership is read on every call, before the cache: a caller who is
    /// not a member never gets a cached dashboard.
    pub async fn dashboard(
        &self,
        actor: UserId,
        tenant: TenantId,
    ) -> Result<(Dashboard, CacheStatus), ActivityError> {
        if !self.store.is_member(tenant, actor).await? {
            return Err(ActivityError::TenantNotFound);
        }
        let found = self
            .cache
            .get_or_compute(&dashboard_key(tenant), FRESHNESS, || self.compute(tenant))
            .await?;
        Ok(found)
    }

    /// Drops the tenant's cached dashboard: the next read computes it afresh.
    pub async fn invalidate(&self, tenant: TenantId) -> Result<(), Unavailable> {
        self.cache.invalidate(&dashboard_key(tenant)).await
    }

    async fn compute(&self, tenant: TenantId) -> Result<Dashboard, Unavailable> {
        let today = self.clock.now().to_offset(UtcOffset::UTC).date();
        let (from, to) = window(today);
        let rows = self.store.dashboard_rows(tenant, from, to).await?;
        Ok(Dashboard::build(tenant, today, rows))
    }
}
