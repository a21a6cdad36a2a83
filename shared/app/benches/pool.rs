//! `scripts/bench pool`: many small Lambda-sized pools against a PostgreSQL with
//! `max_connections = 100`, directly and through a transaction pooler (PgBouncer standing in
//! for RDS Proxy).
//!
//! 1. A burst of `--instances` simulated Lambda instances (default 500), each a task with its
//!    own sqlx pool of one connection, each running an indexed primary-key SELECT in a loop for
//!    `--seconds` (default 15): requests served, errors (by message), and the server
//!    connections the role holds at the end, directly and through the pooler.
//! 2. Read-route throughput at `--clients` warm instances (default 16), where the direct path
//!    has enough connections: req/s, p50 and p99 through the pooler against direct.
//!
//! The role `app` (no superuser, so the reserved slots stay free) and the table
//! `bench_items` are created by `scripts/bench` in a throwaway cluster. Prints a table and
//! writes pool.json under `--out` (default target/bench).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use database::postgres::{self, PoolSettings};
use serde_json::{Value, json};
use tokio::task::JoinSet;

const ROWS: i64 = 10_000;
/// An instance whose request failed waits this long before its next one, as a client retries.
const AFTER_ERROR: Duration = Duration::from_millis(50);

struct Args {
    out: PathBuf,
    direct: String,
    pooled: String,
    admin: String,
    instances: usize,
    clients: usize,
    seconds: u64,
}

fn args() -> Args {
    let all: Vec<String> = std::env::args().collect();
    let get = |flag: &str| {
        all.iter()
            .position(|a| a == flag)
            .and_then(|i| all.get(i + 1))
            .cloned()
    };
    let need = |flag: &str| get(flag).unwrap_or_else(|| panic!("{flag} is required"));
    let num = |flag: &str, default: u64| get(flag).map_or(default, |v| v.parse().expect(flag));
    Args {
        out: get("--out").map_or_else(
            || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench")),
            PathBuf::from,
        ),
        direct: need("--direct"),
        pooled: need("--pooled"),
        admin: need("--admin"),
        instances: usize::try_from(num("--instances", 500)).expect("--instances"),
        clients: usize::try_from(num("--clients", 16)).expect("--clients"),
        seconds: num("--seconds", 15),
    }
}

#[derive(Default)]
struct Tally {
    ok: u64,
    latencies_us: Vec<u64>,
    errors: BTreeMap<String, u64>,
}

/// One simulated instance: its own pool of one connection, requests until `deadline`.
async fn instance(url: String, seed: u64, deadline: Instant) -> Tally {
    let settings = PoolSettings {
        max_connections: 1,
        acquire_timeout: Duration::from_secs(2),
        ..PoolSettings::default()
    };
    let mut tally = Tally::default();
    let db = postgres::connect_lazy(&url, settings).expect("url");
    let pool = db.raw_pool();
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    while Instant::now() < deadline {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let id = i64::try_from((x >> 33) % u64::try_from(ROWS).unwrap_or(1)).unwrap_or(0) + 1;
        let started = Instant::now();
        let row: Result<(i64, String), _> =
            sqlx::query_as("SELECT id, label FROM bench_items WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await;
        match row {
            Ok((got, _)) if got == id => {
                tally.ok += 1;
                tally
                    .latencies_us
                    .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
            }
            Ok(_) => *tally.errors.entry("wrong row".into()).or_default() += 1,
            Err(e) => {
                *tally.errors.entry(error_kind(&e)).or_default() += 1;
                tokio::time::sleep(AFTER_ERROR).await;
            }
        }
    }
    pool.close().await;
    tally
}

fn error_kind(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::PoolTimedOut => "pool timed out".into(),
        other => other.to_string(),
    }
}

