//! The few AWS calls the functions make at run time, without the weight of the full SDK:
//! credentials and region from the Lambda environment, SigV4 signing (the `aws-sigv4` crate),
//! RDS IAM auth tokens, and a client for AWS JSON-protocol APIs such as Secrets Manager.
//!
//! Lambda puts the execution role's credentials in the environment, so nothing here calls an
//! instance metadata or STS endpoint during a cold start.

mod env;
mod json;
mod rds;
mod secrets;

pub use env::{AwsEnv, credentials_from_env, region_from_env};
pub use json::{JsonService, ServiceSpec};
pub use rds::{AUTH_TOKEN_LIFETIME, auth_token};
pub use secrets::{SECRETS_MANAGER, SecretsManager};

pub use aws_credential_types::Credentials;

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("{0} is not set")]
    MissingEnv(&'static str),
    #[error("invalid endpoint {endpoint}: {reason}")]
    Endpoint { endpoint: String, reason: String },
    #[error("could not sign the request: {0}")]
    Signing(String),
    #[error("{service} did not answer: {reason}")]
    Transport {
        service: &'static str,
        reason: String,
    },
    #[error("{service} answered {status} {error_type}: {message}")]
    Service {
        service: &'static str,
        status: u16,
        error_type: String,
        message: String,
    },
    #[error("{service} answered with a body this client cannot read: {reason}")]
    Response {
        service: &'static str,
        reason: String,
    },
}
