//! DynamoDB adapters: the [`kv::KeyValue`] port ([`DynamoKv`]) and the
//! [`sessions::SessionStore`] port ([`DynamoSessions`]), on the tables Terraform creates.
//!
//! Both tables have the string hash key `pk` and the Number attribute `expires_at` (epoch
//! seconds) as their TTL attribute. DynamoDB deletes expired items lazily, up to days later, so
//! every read and every condition here treats an item whose `expires_at` has passed as absent.
//!
//! Nothing AWS-related runs at construction: the client is built on
//! [`aws_sdk_setup::sdk_config`] by the first call, with short timeouts and one retry (see
//! [`client`]), so a table that cannot be reached costs a request seconds, not a Lambda timeout.
//! The SDK's endpoint comes from the environment as usual (`AWS_ENDPOINT_URL_DYNAMODB` points it
//! at moto server locally).

mod client;
mod session_store;
mod store;

pub use client::client;
pub use session_store::DynamoSessions;
pub use store::DynamoKv;
