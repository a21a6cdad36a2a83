//! Extractors that turn every malformed input into the same problem shape as other errors.

use axum::body::Bytes;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use kernel::UserId;
use serde::de::DeserializeOwned;
use sessions::{SessionToken, Sessions};

use crate::ApiError;

/// A JSON body: 415 for a missing or wrong content type, 400 for malformed JSON, 422 naming the
/// field for a missing or mistyped field, 413 past the body limit.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::bad_request("the body could not be read", None)
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_data() {
            let message = inner.to_string();
            let field = match missing_field(&message) {
                Some(name) => join(&path, name),
                None => path,
            };
            ApiError::Validation(vec![crate::FieldError {
                field,
                message: strip_position(&message),
            }])
        } else {
            ApiError::bad_request(
                format!("malformed JSON: {}", strip_position(&inner.to_string())),
                None,
            )
        }
    })?;
    de.end()
        .map_err(|_| ApiError::bad_request("malformed JSON: trailing characters", None))?;
    Ok(value)
}

/// serde names a missing field only in its message: "missing field `email`".
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

fn join(path: &str, name: &str) -> String {
    if path == "." {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn strip_position(message: &str) -> String {
    message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned()
}

/// Path parameters; a malformed one is a 400 naming the parameter.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(err)) => {
                let field = match err.kind() {
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::InvalidUtf8InPathParam { key } => Some(key.clone()),
                    _ => None,
                };
                Err(ApiError::bad_request(
                    "a path parameter is malformed",
                    field,
                ))
            }
            Err(_) => Err(ApiError::Internal(
                "path parameters missing from route".to_owned(),
            )),
        }
    }
}

/// The user behind a valid bearer session token; 401 otherwise.
pub struct Authenticated {
    pub user: UserId,
    pub token: SessionToken,
}

const NO_SESSION: ApiError = ApiError::Unauthenticated("a valid session token is required");

impl<S: Send + Sync> FromRequestParts<S> for Authenticated
where
    Sessions: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or(NO_SESSION)?;
        let user = Sessions::from_ref(state)
            .resolve(&token)
            .await
            .map_err(ApiError::unavailable)?
            .ok_or(NO_SESSION)?;
        tracing::Span::current().record("user_id", tracing::field::display(user));
        if let Some(slot) = parts.extensions.get::<crate::activity::CallerSlot>() {
            slot.set(user);
        }
        Ok(Self { user, token })
    }
}

/// The token of an `Authorization: Bearer` header; the scheme is case-insensitive (RFC 9110).
pub fn bearer(headers: &HeaderMap) -> Option<SessionToken> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| SessionToken::parse(token.trim()))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        email: String,
        nested: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn fields(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn names_missing_and_mistyped_fields() {
        let missing = parse_json::<Body>(b"{}").err().map(fields);
        assert_eq!(missing, Some(vec!["email".to_owned()]));
        let mistyped = parse_json::<Body>(br#"{"email":"a","nested":{"count":"x"}}"#)
            .err()
            .map(fields);
        assert_eq!(mistyped, Some(vec!["nested.count".to_owned()]));
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        for body in [&b"{"[..], b"not json", br#"{"email":"a"} {}"#] {
            let err = parse_json::<Body>(body).err();
            assert!(
                matches!(err, Some(ApiError::BadRequest { .. })),
                "{body:?}: {err:?}"
            );
        }
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        let token = "A".repeat(43);
        for (value, ok) in [
            (format!("Bearer {token}"), true),
            (format!("bearer {token}"), true),
            (format!("BEARER  {token} "), true),
            (format!("Basic {token}"), false),
            (format!("Bearer{token}"), false),
            ("Bearer".to_owned(), false),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(
                AUTHORIZATION,
                value.parse().unwrap_or_else(|_| panic!("{value}")),
            );
            assert_eq!(bearer(&headers).is_some(), ok, "{value:?}");
        }
    }

    #[test]
    fn accepts_json_media_types_only() {
        let mut headers = HeaderMap::new();
        assert!(!is_json(&headers));
        for (value, ok) in [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("application/merge-patch+json", true),
            ("text/plain", false),
        ] {
            headers.insert(
                CONTENT_TYPE,
                value.parse().unwrap_or_else(|_| panic!("{value}")),
            );
            assert_eq!(is_json(&headers), ok, "{value}");
        }
    }
}
