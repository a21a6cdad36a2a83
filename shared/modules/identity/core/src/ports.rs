use std::future::Future;

use kernel::{Email, Envelope, Unavailable, UserId};
use sessions::TokenHash;
use time::OffsetDateTime;

use crate::{CreateUserError, HashError, NewUser, Password, PasswordReset, StoredPassword, User};

/// The user directory: every account, found by id or email.
#[dynosaur::dynosaur(pub DynUsers = dyn(box) Users)]
pub trait Users: Send + Sync {
    /// Stores the user and its outbox event, all or nothing. A taken email is
    /// `Unique(Unique::Email)`.
    fn create(
        &self,
        user: &NewUser,
        event: &Envelope,
    ) -> impl Future<Output = Result<(), CreateUserError>> + Send;

    fn stored_password(
        &self,
        email: &Email,
    ) -> impl Future<Output = Result<Option<StoredPassword>, Unavailable>> + Send;

    fn user(&self, id: UserId) -> impl Future<Output = Result<Option<User>, Unavailable>> + Send;

    /// Stores a password reset and its outbox event, all or nothing.
    fn create_reset(
        &self,
        reset: &PasswordReset,
        event: &Envelope,
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// The user whose unexpired reset `token` proves, if any.
    fn reset_owner(
        &self,
        token: &TokenHash,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Option<UserId>, Unavailable>> + Send;

    /// Uses up the reset that `token` proves, if it has not expired by `now`, and sets its
    /// user's password hash, all or nothing; the user's other resets go with it. `None`: no
    /// such reset, or it has expired.
    fn reset_password(
        &self,
        token: &TokenHash,
        now: OffsetDateTime,
        password_hash: &str,
    ) -> impl Future<Output = Result<Option<UserId>, Unavailable>> + Send;
}

/// Slow, salted password hashing. Implementations keep the work off the async executor.
#[dynosaur::dynosaur(pub DynPasswordHasher = dyn(box) PasswordHasher)]
pub trait PasswordHasher: Send + Sync {
    fn hash(&self, password: Password) -> impl Future<Output = Result<String, HashError>> + Send;

    /// False for a wrong password or a malformed hash.
    fn verify(
        &self,
        password: Password,
        hash: String,
    ) -> impl Future<Output = Result<bool, HashError>> + Send;
}
