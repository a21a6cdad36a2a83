//! The accounts module: who a user is, which tenants they belong to, and with which role.
//!
//! It owns its use cases ([`Accounts`]) and the ports it needs ([`AccountsStore`],
//! [`PasswordHasher`]). Adapters live in other crates, so nothing here knows about SQL or HTTP.

mod error;
mod model;
mod ports;
mod service;
mod session;

pub use error::{AccountsError, StoreError};
pub use model::{
    Credentials, Member, MemberPage, MembershipSummary, NewSignup, SessionRecord, Tenant, User,
};
pub use ports::{AccountsStore, PasswordHasher};
pub use service::{Accounts, IssuedSession, SignedUp};
pub use session::{SessionToken, TokenHash};

/// The largest page a member listing returns.
pub const MAX_PAGE_SIZE: u32 = 100;
