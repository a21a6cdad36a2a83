//! Sessions: opaque bearer tokens that every function resolves to the caller.
//!
//! A token is shown to its client once and stored only as its SHA-256. The [`SessionStore`]
//! port keeps the hashes; its adapters are SQL (`database`), Redis (`kv-redis`), DynamoDB
//! (`kv-dynamodb`) and [`MemorySessions`], interchangeable without touching the modules that
//! issue or check sessions, and held to one contract suite (`testkit::session_contract`).

pub mod memory;
mod service;
mod store;
mod token;

pub use memory::MemorySessions;
pub use service::{IssuedSession, Sessions};
pub use store::{DynSessionStore, Session, SessionStore};
pub use token::{SessionToken, TokenHash};
