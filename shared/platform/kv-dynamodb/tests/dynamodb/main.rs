//! The DynamoDB adapters against moto server: a fresh table per test, shaped like Terraform's.

mod faults;
mod kv;
mod sessions;

use std::sync::Arc;
use std::time::Duration;

use ::kv::KeyValue;
use kernel::Unavailable;

/// The adapter with its calls taken one at a time. moto applies concurrent requests on one
/// item without isolation (two concurrent `ADD`s can both read the same count, two conditional
/// puts can both pass), where DynamoDB applies each atomically; so the suite runs its concurrent
/// rules through this, and checks the adapter's expressions rather than moto's threading.
#[derive(Clone)]
struct OneAtATime<K> {
    kv: K,
    turn: Arc<tokio::sync::Mutex<()>>,
}

fn one_at_a_time<K>(kv: K) -> OneAtATime<K> {
    OneAtATime {
        kv,
        turn: Arc::default(),
    }
}

impl<K: KeyValue> KeyValue for OneAtATime<K> {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Unavailable> {
        let _turn = self.turn.lock().await;
        self.kv.get(key).await
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), Unavailable> {
        let _turn = self.turn.lock().await;
        self.kv.set(key, value, ttl).await
    }

    async fn add(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, Unavailable> {
        let _turn = self.turn.lock().await;
        self.kv.add(key, value, ttl).await
    }

    async fn delete(&self, key: &str) -> Result<(), Unavailable> {
        let _turn = self.turn.lock().await;
        self.kv.delete(key).await
    }

    async fn incr(&self, key: &str, by: i64, ttl: Duration) -> Result<i64, Unavailable> {
        let _turn = self.turn.lock().await;
        self.kv.incr(key, by, ttl).await
    }
}

/// A client for moto with the adapter's timeouts and retries.
fn moto_client() -> aws_sdk_dynamodb::Client {
    kv_dynamodb::client(testkit::dynamodb::config_for(&testkit::moto_endpoint()))
}
