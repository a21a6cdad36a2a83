//! DynamoDB tables on moto, shaped like the ones Terraform makes: the string hash key `pk`,
//! `expires_at` as the TTL attribute, and the `by_user` index that the sessions table needs.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Builder, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

/// A DynamoDB client configuration for `endpoint` with moto's credentials.
pub fn config_for(endpoint: &str) -> Builder {
    aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(aws_sdk_setup::http_client())
        .endpoint_url(endpoint)
        .region(Region::new(crate::REGION))
        .credentials_provider(Credentials::new(
            crate::ACCESS_KEY_ID,
            crate::SECRET_ACCESS_KEY,
            None,
            None,
            "moto",
        ))
}

/// A DynamoDB client for the moto server.
pub fn client() -> Client {
    Client::from_conf(config_for(&crate::moto_endpoint()).build())
}

/// A new table on moto, named `test-<uuid>`: `pk` (String) as hash key, TTL on `expires_at`,
/// and the global secondary index `by_user` on `user_id` (String), keys only.
pub async fn fresh_table() -> String {
    let client = client();
    let name = format!("test-{}", uuid::Uuid::now_v7().simple());
    let key = |name: &str, kind| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("key schema")
    };
    let string = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("attribute definition")
    };
    let by_user = GlobalSecondaryIndex::builder()
        .index_name("by_user")
        .key_schema(key("user_id", KeyType::Hash))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::KeysOnly)
                .build(),
        )
        .build()
        .expect("index");
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string("pk"))
        .attribute_definitions(string("user_id"))
        .key_schema(key("pk", KeyType::Hash))
        .global_secondary_indexes(by_user)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create table {name}: {e:?}"));
    client
        .update_time_to_live()
        .table_name(&name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name("expires_at")
                .build()
                .expect("ttl specification"),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("enable TTL on {name}: {e:?}"));
    name
}
