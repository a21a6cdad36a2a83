use std::fmt;

use crate::ValidationError;

const MAX_CHARS: usize = 100;

/// A tenant's display name: trimmed, non-empty, at most 100 characters, no control characters.
#[derive(Clone, PartialEq, Eq)]
pub struct TenantName(String);

impl TenantName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(ValidationError::new("tenant_name", "must not be empty"));
        }
        if name.chars().count() > MAX_CHARS {
            return Err(ValidationError::new(
                "tenant_name",
                format!("must be at most {MAX_CHARS} characters"),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "tenant_name",
                "must not contain control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TenantName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TenantName").field(&self.0).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(
            TenantName::parse(" Acme ").map(|n| n.0).ok().as_deref(),
            Some("Acme")
        );
        assert!(TenantName::parse("   ").is_err());
        assert!(TenantName::parse(&"a".repeat(101)).is_err());
        assert!(TenantName::parse("bad\u{0}name").is_err());
    }
}
