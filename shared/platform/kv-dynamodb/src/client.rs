use std::error::Error;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::Builder;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_dynamodb::types::AttributeValue;
use kernel::Unavailable;
use time::OffsetDateTime;

/// A DynamoDB client on `config` that gives up quickly: one second to connect, two per attempt,
/// two attempts. DynamoDB answers in milliseconds; a store that does not is down, and the
/// request is better answered with an error (or, for the cache, without it) than stalled.
pub fn client(config: Builder) -> Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_secs(2))
        .operation_timeout(Duration::from_secs(5))
        .build();
    let config = config
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .build();
    Client::from_conf(config)
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum DynamoError {
    #[error("dynamodb: {0}")]
    Sdk(String),
    #[error("dynamodb: the item under {0:?} is not shaped as this adapter writes it")]
    Corrupt(String),
    #[error("dynamodb: {0}")]
    Contended(&'static str),
}

pub(crate) fn sdk(err: impl Error) -> Unavailable {
    Unavailable::new(DynamoError::Sdk(DisplayErrorContext(err).to_string()))
}

/// A conditional write's result: `Some` when it applied, `None` when its condition did not
/// hold, an error otherwise.
pub(crate) fn conditional<T, E: ProvideErrorMetadata + Error>(
    out: Result<T, E>,
) -> Result<Option<T>, Unavailable> {
    match out {
        Ok(out) => Ok(Some(out)),
        Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(None),
        Err(e) => Err(sdk(e)),
    }
}

pub(crate) fn corrupt(pk: &str) -> Unavailable {
    Unavailable::new(DynamoError::Corrupt(pk.to_owned()))
}

pub(crate) fn contended(what: &'static str) -> Unavailable {
    Unavailable::new(DynamoError::Contended(what))
}

/// Now, in the whole epoch seconds that `expires_at` holds: an item is expired once this
/// reaches its `expires_at`.
pub(crate) fn now_secs() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

pub(crate) fn number(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

pub(crate) fn string(s: impl Into<String>) -> AttributeValue {
    AttributeValue::S(s.into())
}

/// The Number attribute `name` of `item`, when it is one and fits an `i64`.
pub(crate) fn read_number(
    item: &std::collections::HashMap<String, AttributeValue>,
    name: &str,
) -> Option<i64> {
    item.get(name)?.as_n().ok()?.parse().ok()
}
