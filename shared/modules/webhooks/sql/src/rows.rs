//! Row shapes and their conversion into domain values. A row that fails to convert means the
//! database holds data the schema should have refused.

use kernel::{EventId, TenantId, Unavailable};
use sqlx::FromRow;
use time::OffsetDateTime;
use uuid::Uuid;
use webhooks::{
    Delivery, DeliveryId, Description, Endpoint, EndpointId, EndpointUrl, Outcome, Secret, Target,
};

#[derive(Debug, thiserror::Error)]
#[error("corrupt row: {0}")]
struct CorruptRow(&'static str);

pub(crate) fn corrupt(what: &'static str) -> Unavailable {
    Unavailable::new(CorruptRow(what))
}

pub(crate) fn url(raw: &str) -> Result<EndpointUrl, Unavailable> {
    EndpointUrl::from_stored(raw).ok_or_else(|| corrupt("url"))
}

fn count(raw: i64, what: &'static str) -> Result<u32, Unavailable> {
    u32::try_from(raw).map_err(|_| corrupt(what))
}

#[derive(FromRow)]
pub struct EndpointRow {
    id: Uuid,
    tenant_id: Uuid,
    url: String,
    description: Option<String>,
    enabled: bool,
    consecutive_failures: i32,
    created_at: OffsetDateTime,
}

impl TryFrom<EndpointRow> for Endpoint {
    type Error = Unavailable;

    fn try_from(row: EndpointRow) -> Result<Self, Unavailable> {
        Ok(Self {
            id: EndpointId::from_uuid(row.id),
            tenant_id: TenantId::from_uuid(row.tenant_id),
            url: url(&row.url)?,
            description: row.description.map(Description::from_stored),
            enabled: row.enabled,
            consecutive_failures: count(row.consecutive_failures.into(), "consecutive_failures")?,
            created_at: row.created_at,
        })
    }
}

#[derive(FromRow)]
pub struct TargetRow {
    id: Uuid,
    url: String,
    secret: String,
}

impl TryFrom<TargetRow> for Target {
    type Error = Unavailable;

    fn try_from(row: TargetRow) -> Result<Self, Unavailable> {
        Ok(Self {
            endpoint_id: EndpointId::from_uuid(row.id),
            url: url(&row.url)?,
            secret: Secret::parse(&row.secret).map_err(|_| corrupt("secret"))?,
        })
    }
}

#[derive(FromRow)]
pub struct DeliveryRow {
    id: Uuid,
    endpoint_id: Uuid,
    event_id: Uuid,
    event_type: String,
    attempt: i32,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
    attempted_at: OffsetDateTime,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = Unavailable;

    fn try_from(row: DeliveryRow) -> Result<Self, Unavailable> {
        let outcome = match (row.status_code, row.error) {
            (Some(status), None) => {
                Outcome::Status(u16::try_from(status).map_err(|_| corrupt("status_code"))?)
            }
            (None, Some(error)) => Outcome::Error(error),
            _ => return Err(corrupt("outcome")),
        };
        Ok(Self {
            id: DeliveryId::from_uuid(row.id),
            endpoint_id: EndpointId::from_uuid(row.endpoint_id),
            event_id: EventId::from_uuid(row.event_id),
            event_type: row.event_type,
            attempt: count(row.attempt.into(), "attempt")?,
            outcome,
            duration_ms: count(row.duration_ms, "duration_ms")?,
            at: row.attempted_at,
        })
    }
}
