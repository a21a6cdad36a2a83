use kernel::{EventId, TenantId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Description, EndpointUrl, Secret};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A new time-ordered id, so that ids sort by creation.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub const fn as_uuid(self) -> Uuid {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// Names one endpoint within its tenant.
    EndpointId
);
id_type!(
    /// Names one attempt in the delivery log; newer attempts have greater ids.
    DeliveryId
);

/// A URL a tenant's events are POSTed to. Its secret is never part of it: it is shown once,
/// when the endpoint is registered.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub id: EndpointId,
    pub tenant_id: TenantId,
    pub url: EndpointUrl,
    pub description: Option<Description>,
    /// False once the endpoint failed too many deliveries in a row.
    pub enabled: bool,
    /// Failed deliveries of distinct events since the last success.
    pub consecutive_failures: u32,
    pub created_at: OffsetDateTime,
}

/// An endpoint to store, with the secret its deliveries are signed with.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub endpoint: Endpoint,
    pub secret: Secret,
}

/// An enabled endpoint that has yet to receive one event, with what signing needs.
#[derive(Debug, Clone)]
pub struct Target {
    pub endpoint_id: EndpointId,
    pub url: EndpointUrl,
    pub secret: Secret,
}

/// What an attempt came to: the receiver's status code, or why no status came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Status(u16),
    Error(String),
}

impl Outcome {
    /// Only a 2xx counts as delivered; a redirect is not followed, so it is a failure.
    pub fn succeeded(&self) -> bool {
        matches!(self, Self::Status(200..=299))
    }
}

/// One attempt to deliver one event to one endpoint, to record in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub id: DeliveryId,
    pub tenant_id: TenantId,
    pub endpoint_id: EndpointId,
    pub event_id: EventId,
    pub event_type: String,
    pub outcome: Outcome,
    pub duration_ms: u32,
    pub at: OffsetDateTime,
}

/// One entry of an endpoint's delivery log.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: DeliveryId,
    pub endpoint_id: EndpointId,
    pub event_id: EventId,
    pub event_type: String,
    /// 1 for the first attempt at this event on this endpoint, 2 for its first retry...
    pub attempt: u32,
    pub outcome: Outcome,
    pub duration_ms: u32,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryPage {
    /// Newest first.
    pub deliveries: Vec<Delivery>,
    /// The id to continue before, present while older entries remain.
    pub next: Option<DeliveryId>,
}

/// What recording an attempt did to its endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// Which attempt at this event on this endpoint it was.
    pub attempt: u32,
    pub consecutive_failures: u32,
    /// This attempt's failure disabled the endpoint.
    pub disabled: bool,
}
