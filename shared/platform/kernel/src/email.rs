use std::fmt;

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

use crate::{ValidationError, text};

const MAX_LEN: usize = 254;

/// Characters that delimit addresses in mail headers. Quoted local parts are not supported, so
/// an address containing them is refused rather than stored in a form no mailer would accept.
const LOCAL_FORBIDDEN: [char; 5] = [',', ';', '<', '>', '"'];

/// An email address, normalised so that one mailbox maps to one account: trimmed, lower-cased
/// and NFC-normalised. The domain is stored in its ASCII (Punycode) form, the one DNS and mail
/// servers use, so `ada@bücher.de` and `ada@xn--bcher-kva.de` are the same `Email`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses an address as a person typed it, refusing whatever could make two different
    /// mailboxes look alike or one mailbox appear as two accounts.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let invalid = |message: &str| Err(ValidationError::new("email", message));
        let email = text::normalize(&raw.to_lowercase());
        if email.is_empty() {
            return invalid("must not be empty");
        }
        if let Err(message) = text::check_visible(&email) {
            return invalid(message);
        }
        if email.chars().any(char::is_whitespace) {
            return invalid("must not contain whitespace");
        }
        let Some((local, domain)) = email.split_once('@') else {
            return invalid("must contain @");
        };
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return invalid("is not a valid email address");
        }
        if local.contains(LOCAL_FORBIDDEN) {
            return invalid(r#"must not contain , ; < > or " before the @"#);
        }
        let Some(domain) = domain_to_ascii(domain) else {
            return invalid("has an invalid domain");
        };
        let email = format!("{local}@{domain}");
        if email.len() > MAX_LEN {
            return invalid("must be at most 254 characters");
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The domain's ASCII form under UTS 46, or `None` if it is not a host name a mail server could
/// reach: letters, digits and inner hyphens only (RFC 5321), at least two labels, DNS lengths.
fn domain_to_ascii(domain: &str) -> Option<String> {
    let ascii = Uts46::new()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Verify,
        )
        .ok()?;
    ascii.contains('.').then(|| ascii.into_owned())
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

    fn refusal(raw: &str) -> Option<String> {
        Email::parse(raw).err().map(|e| {
            assert_eq!(e.field, "email");
            e.message
        })
    }

    #[test]
    fn composes_decomposed_characters() {
        let decomposed = Email::parse("Cafe\u{301}@example.com");
        let composed = Email::parse("caf\u{e9}@example.com");
        assert_eq!(decomposed, composed);
        let stored = composed.map(|e| e.as_str().to_owned());
        assert_eq!(stored.ok().as_deref(), Some("caf\u{e9}@example.com"));
    }

    #[test]
    fn stores_unicode_domains_in_ascii_form() {
        let unicode = Email::parse("ada@BÜCHER.de");
        let ascii = Email::parse("ada@xn--bcher-kva.de");
        assert_eq!(unicode, ascii);
        let stored = unicode.map(|e| e.as_str().to_owned());
        assert_eq!(stored.ok().as_deref(), Some("ada@xn--bcher-kva.de"));
    }

    #[test]
    fn rejects_invalid_domains() {
        for raw in [
            "ada@xn--a.de",
            "ada@\u{301}x.de",
            "ada@-bücher.de",
            "ada@bücher-.de",
            "ada@my_host.de",
            "ada@[127.0.0.1]",
            "ada@ex,ample.de",
        ] {
            assert_eq!(
                refusal(raw).as_deref(),
                Some("has an invalid domain"),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn rejects_zero_width_characters_anywhere() {
        for c in ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'] {
            for raw in [format!("a{c}da@example.com"), format!("ada@exa{c}mple.com")] {
                let expected = Some("must not contain zero-width characters");
                assert_eq!(refusal(&raw).as_deref(), expected, "{raw:?}");
            }
        }
    }

    #[test]
    fn rejects_bidi_controls_anywhere() {
        let controls = [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
            '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ];
        for c in controls {
            for raw in [format!("a{c}da@example.com"), format!("ada@exa{c}mple.com")] {
                let expected = Some("must not contain text-direction control characters");
                assert_eq!(refusal(&raw).as_deref(), expected, "{raw:?}");
            }
        }
    }

    #[test]
    fn rejects_control_characters_and_whitespace() {
        let control = Some("must not contain control characters");
        assert_eq!(refusal("a\u{0}da@example.com").as_deref(), control);
        assert_eq!(refusal("ada@exa\u{7f}mple.com").as_deref(), control);
        let whitespace = Some("must not contain whitespace");
        assert_eq!(refusal("a\u{a0}da@example.com").as_deref(), whitespace);
        assert_eq!(refusal("ada@exa\u{3000}mple.com").as_deref(), whitespace);
    }

    #[test]
    fn rejects_header_delimiters_in_the_local_part() {
        for c in [',', ';', '<', '>', '"'] {
            let raw = format!("a{c}da@example.com");
            let expected = Some(r#"must not contain , ; < > or " before the @"#);
            assert_eq!(refusal(&raw).as_deref(), expected, "{raw:?}");
        }
        let quoted = refusal(r#""ada"@example.com"#);
        assert_eq!(
            quoted.as_deref(),
            Some(r#"must not contain , ; < > or " before the @"#)
        );
    }
}
