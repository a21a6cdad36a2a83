//! Webhooks a provider sends to the platform, signed with the secret it shares with it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use kernel::Clock;
use web::{ApiError, Problem};
use webhooks::signing::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use webhooks::{DynInboundSink, InboundDelivery, InboundError, Secret};

/// What the inbound route needs: the shared secret (none: the route is off and answers 404),
/// where verified deliveries go, and the clock their timestamps are checked against.
#[derive(Clone)]
pub struct InboundState {
    pub secret: Option<Secret>,
    pub sink: Arc<DynInboundSink<'static>>,
    pub clock: Arc<dyn Clock>,
}

/// Receives a provider's event in the Standard Webhooks format: the `webhook-signature` must
/// be the HMAC of `webhook-id`, `webhook-timestamp` (within five minutes of now) and the body
/// with the shared secret, and the body a JSON document. Accepted deliveries are published as
/// `webhooks.inbound_received` events. No session: the signature is the credential.
#[utoipa::path(
    post,
    path = "/v1/webhooks/inbound",
    tag = "webhooks",
    request_body(content = serde_json::Value, content_type = "application/json"),
    params(
        ("webhook-id" = String, Header, description = "The delivery's id, the same on retries", min_length = 1, max_length = 256, pattern = "^[!-~]+$"),
        ("webhook-timestamp" = String, Header, description = "Seconds since the Unix epoch"),
        ("webhook-signature" = String, Header, description = "Space-separated `v1,<base64>` signatures"),
    ),
    responses(
        (status = 202, description = "Verified and accepted; a repeat of an accepted webhook-id is accepted again and recorded once"),
        (status = 400, description = "A missing header, a webhook-id over 256 characters, or a body that is not JSON", body = Problem),
        (status = 401, description = "The signature does not verify, or the timestamp is stale", body = Problem),
        (status = 404, description = "No provider secret is configured: inbound webhooks are off", body = Problem),
        (status = 503, description = "The delivery could not be recorded; the provider retries", body = Problem),
    )
)]
pub(crate) async fn receive_inbound(
    State(state): State<InboundState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let header = |name: &'static str| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .ok_or_else(|| {
                ApiError::bad_request(format!("the {name} header is required"), Some(name.into()))
            })
    };
    let delivery = InboundDelivery {
        id: header(ID_HEADER)?,
        timestamp: header(TIMESTAMP_HEADER)?,
        signature: header(SIGNATURE_HEADER)?,
        body: body.to_vec(),
    };
    let Some(secret) = &state.secret else {
        return Err(ApiError::NotFound("the inbound webhook endpoint"));
    };
    webhooks::inbound::receive(secret, &delivery, state.clock.now(), &state.sink)
        .await
        .map_err(|err| match err {
            InboundError::Unverified(_) => {
                ApiError::Unauthenticated("the webhook signature does not verify")
            }
            InboundError::BadId => ApiError::bad_request(
                format!(
                    "the {ID_HEADER} header must be 1 to {} printable ASCII characters",
                    webhooks::inbound::MAX_ID_LEN
                ),
                Some(ID_HEADER.into()),
            ),
            InboundError::NotJson => {
                ApiError::bad_request("the body is not a JSON document", Some("body".into()))
            }
            InboundError::Unavailable(cause) => ApiError::unavailable(cause),
        })?;
    Ok(StatusCode::ACCEPTED)
}
