//! Turning request strings into domain values, collecting every invalid field so one response
//! lists them all.

use std::str::FromStr;

use kernel::ValidationError;

use crate::{ApiError, FieldError};

#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    /// Keeps the value, or records why it is invalid.
    pub fn check<T>(&mut self, parsed: Result<T, ValidationError>) -> Option<T> {
        parsed.map_err(|err| self.0.push(err.into())).ok()
    }

    pub fn into_error(self) -> ApiError {
        ApiError::Validation(self.0)
    }
}

/// Parses an id from a path or query parameter, naming the parameter when it is malformed.
pub fn parse_id<T: FromStr>(raw: &str, field: &'static str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::bad_request(format!("{field} must be a UUID"), Some(field.to_owned()))
    })
}
