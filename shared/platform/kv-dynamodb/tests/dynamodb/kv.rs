//! The key-value contract on DynamoDB, and how it treats items DynamoDB has not deleted yet.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use kv::KeyValue;
use kv_dynamodb::DynamoKv;

async fn fresh() -> DynamoKv {
    DynamoKv::with_client(super::moto_client(), testkit::dynamodb::fresh_table().await)
}

testkit::kv_contract_tests!(super::one_at_a_time(fresh().await));

/// Writes an item as the adapter would have, with an `expires_at` already past: an expired
/// item that DynamoDB's TTL has not deleted yet.
async fn put_expired(kv: &DynamoKv, key: &str, extra: (&str, AttributeValue)) {
    let past = time::OffsetDateTime::now_utc().unix_timestamp() - 60;
    testkit::dynamodb::client()
        .put_item()
        .table_name(kv.table())
        .item("pk", AttributeValue::S(key.to_owned()))
        .item("expires_at", AttributeValue::N(past.to_string()))
        .item(extra.0, extra.1)
        .send()
        .await
        .unwrap();
}

/// An expired item still in the table reads as absent, and `add` takes its key.
#[tokio::test]
async fn expired_items_not_yet_deleted_are_absent() {
    let kv = fresh().await;
    let bytes = AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new("old"));
    put_expired(&kv, "lock", ("v", bytes)).await;
    assert_eq!(kv.get("lock").await.unwrap(), None);
    assert!(
        kv.add("lock", b"new", Duration::from_secs(60))
            .await
            .unwrap()
    );
    assert_eq!(kv.get("lock").await.unwrap().as_deref(), Some(&b"new"[..]));
}

/// An expired counter still in the table starts over, with the new TTL: the count is the
/// increment, and it does not expire at the old time.
#[tokio::test]
async fn expired_counters_not_yet_deleted_start_over() {
    let kv = fresh().await;
    put_expired(&kv, "count", ("n", AttributeValue::N("41".into()))).await;
    assert_eq!(kv.get("count").await.unwrap(), None);
    assert_eq!(
        kv.incr("count", 2, Duration::from_secs(60)).await.unwrap(),
        2
    );
    assert_eq!(
        kv.incr("count", 2, Duration::from_secs(60)).await.unwrap(),
        4
    );
    assert_eq!(kv.get("count").await.unwrap().as_deref(), Some(&b"4"[..]));
}

/// Many callers meeting one expired counter start it over once between them: the counts they
/// see are exactly 1 to 20 (taken one at a time, as moto cannot isolate them; see `main.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_increments_of_an_expired_counter_add_up() {
    let raw = fresh().await;
    put_expired(&raw, "count", ("n", AttributeValue::N("1000".into()))).await;
    let kv = super::one_at_a_time(raw);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let kv = kv.clone();
        calls.spawn(async move { kv.incr("count", 1, Duration::from_secs(60)).await.unwrap() });
    }
    let mut counts = calls.join_all().await;
    counts.sort_unstable();
    assert_eq!(counts, (1..=20).collect::<Vec<i64>>());
}
