//! One error type for the whole HTTP surface, rendered as RFC 9457 `application/problem+json`.

use accounts::{AccountsError, StoreError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ValidationError;
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

/// Everything a handler or extractor can fail with.
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
    /// A dependency is down; the client may retry.
    #[error("service unavailable")]
    Unavailable(#[source] StoreError),
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
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
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
            Self::Unavailable(_) => (
                "a dependency is unavailable; retry shortly".to_owned(),
                Vec::new(),
            ),
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

impl From<AccountsError> for ApiError {
    fn from(err: AccountsError) -> Self {
        match err {
            AccountsError::InvalidCredentials => {
                Self::Unauthenticated("email or password is wrong")
            }
            AccountsError::Unauthenticated => {
                Self::Unauthenticated("a valid session token is required")
            }
            AccountsError::NotFound(what) => Self::NotFound(what),
            AccountsError::Forbidden(why) => Self::Forbidden(why),
            AccountsError::Conflict(why) => Self::Conflict(why),
            AccountsError::Unprocessable { field, message } => Self::Validation(vec![FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            }]),
            AccountsError::Store(err) => Self::Unavailable(err),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Unavailable(cause) => {
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
        if matches!(self, Self::Unavailable(_)) {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
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

/// The final body of a problem response, stamped with the request id.
pub(crate) fn render(mut problem: Problem, request_id: Option<String>) -> Vec<u8> {
    problem.request_id = request_id;
    serde_json::to_vec(&problem).unwrap_or_default()
}
