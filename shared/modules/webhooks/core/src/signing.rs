//! Signatures in the Standard Webhooks format (<https://www.standardwebhooks.com>), so a
//! receiver can check deliveries with any of that format's libraries.
//!
//! A delivery carries three headers: `webhook-id` (the event id, the same on every retry),
//! `webhook-timestamp` (unix seconds of this attempt) and `webhook-signature`, `v1,` then the
//! base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed with the secret's bytes. A secret is
//! shown as `whsec_` and the base64 of those bytes.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";

/// How far a delivery's timestamp may be from the receiver's clock, either way, before
/// [`verify`] refuses it as a replay.
pub const TOLERANCE: time::Duration = time::Duration::minutes(5);

const PREFIX: &str = "whsec_";
const VERSION: &str = "v1";
/// The bytes of a secret this module generates.
const SECRET_BYTES: usize = 32;

/// The key deliveries are signed with. It prints as `Secret(..)`: only [`Secret::expose`]
/// shows it, once, to whoever registers the endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

/// A secret that is not `whsec_` and the base64 of 24 to 64 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a webhook secret: expected whsec_ and the base64 of 24 to 64 bytes")]
pub struct InvalidSecret;

impl Secret {
    /// 32 bytes from the system's random source.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut key = vec![0; SECRET_BYTES];
        getrandom::fill(&mut key)?;
        Ok(Self(key))
    }

    /// Reads a secret as [`expose`](Self::expose) shows it; the prefix may be left out, as the
    /// format's libraries allow.
    pub fn parse(raw: &str) -> Result<Self, InvalidSecret> {
        let encoded = raw.strip_prefix(PREFIX).unwrap_or(raw);
        let key = STANDARD.decode(encoded).map_err(|_| InvalidSecret)?;
        if !(24..=64).contains(&key.len()) {
            return Err(InvalidSecret);
        }
        Ok(Self(key))
    }

    /// `whsec_` and the base64 of the key: what the receiver configures.
    pub fn expose(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// The `webhook-signature` value for one attempt.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self.mac(id, timestamp, body).finalize().into_bytes();
        format!("{VERSION},{}", STANDARD.encode(tag))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        // HMAC takes a key of any length; this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// The three headers of one attempt, names and values.
pub fn headers(
    secret: &Secret,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> [(&'static str, String); 3] {
    [
        (ID_HEADER, id.to_owned()),
        (TIMESTAMP_HEADER, timestamp.to_string()),
        (SIGNATURE_HEADER, secret.sign(id, timestamp, body)),
    ]
}

/// Why a delivery failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the timestamp is not a number of seconds")]
    MalformedTimestamp,
    #[error("the timestamp is too far from now")]
    OutsideTolerance,
    #[error("no signature matches")]
    NoMatch,
}

/// Checks a delivery as a receiver does: the timestamp within [`TOLERANCE`] of `now`, and one
/// of the space-separated `v1,` signatures the HMAC of this id, timestamp and body, compared
/// in constant time. Signatures of other versions are ignored.
pub fn verify(
    secret: &Secret,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(), VerifyError> {
    let seconds: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::MalformedTimestamp)?;
    let skew = (now.unix_timestamp() - seconds).abs();
    if skew > TOLERANCE.whole_seconds() {
        return Err(VerifyError::OutsideTolerance);
    }
    let mac = secret.mac(id, seconds, body);
    let matches = signatures
        .split(' ')
        .filter_map(|s| s.split_once(','))
        .filter(|(version, _)| *version == VERSION)
        .filter_map(|(_, tag)| STANDARD.decode(tag).ok())
        .any(|tag| mac.clone().verify_slice(&tag).is_ok());
    if matches {
        Ok(())
    } else {
        Err(VerifyError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example the Standard Webhooks reference libraries test against.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn secret() -> Secret {
        Secret::parse(SECRET).unwrap_or_else(|e| panic!("{e}"))
    }

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(seconds).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn signs_the_reference_example_as_the_reference_libraries_do() {
        assert_eq!(secret().sign(ID, TIMESTAMP, BODY), SIGNATURE);
        assert_eq!(secret().expose(), SECRET);
    }

    #[test]
    fn verifies_the_reference_example_and_refuses_tampering() {
        let s = secret();
        let now = at(TIMESTAMP + 10);
        assert_eq!(verify(&s, ID, "1614265330", SIGNATURE, BODY, now), Ok(()));
        let several = format!("v2,abc v1,bm9wZQ== {SIGNATURE}");
        assert_eq!(verify(&s, ID, "1614265330", &several, BODY, now), Ok(()));
        let tampered = br#"{"test": 2432232315}"#;
        assert_eq!(
            verify(&s, ID, "1614265330", SIGNATURE, tampered, now),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            verify(&s, "msg_other", "1614265330", SIGNATURE, BODY, now),
            Err(VerifyError::NoMatch)
        );
        let late = at(TIMESTAMP + TOLERANCE.whole_seconds() + 1);
        assert_eq!(
            verify(&s, ID, "1614265330", SIGNATURE, BODY, late),
            Err(VerifyError::OutsideTolerance)
        );
        assert_eq!(
            verify(&s, ID, "soon", SIGNATURE, BODY, now),
            Err(VerifyError::MalformedTimestamp)
        );
        let other = Secret::generate().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            verify(&other, ID, "1614265330", SIGNATURE, BODY, now),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn generated_secrets_are_32_random_bytes_and_never_print() {
        let a = Secret::generate().unwrap_or_else(|e| panic!("{e}"));
        let b = Secret::generate().unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(a, b);
        assert_eq!(a.0.len(), 32);
        assert_eq!(Secret::parse(&a.expose()), Ok(a.clone()));
        assert_eq!(format!("{a:?}"), "Secret(..)");
        assert_eq!(Secret::parse("whsec_c2hvcnQ="), Err(InvalidSecret));
        assert_eq!(Secret::parse("whsec_!!!"), Err(InvalidSecret));
    }
}
