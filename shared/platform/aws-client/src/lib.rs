//! RDS IAM auth tokens, signed locally: credentials and region from the Lambda environment and
//! SigV4 query signing (the `aws-sigv4` crate). No SDK client exists for this presigning, and it
//! makes no network call. (The AWS APIs the functions call go through the SDK crates, on
//! `aws-sdk-setup`.)
//!
//! Lambda puts the execution role's credentials in the environment, so nothing here calls an
//! instance metadata or STS endpoint during a cold start.

mod env;
mod rds;

pub use env::{AwsEnv, credentials_from_env, region_from_env};
pub use rds::{AUTH_TOKEN_LIFETIME, auth_token};

pub use aws_credential_types::Credentials;

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("{0} is not set")]
    MissingEnv(&'static str),
    #[error("could not sign the request: {0}")]
    Signing(String),
}
