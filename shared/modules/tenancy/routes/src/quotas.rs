//! Each tenant's request budget, from its plan: what the shared layers' per-tenant rate limit
//! asks for on every tenant-scoped request. Plans change rarely, so each instance remembers a
//! tenant's for a minute rather than ask the database per request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use kernel::{TenantId, Unavailable};
use tenancy::{DynMembers, Members};
use web::TenantQuotas;

/// How long an instance trusts a tenant's plan: a plan change applies within it.
const REMEMBER: Duration = Duration::from_secs(60);
/// Past this many tenants, the oldest answers are forgotten first.
const MAX_REMEMBERED: usize = 10_000;

/// Each tenant's limit (`None`: no such tenant) and when it was read.
type Seen = HashMap<TenantId, (Option<u32>, Instant)>;

#[derive(Clone)]
pub struct PlanQuotas {
    members: Arc<DynMembers<'static>>,
    seen: Arc<Mutex<Seen>>,
}

impl PlanQuotas {
    pub fn new(members: Box<DynMembers<'static>>) -> Self {
        Self {
            members: members.into(),
            seen: Arc::default(),
        }
    }

    fn remembered(&self, tenant: TenantId) -> Option<Option<u32>> {
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.get(&tenant)
            .filter(|(_, at)| at.elapsed() < REMEMBER)
            .map(|(limit, _)| *limit)
    }

    fn remember(&self, tenant: TenantId, limit: Option<u32>) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= MAX_REMEMBERED {
            seen.retain(|_, (_, at)| at.elapsed() < REMEMBER);
        }
        if seen.len() < MAX_REMEMBERED {
            seen.insert(tenant, (limit, Instant::now()));
        }
    }
}

impl TenantQuotas for PlanQuotas {
    async fn requests_per_minute(&self, tenant: TenantId) -> Result<Option<u32>, Unavailable> {
        if let Some(limit) = self.remembered(tenant) {
            return Ok(limit);
        }
        let limit = self
            .members
            .tenant(tenant)
            .await?
            .map(|t| t.plan.limits.requests_per_minute);
        self.remember(tenant, limit);
        Ok(limit)
    }
}
