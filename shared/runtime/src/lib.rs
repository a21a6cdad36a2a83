//! Typed configuration, telemetry and wiring: everything a binary does before it serves.
//!
//! Lambda functions and the local server build their state here once, at start, and then only
//! serve.

pub mod config;
mod database_auth;
pub mod lambda;
pub mod telemetry;
mod wiring;

pub use config::{Config, ConfigError, DatabaseAuth, DatabaseConfig};
pub use wiring::{Migrations, state};
