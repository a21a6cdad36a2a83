//! `scripts/bench jobs`: the async-jobs claims, measured in one run.
//!
//! 1. Signup latency with a mailer that takes 2 s per mail against an instant one, each API
//!    with its worker in the same process, requests alternating between the two: the mail is off the request path, so the ratio
//!    should be about 1 (target <= 1.1).
//! 2. Jobs per second, relay to consumer, through the embedded queue (PostgreSQL and SQLite)
//!    and through SQS on moto server (an emulator: its figure says little about SQS itself).
//! 3. Commit-to-delivery time at a steady 20 events/s, relayed after each commit as the API
//!    functions do, on each queue.
//!
//! Prints a table and writes target/bench/jobs.json (or `--out DIR`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use database::Backend;
use identity_passwords::Argon2Hasher;
use jobs::{Backoff, Consumer, Dispatcher, DynConsumer, JobError};
use kernel::{Envelope, Event, EventId, TenantId};
use notifications::{Branding, Mail, MailError, Mailer, MemoryMailer, Notifications};
use runtime::{Jobs, Platform};
use serde_json::json;
use time::OffsetDateTime;
use tower::ServiceExt;

const THROUGHPUT_JOBS: usize = 1000;
const STEADY_RATE: u32 = 20;
const STEADY_SECONDS: u32 = 5;
const SIGNUPS: usize = 100;
const SLOW_MAIL: Duration = Duration::from_secs(2);
const TARGET_SIGNUP_RATIO: f64 = 1.1;

#[derive(serde::Serialize)]
struct Noop;

impl Event for Noop {
    const TYPE: &'static str = "bench.noop";
    const VERSION: u16 = 1;

    fn tenant(&self) -> Option<TenantId> {
        None
    }
}

/// Records when each event reached it, through the ledger like every consumer.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(EventId, OffsetDateTime)>>>);

impl Consumer for Recorder {
    fn name(&self) -> &'static str {
        "bench.recorder"
    }

    fn wants(&self, kind: &str) -> bool {
        kind == Noop::TYPE
    }

    async fn handle(&self, envelope: &Envelope) -> Result<(), JobError> {
        self.0
            .lock()
            .map_err(|_| JobError::permanent("poisoned"))?
            .push((envelope.id, OffsetDateTime::now_utc()));
        Ok(())
    }
}

impl Recorder {
    fn count(&self) -> usize {
        self.0.lock().map(|v| v.len()).unwrap_or(0)
    }
}

/// A mail server that takes its time.
#[derive(Clone)]
struct SlowMailer;

impl Mailer for SlowMailer {
    async fn send(&self, _mail: &Mail) -> Result<(), MailError> {
        tokio::time::sleep(SLOW_MAIL).await;
        Ok(())
    }
}

fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    let pos = (s.len() - 1) as f64 * q;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

async fn until(done: impl Fn() -> bool, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while !done() {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

fn dispatcher(platform: &Platform, recorder: &Recorder) -> Dispatcher {
    let consumers: Vec<Arc<DynConsumer<'static>>> = vec![DynConsumer::new_arc(recorder.clone())];
    Dispatcher::new(
        consumers,
        platform.jobs.ledger.clone(),
        Backoff::default(),
        Duration::from_secs(60),
    )
}

/// Jobs per second from a full outbox to the consumer, and commit-to-delivery at a steady rate.
async fn queue_run(label: &str, platform: Platform) -> serde_json::Value {
    let recorder = Recorder::default();
    let worker = tokio::spawn(runtime::jobs::work_embedded(
        platform.jobs.clone(),
        dispatcher(&platform, &recorder),
        std::future::pending(),
    ));

    let envelopes: Vec<Envelope> = (0..THROUGHPUT_JOBS)
        .map(|_| Envelope::wrap(&Noop, OffsetDateTime::now_utc()))
        .collect();
    let started = Instant::now();
    for chunk in envelopes.chunks(100) {
        testkit::append_outbox(&platform.backend, chunk).await;
    }
    let drained = until(
        || recorder.count() >= THROUGHPUT_JOBS,
        Duration::from_secs(120),
    )
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    let per_second = if drained {
        THROUGHPUT_JOBS as f64 / elapsed
    } else {
        f64::NAN
    };

    // Steady load: one commit every 1/rate s, each relayed after its commit.
    let before = recorder.count();
    let mut committed = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1) / STEADY_RATE);
    for _ in 0..STEADY_RATE * STEADY_SECONDS {
        tick.tick().await;
        let envelope = Envelope::wrap(&Noop, OffsetDateTime::now_utc());
        testkit::append_outbox(&platform.backend, std::slice::from_ref(&envelope)).await;
        committed.push((envelope.id, OffsetDateTime::now_utc()));
        let jobs = platform.jobs.clone();
        tokio::spawn(async move { jobs.relay().await });
    }
    let want = before + committed.len();
    until(|| recorder.count() >= want, Duration::from_secs(60)).await;
    worker.abort();
    let handled: std::collections::HashMap<EventId, OffsetDateTime> = recorder
        .0
        .lock()
        .map(|v| v.iter().copied().collect())
        .unwrap_or_default();
    let latencies: Vec<f64> = committed
        .iter()
        .filter_map(|(id, at)| {
            handled
                .get(id)
                .map(|done| (*done - *at).as_seconds_f64() * 1000.0)
        })
        .collect();
    json!({
        "queue": label,
        "throughput_jobs": THROUGHPUT_JOBS,
        "drained": drained,
        "jobs_per_second": per_second,
        "steady_rate_per_second": STEADY_RATE,
        "steady_delivered": latencies.len(),
        "steady_sent": committed.len(),
        "commit_to_delivery_p50_ms": quantile(&latencies, 0.5),
        "commit_to_delivery_p99_ms": quantile(&latencies, 0.99),
    })
}

