//! What every binary does before it serves: typed configuration, telemetry, the database from
//! configuration (with IAM-token or Secrets Manager passwords), and the Lambda adapter.
//!
//! Lambda functions and the local server build their clients here once, at start, and then
//! only serve.

pub mod config;
pub mod database;
mod database_auth;
pub mod jobs;
pub mod lambda;
mod platform;
pub mod stores;
pub mod telemetry;
mod values;

pub use config::{
    Config, ConfigError, DatabaseAuth, DatabaseConfig, JobsConfig, ReaderConfig, ShardsConfig,
};
pub use database::DatabaseReady;
pub use jobs::Jobs;
pub use platform::{Platform, pin_reads_to_writer};
pub use stores::{SessionsBackend, Store, StoresConfig};
