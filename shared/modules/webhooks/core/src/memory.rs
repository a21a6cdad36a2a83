//! Endpoints and their log in the process's memory: the embedded default for unit tests and
//! single-process runs, held to the same contract suite as the SQL adapters
//! (`webhooks-sql/tests/contract.rs`). One mutex plays every endpoint's lock. Roles come from
//! [`MemoryEndpoints::set_role`], standing in for the tenancy module's published members;
//! events land in an in-memory outbox.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use kernel::{Envelope, EventId, TenantId, Unavailable, UserId};

use crate::rules::{self, Streak};
use crate::{
    Attempt, Delivery, DeliveryId, Endpoint, EndpointDisabled, EndpointId, Endpoints, NewEndpoint,
    Recorded, Role, Secret, Target, WebhooksError,
};

#[derive(Debug, Default)]
struct State {
    roles: BTreeMap<(TenantId, UserId), Role>,
    endpoints: BTreeMap<EndpointId, (Endpoint, Secret)>,
    /// Each attempt with its tenant and whether it succeeded, oldest first.
    log: Vec<(TenantId, Delivery, bool)>,
    outbox: Vec<Envelope>,
}

#[derive(Debug, Clone, Default)]
pub struct MemoryEndpoints {
    state: Arc<Mutex<State>>,
}

impl MemoryEndpoints {
    /// Makes `user` a member of `tenant` with `role`, as the tenancy module would.
    pub fn set_role(&self, tenant: TenantId, user: UserId, role: Role) {
        lock(&self.state).roles.insert((tenant, user), role);
    }

    /// The events written so far, oldest first.
    pub fn outbox(&self) -> Vec<Envelope> {
        lock(&self.state).outbox.clone()
    }
}

impl Endpoints for MemoryEndpoints {
    async fn role(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>, Unavailable> {
        Ok(lock(&self.state).roles.get(&(tenant, user)).copied())
    }

    async fn create(&self, new: &NewEndpoint, max: u32) -> Result<(), WebhooksError> {
        let mut state = lock(&self.state);
        let tenant = new.endpoint.tenant_id;
        let count = state
            .endpoints
            .values()
            .filter(|(e, _)| e.tenant_id == tenant)
            .count();
        if count >= max as usize {
            return Err(WebhooksError::TooManyEndpoints);
        }
        state
            .endpoints
            .insert(new.endpoint.id, (new.endpoint.clone(), new.secret.clone()));
        Ok(())
    }

    async fn list(&self, tenant: TenantId) -> Result<Vec<Endpoint>, Unavailable> {
        Ok(lock(&self.state)
            .endpoints
            .values()
            .filter(|(e, _)| e.tenant_id == tenant)
            .map(|(e, _)| e.clone())
            .collect())
    }

    async fn endpoint(
        &self,
        tenant: TenantId,
        id: EndpointId,
    ) -> Result<Option<Endpoint>, Unavailable> {
        Ok(lock(&self.state)
            .endpoints
            .get(&id)
            .filter(|(e, _)| e.tenant_id == tenant)
            .map(|(e, _)| e.clone()))
    }

    async fn delete(&self, tenant: TenantId, id: EndpointId) -> Result<bool, Unavailable> {
        let mut state = lock(&self.state);
        let owned = state
            .endpoints
            .get(&id)
            .is_some_and(|(e, _)| e.tenant_id == tenant);
        if owned {
            state.endpoints.remove(&id);
            state.log.retain(|(_, d, _)| d.endpoint_id != id);
        }
        Ok(owned)
    }

    async fn deliveries(
        &self,
        tenant: TenantId,
        endpoint: EndpointId,
        before: Option<DeliveryId>,
        limit: u32,
    ) -> Result<Vec<Delivery>, Unavailable> {
        Ok(lock(&self.state)
            .log
            .iter()
            .rev()
            .filter(|(t, d, _)| *t == tenant && d.endpoint_id == endpoint)
            .filter(|(_, d, _)| before.is_none_or(|b| d.id < b))
            .take(limit as usize)
            .map(|(_, d, _)| d.clone())
            .collect())
    }

    async fn targets(&self, tenant: TenantId, event: EventId) -> Result<Vec<Target>, Unavailable> {
        let state = lock(&self.state);
        let delivered = |id: EndpointId| {
            state
                .log
                .iter()
                .any(|(_, d, ok)| *ok && d.endpoint_id == id && d.event_id == event)
        };
        Ok(state
            .endpoints
            .values()
            .filter(|(e, _)| e.tenant_id == tenant && e.enabled && !delivered(e.id))
            .map(|(e, secret)| Target {
                endpoint_id: e.id,
                url: e.url.clone(),
                secret: secret.clone(),
            })
            .collect())
    }

    async fn record(
        &self,
        attempt: &Attempt,
        threshold: u32,
    ) -> Result<Option<Recorded>, Unavailable> {
        let mut guard = lock(&self.state);
        let state = &mut *guard;
        let Some((endpoint, _)) = state
            .endpoints
            .get_mut(&attempt.endpoint_id)
            .filter(|(e, _)| e.tenant_id == attempt.tenant_id)
        else {
            return Ok(None);
        };
        let prior = state
            .log
            .iter()
            .filter(|(_, d, _)| d.endpoint_id == endpoint.id && d.event_id == attempt.event_id)
            .count();
        let seen = Streak {
            enabled: endpoint.enabled,
            consecutive_failures: endpoint.consecutive_failures,
            prior_attempts: u32::try_from(prior).unwrap_or(u32::MAX),
        };
        let succeeded = attempt.outcome.succeeded();
        let recorded = rules::after_attempt(seen, succeeded, threshold);
        endpoint.consecutive_failures = recorded.consecutive_failures;
        if recorded.disabled {
            endpoint.enabled = false;
            let event = EndpointDisabled {
                tenant_id: endpoint.tenant_id,
                endpoint_id: endpoint.id.as_uuid(),
                url: endpoint.url.as_str().to_owned(),
                consecutive_failures: recorded.consecutive_failures,
            };
            state.outbox.push(Envelope::wrap(&event, attempt.at));
        }
        let delivery = Delivery {
            id: attempt.id,
            endpoint_id: attempt.endpoint_id,
            event_id: attempt.event_id,
            event_type: attempt.event_type.clone(),
            attempt: recorded.attempt,
            outcome: attempt.outcome.clone(),
            duration_ms: attempt.duration_ms,
            at: attempt.at,
        };
        state.log.push((attempt.tenant_id, delivery, succeeded));
        Ok(Some(recorded))
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}
