//! Handlers, grouped as they are deployed. Each handler parses its input into domain types,
//! calls one use case and maps the result; nothing else.

pub(crate) mod accounts;
mod dto;
pub(crate) mod health;
pub(crate) mod tenants;

use std::str::FromStr;

use domain::ValidationError;

use crate::{ApiError, FieldError};

/// Collects every invalid field of a request, so one response lists them all.
#[derive(Default)]
struct Fields(Vec<FieldError>);

impl Fields {
    fn check<T>(&mut self, parsed: Result<T, ValidationError>) -> Option<T> {
        parsed.map_err(|err| self.0.push(err.into())).ok()
    }

    fn into_error(self) -> ApiError {
        ApiError::Validation(self.0)
    }
}

/// Parses an id from a path or query parameter, naming the parameter when it is malformed.
fn parse_id<T: FromStr>(raw: &str, field: &'static str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::bad_request(format!("{field} must be a UUID"), Some(field.to_owned()))
    })
}
