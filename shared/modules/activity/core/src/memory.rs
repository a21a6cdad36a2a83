//! Usage in the process's memory: the embedded default for unit tests, held to the same
//! contract suite as the SQL adapters (`activity-sql/tests/contract.rs`). Members come from
//! [`MemoryActivity::set_member`], standing in for the tenancy module's published members.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use kernel::{TenantId, Unavailable, UserId};
use time::{Date, OffsetDateTime, UtcOffset};

use crate::{ActivityStore, Batch, DayActivity};

#[derive(Debug, Default)]
struct State {
    /// Each member and when it joined.
    members: BTreeMap<(TenantId, UserId), OffsetDateTime>,
    calls: BTreeMap<(TenantId, Date, UserId), u64>,
    logins: BTreeMap<(UserId, Date), u64>,
}

#[derive(Debug, Clone, Default)]
pub struct MemoryActivity {
    state: Arc<Mutex<State>>,
}

impl MemoryActivity {
    /// Makes `user` a member of `tenant`, joined at `joined_at`, as the tenancy module would.
    pub fn set_member(&self, tenant: TenantId, user: UserId, joined_at: OffsetDateTime) {
        lock(&self.state).members.insert((tenant, user), joined_at);
    }

    /// `user` leaves `tenant`.
    pub fn remove_member(&self, tenant: TenantId, user: UserId) {
        lock(&self.state).members.remove(&(tenant, user));
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ActivityStore for MemoryActivity {
    async fn flush(&self, batch: &Batch) -> Result<(), Unavailable> {
        let mut state = lock(&self.state);
        for c in &batch.api_calls {
            *state
                .calls
                .entry((c.tenant_id, c.day, c.user_id))
                .or_default() += c.calls;
        }
        for l in &batch.logins {
            *state.logins.entry((l.user_id, l.day)).or_default() += l.logins;
        }
        Ok(())
    }

    async fn dashboard_rows(
        &self,
        tenant: TenantId,
        from: Date,
        to: Date,
    ) -> Result<Vec<DayActivity>, Unavailable> {
        let state = lock(&self.state);
        let within = |day: &Date| (from..=to).contains(day);
        let members: Vec<(UserId, Date)> = state
            .members
            .iter()
            .filter(|((t, _), _)| *t == tenant)
            .map(|((_, user), joined)| (*user, joined.to_offset(UtcOffset::UTC).date()))
            .collect();
        let mut rows = Vec::new();
        for (_, joined) in members.iter().filter(|(_, d)| within(d)) {
            rows.push(DayActivity {
                signups: 1,
                ..DayActivity::zero(*joined)
            });
        }
        for ((user, d), n) in state.logins.iter().filter(|((_, d), _)| within(d)) {
            if members.iter().any(|(m, _)| m == user) {
                rows.push(DayActivity {
                    logins: *n,
                    ..DayActivity::zero(*d)
                });
            }
        }
        for ((_, d, _), n) in state
            .calls
            .iter()
            .filter(|((t, d, _), _)| *t == tenant && within(d))
        {
            rows.push(DayActivity {
                active_members: 1,
                api_calls: *n,
                ..DayActivity::zero(*d)
            });
        }
        Ok(rows)
    }

    async fn is_member(&self, tenant: TenantId, user: UserId) -> Result<bool, Unavailable> {
        Ok(lock(&self.state).members.contains_key(&(tenant, user)))
    }
}
