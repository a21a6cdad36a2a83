//! Turning request strings into domain values, collecting every invalid field so one response
//! lists them all.

use std::str::FromStr;

use kernel::{TenantId, ValidationError};
use tracing::field::display;

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

/// The length of the one spelling of an id the API reads and writes.
const HYPHENATED_LEN: usize = 36;

/// Parses an id from a path or query parameter, naming the parameter when it is malformed. Only
/// the spelling the document gives (`format: uuid`) and the API answers with is read:
/// 8-4-4-4-12 hexadecimal digits, in either case. `Uuid` alone would also take the braced, URN
/// and unhyphenated spellings, so one resource would have several URLs.
pub fn parse_id<T: FromStr>(raw: &str, field: &'static str) -> Result<T, ApiError> {
    let malformed =
        || ApiError::bad_request(format!("{field} must be a UUID"), Some(field.to_owned()));
    if raw.len() != HYPHENATED_LEN {
        return Err(malformed());
    }
    raw.parse().map_err(|_| malformed())
}

/// A page's position and size from the `cursor` and `limit` query parameters: the cursor is an
/// id (see [`parse_id`]), the limit 1 to `max`, `default` when absent. Every listing reads its
/// page here, so they all answer a bad one alike (400, naming the parameter).
pub fn page<C: FromStr>(
    cursor: Option<&str>,
    limit: Option<&str>,
    default: u32,
    max: u32,
) -> Result<(Option<C>, u32), ApiError> {
    let cursor = cursor.map(|c| parse_id::<C>(c, "cursor")).transpose()?;
    let limit = match limit {
        None => default,
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(
                    format!("limit must be between 1 and {max}"),
                    Some("limit".to_owned()),
                )
            })?,
    };
    Ok((cursor, limit))
}

/// The tenant of a tenant-scoped route, from its `tenant_id` path parameter; tags the request
/// span with it. Every module's tenant-scoped routes start here.
pub fn tenant_scope(raw: &str) -> Result<TenantId, ApiError> {
    let tenant: TenantId = parse_id(raw, "tenant_id")?;
    tracing::Span::current().record("tenant_id", display(tenant));
    Ok(tenant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_in_the_hyphenated_spelling_only() {
        let id = "01a21d71-9b8b-74f3-93df-c9a2bf69e0c2";
        assert!(parse_id::<TenantId>(id, "tenant_id").is_ok());
        assert!(parse_id::<TenantId>(&id.to_uppercase(), "tenant_id").is_ok());
        let others = [
            id.replace('-', ""),
            format!("{{{id}}}"),
            format!("urn:uuid:{id}"),
            "x".repeat(HYPHENATED_LEN),
            String::new(),
        ];
        for other in others {
            assert!(
                matches!(
                    parse_id::<TenantId>(&other, "tenant_id"),
                    Err(ApiError::BadRequest { .. })
                ),
                "{other:?}"
            );
        }
    }
}