/// Runs `n` instances against `url` for `seconds`; samples the role's server connections
/// near the end, while every instance still holds its own.
async fn phase(url: &str, admin: &str, n: usize, seconds: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = JoinSet::new();
    for i in 0..n {
        tasks.spawn(instance(url.to_owned(), i as u64 + 1, deadline));
    }
    tokio::time::sleep(Duration::from_secs(seconds.saturating_sub(1).max(1))).await;
    let server_connections: Option<i64> = match sqlx::PgPool::connect(admin).await {
        Ok(pool) => {
            let count = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app' AND backend_type = 'client backend'",
            )
            .fetch_one(&pool)
            .await
            .ok();
            pool.close().await;
            count
        }
        Err(_) => None,
    };
    let mut all = Tally::default();
    while let Some(done) = tasks.join_next().await {
        let t = done.expect("instance task");
        all.ok += t.ok;
        all.latencies_us.extend(t.latencies_us);
        for (k, v) in t.errors {
            *all.errors.entry(k).or_default() += v;
        }
    }
    all.latencies_us.sort_unstable();
    let q = |p: f64| -> f64 {
        if all.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((all.latencies_us.len() - 1) as f64 * p).round() as usize;
        all.latencies_us[i] as f64 / 1000.0
    };
    let errors: u64 = all.errors.values().sum();
    json!({
        "instances": n,
        "seconds": seconds,
        "ok": all.ok,
        "req_per_s": all.ok as f64 / seconds as f64,
        "errors": errors,
        "error_kinds": all.errors,
        "p50_ms": q(0.5),
        "p99_ms": q(0.99),
        "server_connections": server_connections,
    })
}

async fn max_connections(admin: &str) -> i64 {
    let pool = sqlx::PgPool::connect(admin)
        .await
        .expect("admin connection");
    let n: String = sqlx::query_scalar("SHOW max_connections")
        .fetch_one(&pool)
        .await
        .expect("SHOW max_connections");
    pool.close().await;
    n.parse().unwrap_or(0)
}

fn row(name: &str, r: &Value) {
    let kinds = r["error_kinds"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{v} x {k}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
    println!(
        "{name:<34} {:>9.0} {:>8.2} {:>8.2} {:>8} {:>7}  {kinds}",
        r["req_per_s"].as_f64().unwrap_or(0.0),
        r["p50_ms"].as_f64().unwrap_or(0.0),
        r["p99_ms"].as_f64().unwrap_or(0.0),
        r["errors"].as_u64().unwrap_or(0),
        r["server_connections"]
            .as_i64()
            .map_or_else(|| "-".to_owned(), |n| n.to_string()),
    );
}

#[tokio::main]
async fn main() {
    let a = args();
    let max = max_connections(&a.admin).await;
    println!("PostgreSQL max_connections = {max}\n");
    let direct_burst = phase(&a.direct, &a.admin, a.instances, a.seconds).await;
    let pooled_burst = phase(&a.pooled, &a.admin, a.instances, a.seconds).await;
    let direct_read = phase(&a.direct, &a.admin, a.clients, a.seconds).await;
    let pooled_read = phase(&a.pooled, &a.admin, a.clients, a.seconds).await;

    println!(
        "{:<34} {:>9} {:>8} {:>8} {:>8} {:>7}  error kinds",
        "phase", "req/s", "p50 ms", "p99 ms", "errors", "server"
    );
    let burst = |via| format!("{} instances, {via}", a.instances);
    let read = |via| format!("read route, {} clients, {via}", a.clients);
    row(&burst("direct"), &direct_burst);
    row(&burst("PgBouncer"), &pooled_burst);
    row(&read("direct"), &direct_read);
    row(&read("PgBouncer"), &pooled_read);
    let ratio = pooled_read["req_per_s"].as_f64().unwrap_or(0.0)
        / direct_read["req_per_s"].as_f64().unwrap_or(1.0).max(1.0);
    println!("\nread route through PgBouncer / direct: {ratio:.2}x");
    println!("(server = the role's server connections near the end of the phase)");

    let report = json!({
        "max_connections": max,
        "method": format!(
            "each instance a tokio task with its own sqlx pool (max_connections 1, acquire timeout 2 s) \
             running `SELECT id, label FROM bench_items WHERE id = $1` (primary key, {ROWS} rows) in a loop for \
             {} s; a failed request waits {} ms; role app (not a superuser); PgBouncer in transaction mode \
             with default_pool_size 20 and max_prepared_statements 200",
            a.seconds,
            AFTER_ERROR.as_millis()
        ),
        "burst": { "direct": direct_burst, "pgbouncer": pooled_burst },
        "read_route": { "direct": direct_read, "pgbouncer": pooled_read, "pgbouncer_to_direct": ratio },
    });
    std::fs::create_dir_all(&a.out).expect("out dir");
    let file = a.out.join("pool.json");
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&report).expect("json") + "\n",
    )
    .expect("write pool.json");
    println!("wrote {}", file.display());
}
