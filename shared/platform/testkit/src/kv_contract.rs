//! One contract for every adapter of the key-value port: the in-process default, Redis and
//! DynamoDB on moto. Each rule is a function taking the store under test; [`kv_contract_tests!`]
//! runs them all.
//!
//! Stores may be shared between tests and runs (one Redis, one table), so every rule keeps to
//! keys under its own random prefix. Rules about expiry sleep past a one-second TTL: with TTLs
//! rounded up to whole seconds, an entry outlives its TTL by less than one more.
//!
//! [`kv_contract_tests!`]: crate::kv_contract_tests

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kernel::SystemClock;
use kv::{Cache, CacheStatus, Freshness, Idempotency, KeyValue, Policy, RateLimiter, Started};
use tokio::task::JoinSet;

const SHORT: Duration = Duration::from_secs(1);
const LONG: Duration = Duration::from_secs(600);
/// Past [`SHORT`] rounded up, and the second it may have started in.
const PAST_SHORT: Duration = Duration::from_millis(2100);

/// A key under a prefix no other test or run uses.
fn fresh(name: &str) -> String {
    format!("test:{}:{name}", uuid::Uuid::now_v7().simple())
}

/// Runs `n` copies of `task` at once, each with its index, and returns what they returned.
async fn concurrently<T, F, Fut>(n: usize, task: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let mut set = JoinSet::new();
    for i in 0..n {
        set.spawn(task(i));
    }
    set.join_all().await
}

/// A value set is read back as set, and a deleted one is absent; deleting an absent key is
/// not an error.
pub async fn get_set_delete(kv: impl KeyValue) {
    let key = fresh("k");
    assert_eq!(kv.get(&key).await.unwrap(), None);
    kv.set(&key, b"value", LONG).await.unwrap();
    assert_eq!(kv.get(&key).await.unwrap().as_deref(), Some(&b"value"[..]));
    kv.delete(&key).await.unwrap();
    assert_eq!(kv.get(&key).await.unwrap(), None);
    kv.delete(&key).await.unwrap();
}

/// Values are bytes, kept exactly: every byte value, and the empty value.
pub async fn values_are_bytes(kv: impl KeyValue) {
    let (all, empty) = (fresh("all"), fresh("empty"));
    let bytes: Vec<u8> = (0..=255).collect();
    kv.set(&all, &bytes, LONG).await.unwrap();
    kv.set(&empty, b"", LONG).await.unwrap();
    assert_eq!(kv.get(&all).await.unwrap(), Some(bytes));
    assert_eq!(kv.get(&empty).await.unwrap(), Some(Vec::new()));
}

/// `set` replaces the value, and the expiry, of what was there.
pub async fn set_replaces(kv: impl KeyValue) {
    let key = fresh("k");
    kv.set(&key, b"first", SHORT).await.unwrap();
    kv.set(&key, b"second", LONG).await.unwrap();
    assert_eq!(kv.get(&key).await.unwrap().as_deref(), Some(&b"second"[..]));
    tokio::time::sleep(PAST_SHORT).await;
    assert_eq!(
        kv.get(&key).await.unwrap().as_deref(),
        Some(&b"second"[..]),
        "the replaced value kept the first expiry"
    );
}

/// An entry is there until its TTL, and absent after it; a longer-lived neighbour stays.
pub async fn entries_expire(kv: impl KeyValue) {
    let (short, long) = (fresh("short"), fresh("long"));
    kv.set(&short, b"brief", SHORT).await.unwrap();
    kv.set(&long, b"lasting", LONG).await.unwrap();
    assert_eq!(
        kv.get(&short).await.unwrap().as_deref(),
        Some(&b"brief"[..])
    );
    tokio::time::sleep(PAST_SHORT).await;
    assert_eq!(kv.get(&short).await.unwrap(), None, "read past its TTL");
    assert_eq!(
        kv.get(&long).await.unwrap().as_deref(),
        Some(&b"lasting"[..])
    );
}

