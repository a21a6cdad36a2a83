use std::time::Duration;

use kernel::Unavailable;
use kv::KeyValue;
use redis::Script;

use crate::Redis;
use crate::connection::unavailable;

/// Adds to a counter and, when the counter has no expiry yet (it was just created), gives it
/// one: a single round trip, so a rate limit decision costs one command.
const INCR: &str = r"
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return n
";

/// The key-value port on Redis.
#[derive(Debug, Clone)]
pub struct RedisKv {
    redis: Redis,
    incr: Script,
}

impl RedisKv {
    pub fn new(redis: &Redis) -> Self {
        Self {
            redis: redis.clone(),
            incr: Script::new(INCR),
        }
    }
}

/// Whole seconds, rounded up and at least one (Redis refuses a zero expiry), in milliseconds.
fn millis(ttl: Duration) -> u64 {
    let secs = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
    secs.max(1).saturating_mul(1000)
}

impl KeyValue for RedisKv {
    #[tracing::instrument(name = "redis.get", skip_all)]
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Unavailable> {
        let mut conn = self.redis.connection().await?;
        redis::cmd("GET")
            .arg(key)
            .query_async(&mut conn)
            .await
            .map_err(unavailable)
    }

    #[tracing::instrument(name = "redis.set", skip_all)]
    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), Unavailable> {
        let mut conn = self.redis.connection().await?;
        redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("PX")
            .arg(millis(ttl))
            .query_async::<()>(&mut conn)
            .await
            .map_err(unavailable)
    }

    #[tracing::instrument(name = "redis.add", skip_all)]
    async fn add(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, Unavailable> {
        let mut conn = self.redis.connection().await?;
        let stored: Option<String> = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl))
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(stored.is_some())
    }

    #[tracing::instrument(name = "redis.delete", skip_all)]
    async fn delete(&self, key: &str) -> Result<(), Unavailable> {
        let mut conn = self.redis.connection().await?;
        redis::cmd("DEL")
            .arg(key)
            .query_async::<()>(&mut conn)
            .await
            .map_err(unavailable)
    }

    #[tracing::instrument(name = "redis.incr", skip_all)]
    async fn incr(&self, key: &str, by: i64, ttl: Duration) -> Result<i64, Unavailable> {
        let mut conn = self.redis.connection().await?;
        self.incr
            .key(key)
            .arg(by)
            .arg(millis(ttl))
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_round_up_to_whole_seconds() {
        assert_eq!(millis(Duration::from_millis(1)), 1000);
        assert_eq!(millis(Duration::from_secs(2)), 2000);
        assert_eq!(millis(Duration::from_millis(2001)), 3000);
        assert_eq!(millis(Duration::ZERO), 1000);
    }
}
