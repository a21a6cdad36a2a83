use std::fmt;

use kernel::ValidationError;

const MAX_CHARS: usize = 200;
const FIELD: &str = "description";

/// What an endpoint is for, as its owner describes it: trimmed, 1 to 200 visible characters.
#[derive(Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    /// `None` for a blank description: it is optional.
    pub fn parse(raw: &str) -> Result<Option<Self>, ValidationError> {
        let text = kernel::text::normalize(raw);
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > MAX_CHARS {
            return Err(ValidationError::new(
                FIELD,
                format!("must be at most {MAX_CHARS} characters"),
            ));
        }
        kernel::text::check_visible(&text).map_err(|why| ValidationError::new(FIELD, why))?;
        Ok(Some(Self(text)))
    }

    /// A description read back from the store, which only ever holds parsed ones.
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Description").field(&self.0).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_bounds_and_refuses_hidden_characters() {
        let parsed = Description::parse("  Billing sync ").ok().flatten();
        assert_eq!(
            parsed.as_ref().map(Description::as_str),
            Some("Billing sync")
        );
        assert!(matches!(Description::parse("   "), Ok(None)));
        assert!(Description::parse(&"a".repeat(201)).is_err());
        assert!(Description::parse("a\u{202e}b").is_err());
    }
}
