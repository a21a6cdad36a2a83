//! Sessions: opaque bearer tokens that every function resolves to the caller.
//!
//! A token is shown to its client once and stored only as its SHA-256. The [`SessionStore`]
//! port keeps the hashes; its SQL adapter lives in `database`, and later adapters (Redis,
//! DynamoDB) replace it without touching the modules that issue or check sessions.

pub mod memory;
mod service;
mod store;
mod token;

pub use memory::MemorySessions;
pub use service::{IssuedSession, Sessions};
pub use store::{DynSessionStore, Session, SessionStore};
pub use token::{SessionToken, TokenHash};
