use kernel::{Email, UserId};
use sessions::TokenHash;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub created_at: OffsetDateTime,
}

/// What login needs to check a password, and nothing more.
#[derive(Debug, Clone)]
pub struct StoredPassword {
    pub user_id: UserId,
    pub password_hash: String,
}

/// A user to create, with the hash of their password.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub email: Email,
    pub password_hash: String,
    pub created_at: OffsetDateTime,
}

/// A request to set a new password, proven by a single-use token that only its hash stands
/// for here.
#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub token_hash: TokenHash,
    pub user_id: UserId,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}
