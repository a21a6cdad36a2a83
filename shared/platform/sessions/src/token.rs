use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const TOKEN_BYTES: usize = 32;

/// An opaque bearer token: 256 random bits, shown to the client once and never stored.
#[derive(Clone)]
pub struct SessionToken(String);

impl SessionToken {
    /// Fails only when the operating system cannot supply randomness.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Accepts only strings shaped like a token this crate issued.
    pub fn parse(raw: &str) -> Option<Self> {
        let decoded = URL_SAFE_NO_PAD.decode(raw).ok()?;
        (decoded.len() == TOKEN_BYTES).then(|| Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0.as_bytes()).into())
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// The SHA-256 of a session token: the only form in which a token is stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Compares without leaking, through timing, how many leading bytes match.
    pub fn matches(&self, other: &TokenHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_256_bits_and_differ() {
        let (Ok(a), Ok(b)) = (SessionToken::generate(), SessionToken::generate()) else {
            panic!("no randomness");
        };
        assert_eq!(
            URL_SAFE_NO_PAD.decode(a.expose()).map(|v| v.len()).ok(),
            Some(32)
        );
        assert_ne!(a.expose(), b.expose());
        assert!(!a.hash().matches(&b.hash()));
        assert!(a.hash().matches(&a.hash()));
    }

    #[test]
    fn parse_rejects_foreign_shapes() {
        assert!(SessionToken::parse("abc").is_none());
        assert!(SessionToken::parse(&"A".repeat(43)).is_some());
        assert!(SessionToken::parse(&"!".repeat(43)).is_none());
    }

    #[test]
    fn debug_hides_the_secret() {
        let token = SessionToken::parse(&"A".repeat(43));
        assert!(!format!("{token:?}").contains("AAAA"));
    }
}
