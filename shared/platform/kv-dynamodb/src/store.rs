use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_setup::sdk_config;
use kernel::Unavailable;
use kv::KeyValue;
use tokio::sync::OnceCell;

use crate::client::{
    client, conditional, contended, corrupt, now_secs, number, read_number, sdk, string,
};

/// Absent, or live: where an increment may land.
const UNEXPIRED: &str = "attribute_not_exists(pk) OR expires_at > :now";
/// Absent, or expired but not yet deleted by DynamoDB.
const FREE: &str = "attribute_not_exists(pk) OR expires_at <= :now";
/// How often `incr` tries again when another writer reset the same expired counter first.
const INCR_ATTEMPTS: usize = 4;

/// The key-value port on a DynamoDB table: items keyed by `pk`, bytes in the Binary attribute
/// `v`, counters in the Number attribute `n`, expiry in `expires_at` (epoch seconds, the table's
/// TTL attribute). Cheap to clone; clones share the client.
#[derive(Debug, Clone)]
pub struct DynamoKv {
    client: Arc<OnceCell<Client>>,
    table: Arc<str>,
}

impl DynamoKv {
    /// The table named `table`, through a client built on [`sdk_config`] at the first call.
    pub fn new(table: String) -> Self {
        Self {
            client: Arc::default(),
            table: table.into(),
        }
    }

    /// The same through `client`, for an endpoint or credentials of the caller's choosing
    /// ([`crate::client`] gives one the adapter's timeouts).
    pub fn with_client(client: Client, table: String) -> Self {
        Self {
            client: Arc::new(OnceCell::from(client)),
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async { client(sdk_config().await.into()) })
            .await
    }

    /// Adds `by` to a live counter, or starts an absent one; `None` when an expired item is in
    /// the way.
    async fn add_to_live(
        &self,
        key: &str,
        by: i64,
        expires_at: i64,
    ) -> Result<Option<i64>, Unavailable> {
        let out = self
            .client()
            .await
            .update_item()
            .table_name(&*self.table)
            .key("pk", string(key))
            .update_expression("ADD n :by SET expires_at = if_not_exists(expires_at, :exp)")
            .condition_expression(UNEXPIRED)
            .expression_attribute_values(":by", number(by))
            .expression_attribute_values(":exp", number(expires_at))
            .expression_attribute_values(":now", number(now_secs()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        let Some(out) = conditional(out)? else {
            return Ok(None);
        };
        out.attributes
            .as_ref()
            .and_then(|a| read_number(a, "n"))
            .map(Some)
            .ok_or_else(|| corrupt(key))
    }

    /// Starts an expired counter over at `by`; false when it is no longer expired (another
    /// caller started it over first) or gone.
    async fn restart_expired(
        &self,
        key: &str,
        by: i64,
        expires_at: i64,
    ) -> Result<bool, Unavailable> {
        let out = self
            .client()
            .await
            .update_item()
            .table_name(&*self.table)
            .key("pk", string(key))
            .update_expression("SET n = :by, expires_at = :exp REMOVE v")
            .condition_expression("expires_at <= :now")
            .expression_attribute_values(":by", number(by))
            .expression_attribute_values(":exp", number(expires_at))
            .expression_attribute_values(":now", number(now_secs()))
            .send()
            .await;
        Ok(conditional(out)?.is_some())
    }
}

/// `ttl` from now in epoch seconds, rounded up: an item lives at least `ttl` (at least a
/// second), and less than a second longer.
fn expiry(ttl: Duration) -> i64 {
    let secs = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
    let secs = i64::try_from(secs.max(1)).unwrap_or(i64::MAX);
    now_secs().saturating_add(secs).saturating_add(1)
}

fn live(item: &HashMap<String, AttributeValue>) -> bool {
    read_number(item, "expires_at").is_none_or(|at| at > now_secs())
}

impl KeyValue for DynamoKv {
    #[tracing::instrument(name = "dynamodb.get", skip_all)]
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Unavailable> {
        let out = self
            .client()
            .await
            .get_item()
            .table_name(&*self.table)
            .key("pk", string(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk)?;
        let Some(item) = out.item.filter(live) else {
            return Ok(None);
        };
        if let Some(AttributeValue::B(bytes)) = item.get("v") {
            return Ok(Some(bytes.clone().into_inner()));
        }
        // A counter reads as its decimal count, as in every adapter.
        let count = read_number(&item, "n").ok_or_else(|| corrupt(key))?;
        Ok(Some(count.to_string().into_bytes()))
    }

    #[tracing::instrument(name = "dynamodb.set", skip_all)]
    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), Unavailable> {
        self.client()
            .await
            .put_item()
            .table_name(&*self.table)
            .item("pk", string(key))
            .item("v", AttributeValue::B(Blob::new(value)))
            .item("expires_at", number(expiry(ttl)))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    #[tracing::instrument(name = "dynamodb.add", skip_all)]
    async fn add(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, Unavailable> {
        let out = self
            .client()
            .await
            .put_item()
            .table_name(&*self.table)
            .item("pk", string(key))
            .item("v", AttributeValue::B(Blob::new(value)))
            .item("expires_at", number(expiry(ttl)))
            .condition_expression(FREE)
            .expression_attribute_values(":now", number(now_secs()))
            .send()
            .await;
        Ok(conditional(out)?.is_some())
    }

    #[tracing::instrument(name = "dynamodb.delete", skip_all)]
    async fn delete(&self, key: &str) -> Result<(), Unavailable> {
        self.client()
            .await
            .delete_item()
            .table_name(&*self.table)
            .key("pk", string(key))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    /// One UpdateItem in the common case. An expired counter that DynamoDB has not deleted yet
    /// takes a second, conditional one that starts it over; should another caller start it
    /// over first, the increment is tried again on the fresh counter.
    #[tracing::instrument(name = "dynamodb.incr", skip_all)]
    async fn incr(&self, key: &str, by: i64, ttl: Duration) -> Result<i64, Unavailable> {
        let expires_at = expiry(ttl);
        for _ in 0..INCR_ATTEMPTS {
            if let Some(count) = self.add_to_live(key, by, expires_at).await? {
                return Ok(count);
            }
            if self.restart_expired(key, by, expires_at).await? {
                return Ok(by);
            }
        }
        Err(contended("a counter kept changing under its increment"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_covers_the_whole_ttl_rounded_up() {
        let now = now_secs();
        let at = expiry(Duration::from_millis(1500));
        // Two whole seconds, plus one for the part of the current second already gone.
        assert!((now + 3..=now + 4).contains(&at), "{at} from {now}");
        assert!(expiry(Duration::ZERO) > now + 1);
    }
}
