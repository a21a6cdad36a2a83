//! The tenant dashboard through the whole API: usage counted from real requests and logins,
//! members read from the tenancy module, the cache in front of it, and the worker that drops a
//! tenant's cached dashboard when its membership changes.

#[allow(dead_code)]
mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use activity::DashboardInvalidation;
use activity_routes::ActivityRecorder;
use axum::http::{Method, StatusCode};
use identity_passwords::Argon2Hasher;
use jobs::{Backoff, Dispatcher, DynConsumer, Queue};
use kernel::{Clock, SystemClock};
use kv::{Cache, MemoryKv};
use serde_json::{Value, json};
use support::{Reply, TestApp, User};
use time::OffsetDateTime;
use time::format_description::well_known::Iso8601;

const PASSWORD: &str = "correct horse battery";

/// The app with a recorder the test holds, so it can flush the counts when it reads them.
fn recording(mut app: TestApp) -> (TestApp, ActivityRecorder) {
    let recorder = tenants_api::recorder(&app.platform);
    app.platform.http.activity = Some(Arc::new(recorder.clone()));
    app.router = app::app(&app.platform, Argon2Hasher::for_tests());
    (app, recorder)
}

/// The app with its cache replaced, and its recorder.
fn with_cache(mut app: TestApp, cache: Cache) -> (TestApp, ActivityRecorder) {
    app.platform.cache = cache;
    recording(app)
}

fn path(tenant: &str) -> String {
    format!("/v1/tenants/{tenant}/dashboard")
}

