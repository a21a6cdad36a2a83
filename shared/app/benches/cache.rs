//! `scripts/bench cache`, the stores' part: what a session lookup and a rate-limit decision
//! cost on each store, in one run.
//!
//! 1. Session lookups (`Sessions::resolve` of a live token): the PostgreSQL `sessions` table,
//!    Redis, DynamoDB on moto server (an emulator over HTTP: its figure says little about
//!    DynamoDB itself) and the in-process store. One caller in a loop for p50/p99, then
//!    `CONCURRENCY` callers for throughput; each store's ratio to the PostgreSQL table.
//! 2. Rate-limit decisions (`RateLimiter::check`, one atomic increment each) on the same
//!    stores but the database.
//!
//! Prints a table and writes target/bench/cache-stores.json (or `--out DIR`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kernel::{Clock, SystemClock, UserId};
use kv::{MemoryKv, Policy, RateLimiter};
use serde_json::json;
use sessions::{MemorySessions, Sessions};

const CONCURRENCY: usize = 16;
const LATENCY_SAMPLES: usize = 2_000;
/// moto answers a few hundred requests a second: fewer samples keep the run short.
const EMULATOR_SAMPLES: usize = 300;
const THROUGHPUT_FOR: Duration = Duration::from_secs(3);
const POLICY: Policy = Policy {
    name: "bench",
    limit: u32::MAX,
    window: Duration::from_secs(3600),
};

struct Row {
    store: &'static str,
    p50_ms: f64,
    p99_ms: f64,
    per_second: f64,
}

fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}

/// Latency of `samples` sequential calls, then calls per second from `CONCURRENCY` callers.
async fn measure<F, Fut>(store: &'static str, samples: usize, op: F) -> Row
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    for _ in 0..20 {
        op().await;
    }
    let mut latencies = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        op().await;
        latencies.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + THROUGHPUT_FOR;
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (op, done) = (op.clone(), done.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    op().await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let started = Instant::now();
    for worker in workers {
        let _ = worker.await;
    }
    Row {
        store,
        p50_ms: quantile(&latencies, 0.5),
        p99_ms: quantile(&latencies, 0.99),
        per_second: done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64(),
    }
}

async fn lookups(store: &'static str, sessions: Sessions, samples: usize) -> Row {
    let issued = sessions
        .issue(UserId::generate())
        .await
        .unwrap_or_else(|e| panic!("{store}: {e}"));
    let token = Arc::new(issued.token);
    measure(store, samples, move || {
        let (sessions, token) = (sessions.clone(), token.clone());
        async move {
            let found = sessions.resolve(&token).await;
            assert!(matches!(found, Ok(Some(_))), "{store}: {found:?}");
        }
    })
    .await
}

async fn decisions(store: &'static str, limiter: RateLimiter, samples: usize) -> Row {
    measure(store, samples, move || {
        let limiter = limiter.clone();
        async move {
            let decision = limiter.check(&POLICY, "bench-subject").await;
            assert!(
                matches!(decision, Ok(d) if d.allowed),
                "{store}: {decision:?}"
            );
        }
    })
    .await
}

fn print(title: &str, rows: &[Row], baseline: Option<&str>) {
    let base = baseline
        .and_then(|b| rows.iter().find(|r| r.store == b))
        .map(|r| r.per_second);
    println!(
        "\n{title:<34} p50 ms   p99 ms      per s   x {}",
        baseline.unwrap_or("-")
    );
    for r in rows {
        let ratio = base.map_or(String::from("-"), |b| format!("{:.2}", r.per_second / b));
        println!(
            "{:<34} {:>6.3}   {:>6.3}   {:>8.0}   {ratio}",
            r.store, r.p50_ms, r.p99_ms, r.per_second
        );
    }
}

fn json_rows(rows: &[Row]) -> serde_json::Value {
    rows.iter()
        .map(|r| {
            json!({"store": r.store, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "per_second": r.per_second})
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let out = std::env::args()
        .skip_while(|a| a != "--out")
        .nth(1)
        .map_or_else(
            || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench")),
            PathBuf::from,
        );
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let ttl = time::Duration::hours(1);
    let redis = kv_redis::Redis::open(&testkit::redis::url()).unwrap_or_else(|e| panic!("{e}"));
    let dynamo = testkit::dynamodb::client();
    let sessions_table = testkit::dynamodb::fresh_table().await;
    let kv_table = testkit::dynamodb::fresh_table().await;
    let db = testkit::TestDb::postgres(&app::MIGRATIONS).await;

    let session_rows = vec![
        lookups(
            "PostgreSQL sessions table",
            Sessions::new(database::session_store(&db.backend), clock.clone(), ttl),
            LATENCY_SAMPLES,
        )
        .await,
        lookups(
            "Redis",
            Sessions::new(kv_redis::RedisSessions::new(&redis), clock.clone(), ttl),
            LATENCY_SAMPLES,
        )
        .await,
        lookups(
            "DynamoDB (moto, emulator)",
            Sessions::new(
                kv_dynamodb::DynamoSessions::with_client(dynamo.clone(), sessions_table),
                clock.clone(),
                ttl,
            ),
            EMULATOR_SAMPLES,
        )
        .await,
        lookups(
            "in-process",
            Sessions::new(MemorySessions::default(), clock.clone(), ttl),
            LATENCY_SAMPLES,
        )
        .await,
    ];
    let limiter_rows = vec![
        decisions(
            "Redis",
            RateLimiter::new(kv_redis::RedisKv::new(&redis), clock.clone()),
            LATENCY_SAMPLES,
        )
        .await,
        decisions(
            "DynamoDB (moto, emulator)",
            RateLimiter::new(
                kv_dynamodb::DynamoKv::with_client(dynamo, kv_table),
                clock.clone(),
            ),
            EMULATOR_SAMPLES,
        )
        .await,
        decisions(
            "in-process",
            RateLimiter::new(MemoryKv::default(), clock.clone()),
            LATENCY_SAMPLES,
        )
        .await,
    ];
    print(
        "session lookup",
        &session_rows,
        Some("PostgreSQL sessions table"),
    );
    print("rate-limit decision", &limiter_rows, Some("in-process"));
    let report = json!({
        "concurrency": CONCURRENCY,
        "throughput_seconds": THROUGHPUT_FOR.as_secs(),
        "session_lookup": json_rows(&session_rows),
        "rate_limit_decision": json_rows(&limiter_rows),
        "notes": "one machine, loopback; DynamoDB is moto server (an emulator), not DynamoDB",
    });
    let _ = std::fs::create_dir_all(&out);
    let file = out.join("cache-stores.json");
    let _ = std::fs::write(
        &file,
        serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
    );
    println!("\nwrote {}", file.display());
}
