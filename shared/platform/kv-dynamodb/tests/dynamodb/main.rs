//! The DynamoDB adapters against moto server: a fresh table per test, shaped like Terraform's.

mod faults;
mod kv;
mod sessions;

/// A client for moto with the adapter's timeouts and retries.
fn moto_client() -> aws_sdk_dynamodb::Client {
    kv_dynamodb::client(testkit::dynamodb::config_for(&testkit::moto_endpoint()))
}