/// Of 20 concurrent `add`s of one absent key, exactly one stores its value.
pub async fn one_concurrent_add_wins<K: KeyValue + Clone + 'static>(kv: K) {
    let key = fresh("lock");
    let won = concurrently(20, |i| {
        let (kv, key) = (kv.clone(), key.clone());
        async move {
            kv.add(&key, i.to_string().as_bytes(), LONG)
                .await
                .unwrap()
                .then_some(i)
        }
    })
    .await;
    let winners: Vec<usize> = won.into_iter().flatten().collect();
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let stored = kv.get(&key).await.unwrap().unwrap();
    assert_eq!(
        stored,
        winners[0].to_string().into_bytes(),
        "the winner's value"
    );
}

/// `add` refuses a key that is there, and takes it again once it is deleted.
pub async fn add_succeeds_after_delete(kv: impl KeyValue) {
    let key = fresh("lock");
    assert!(kv.add(&key, b"a", LONG).await.unwrap());
    assert!(!kv.add(&key, b"b", LONG).await.unwrap());
    assert_eq!(kv.get(&key).await.unwrap().as_deref(), Some(&b"a"[..]));
    kv.delete(&key).await.unwrap();
    assert!(kv.add(&key, b"c", LONG).await.unwrap());
    assert_eq!(kv.get(&key).await.unwrap().as_deref(), Some(&b"c"[..]));
}

/// `add` takes a key again once it has expired, even if the store has not removed it yet.
pub async fn add_succeeds_after_expiry(kv: impl KeyValue) {
    let key = fresh("lock");
    assert!(kv.add(&key, b"a", SHORT).await.unwrap());
    assert!(!kv.add(&key, b"b", SHORT).await.unwrap());
    tokio::time::sleep(PAST_SHORT).await;
    assert!(
        kv.add(&key, b"c", LONG).await.unwrap(),
        "refused an expired key"
    );
    assert_eq!(kv.get(&key).await.unwrap().as_deref(), Some(&b"c"[..]));
}

/// 50 concurrent increments each see a different count, and together add up exactly; the
/// counter reads as its decimal count.
pub async fn concurrent_increments_add_up<K: KeyValue + Clone + 'static>(kv: K) {
    let key = fresh("count");
    let counts = concurrently(50, |_| {
        let (kv, key) = (kv.clone(), key.clone());
        async move { kv.incr(&key, 1, LONG).await.unwrap() }
    })
    .await;
    let seen: BTreeSet<i64> = counts.iter().copied().collect();
    assert_eq!(seen, (1..=50).collect(), "counts: {counts:?}");
    assert_eq!(kv.incr(&key, 7, LONG).await.unwrap(), 57);
    assert_eq!(kv.incr(&key, -10, LONG).await.unwrap(), 47);
    assert_eq!(kv.get(&key).await.unwrap().as_deref(), Some(&b"47"[..]));
}

/// A counter lives for the TTL of its first increment (later ones keep it), then starts over
/// from the increment.
pub async fn counters_expire_and_restart(kv: impl KeyValue) {
    let key = fresh("count");
    assert_eq!(kv.incr(&key, 5, SHORT).await.unwrap(), 5);
    assert_eq!(kv.incr(&key, 5, LONG).await.unwrap(), 10);
    tokio::time::sleep(PAST_SHORT).await;
    assert_eq!(
        kv.get(&key).await.unwrap(),
        None,
        "an expired counter reads"
    );
    assert_eq!(
        kv.incr(&key, 5, LONG).await.unwrap(),
        5,
        "did not start over"
    );
    assert_eq!(kv.incr(&key, 1, LONG).await.unwrap(), 6);
}

/// Keys do not affect one another, even when one is a prefix of the other.
pub async fn keys_are_isolated(kv: impl KeyValue) {
    let a = fresh("a");
    let longer = format!("{a}a");
    kv.set(&a, b"1", LONG).await.unwrap();
    kv.set(&longer, b"2", LONG).await.unwrap();
    kv.delete(&a).await.unwrap();
    assert_eq!(kv.get(&longer).await.unwrap().as_deref(), Some(&b"2"[..]));
    let (c, d) = (fresh("c"), fresh("d"));
    assert_eq!(kv.incr(&c, 3, LONG).await.unwrap(), 3);
    assert_eq!(kv.incr(&d, 1, LONG).await.unwrap(), 1);
    assert!(kv.add(&a, b"x", LONG).await.unwrap());
    assert!(kv.add(&format!("{a}b"), b"y", LONG).await.unwrap());
}