async fn dashboard(app: &TestApp, user: &User) -> Reply {
    let reply = app
        .call(Method::GET, &path(&user.tenant_id), Some(&user.token), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply
}

/// Today's entry: the last one.
fn today(reply: &Reply) -> &Value {
    let days = reply.body["days"].as_array().unwrap();
    assert_eq!(
        days[89]["day"],
        OffsetDateTime::now_utc().date().to_string()
    );
    &days[89]
}

fn counts(day: &Value) -> [u64; 4] {
    ["signups", "logins", "active_members", "api_calls"].map(|k| day[k].as_u64().unwrap())
}

async fn account(app: &TestApp, email: &str) {
    let body = json!({"email": email, "password": PASSWORD});
    let reply = app.call(Method::POST, "/v1/signup", None, Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

/// Logs in: a session token.
async fn login(app: &TestApp, email: &str) -> String {
    let body = json!({"email": email, "password": PASSWORD});
    let reply = app
        .call(Method::POST, "/v1/sessions", None, Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["token"].as_str().unwrap().to_owned()
}

/// Runs the dashboards' consumer over every event written so far, through the outbox and the
/// queue, as the worker does.
async fn run_worker(app: &TestApp) {
    let jobs = &app.platform.jobs;
    let consumer = DashboardInvalidation::new(app.platform.cache.clone());
    let dispatcher = Dispatcher::new(
        vec![DynConsumer::new_arc(consumer)],
        jobs.ledger.clone(),
        Backoff::default(),
        Duration::from_secs(60),
    );
    // The relay after each write runs concurrently: stop after two quiet rounds.
    let mut quiet = 0;
    while quiet < 2 {
        jobs.relay().await.unwrap();
        let deliveries = jobs
            .queue
            .receive(10, Duration::from_secs(30))
            .await
            .unwrap();
        if deliveries.is_empty() {
            quiet += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for delivery in &deliveries {
            let outcome = dispatcher.process(delivery).await;
            dispatcher
                .settle(&jobs.queue, delivery, &outcome)
                .await
                .unwrap();
        }
    }
}

/// A signup with its tenant, an invitation accepted, logins and requests: each lands on
/// today's counts once flushed.
async fn counts_follow_real_use(app: TestApp) {
    let (app, recorder) = recording(app);
    let ada = app.signup("ada@example.com", "Acme").await;
    account(&app, "bob@example.com").await;
    // Ada's invitation is a tenant request (1); Bob's acceptance logs him in (1).
    let accepted = app.add(&ada, "bob@example.com", "member").await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    // Two more logins, and three more tenant requests by Bob.
    login(&app, "ada@example.com").await;
    let bob = login(&app, "bob@example.com").await;
    for _ in 0..3 {
        let members = format!("/v1/tenants/{}/members", ada.tenant_id);
        let reply = app.call(Method::GET, &members, Some(&bob), None).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    // Requests that failed, or are not on the tenant, do not count.
    let missing = format!("/v1/tenants/{}/members/{}", ada.tenant_id, ada.tenant_id);
    app.call(Method::DELETE, &missing, Some(&bob), None)
        .await
        .assert_problem(404);
    app.call(Method::GET, "/v1/me", Some(&bob), None).await;

    let unflushed = dashboard(&app, &ada).await;
    assert_eq!(
        counts(today(&unflushed)),
        [2, 0, 0, 0],
        "nothing flushed yet"
    );
    recorder.flush().await.unwrap();
    run_worker(&app).await;
    // Ada's dashboard request above counts too.
    let reply = dashboard(&app, &ada).await;
    assert_eq!(counts(today(&reply)), [2, 3, 2, 5]);
}

async fn every_one_of_ninety_days_is_present(app: TestApp) {
    let ada = app.signup("ada@example.com", "Acme").await;
    let reply = dashboard(&app, &ada).await;
    assert_eq!(reply.body["tenant_id"], ada.tenant_id);
    let days = reply.body["days"].as_array().unwrap();
    assert_eq!(days.len(), 90);
    let dates: Vec<time::Date> = days
        .iter()
        .map(|d| time::Date::parse(d["day"].as_str().unwrap(), &Iso8601::DATE).unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[1] - w[0] == time::Duration::DAY));
    assert_eq!(counts(today(&reply)), [1, 0, 0, 0]);
    assert!(days[..89].iter().all(|d| counts(d) == [0; 4]), "{days:?}");
}

/// Members of one tenant never see another's dashboard, and counts stay with their tenant.
async fn tenants_never_see_each_others_usage(app: TestApp) {
    let (app, recorder) = recording(app);
    let ada = app.signup("ada@example.com", "Acme").await;
    let eve = app.signup("eve@example.com", "Evil").await;
    for user in [&ada, &ada, &eve] {
        let members = format!("/v1/tenants/{}/members", user.tenant_id);
        let reply = app
            .call(Method::GET, &members, Some(&user.token), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let probe = app
        .call(Method::GET, &path(&ada.tenant_id), Some(&eve.token), None)
        .await;
    probe.assert_problem(404);
    assert!(!probe.body.to_string().contains(&ada.tenant_id));
    recorder.flush().await.unwrap();
    assert_eq!(counts(today(&dashboard(&app, &ada).await)), [1, 0, 1, 2]);
    assert_eq!(counts(today(&dashboard(&app, &eve).await)), [1, 0, 1, 1]);
    let unknown = path("00000000-0000-7000-8000-000000000000");
    app.call(Method::GET, &unknown, Some(&ada.token), None)
        .await
        .assert_problem(404);
    let malformed = app
        .call(Method::GET, &path("acme"), Some(&ada.token), None)
        .await;
    malformed.assert_problem(400);
    assert_eq!(malformed.fields(), ["tenant_id"]);
    app.call(Method::GET, &path(&ada.tenant_id), None, None)
        .await
        .assert_problem(401);
}

/// Cached after the first read; a new member drops the entry once the worker runs.
async fn a_membership_change_refreshes_the_cached_dashboard(app: TestApp) {
    let ada = app.signup("ada@example.com", "Acme").await;
    let first = dashboard(&app, &ada).await;
    assert_eq!(first.header("x-cache"), "miss");
    assert_eq!(first.header("cache-control"), "no-store");
    let second = dashboard(&app, &ada).await;
    assert_eq!(second.header("x-cache"), "hit");
    assert_eq!(second.body, first.body);

    account(&app, "bob@example.com").await;
    let accepted = app.add(&ada, "bob@example.com", "member").await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let cached = dashboard(&app, &ada).await;
    assert_eq!(cached.header("x-cache"), "hit");
    assert_eq!(today(&cached)["signups"], 1);

    run_worker(&app).await;
    let fresh = dashboard(&app, &ada).await;
    assert_eq!(fresh.header("x-cache"), "miss");
    assert_eq!(today(&fresh)["signups"], 2);
}

/// A clock the test moves on.
#[derive(Default)]
struct TestClock(Mutex<Duration>);

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + *self.0.lock().unwrap()
    }
}

/// Fifty requests on an entry past its minute: one recomputes it, the rest are answered
/// without recomputing, from the stale entry or the fresh one once it is written.
async fn a_burst_on_a_stale_dashboard_recomputes_it_once(app: TestApp) {
    let clock = Arc::new(TestClock::default());
    let (app, _recorder) = with_cache(app, Cache::new(MemoryKv::default(), clock.clone()));
    let ada = app.signup("ada@example.com", "Acme").await;
    assert_eq!(dashboard(&app, &ada).await.header("x-cache"), "miss");
    *clock.0.lock().unwrap() += Duration::from_secs(61);
    let replies = futures_util::future::join_all((0..50).map(|_| dashboard(&app, &ada))).await;
    let status = |s: &str| replies.iter().filter(|r| r.header("x-cache") == s).count();
    assert_eq!(status("miss"), 1, "one recompute");
    // Which of the others still find the stale entry depends on when the recompute lands.
    assert_eq!(status("stale") + status("hit"), 49);
    assert!(
        replies
            .iter()
            .all(|r| r.body["days"].as_array().unwrap().len() == 90)
    );
}

/// The cache is down: the dashboard comes from the database, and the bypass is counted.
async fn a_cache_that_is_down_is_bypassed(app: TestApp) {
    // Nothing listens there: every cache call fails fast.
    let url = format!("redis://127.0.0.1:{}", testkit::free_port());
    let down = kv_redis::RedisKv::new(&kv_redis::Redis::open(&url).unwrap());
    let (app, _recorder) = with_cache(app, Cache::new(down, Arc::new(SystemClock)));
    let ada = app.signup("ada@example.com", "Acme").await;
    let reply = dashboard(&app, &ada).await;
    assert_eq!(reply.header("x-cache"), "bypass");
    assert_eq!(counts(today(&reply)), [1, 0, 0, 0]);
    assert_eq!(app.metrics.count("CacheBypassed"), 1);
    let again = dashboard(&app, &ada).await;
    assert_eq!(again.header("x-cache"), "bypass");
    assert_eq!(app.metrics.count("CacheBypassed"), 2);
}

against_both_databases!(
    counts_follow_real_use,
    every_one_of_ninety_days_is_present,
    tenants_never_see_each_others_usage,
    a_membership_change_refreshes_the_cached_dashboard,
    a_burst_on_a_stale_dashboard_recomputes_it_once,
    a_cache_that_is_down_is_bypassed,
);
