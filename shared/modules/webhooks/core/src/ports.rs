use std::future::Future;

use kernel::{EventId, TenantId, Unavailable, UserId};

use crate::{
    Attempt, Delivery, DeliveryId, Endpoint, EndpointId, EndpointUrl, NewEndpoint, Recorded, Role,
    Target, WebhooksError,
};

/// Endpoints and their delivery log. Every tenant-scoped method takes the tenant id and
/// filters by it, so one tenant's endpoints are never reachable through another's id.
#[dynosaur::dynosaur(pub DynEndpoints = dyn(box) Endpoints)]
pub trait Endpoints: Send + Sync {
    /// The user's role in the tenant, from the tenancy module's published members.
    fn role(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> impl Future<Output = Result<Option<Role>, Unavailable>> + Send;

    /// Stores the endpoint and its secret, unless its tenant has `max` endpoints already
    /// ([`WebhooksError::TooManyEndpoints`]).
    fn create(
        &self,
        new: &NewEndpoint,
        max: u32,
    ) -> impl Future<Output = Result<(), WebhooksError>> + Send;

    /// The tenant's endpoints, oldest first.
    fn list(
        &self,
        tenant: TenantId,
    ) -> impl Future<Output = Result<Vec<Endpoint>, Unavailable>> + Send;

    fn endpoint(
        &self,
        tenant: TenantId,
        id: EndpointId,
    ) -> impl Future<Output = Result<Option<Endpoint>, Unavailable>> + Send;

    /// Deletes the endpoint and its log; false if the tenant has no such endpoint.
    fn delete(
        &self,
        tenant: TenantId,
        id: EndpointId,
    ) -> impl Future<Output = Result<bool, Unavailable>> + Send;

    /// The endpoint's log, newest first, from before `before`, at most `limit` entries.
    fn deliveries(
        &self,
        tenant: TenantId,
        endpoint: EndpointId,
        before: Option<DeliveryId>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Delivery>, Unavailable>> + Send;

    /// The tenant's enabled endpoints that have no successful delivery of `event` yet.
    fn targets(
        &self,
        tenant: TenantId,
        event: EventId,
    ) -> impl Future<Output = Result<Vec<Target>, Unavailable>> + Send;

    /// Logs the attempt and applies [`rules::after_attempt`](crate::rules::after_attempt) with
    /// `threshold` under the endpoint's lock; when that disables the endpoint, writes
    /// [`EndpointDisabled`](crate::EndpointDisabled) too, all or nothing. `None` when the
    /// endpoint was deleted meanwhile: nothing is logged.
    fn record(
        &self,
        attempt: &Attempt,
        threshold: u32,
    ) -> impl Future<Output = Result<Option<Recorded>, Unavailable>> + Send;
}

/// One signed POST to make.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub url: EndpointUrl,
    /// The Standard Webhooks headers; the sender adds `content-type: application/json`.
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// Why no status code came back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The URL, or an address its host resolved to, is one the policy does not allow.
    #[error("refused: {0}")]
    Refused(String),
    #[error("timed out")]
    Timeout,
    /// DNS, TCP, TLS or HTTP failed.
    #[error("transport: {0}")]
    Transport(String),
}

/// Makes one POST, with a timeout, and reports the status without following redirects.
#[dynosaur::dynosaur(pub DynSender = dyn(box) Sender)]
pub trait Sender: Send + Sync {
    fn send(&self, request: &Outgoing) -> impl Future<Output = Result<u16, SendError>> + Send;
}
