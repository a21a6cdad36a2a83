use std::fmt;

use kernel::ValidationError;

const MAX_CHARS: usize = 100;

/// A tenant's display name: trimmed and NFC-normalised, 1 to 100 characters, with nothing
/// invisible or reordering in it (control, zero-width or bidi characters).
#[derive(Clone, PartialEq, Eq)]
pub struct TenantName(String);

/// The request field a tenant's name arrives in.
const FIELD: &str = "name";

impl TenantName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name = kernel::text::normalize(raw);
        if name.is_empty() {
            return Err(ValidationError::new(FIELD, "must not be empty"));
        }
        if name.chars().count() > MAX_CHARS {
            return Err(ValidationError::new(
                FIELD,
                format!("must be at most {MAX_CHARS} characters"),
            ));
        }
        kernel::text::check_visible(&name).map_err(|why| ValidationError::new(FIELD, why))?;
        Ok(Self(name))
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

    #[test]
    fn normalises_and_refuses_what_hides_or_reorders() {
        let decomposed = TenantName::parse("Cafe\u{301}").map(|n| n.0).ok();
        assert_eq!(decomposed.as_deref(), Some("Caf\u{e9}"));
        for raw in ["Ac\u{200b}me", "Acme\u{202e}", "\u{2066}Acme"] {
            assert_eq!(
                TenantName::parse(raw).err().map(|e| e.field),
                Some(FIELD),
                "{raw:?}"
            );
        }
    }
}
