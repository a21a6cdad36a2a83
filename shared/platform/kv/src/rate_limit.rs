//! Fixed-window rate limits: one atomic increment per decision, in whatever store the
//! [`KeyValue`] port is given, so every instance counts against the same window.
//!
//! A fixed window lets a client spend its limit at the end of one window and again at the start
//! of the next (twice the limit over one window's length, at worst); in exchange a decision is
//! one round trip and one key per subject and window.

use std::sync::Arc;
use std::time::Duration;

use kernel::{Clock, Unavailable};
use sha2::{Digest, Sha256};

use crate::{DynKeyValue, KeyValue};

/// A named limit: at most `limit` requests per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Part of every counter's key, and the `RateLimit-Policy` header's name.
    pub name: &'static str,
    pub limit: u32,
    pub window: Duration,
}

/// One request's verdict, with what the `RateLimit` headers report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Until the window ends and the count starts over.
    pub reset_after: Duration,
}

#[derive(Clone)]
pub struct RateLimiter {
    kv: Arc<DynKeyValue<'static>>,
    clock: Arc<dyn Clock>,
}

impl RateLimiter {
    pub fn new(kv: impl KeyValue + 'static, clock: Arc<dyn Clock>) -> Self {
        Self {
            kv: DynKeyValue::new_arc(kv),
            clock,
        }
    }

    /// Counts one request by `subject` (an IP, an account, a tenant) against `policy`. The
    /// subject is hashed into the key, so no address or email is stored in the clear.
    pub async fn check(&self, policy: &Policy, subject: &str) -> Result<Decision, Unavailable> {
        let (key, reset_after) = self.window(policy, subject);
        let count = self.kv.incr(&key, 1, reset_after).await?;
        let count = u32::try_from(count.max(0)).unwrap_or(u32::MAX);
        Ok(Decision {
            allowed: count <= policy.limit,
            limit: policy.limit,
            remaining: policy.limit.saturating_sub(count),
            reset_after,
        })
    }

    /// Takes back one counted request of the current window, for a request that turned out not
    /// to be the subject's to count.
    pub async fn refund(&self, policy: &Policy, subject: &str) -> Result<(), Unavailable> {
        let (key, reset_after) = self.window(policy, subject);
        self.kv.incr(&key, -1, reset_after).await.map(drop)
    }

    /// The counter of the current window, and how long until it ends.
    fn window(&self, policy: &Policy, subject: &str) -> (String, Duration) {
        let window = policy.window.as_secs().max(1);
        let now = u64::try_from(self.clock.now().unix_timestamp()).unwrap_or(0);
        let index = now / window;
        let reset_after = Duration::from_secs((index + 1) * window - now);
        let key = format!("rl:{}:{}:{index}", policy.name, digest(subject));
        (key, reset_after)
    }
}

/// 128 bits of the subject's SHA-256, in hex: short keys, nothing readable.
fn digest(subject: &str) -> String {
    Sha256::digest(subject.as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use kernel::SystemClock;

    use super::*;
    use crate::MemoryKv;

    #[tokio::test]
    async fn allows_up_to_the_limit_then_refuses_per_subject() {
        let limiter = RateLimiter::new(MemoryKv::default(), Arc::new(SystemClock));
        let policy = Policy {
            name: "test",
            limit: 3,
            window: Duration::from_secs(3600),
        };
        let mut seen = Vec::new();
        for _ in 0..4 {
            seen.push(limiter.check(&policy, "a").await.unwrap());
        }
        let verdicts: Vec<_> = seen.iter().map(|d| (d.allowed, d.remaining)).collect();
        assert_eq!(verdicts, [(true, 2), (true, 1), (true, 0), (false, 0)]);
        assert!(
            seen.iter()
                .all(|d| d.reset_after <= policy.window && d.limit == 3)
        );
        assert!(limiter.check(&policy, "b").await.unwrap().allowed);
    }

    #[test]
    fn subjects_are_hashed() {
        let key = digest("ada@example.com");
        assert_eq!(key.len(), 32);
        assert!(!key.contains("ada"));
        assert_ne!(key, digest("bob@example.com"));
    }
}
