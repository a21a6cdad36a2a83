//! Key-value state in the process's memory: the embedded default for one process (a local run,
//! tests), held to the same contract suite as Redis and DynamoDB. Nothing is shared with other
//! instances, so in Lambda each instance would count its own rate limits: configure Redis or
//! DynamoDB there.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use kernel::Unavailable;

use crate::KeyValue;

/// Beyond this many entries, a write first drops the expired ones.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Default)]
pub struct MemoryKv {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

#[derive(Debug)]
struct Entry {
    value: Value,
    expires: Instant,
}

#[derive(Debug)]
enum Value {
    Bytes(Vec<u8>),
    Counter(i64),
}

impl MemoryKv {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>, Instant) -> T) -> T {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if entries.len() > PRUNE_ABOVE {
            entries.retain(|_, e| e.expires > now);
        }
        f(&mut entries, now)
    }

    fn live<'a>(entries: &'a HashMap<String, Entry>, key: &str, now: Instant) -> Option<&'a Entry> {
        entries.get(key).filter(|e| e.expires > now)
    }
}

/// Whole seconds, as the shared stores keep them, so every adapter expires alike.
fn expiry(now: Instant, ttl: Duration) -> Instant {
    now + Duration::from_secs(ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0))
}

impl KeyValue for MemoryKv {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Unavailable> {
        Ok(self.with(|entries, now| {
            Self::live(entries, key, now).map(|e| match &e.value {
                Value::Bytes(bytes) => bytes.clone(),
                Value::Counter(n) => n.to_string().into_bytes(),
            })
        }))
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), Unavailable> {
        self.with(|entries, now| {
            let entry = Entry {
                value: Value::Bytes(value.to_vec()),
                expires: expiry(now, ttl),
            };
            entries.insert(key.to_owned(), entry);
        });
        Ok(())
    }

    async fn add(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, Unavailable> {
        Ok(self.with(|entries, now| {
            if Self::live(entries, key, now).is_some() {
                return false;
            }
            let entry = Entry {
                value: Value::Bytes(value.to_vec()),
                expires: expiry(now, ttl),
            };
            entries.insert(key.to_owned(), entry);
            true
        }))
    }

    async fn delete(&self, key: &str) -> Result<(), Unavailable> {
        self.with(|entries, _| entries.remove(key));
        Ok(())
    }

    async fn incr(&self, key: &str, by: i64, ttl: Duration) -> Result<i64, Unavailable> {
        Ok(self.with(|entries, now| {
            let current = match Self::live(entries, key, now) {
                Some(Entry {
                    value: Value::Counter(n),
                    expires,
                }) => Some((*n, *expires)),
                _ => None,
            };
            let (count, expires) = match current {
                Some((n, expires)) => (n.saturating_add(by), expires),
                None => (by, expiry(now, ttl)),
            };
            let entry = Entry {
                value: Value::Counter(count),
                expires,
            };
            entries.insert(key.to_owned(), entry);
            count
        }))
    }
}
