use std::sync::Arc;

use kernel::{Clock, Envelope, TenantId, Unavailable, UserId};
use serde_json::json;

use crate::signing::{self, Secret};
use crate::{
    Attempt, DeliverError, DeliveryId, DeliveryPage, Description, DynEndpoints, DynSender,
    Endpoint, EndpointId, EndpointUrl, Endpoints, NewEndpoint, Outcome, Outgoing, Role, Sender,
    Target, UrlPolicy, WebhooksError,
};

/// A new endpoint, with the secret its deliveries are signed with: shown this once.
#[derive(Debug, Clone)]
pub struct Registered {
    pub endpoint: Endpoint,
    pub secret: Secret,
}

/// The webhooks use cases. Cheap to clone; build it once per process.
#[derive(Clone)]
pub struct Webhooks {
    endpoints: Arc<DynEndpoints<'static>>,
    sender: Arc<DynSender<'static>>,
    clock: Arc<dyn Clock>,
    policy: UrlPolicy,
    disable_after: u32,
}

impl Webhooks {
    /// `policy` must be the one the sender enforces, so that no URL is accepted that it
    /// would refuse.
    pub fn new(
        endpoints: impl Endpoints + 'static,
        sender: impl Sender + 'static,
        clock: Arc<dyn Clock>,
        policy: UrlPolicy,
    ) -> Self {
        Self {
            endpoints: DynEndpoints::new_arc(endpoints),
            sender: DynSender::new_arc(sender),
            clock,
            policy,
            disable_after: crate::DISABLE_AFTER,
        }
    }

    /// Disables endpoints after `failures` failed events in a row instead of
    /// [`DISABLE_AFTER`](crate::DISABLE_AFTER).
    pub fn disable_after(mut self, failures: u32) -> Self {
        self.disable_after = failures.max(1);
        self
    }

    /// Which URLs endpoints may have: routes parse requests with it.
    pub fn url_policy(&self) -> UrlPolicy {
        self.policy
    }

    /// Registers an endpoint for the tenant's events. Owners and admins only; the secret is
    /// in the answer and nowhere else afterwards.
    pub async fn register(
        &self,
        actor: UserId,
        tenant: TenantId,
        url: EndpointUrl,
        description: Option<Description>,
    ) -> Result<Registered, WebhooksError> {
        self.manager(actor, tenant).await?;
        let secret = Secret::generate().map_err(|e| Unavailable::new(EntropyError(e)))?;
        let endpoint = Endpoint {
            id: EndpointId::generate(),
            tenant_id: tenant,
            url,
            description,
            enabled: true,
            consecutive_failures: 0,
            created_at: self.clock.now(),
        };
        let new = NewEndpoint { endpoint, secret };
        self.endpoints.create(&new, crate::MAX_ENDPOINTS).await?;
        Ok(Registered {
            endpoint: new.endpoint,
            secret: new.secret,
        })
    }

    /// The tenant's endpoints, oldest first, without their secrets.
    pub async fn endpoints(
        &self,
        actor: UserId,
        tenant: TenantId,
    ) -> Result<Vec<Endpoint>, WebhooksError> {
        self.manager(actor, tenant).await?;
        Ok(self.endpoints.list(tenant).await?)
    }

    /// Deletes an endpoint and its delivery log.
    pub async fn delete(
        &self,
        actor: UserId,
        tenant: TenantId,
        id: EndpointId,
    ) -> Result<(), WebhooksError> {
        self.manager(actor, tenant).await?;
        if !self.endpoints.delete(tenant, id).await? {
            return Err(WebhooksError::EndpointNotFound);
        }
        Ok(())
    }

    /// One page of an endpoint's delivery log, newest first, continuing before `before`.
    pub async fn deliveries(
        &self,
        actor: UserId,
        tenant: TenantId,
        id: EndpointId,
        before: Option<DeliveryId>,
        limit: u32,
    ) -> Result<DeliveryPage, WebhooksError> {
        self.manager(actor, tenant).await?;
        if self.endpoints.endpoint(tenant, id).await?.is_none() {
            return Err(WebhooksError::EndpointNotFound);
        }
        let limit = limit.clamp(1, crate::MAX_PAGE_SIZE);
        let mut deliveries = self
            .endpoints
            .deliveries(tenant, id, before, limit + 1)
            .await?;
        let next = if deliveries.len() > limit as usize {
            deliveries.truncate(limit as usize);
            deliveries.last().map(|d| d.id)
        } else {
            None
        };
        Ok(DeliveryPage { deliveries, next })
    }

