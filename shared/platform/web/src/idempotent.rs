//! `Idempotency-Key` on authenticated POSTs: the first request with a key runs, a retry with
//! the same key and body gets the first response again (`Idempotent-Replayed: true`), the same
//! key with another body is refused (422), and a retry while the first still runs gets 409.
//!
//! Keys are scoped to the session that sent them and to the route, so one client's key never
//! replays another's response. Anonymous POSTs (signup, login, password resets) ignore the
//! header: their responses carry fresh secrets that must not be stored, and each of them is
//! safe to repeat (a second signup with one email is a conflict, a second login another
//! session). Server errors are not stored, so the retry runs again.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kv::{Idempotency, Recorded, Started};
use sha2::{Digest, Sha256};

use crate::problem::finish;
use crate::{ApiError, FieldError, MAX_BODY_BYTES};

const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
const MAX_KEY_LEN: usize = 255;
/// Only these response headers are stored and replayed.
const KEPT_HEADERS: [HeaderName; 2] = [CONTENT_TYPE, LOCATION];

pub(crate) async fn idempotent(idempotency: Idempotency, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(IDEMPOTENCY_KEY).cloned() else {
        return next.run(req).await;
    };
    let Some(session) = crate::limits::session_subject(req.headers()) else {
        return next.run(req).await;
    };
    let Some(key) = key.to_str().ok().filter(|k| usable_key(k)) else {
        return invalid_key(format!(
            "must be 1 to {MAX_KEY_LEN} printable ASCII characters"
        ));
    };
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = req.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY_BYTES).await else {
        return ApiError::PayloadTooLarge.into_response();
    };
    let route = format!("{} {}", parts.method, parts.uri.path());
    let scope = hex(&Sha256::digest(format!("{session}\n{route}\n{key}")));
    let fingerprint = hex(&Sha256::digest(
        [
            route.as_bytes(),
            b"\n",
            parts.uri.query().unwrap_or_default().as_bytes(),
            b"\n",
            &body,
        ]
        .concat(),
    ));
    let claim = match idempotency.start(&scope, &fingerprint).await {
        Err(cause) => return ApiError::unavailable(cause).into_response(),
        Ok(Started::Mismatch) => {
            return invalid_key("was already used with another request".to_owned());
        }
        Ok(Started::InFlight) => {
            let mut response =
                ApiError::Conflict("a request with this idempotency key is still running")
                    .into_response();
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(1));
            return response;
        }
        Ok(Started::Replay(recorded)) => return replay(recorded),
        Ok(Started::Proceed(claim)) => claim,
    };
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let response = finish(response, request_id);
    let status = response.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        release(&idempotency, claim).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let Ok(text) = String::from_utf8(bytes.to_vec()) else {
        release(&idempotency, claim).await;
        return Response::from_parts(parts, Body::from(bytes));
    };
    let recorded = Recorded {
        status: status.as_u16(),
        headers: KEPT_HEADERS
            .iter()
            .filter_map(|name| {
                let value = parts.headers.get(name)?.to_str().ok()?;
                Some((name.as_str().to_owned(), value.to_owned()))
            })
            .collect(),
        body: text,
    };
    if let Err(e) = idempotency.complete(claim, recorded).await {
        // The effect happened and is answered; a retry would find the key still claimed (409)
        // until the lease ends, then run again.
        tracing::warn!(error = %e, "idempotency record not stored");
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn release(idempotency: &Idempotency, claim: kv::Claim) {
    if let Err(e) = idempotency.release(claim).await {
        tracing::warn!(error = %e, "idempotency key not released");
    }
}

fn replay(recorded: Recorded) -> Response {
    let mut response = Response::new(Body::from(Bytes::from(recorded.body)));
    *response.status_mut() = StatusCode::from_u16(recorded.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    for (name, value) in recorded.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(name, value);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

fn usable_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

fn invalid_key(message: String) -> Response {
    ApiError::Validation(vec![FieldError {
        field: IDEMPOTENCY_KEY.as_str().to_owned(),
        message,
    }])
    .into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
