use kernel::{Email, UserId};
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