    /// POSTs the event, signed, to each enabled endpoint of its tenant that has not had it
    /// yet, and logs every attempt. Answers how many endpoints it reached; any failure is
    /// [`DeliverError::Failed`], so the queue delivers the event again later and only the
    /// endpoints that failed are tried again. Events without a tenant, and types that are not
    /// [`PUBLISHED`](crate::PUBLISHED), go nowhere.
    pub async fn deliver(&self, envelope: &Envelope) -> Result<usize, DeliverError> {
        let Some(tenant) = envelope.tenant_id else {
            return Ok(0);
        };
        if !crate::PUBLISHED.contains(&envelope.kind.as_str()) {
            return Ok(0);
        }
        let targets = self.endpoints.targets(tenant, envelope.id).await?;
        if targets.is_empty() {
            return Ok(0);
        }
        let body = body(envelope)?;
        let attempts = targets
            .iter()
            .map(|target| self.attempt(tenant, envelope, target, &body));
        let results = futures_util::future::join_all(attempts).await;
        let mut delivered = 0;
        for result in results {
            delivered += usize::from(result?);
        }
        let attempted = targets.len();
        if delivered < attempted {
            return Err(DeliverError::Failed {
                failed: attempted - delivered,
                attempted,
            });
        }
        Ok(delivered)
    }

    /// One signed POST and its log entry; true on a 2xx. A failure to log a success is an
    /// error, so the event comes again and the receiver may see it twice: at least once.
    async fn attempt(
        &self,
        tenant: TenantId,
        envelope: &Envelope,
        target: &Target,
        body: &[u8],
    ) -> Result<bool, Unavailable> {
        let started = self.clock.now();
        let id = envelope.id.to_string();
        let headers = signing::headers(&target.secret, &id, started.unix_timestamp(), body);
        let request = Outgoing {
            url: target.url.clone(),
            headers: headers.to_vec(),
            body: body.to_vec(),
        };
        let outcome = match self.sender.send(&request).await {
            Ok(status) => Outcome::Status(status),
            Err(err) => Outcome::Error(err.to_string()),
        };
        let elapsed = (self.clock.now() - started).whole_milliseconds();
        let succeeded = outcome.succeeded();
        let attempt = Attempt {
            id: DeliveryId::generate(),
            tenant_id: tenant,
            endpoint_id: target.endpoint_id,
            event_id: envelope.id,
            event_type: envelope.kind.clone(),
            outcome,
            duration_ms: u32::try_from(elapsed.max(0)).unwrap_or(u32::MAX),
            at: started,
        };
        self.endpoints.record(&attempt, self.disable_after).await?;
        Ok(succeeded)
    }

    /// The caller's role, if it may manage the tenant's webhooks. Outsiders get
    /// `TenantNotFound`, so tenant ids don't leak.
    async fn manager(&self, actor: UserId, tenant: TenantId) -> Result<Role, WebhooksError> {
        let role = self
            .endpoints
            .role(tenant, actor)
            .await?
            .ok_or(WebhooksError::TenantNotFound)?;
        if !role.manages_webhooks() {
            return Err(WebhooksError::Forbidden);
        }
        Ok(role)
    }
}

/// The body of every delivery of an event, in the Standard Webhooks payload shape.
pub(crate) fn body(envelope: &Envelope) -> Result<Vec<u8>, DeliverError> {
    let timestamp = envelope
        .occurred_at
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|_| DeliverError::Undeliverable("its time cannot be written"))?;
    let payload = json!({
        "type": envelope.kind,
        "timestamp": timestamp,
        "data": envelope.payload,
    });
    serde_json::to_vec(&payload).map_err(|_| DeliverError::Undeliverable("its payload"))
}

/// The system's random source failed.
#[derive(Debug, thiserror::Error)]
#[error("no entropy for a secret: {0}")]
struct EntropyError(getrandom::Error);
