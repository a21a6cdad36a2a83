//! Webhooks the platform receives: a provider POSTs events signed in the Standard Webhooks
//! format with a secret it shares with the platform. A delivery is checked ([`receive`]) and
//! handed to an [`InboundSink`]: at the origin the outbox, which publishes an
//! [`InboundReceived`] event for whichever module consumes it; at the edge the origin itself,
//! so only verified deliveries reach it.

use std::future::Future;

use kernel::{Event, TenantId, Unavailable};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::signing::{self, Secret, VerifyError};

/// A delivery as it arrived: its Standard Webhooks headers and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundDelivery {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Vec<u8>,
}

/// Where verified deliveries go. A provider sends a message again, with the same id, until it
/// is answered 2xx: a sink accepts a repeat and records the message once.
#[dynosaur::dynosaur(pub DynInboundSink = dyn(box) InboundSink)]
pub trait InboundSink: Send + Sync {
    fn accept(
        &self,
        delivery: &InboundDelivery,
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;
}

/// The longest `webhook-id` the platform keeps, in bytes.
pub const MAX_ID_LEN: usize = 256;

/// Why a delivery was turned away.
#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    #[error("the webhook-id must be 1 to {MAX_ID_LEN} printable ASCII characters")]
    BadId,
    #[error("the signature does not verify: {0}")]
    Unverified(VerifyError),
    #[error("the body is not a JSON document")]
    NotJson,
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}

/// Verifies `delivery` against `secret` as of `now` and, if it holds a JSON body, hands it to
/// `sink`.
pub async fn receive(
    secret: &Secret,
    delivery: &InboundDelivery,
    now: OffsetDateTime,
    sink: &DynInboundSink<'_>,
) -> Result<(), InboundError> {
    let id = &delivery.id;
    if id.is_empty() || id.len() > MAX_ID_LEN || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(InboundError::BadId);
    }
    signing::verify(
        secret,
        &delivery.id,
        &delivery.timestamp,
        &delivery.signature,
        &delivery.body,
        now,
    )
    .map_err(InboundError::Unverified)?;
    serde_json::from_slice::<serde::de::IgnoredAny>(&delivery.body)
        .map_err(|_| InboundError::NotJson)?;
    sink.accept(delivery).await?;
    Ok(())
}

/// A provider's event, verified and received: its delivery id (the same on a provider's
/// retries, so a consumer can tell them apart) and the JSON it sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundReceived {
    pub webhook_id: String,
    pub payload: serde_json::Value,
}

impl Event for InboundReceived {
    const TYPE: &'static str = "webhooks.inbound_received";
    const VERSION: u16 = 1;

    fn tenant(&self) -> Option<TenantId> {
        None
    }
}

impl InboundReceived {
    /// The event of a verified delivery.
    pub fn of(delivery: &InboundDelivery) -> Result<Self, InboundError> {
        Ok(Self {
            webhook_id: delivery.id.clone(),
            payload: serde_json::from_slice(&delivery.body).map_err(|_| InboundError::NotJson)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct Collect(Mutex<Vec<InboundDelivery>>);

    impl InboundSink for Collect {
        async fn accept(&self, delivery: &InboundDelivery) -> Result<(), Unavailable> {
            self.0.lock().unwrap().push(delivery.clone());
            Ok(())
        }
    }

    fn signed(secret: &Secret, body: &[u8], at: OffsetDateTime) -> InboundDelivery {
        let [(_, id), (_, timestamp), (_, signature)] =
            signing::headers(secret, "msg_1", at.unix_timestamp(), body);
        InboundDelivery {
            id,
            timestamp,
            signature,
            body: body.to_vec(),
        }
    }

    #[tokio::test]
    async fn only_signed_fresh_json_reaches_the_sink() {
        let secret = Secret::generate().unwrap();
        let now = OffsetDateTime::now_utc();
        let sink = DynInboundSink::new_box(Collect::default());
        let good = signed(&secret, br#"{"type":"invoice.paid"}"#, now);
        receive(&secret, &good, now, &sink).await.unwrap();

        let other = Secret::generate().unwrap();
        let stale = signed(&secret, b"{}", now - time::Duration::minutes(10));
        let mut tampered = good.clone();
        tampered.body = br#"{"type":"invoice.void"}"#.to_vec();
        let not_json = signed(&secret, b"paid", now);
        let mut long_id = good.clone();
        long_id.id = "m".repeat(MAX_ID_LEN + 1);
        for (delivery, key) in [
            (signed(&other, b"{}", now), &secret),
            (stale, &secret),
            (tampered, &secret),
            (not_json, &secret),
            (long_id, &secret),
        ] {
            assert!(receive(key, &delivery, now, &sink).await.is_err());
        }
        let event = InboundReceived::of(&good).unwrap();
        assert_eq!(event.payload["type"], "invoice.paid");
        assert_eq!(event.webhook_id, "msg_1");
    }
}
