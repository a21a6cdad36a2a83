//! One error type for the whole HTTP surface, rendered as RFC 9457 `application/problem+json`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::{Unavailable, ValidationError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The id of the request, also in the `x-request-id` header; quote it in support requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The fields at fault, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl From<ValidationError> for FieldError {
    fn from(err: ValidationError) -> Self {
        Self {
            field: err.field.to_owned(),
            message: err.message,
        }
    }
}

/// Everything a handler or extractor can fail with. Each module's routes map their own
/// domain errors onto these.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {detail}")]
    BadRequest {
        detail: String,
        field: Option<String>,
    },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unauthenticated: {0}")]
    Unauthenticated(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// A rate limit is spent until its window ends.
    #[error("too many requests under {}", policy.name)]
    TooManyRequests {
        policy: kv::Policy,
        decision: kv::Decision,
    },
    /// A dependency is down; `detail` tells the client whether and how to retry.
    #[error("service unavailable: {detail}")]
    Unavailable {
        #[source]
        cause: Unavailable,
        detail: &'static str,
    },
    /// A bug or an unexpected failure. Its cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>, field: Option<String>) -> Self {
        Self::BadRequest {
            detail: detail.into(),
            field,
        }
    }

    /// A dependency failed. When a commit's outcome is unknown the detail says so, so the
    /// client checks before it retries.
    pub fn unavailable(cause: Unavailable) -> Self {
        let detail = if cause.is_outcome_unknown() {
            "the outcome is unknown: the change may have been applied, so check before retrying"
        } else {
            "a dependency is unavailable; retry shortly"
        };
        Self::Unavailable { cause, detail }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn problem(&self) -> Problem {
        let status = self.status();
        let (detail, errors) = match self {
            Self::BadRequest { detail, field } => (
                detail.clone(),
                field
                    .iter()
                    .map(|f| FieldError {
                        field: f.clone(),
                        message: detail.clone(),
                    })
                    .collect(),
            ),
            Self::Validation(errors) => {
                ("the request has invalid fields".to_owned(), errors.clone())
            }
            Self::Unauthenticated(why) => ((*why).to_owned(), Vec::new()),
            Self::Forbidden(why) | Self::Conflict(why) => ((*why).to_owned(), Vec::new()),
            Self::NotFound(what) => (format!("{what} not found"), Vec::new()),
            Self::MethodNotAllowed => (
                "this path does not accept that method".to_owned(),
                Vec::new(),
            ),
            Self::PayloadTooLarge => (
                format!("the body exceeds {} bytes", crate::MAX_BODY_BYTES),
                Vec::new(),
            ),
            Self::UnsupportedMediaType => (
                "expected Content-Type: application/json".to_owned(),
                vec![FieldError {
                    field: "content-type".to_owned(),
                    message: "must be application/json".to_owned(),
                }],
            ),
            Self::TooManyRequests { policy, decision } => (
                format!(
                    "the limit of {} requests per {} s ({}) is spent; retry in {} s",
                    decision.limit,
                    policy.window.as_secs(),
                    policy.name,
                    decision.reset_after.as_secs()
                ),
                Vec::new(),
            ),
            Self::Unavailable { detail, .. } => ((*detail).to_owned(), Vec::new()),
            Self::Internal(_) => ("an unexpected error occurred".to_owned(), Vec::new()),
        };
        Problem {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            request_id: None,
            errors,
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(err: ValidationError) -> Self {
        Self::Validation(vec![err.into()])
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Unavailable { cause, .. } => {
                tracing::warn!(error = %cause, source = ?std::error::Error::source(cause), "dependency unavailable")
            }
            Self::Internal(cause) => tracing::error!(error = %cause, "internal error"),
            _ => {}
        }
        let mut response = self.problem().into_response();
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        if matches!(self, Self::Unauthenticated(_)) {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        match &self {
            Self::Unavailable { .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            Self::TooManyRequests { policy, decision } => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(decision.reset_after.as_secs().max(1)),
                );
                crate::limits::set_headers(headers, policy, decision);
            }
            _ => {}
        }
        response
    }
}

impl IntoResponse for Problem {
    /// The body is rendered by the problem middleware, which knows the request id.
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = Response::new(axum::body::Body::empty());
        *response.status_mut() = status;
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response.extensions_mut().insert(self);
        response
    }
}

/// Writes the body of a problem response, which only the layers can stamp with the request id.
/// Other responses pass unchanged.
pub(crate) fn finish(mut response: Response, request_id: Option<String>) -> Response {
    if let Some(problem) = response.extensions_mut().remove::<Problem>() {
        let body = render(problem, request_id);
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, body.len().into());
        *response.body_mut() = axum::body::Body::from(body);
    }
    response
}

/// The final body of a problem response, stamped with the request id.
fn render(mut problem: Problem, request_id: Option<String>) -> Vec<u8> {
    problem.request_id = request_id;
    serde_json::to_vec(&problem).unwrap_or_default()
}
