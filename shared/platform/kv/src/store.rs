use std::future::Future;
use std::time::Duration;

use kernel::Unavailable;

/// Values under string keys, each with a time to live. An expired key reads as absent, whether
/// or not the store has removed it yet (DynamoDB's TTL deletes lazily).
///
/// TTLs are honoured to the second: adapters round them up to whole seconds.
#[dynosaur::dynosaur(pub DynKeyValue = dyn(box) KeyValue)]
pub trait KeyValue: Send + Sync {
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<Vec<u8>>, Unavailable>> + Send;

    /// Stores `value`, replacing what was there, until `ttl` from now.
    fn set(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// Stores `value` only when the key is absent or expired; returns whether it did. Of
    /// concurrent callers, exactly one wins.
    fn add(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> impl Future<Output = Result<bool, Unavailable>> + Send;

    fn delete(&self, key: &str) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// Adds `by` to the counter at `key` in one atomic step and returns the new count. A counter
    /// that is absent or expired starts from zero and lives for `ttl`; later increments keep
    /// its expiry.
    fn incr(
        &self,
        key: &str,
        by: i64,
        ttl: Duration,
    ) -> impl Future<Output = Result<i64, Unavailable>> + Send;
}