/// A rate limit of N lets exactly N of N + 5 concurrent requests through.
pub async fn rate_limit_allows_exactly_the_limit<K: KeyValue + Clone + 'static>(kv: K) {
    const LIMIT: u32 = 5;
    let limiter = RateLimiter::new(kv, Arc::new(SystemClock));
    let policy = Policy {
        name: "contract",
        limit: LIMIT,
        window: Duration::from_secs(3600),
    };
    let subject = fresh("client");
    let decisions = concurrently(LIMIT as usize + 5, |_| {
        let (limiter, subject) = (limiter.clone(), subject.clone());
        async move { limiter.check(&policy, &subject).await.unwrap() }
    })
    .await;
    let allowed: Vec<_> = decisions.iter().filter(|d| d.allowed).collect();
    assert_eq!(allowed.len(), LIMIT as usize, "{decisions:?}");
    let remaining: BTreeSet<u32> = allowed.iter().map(|d| d.remaining).collect();
    assert_eq!(remaining, (0..LIMIT).collect(), "{decisions:?}");
    let other = limiter.check(&policy, &fresh("other")).await.unwrap();
    assert!(other.allowed && other.remaining == LIMIT - 1);
}

/// Of concurrent requests with one idempotency key, exactly one runs; the others see it in
/// flight.
pub async fn idempotency_runs_once<K: KeyValue + Clone + 'static>(kv: K) {
    let idem = Idempotency::new(kv, Duration::from_secs(60));
    let key = fresh("request");
    let started = concurrently(10, |_| {
        let (idem, key) = (idem.clone(), key.clone());
        async move { idem.start(&key, "body").await.unwrap() }
    })
    .await;
    let proceeding = started
        .iter()
        .filter(|s| matches!(s, Started::Proceed(_)))
        .count();
    assert_eq!(proceeding, 1, "{started:?}");
    assert!(
        started
            .iter()
            .all(|s| matches!(s, Started::Proceed(_) | Started::InFlight)),
        "{started:?}"
    );
}

/// Concurrent readers of a missing cache entry in one process compute it once; the others
/// are answered with that result.
pub async fn cache_computes_a_missing_entry_once<K: KeyValue + Clone + 'static>(kv: K) {
    let cache = Cache::new(kv, Arc::new(SystemClock));
    let key = fresh("report");
    let computed = Arc::new(AtomicUsize::new(0));
    let freshness = Freshness {
        fresh: Duration::from_secs(60),
        stale: Duration::from_secs(60),
    };
    let answers = concurrently(20, |_| {
        let (cache, key, computed) = (cache.clone(), key.clone(), computed.clone());
        async move {
            cache
                .get_or_compute(&key, freshness, || async {
                    let n = computed.fetch_add(1, Ordering::SeqCst) + 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Ok::<_, std::convert::Infallible>(format!("computed {n}"))
                })
                .await
                .unwrap()
        }
    })
    .await;
    assert_eq!(computed.load(Ordering::SeqCst), 1);
    assert!(
        answers.iter().all(|(v, _)| v == "computed 1"),
        "{answers:?}"
    );
    let misses = answers
        .iter()
        .filter(|(_, s)| *s == CacheStatus::Miss)
        .count();
    assert_eq!(misses, 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|(_, s)| matches!(s, CacheStatus::Miss | CacheStatus::Hit))
    );
}

/// One `#[tokio::test]` per rule of the contract, each on the store that `$kv` (an expression,
/// evaluated once per test, that may `.await`) gives.
#[macro_export]
macro_rules! kv_contract_tests {
    ($kv:expr) => {
        $crate::kv_contract_tests!(@rules $kv;
            get_set_delete,
            values_are_bytes,
            set_replaces,
            entries_expire,
            one_concurrent_add_wins,
            add_succeeds_after_delete,
            add_succeeds_after_expiry,
            concurrent_increments_add_up,
            counters_expire_and_restart,
            keys_are_isolated,
            rate_limit_allows_exactly_the_limit,
            idempotency_runs_once,
            cache_computes_a_missing_entry_once,
        );
    };
    (@rules $kv:expr; $($rule:ident),* $(,)?) => {
        $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $rule() {
            $crate::kv_contract::$rule($kv).await;
        })*
    };
}
