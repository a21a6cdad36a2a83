//! The identity module's core: who a user is, and how they prove it.
//!
//! It owns the use cases ([`Identity`]), the rules (an email is one account; a wrong password
//! and an unknown email look alike), the ports it needs ([`Users`], [`PasswordHasher`]) and
//! the events it publishes. Sessions come from the platform's `sessions` crate. Nothing here
//! knows about SQL or HTTP, and it builds for `wasm32-wasip2`.

mod error;
mod events;
pub mod memory;
mod model;
mod password;
mod ports;
mod service;

pub use error::{CreateUserError, HashError, IdentityError, Unique};
pub use events::{PasswordResetRequested, UserSignedUp};
pub use memory::MemoryUsers;
pub use model::{NewUser, PasswordReset, StoredPassword, User};
pub use password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, Password};
pub use ports::{DynPasswordHasher, DynUsers, PasswordHasher, Users};
pub use service::{Identity, RESET_TTL, SignedUp};
