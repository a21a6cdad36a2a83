//! Request and response bodies. Field names here are the public API: add fields, never
//! rename them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use webhooks::{Delivery, Endpoint, Outcome};

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RegisterRequest {
    /// Where events are POSTed: an `https://` URL of a public host, at most 2048 characters,
    /// without credentials or fragment.
    #[schema(example = "https://hooks.example.com/saas", max_length = 2048)]
    pub url: String,
    /// What the endpoint is for: up to 200 visible characters.
    #[schema(example = "CRM sync", max_length = 200)]
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EndpointBody {
    id: Uuid,
    tenant_id: Uuid,
    url: String,
    #[schema(required = true)]
    description: Option<String>,
    /// False once the endpoint failed ten deliveries in a row; register it again to resume.
    enabled: bool,
    /// Failed deliveries of distinct events since the last success.
    consecutive_failures: u32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
}

impl From<Endpoint> for EndpointBody {
    fn from(e: Endpoint) -> Self {
        Self {
            id: e.id.as_uuid(),
            tenant_id: e.tenant_id.as_uuid(),
            url: e.url.as_str().to_owned(),
            description: e.description.map(|d| d.as_str().to_owned()),
            enabled: e.enabled,
            consecutive_failures: e.consecutive_failures,
            created_at: e.created_at,
        }
    }
}

/// A new endpoint with its signing secret, which is never shown again.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RegisteredBody {
    #[serde(flatten)]
    pub endpoint: EndpointBody,
    /// The Standard Webhooks signing secret: `whsec_` and the base64 of 32 bytes. Store it
    /// now: no other response contains it.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=")]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EndpointListBody {
    /// Oldest first.
    pub endpoints: Vec<EndpointBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeliveryBody {
    id: Uuid,
    /// The event's id, also the `webhook-id` header of every attempt to deliver it.
    event_id: Uuid,
    event_type: String,
    /// 1 for the first attempt at this event, 2 for its first retry...
    attempt: u32,
    /// The receiver's status code; null when none came back.
    #[schema(required = true)]
    status_code: Option<u16>,
    /// Why no status code came back (refused address, timeout, connection or TLS failure).
    #[schema(required = true)]
    error: Option<String>,
    /// Whether the receiver answered 2xx.
    succeeded: bool,
    duration_ms: u32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    attempted_at: OffsetDateTime,
}

impl From<Delivery> for DeliveryBody {
    fn from(d: Delivery) -> Self {
        let succeeded = d.outcome.succeeded();
        let (status_code, error) = match d.outcome {
            Outcome::Status(code) => (Some(code), None),
            Outcome::Error(why) => (None, Some(why)),
        };
        Self {
            id: d.id.as_uuid(),
            event_id: d.event_id.as_uuid(),
            event_type: d.event_type,
            attempt: d.attempt,
            status_code,
            error,
            succeeded,
            duration_ms: d.duration_ms,
            attempted_at: d.at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
    /// The `next_cursor` of the previous page.
    #[param(format = Uuid)]
    pub cursor: Option<String>,
    /// Page size, 1 to 100; 20 by default.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeliveryPageBody {
    /// Newest first.
    pub deliveries: Vec<DeliveryBody>,
    /// Pass as `cursor` to get older entries; null on the last page.
    #[schema(format = Uuid, required = true)]
    pub next_cursor: Option<String>,
}