/// The API on `platform`, with the worker mailing through `mailer` in the same process.
fn api_with_worker(
    platform: &Platform,
    mailer: impl Mailer + 'static,
) -> (axum::Router, tokio::task::JoinHandle<()>) {
    let branding = Branding {
        product: "Bench".into(),
        base_url: "http://127.0.0.1".into(),
    };
    let worker = tokio::spawn(runtime::jobs::work_embedded(
        platform.jobs.clone(),
        jobs_worker::dispatcher(
            platform,
            Notifications::new(mailer, branding),
            jobs_worker::webhooks(platform, webhooks_http::HttpSenderConfig::default())
                .unwrap_or_else(|e| panic!("{e}")),
        ),
        std::future::pending(),
    ));
    let router = app::app(
        platform,
        Argon2Hasher::new(identity_passwords::default_concurrency()),
    );
    (router, worker)
}

async fn signup(router: &axum::Router, email: String) -> f64 {
    let body = json!({"email": email, "password": "correct horse battery"});
    let request = Request::post("/v1/signup")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_default();
    let started = Instant::now();
    let response = router.clone().oneshot(request).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    assert!(
        response.is_ok_and(|r| r.status().is_success()),
        "signup {email} failed"
    );
    ms
}

/// Signup latencies against an API whose mailer is instant and one whose mailer takes
/// `SLOW_MAIL`, each on its own database, the requests alternating between the two so that
/// both see the same machine.
async fn signups() -> (Vec<f64>, Vec<f64>) {
    let (_fast_db, fast_backend) = postgres().await;
    let (_slow_db, slow_backend) = postgres().await;
    let (fast, fast_worker) =
        api_with_worker(&testkit::platform(&fast_backend), MemoryMailer::default());
    let (slow, slow_worker) = api_with_worker(&testkit::platform(&slow_backend), SlowMailer);
    let (mut instant, mut delayed) = (Vec::new(), Vec::new());
    for i in 0..SIGNUPS {
        instant.push(signup(&fast, format!("instant-{i}@bench.example.com")).await);
        delayed.push(signup(&slow, format!("slow-{i}@bench.example.com")).await);
        // Mails pile up behind the slow mailer; the requests must not notice.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    fast_worker.abort();
    slow_worker.abort();
    (instant, delayed)
}

/// Where the SDK's first-use time goes, in a process that has not touched it yet: the HTTPS
/// client (rustls with the system's root certificates), the configuration (credential and
/// region chains; the environment holds both here, as in Lambda), and the SQS client.
async fn sdk_breakdown() -> (f64, f64, f64) {
    let ms = |started: Instant| started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let http = aws_sdk_setup::http_client();
    let http_ms = ms(started);
    let started = Instant::now();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .load()
        .await;
    let config_ms = ms(started);
    let started = Instant::now();
    let _client = aws_sdk_sqs::Client::new(&config);
    (http_ms, config_ms, ms(started))
}

/// The first publish of a process against a warm one: the first loads the SDK configuration
/// (credentials and region chains) and builds the client, as the first relay in a fresh
/// function does. From the environment `scripts/bench` sets (moto over plain HTTP: no TLS
/// handshake is counted).
async fn first_publish() -> (f64, f64) {
    let url = testkit::sqs::fresh_queue(5).await.url().to_owned();
    let queue = jobs_sqs::SqsQueue::new(url, None);
    let body = vec!["{}".to_owned()];
    let started = Instant::now();
    let first = jobs::Queue::send(&queue, &body).await;
    let first_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let warm = jobs::Queue::send(&queue, &body).await;
    let warm_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert!(
        first.is_ok() && warm.is_ok(),
        "publishing to moto failed: {first:?} {warm:?}"
    );
    (first_ms, warm_ms)
}

async fn postgres() -> (testkit::PostgresDatabase, Backend) {
    let database = testkit::PostgresDatabase::create().await;
    let db = database::postgres::connect_lazy(&database.url, Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let backend = Backend::Postgres(db);
    app::migrate(&backend)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (database, backend)
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

    // 0. The SDK's first use, before anything else touches it; then a first publish.
    let (http_client_ms, sdk_config_ms, sqs_client_ms) = sdk_breakdown().await;
    let (first_publish_ms, warm_publish_ms) = first_publish().await;

    // 1. Signups, slow mailer against instant.
    let (instant, slow) = signups().await;
    let ratio_p50 = quantile(&slow, 0.5) / quantile(&instant, 0.5);
    let ratio_p99 = quantile(&slow, 0.99) / quantile(&instant, 0.99);

    // 2 and 3. Each queue.
    let mut queues = Vec::new();
    let (_db2, pg) = postgres().await;
    queues.push(queue_run("embedded (PostgreSQL)", testkit::platform(&pg)).await);
    let sqlite_path = std::env::temp_dir().join(format!(
        "bench-jobs-{}.sqlite",
        uuid::Uuid::now_v7().simple()
    ));
    let lite = Backend::Sqlite(
        database::sqlite::open(&sqlite_path)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    );
    app::migrate(&lite).await.unwrap_or_else(|e| panic!("{e}"));
    queues.push(queue_run("embedded (SQLite)", testkit::platform(&lite)).await);
    let (_db3, pg_for_sqs) = postgres().await;
    let sqs = Platform {
        jobs: Jobs::on_sqs(&pg_for_sqs, testkit::sqs::fresh_queue(5).await),
        ..testkit::platform(&pg_for_sqs)
    };
    queues.push(queue_run("SQS on moto (emulator)", sqs).await);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", sqlite_path.display()));
    }

    let report = json!({
        "benchmark": "jobs",
        "time": OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "signup": {
            "requests_each": SIGNUPS,
            "slow_mail_seconds": SLOW_MAIL.as_secs(),
            "instant_p50_ms": quantile(&instant, 0.5),
            "instant_p99_ms": quantile(&instant, 0.99),
            "slow_p50_ms": quantile(&slow, 0.5),
            "slow_p99_ms": quantile(&slow, 0.99),
            "ratio_p50": ratio_p50,
            "ratio_p99": ratio_p99,
            "target_ratio_max": TARGET_SIGNUP_RATIO,
            "pass": ratio_p50 <= TARGET_SIGNUP_RATIO && ratio_p99 <= TARGET_SIGNUP_RATIO,
        },
        "queues": queues,
        "sdk_first_use": {
            "https_client_ms": http_client_ms,
            "config_load_ms": sdk_config_ms,
            "sqs_client_ms": sqs_client_ms,
        },
        "sqs_publish": {
            "first_in_process_ms": first_publish_ms,
            "warm_ms": warm_publish_ms,
            "note": "moto on loopback over HTTP: SDK configuration load + client + one SendMessageBatch",
        },
    });

    println!("signup, {SIGNUPS} each, alternating       p50 ms    p99 ms");
    println!(
        "  instant mailer                        {:>8.2}  {:>8.2}",
        quantile(&instant, 0.5),
        quantile(&instant, 0.99)
    );
    println!(
        "  mailer taking {}s per mail             {:>8.2}  {:>8.2}",
        SLOW_MAIL.as_secs(),
        quantile(&slow, 0.5),
        quantile(&slow, 0.99)
    );
    println!(
        "  ratio (target <= {TARGET_SIGNUP_RATIO})                  {:>8.2}  {:>8.2}  {}",
        ratio_p50,
        ratio_p99,
        if report["signup"]["pass"] == true {
            "PASS"
        } else {
            "FAIL"
        }
    );
    println!();
    println!(
        "queue                     jobs/s ({THROUGHPUT_JOBS})   commit->delivery at {STEADY_RATE}/s: p50 ms   p99 ms"
    );
    for q in &queues {
        println!(
            "  {:<24} {:>10.0}   {:>28.1}  {:>7.1}",
            q["queue"].as_str().unwrap_or_default(),
            q["jobs_per_second"].as_f64().unwrap_or(f64::NAN),
            q["commit_to_delivery_p50_ms"].as_f64().unwrap_or(f64::NAN),
            q["commit_to_delivery_p99_ms"].as_f64().unwrap_or(f64::NAN),
        );
    }
    println!();
    println!(
        "SDK first use: HTTPS client {http_client_ms:.2} ms, configuration {sdk_config_ms:.2} ms, SQS client {sqs_client_ms:.2} ms"
    );
    println!(
        "SQS publish (moto, HTTP): first in a process {first_publish_ms:.1} ms (SDK config + client + call), warm {warm_publish_ms:.1} ms"
    );
    let _ = std::fs::create_dir_all(&out);
    let file = out.join("jobs.json");
    let _ = std::fs::write(
        &file,
        serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
    );
    println!("\nwrote {}", file.display());
}
