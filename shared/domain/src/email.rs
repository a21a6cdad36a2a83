use std::fmt;

use crate::ValidationError;

const MAX_LEN: usize = 254;

/// An email address, trimmed and lower-cased so that one mailbox maps to one account.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let email = raw.trim().to_lowercase();
        let invalid = |message: &str| Err(ValidationError::new("email", message));
        if email.is_empty() {
            return invalid("must not be empty");
        }
        if email.len() > MAX_LEN {
            return invalid("must be at most 254 characters");
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return invalid("must not contain whitespace");
        }
        let Some((local, domain)) = email.split_once('@') else {
            return invalid("must contain @");
        };
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || !domain_ok {
            return invalid("is not a valid email address");
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Email").field(&self.0).finish()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = Email::parse("  Ada@Example.COM ").map(|e| e.as_str().to_owned());
        assert_eq!(email.ok().as_deref(), Some("ada@example.com"));
    }

    #[test]
    fn rejects_malformed_addresses() {
        for raw in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@x.io",
            "a@b@c.io",
            "a@x..io",
        ] {
            let err = Email::parse(raw).err();
            assert_eq!(
                err.map(|e| e.field),
                Some("email"),
                "{raw:?} should be rejected"
            );
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let raw = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&raw).is_err());
    }
}
