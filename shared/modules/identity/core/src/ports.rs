use std::future::Future;

use kernel::{Email, Envelope, Unavailable, UserId};

use crate::{CreateUserError, HashError, NewUser, Password, StoredPassword, User};

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
