//! Cached results that a burst of requests cannot stampede.
//!
//! An entry is fresh for [`Freshness::fresh`], then kept [`Freshness::stale`] longer. When it is
//! stale, the one caller that wins an atomic lock recomputes it while every other caller is
//! answered with the stale value; when it is missing, callers in one process wait for the one
//! that computes it. A cache that cannot be reached is bypassed: the value is computed, and the
//! status says so, for the caller's metric.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::lock::Mutex as AsyncMutex;
use kernel::{Clock, Unavailable};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{DynKeyValue, KeyValue};

/// How long a recompute may hold the lock before another caller may take over.
const LOCK_TTL: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    pub fresh: Duration,
    /// Served while one caller recomputes; past it, the entry is gone.
    pub stale: Duration,
}

/// Where a cached answer came from; `X-Cache` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheStatus {
    Hit,
    Miss,
    Stale,
    /// The cache could not be reached; the value was computed without it.
    Bypass,
}

impl CacheStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::Stale => "stale",
            Self::Bypass => "bypass",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Entry<T> {
    /// Unix milliseconds.
    fresh_until: i128,
    value: T,
}

type Gates = Mutex<HashMap<String, Arc<AsyncMutex<()>>>>;

#[derive(Clone)]
pub struct Cache {
    /// None: caching is off, every read computes.
    kv: Option<Arc<DynKeyValue<'static>>>,
    clock: Arc<dyn Clock>,
    gates: Arc<Gates>,
}

impl Cache {
    pub fn new(kv: impl KeyValue + 'static, clock: Arc<dyn Clock>) -> Self {
        Self {
            kv: Some(DynKeyValue::new_arc(kv)),
            clock,
            gates: Arc::default(),
        }
    }

    /// No cache at all: every read computes its value and reports a miss. The baseline that
    /// `scripts/bench cache` measures the cache against.
    pub fn off(clock: Arc<dyn Clock>) -> Self {
        Self {
            kv: None,
            clock,
            gates: Arc::default(),
        }
    }

    /// The value under `key`, computed by `compute` when it is missing, or stale and this
    /// caller won the recompute.
    pub async fn get_or_compute<T, E, Fut>(
        &self,
        key: &str,
        freshness: Freshness,
        compute: impl FnOnce() -> Fut,
    ) -> Result<(T, CacheStatus), E>
    where
        T: Serialize + DeserializeOwned,
        Fut: Future<Output = Result<T, E>>,
    {
        let Some(kv) = &self.kv else {
            return Ok((compute().await?, CacheStatus::Miss));
        };
        let now = self.now_ms();
        match self.read::<T>(key).await {
            Err(e) => {
                tracing_bypass(key, &e);
                return Ok((compute().await?, CacheStatus::Bypass));
            }
            Ok(Some(entry)) if entry.fresh_until > now => {
                return Ok((entry.value, CacheStatus::Hit));
            }
            Ok(Some(stale)) => {
                let lock = format!("lock:{key}");
                if !kv.add(&lock, b"1", LOCK_TTL).await.unwrap_or(false) {
                    return Ok((stale.value, CacheStatus::Stale));
                }
                let value = compute().await;
                // The fresh entry lands before the lock goes, so nobody recomputes in between.
                if let Ok(value) = &value {
                    self.write(key, value, freshness).await;
                }
                let _ = kv.delete(&lock).await;
                return Ok((value?, CacheStatus::Miss));
            }
            Ok(None) => {}
        }
        // Missing: callers in this process queue behind one computation.
        let gate = self.gate(key);
        let guard = gate.lock().await;
        let result = match self.read::<T>(key).await {
            Ok(Some(entry)) if entry.fresh_until > self.now_ms() => {
                Ok((entry.value, CacheStatus::Hit))
            }
            _ => match compute().await {
                Ok(value) => {
                    self.write(key, &value, freshness).await;
                    Ok((value, CacheStatus::Miss))
                }
                Err(e) => Err(e),
            },
        };
        drop(guard);
        self.ungate(key, gate);
        result
    }

