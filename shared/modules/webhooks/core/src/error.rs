use kernel::Unavailable;

/// The outcomes of an endpoint use case that a caller must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum WebhooksError {
    /// Absent, or present but the caller is not a member: the two look the same on purpose.
    #[error("tenant not found")]
    TenantNotFound,
    /// No such endpoint in this tenant.
    #[error("endpoint not found")]
    EndpointNotFound,
    /// Members may not manage webhooks; owners and admins may.
    #[error("your role does not allow this")]
    Forbidden,
    /// The tenant has [`MAX_ENDPOINTS`](crate::MAX_ENDPOINTS) already.
    #[error("the tenant has the most endpoints it may have")]
    TooManyEndpoints,
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}

/// Why an event was not delivered to every endpoint that should have it.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// Some endpoints did not answer 2xx: worth another delivery later, which skips the
    /// endpoints that did.
    #[error("{failed} of {attempted} endpoints failed")]
    Failed { failed: usize, attempted: usize },
    /// The envelope cannot be turned into a webhook: no retry can help.
    #[error("the event cannot be delivered: {0}")]
    Undeliverable(&'static str),
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}

impl DeliverError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Undeliverable(_))
    }
}
