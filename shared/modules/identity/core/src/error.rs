use std::error::Error as StdError;

use kernel::Unavailable;

/// A uniqueness rule of the identity module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// One account per email address.
    Email,
}

/// Why the user directory did not create a user.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("duplicate {0:?}")]
    Unique(Unique),
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}

/// The password hasher could not run (its threads are gone or its queue is closed).
#[derive(Debug, thiserror::Error)]
#[error("password hashing unavailable: {0}")]
pub struct HashError(#[source] pub Box<dyn StdError + Send + Sync>);

/// The outcomes of an identity use case that a caller must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("an account with this email exists")]
    EmailTaken,
    #[error("email or password is wrong")]
    WrongEmailOrPassword,
    /// The session's user no longer exists.
    #[error("no such user")]
    UnknownUser,
    /// The reset token is unknown, used up or expired.
    #[error("the password reset token is invalid or has expired")]
    InvalidResetToken,
    /// The account was created, but no session could be issued for it.
    #[error("signed up, but no session was issued: {0}")]
    SignedUpWithoutSession(#[source] Unavailable),
    #[error(transparent)]
    Hashing(#[from] HashError),
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}

impl From<CreateUserError> for IdentityError {
    fn from(err: CreateUserError) -> Self {
        match err {
            CreateUserError::Unique(Unique::Email) => Self::EmailTaken,
            CreateUserError::Unavailable(e) => Self::Unavailable(e),
        }
    }
}