    /// Drops the entry: the next read computes it afresh.
    pub async fn invalidate(&self, key: &str) -> Result<(), Unavailable> {
        match &self.kv {
            Some(kv) => kv.delete(key).await,
            None => Ok(()),
        }
    }

    async fn read<T: DeserializeOwned>(&self, key: &str) -> Result<Option<Entry<T>>, Unavailable> {
        let Some(kv) = &self.kv else {
            return Ok(None);
        };
        // An entry that no longer decodes (its type changed) counts as missing.
        Ok(kv
            .get(key)
            .await?
            .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
    }

    async fn write<T: Serialize>(&self, key: &str, value: &T, freshness: Freshness) {
        let entry = Entry {
            fresh_until: self.now_ms() + freshness.fresh.as_millis() as i128,
            value,
        };
        let Ok(bytes) = serde_json::to_vec(&entry) else {
            return;
        };
        // A failed write costs the next caller a recompute, nothing more.
        if let Some(kv) = &self.kv {
            let _ = kv.set(key, &bytes, freshness.fresh + freshness.stale).await;
        }
    }

    fn now_ms(&self) -> i128 {
        self.clock.now().unix_timestamp_nanos() / 1_000_000
    }

    fn gate(&self, key: &str) -> Arc<AsyncMutex<()>> {
        let mut gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
        gates.entry(key.to_owned()).or_default().clone()
    }

    /// Forgets the gate once nobody else holds it.
    fn ungate(&self, key: &str, gate: Arc<AsyncMutex<()>>) {
        let mut gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
        if Arc::strong_count(&gate) <= 2 {
            gates.remove(key);
        }
    }
}

fn tracing_bypass(key: &str, error: &Unavailable) {
    tracing::warn!(key, error = %error, "cache unavailable: computed without it");
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use time::OffsetDateTime;

    use super::*;
    use crate::MemoryKv;

    /// A clock the test moves by hand.
    struct Manual(Mutex<OffsetDateTime>);

    impl Clock for Manual {
        fn now(&self) -> OffsetDateTime {
            *self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }

    const FRESHNESS: Freshness = Freshness {
        fresh: Duration::from_secs(60),
        stale: Duration::from_secs(240),
    };

    #[tokio::test]
    async fn while_one_caller_recomputes_the_others_get_the_stale_value() {
        let clock = Arc::new(Manual(Mutex::new(OffsetDateTime::now_utc())));
        let kv = MemoryKv::default();
        let cache = Cache::new(kv.clone(), clock.clone());
        let first = cache.get_or_compute("k", FRESHNESS, || async { Ok::<_, ()>(1) });
        assert_eq!(first.await, Ok((1, CacheStatus::Miss)));
        *clock.0.lock().unwrap_or_else(PoisonError::into_inner) += Duration::from_secs(61);

        // One caller starts the recompute and is held inside it.
        let (release, held) = tokio::sync::oneshot::channel::<()>();
        let recomputing = tokio::spawn({
            let cache = cache.clone();
            async move {
                let compute = || async move {
                    let _ = held.await;
                    Ok::<_, ()>(2)
                };
                cache.get_or_compute("k", FRESHNESS, compute).await
            }
        });
        while kv.get("lock:k").await.ok().flatten().is_none() {
            tokio::task::yield_now().await;
        }
        let meanwhile = cache.get_or_compute("k", FRESHNESS, || async { Ok::<_, ()>(3) });
        assert_eq!(meanwhile.await, Ok((1, CacheStatus::Stale)));

        let _ = release.send(());
        assert_eq!(recomputing.await.ok(), Some(Ok((2, CacheStatus::Miss))));
        let after = cache.get_or_compute("k", FRESHNESS, || async { Ok::<_, ()>(4) });
        assert_eq!(after.await, Ok((2, CacheStatus::Hit)));
    }

    #[tokio::test]
    async fn with_caching_off_every_read_computes() {
        let cache = Cache::off(Arc::new(kernel::SystemClock));
        for n in 0..3 {
            let got = cache.get_or_compute("k", FRESHNESS, || async move { Ok::<_, ()>(n) });
            assert_eq!(got.await, Ok((n, CacheStatus::Miss)));
        }
    }
}
