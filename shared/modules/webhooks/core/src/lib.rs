//! The webhooks module's core: tenants register HTTPS endpoints, and every event of their
//! tenant is POSTed to each of them, signed in the Standard Webhooks format.
//!
//! It owns the use cases ([`Webhooks`]), the signing and verification ([`signing`]), the rules
//! on which URLs and addresses may be called ([`address`], [`EndpointUrl`]), the rule that
//! disables an endpoint that keeps failing ([`rules`]), the ports it needs ([`Endpoints`],
//! [`Sender`]), the event it publishes, and the queue consumer that runs deliveries
//! ([`DeliverConsumer`]). Nothing here knows about SQL, sockets or TLS, and it builds for
//! `wasm32-wasip2`.

pub mod address;
mod consumer;
mod description;
mod endpoint_url;
mod error;
mod events;
pub mod inbound;
pub mod memory;
mod model;
mod ports;
mod role;
pub mod rules;
mod service;
pub mod signing;

pub use consumer::DeliverConsumer;
pub use description::Description;
pub use endpoint_url::{EndpointUrl, UrlHost, UrlPolicy};
pub use error::{DeliverError, WebhooksError};
pub use events::EndpointDisabled;
pub use inbound::{DynInboundSink, InboundDelivery, InboundError, InboundReceived, InboundSink};
pub use memory::MemoryEndpoints;
pub use model::{
    Attempt, Delivery, DeliveryId, DeliveryPage, Endpoint, EndpointId, NewEndpoint, Outcome,
    Recorded, Target,
};
pub use ports::{DynEndpoints, DynSender, Endpoints, Outgoing, SendError, Sender};
pub use role::Role;
pub use service::{Registered, Webhooks};
pub use signing::Secret;

/// The largest page a delivery listing returns.
pub const MAX_PAGE_SIZE: u32 = 100;

/// How many endpoints one tenant may register.
pub const MAX_ENDPOINTS: u32 = 20;

/// After this many consecutive failed deliveries (of distinct events) an endpoint is disabled.
pub const DISABLE_AFTER: u32 = 10;

/// The event types a tenant's endpoints receive. A type is listed only when its whole payload
/// may leave the platform: an invitation (whose payload carries its single-use token) never is,
/// and neither are this module's own events, so a failing endpoint cannot feed on its failures.
pub const PUBLISHED: &[&str] = &[
    "tenancy.tenant_created",
    "tenancy.member_added",
    "tenancy.role_changed",
    "tenancy.member_removed",
    "tenancy.invitation_accepted",
];
