//! Strong ETags on successful GETs, and `304 Not Modified` for a client that already holds the
//! representation (`If-None-Match`). The tag is a digest of the body, so it changes exactly when
//! the body does, whichever instance answers.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header::{ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Larger bodies are sent without a tag rather than held in memory to hash.
const MAX_TAGGED_BYTES: usize = 1024 * 1024;

pub(crate) async fn etag(req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let held = req.headers().get(IF_NONE_MATCH).cloned();
    let response = next.run(req).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(ETAG) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_TAGGED_BYTES).await else {
        // The body could not be read back: nothing sensible is left to send.
        return Response::from_parts(parts, Body::empty());
    };
    let tag = format!("\"{}\"", URL_SAFE_NO_PAD.encode(Sha256::digest(&bytes)));
    let Ok(tag) = HeaderValue::from_str(&tag) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if held.as_ref().is_some_and(|held| matches(held, &tag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        strip_content_headers(&mut parts.headers);
        parts.headers.insert(ETAG, tag);
        return Response::from_parts(parts, Body::empty());
    }
    parts.headers.insert(ETAG, tag);
    Response::from_parts(parts, Body::from(bytes))
}

/// `If-None-Match` compares weakly (RFC 9110 13.1.2): `W/"x"` matches `"x"`; `*` matches any.
fn matches(held: &HeaderValue, tag: &HeaderValue) -> bool {
    let Ok(held) = held.to_str() else {
        return false;
    };
    let tag = tag.to_str().unwrap_or_default();
    held.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

fn strip_content_headers(headers: &mut HeaderMap) {
    for name in [
        axum::http::header::CONTENT_LENGTH,
        axum::http::header::CONTENT_TYPE,
    ] {
        headers.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists() {
        let tag = HeaderValue::from_static("\"abc\"");
        for (held, hit) in [
            ("\"abc\"", true),
            ("W/\"abc\"", true),
            ("\"x\", \"abc\"", true),
            ("*", true),
            ("\"abd\"", false),
            ("abc", false),
        ] {
            assert_eq!(
                matches(&HeaderValue::from_static(held), &tag),
                hit,
                "{held}"
            );
        }
    }
}
