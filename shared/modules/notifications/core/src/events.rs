//! This module's view of the events it reacts to. Each struct declares only the fields the
//! module reads, under the publisher's type name and version; the publisher's crate is never
//! linked. Unknown fields are ignored, since publishers may add fields within a version.

use std::fmt;

use kernel::{TenantId, UserId};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use time::UtcDateTime;

/// `identity.user_signed_up` version 1: a new account exists.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserSignedUp {
    pub user_id: UserId,
    /// The address as the identity module stored it; parsed again before any mail goes out.
    pub email: String,
}

impl UserSignedUp {
    pub const TYPE: &'static str = "identity.user_signed_up";
    pub const VERSION: u16 = 1;
}

/// `identity.password_reset_requested` version 1: someone asked to reset the password of an
/// existing account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PasswordResetRequested {
    pub user_id: UserId,
    /// The account's address; parsed again before any mail goes out.
    pub email: String,
    pub token: Token,
    /// After this instant the token no longer works.
    #[serde(deserialize_with = "rfc3339_utc")]
    pub expires_at: UtcDateTime,
}

impl PasswordResetRequested {
    pub const TYPE: &'static str = "identity.password_reset_requested";
    pub const VERSION: u16 = 1;
}

/// `tenancy.member_invited` version 1: someone was invited to join a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MemberInvited {
    pub tenant_id: TenantId,
    /// The tenant's display name, as its members typed it.
    pub tenant_name: String,
    /// The invitee's address; parsed again before any mail goes out.
    pub email: String,
    /// The role the invitee gets on accepting.
    pub role: Role,
    pub token: Token,
    /// After this instant the invitation can no longer be accepted.
    #[serde(deserialize_with = "rfc3339_utc")]
    pub expires_at: UtcDateTime,
}

impl MemberInvited {
    pub const TYPE: &'static str = "tenancy.member_invited";
    pub const VERSION: u16 = 1;
}

/// A member's role in a tenant, as the tenancy module names it in its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Member,
}

/// A single-use secret that a mailed link carries. Opaque here: only the publisher checks it.
/// `Debug` hides it, so logging an event view does not leak it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Token(String);

/// The token is empty, so no link could carry it.
#[derive(Debug, thiserror::Error)]
#[error("the token is empty")]
pub struct EmptyToken;

impl Token {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Token {
    type Error = EmptyToken;

    fn try_from(token: String) -> Result<Self, Self::Error> {
        if token.is_empty() {
            Err(EmptyToken)
        } else {
            Ok(Self(token))
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// An RFC 3339 timestamp, moved to UTC whatever offset it was written with.
fn rfc3339_utc<'de, D: Deserializer<'de>>(deserializer: D) -> Result<UtcDateTime, D::Error> {
    time::serde::rfc3339::deserialize(deserializer)?
        .checked_to_utc()
        .ok_or_else(|| D::Error::custom("the instant is out of range once moved to UTC"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_token_is_never_empty_and_never_printed() {
        let token: Token = serde_json::from_value(json!("s3cr3t-_tok")).unwrap();
        assert_eq!(token.as_str(), "s3cr3t-_tok");
        assert!(!format!("{token:?}").contains("s3cr3t"));
        assert!(serde_json::from_value::<Token>(json!("")).is_err());
    }

    #[test]
    fn expiry_is_read_in_utc_whatever_its_offset() {
        #[derive(Deserialize)]
        struct At(#[serde(deserialize_with = "rfc3339_utc")] UtcDateTime);

        let At(at) = serde_json::from_value(json!("2026-11-27T14:30:00+01:30")).unwrap();
        assert_eq!((at.hour(), at.minute()), (13, 0));
        assert!(serde_json::from_value::<At>(json!("2026-11-27 13:00")).is_err());
        // Valid RFC 3339, but a year past 9999 in UTC.
        let err = serde_json::from_value::<At>(json!("9999-12-31T23:00:00-02:00"))
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("out of range")));
    }
}
