//! What the shared layers add to every route: security headers, the CDN's origin secret, CORS,
//! ETags and `304`, the public plan catalog's caching, rate limits and idempotency keys.

#[allow(dead_code)]
mod support;

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use kernel::SystemClock;
use kv::{MemoryKv, RateLimiter};
use runtime::Platform;
use serde_json::{Value, json};
use support::{Captured, Reply, TestApp, request};
use testkit::TestDb;
use web::{ClientAddr, EmfMetrics, HttpOptions, LimiterFailure, Limits};

const PASSWORD: &str = "correct horse battery";

/// The API on SQLite with `options` in place of the test defaults.
async fn app_with(options: impl FnOnce(&mut HttpOptions)) -> TestApp {
    let db = TestDb::sqlite(&app::MIGRATIONS).await;
    let metrics = Captured::default();
    let emf = EmfMetrics::new("Saas/test".into(), "test".into(), Box::new(metrics.clone()));
    let mut platform = Platform::new(db.backend.clone(), Arc::new(emf), time::Duration::hours(1));
    options(&mut platform.http);
    TestApp::with_platform(platform, metrics, Some(db))
}

fn limits(kv: impl kv::KeyValue + 'static, on_failure: LimiterFailure) -> Limits {
    Limits {
        limiter: RateLimiter::new(kv, Arc::new(SystemClock)),
        on_failure,
    }
}

/// Waits, if need be, until the current minute-long limit window has 20 s left, so that a burst
/// counted against a per-minute limit is not split in two by the window's end.
async fn fresh_minute() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let left = 60 - now % 60;
    if left < 20 {
        tokio::time::sleep(std::time::Duration::from_secs(left)).await;
    }
}

fn from(ip: &str, mut request: Request<Body>) -> Request<Body> {
    let ip: IpAddr = ip.parse().unwrap();
    request.extensions_mut().insert(ClientAddr(ip));
    request
}

fn login(email: &str, password: &str) -> Request<Body> {
    let body = json!({"email": email, "password": password});
    request(Method::POST, "/v1/sessions", None, Some(body))
}

#[track_caller]
fn assert_secure(reply: &Reply) {
    assert_eq!(
        reply.header("strict-transport-security"),
        "max-age=63072000; includeSubDomains"
    );
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
    assert_eq!(reply.header("x-frame-options"), "DENY");
    assert_eq!(reply.header("referrer-policy"), "no-referrer");
    assert!(
        reply
            .header("content-security-policy")
            .contains("frame-ancestors 'none'")
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = app_with(|_| {}).await;
    let ada = app.signup("ada@example.com", "Acme").await;
    let replies = [
        app.call(Method::GET, "/v1/health", None, None).await,
        app.call(Method::GET, "/v1/me", Some(&ada.token), None)
            .await,
        app.call(Method::GET, "/v1/me", None, None).await,
        app.call(Method::GET, "/v1/nowhere", None, None).await,
        app.call(Method::PUT, "/v1/me", None, None).await,
        app.call(Method::GET, "/v1/plans", None, None).await,
    ];
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses, [200, 200, 401, 404, 405, 200]);
    replies.iter().for_each(assert_secure);
}

#[tokio::test]
async fn with_an_origin_secret_only_the_cdn_gets_through() {
    let app = app_with(|o| o.origin_secret = Some("from-the-cdn".into())).await;
    let direct = app.call(Method::GET, "/v1/health", None, None).await;
    direct.assert_problem(403);
    assert_secure(&direct);
    let mut wrong = request(Method::GET, "/v1/health", None, None);
    wrong
        .headers_mut()
        .insert("x-origin-verify", "guessed".parse().unwrap());
    app.send(wrong).await.assert_problem(403);
    let mut cdn = request(Method::GET, "/v1/health", None, None);
    cdn.headers_mut()
        .insert("x-origin-verify", "from-the-cdn".parse().unwrap());
    assert_eq!(app.send(cdn).await.status, StatusCode::OK);
}

#[tokio::test]
async fn cors_answers_only_the_configured_origins() {
    let app = app_with(|o| o.cors_origins = vec!["https://app.example.com".into()]).await;
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/v1/tenants")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    let allowed = app.send(preflight("https://app.example.com")).await;
    assert!(allowed.status.is_success(), "{:?}", allowed.status);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        "https://app.example.com"
    );
    assert!(
        allowed
            .header("access-control-allow-headers")
            .contains("authorization")
    );
    let refused = app.send(preflight("https://evil.example")).await;
    assert_eq!(refused.header("access-control-allow-origin"), "");
    let mut get = request(Method::GET, "/v1/plans", None, None);
    get.headers_mut()
        .insert("origin", "https://app.example.com".parse().unwrap());
    let reply = app.send(get).await;
    assert_eq!(
        reply.header("access-control-allow-origin"),
        "https://app.example.com"
    );
    assert!(
        reply
            .header("access-control-expose-headers")
            .contains("etag")
    );
}

#[tokio::test]
async fn plans_are_public_and_cached_at_the_edge() {
    let app = app_with(|_| {}).await;
    let plans = app.call(Method::GET, "/v1/plans", None, None).await;
    assert_eq!(plans.status, StatusCode::OK);
    assert_eq!(
        plans.header("cache-control"),
        "public, max-age=60, s-maxage=300"
    );
    let ids: Vec<&str> = plans.body["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["free", "team", "business"]);
    assert_eq!(plans.body["plans"][1]["limits"]["members"], 50);
}

#[tokio::test]
async fn gets_carry_a_strong_etag_and_answer_if_none_match_with_304() {
    let app = app_with(|_| {}).await;
    let ada = app.signup("ada@example.com", "Acme").await;
    for (path, token) in [("/v1/plans", None), ("/v1/me", Some(ada.token.as_str()))] {
        let first = app.call(Method::GET, path, token, None).await;
        let tag = first.header("etag").to_owned();
        assert!(
            tag.starts_with('"') && tag.ends_with('"') && tag.len() > 20,
            "{tag}"
        );
        let again = app.call(Method::GET, path, token, None).await;
        assert_eq!(again.header("etag"), tag, "the same body, the same tag");

        let mut conditional = request(Method::GET, path, token, None);
        conditional
            .headers_mut()
            .insert("if-none-match", tag.parse().unwrap());
        let cached = app.send(conditional).await;
        assert_eq!(cached.status, StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(cached.body, Value::Null);
        assert_eq!(cached.header("etag"), tag);
        assert_eq!(
            cached.header("cache-control"),
            first.header("cache-control")
        );

        let mut stale = request(Method::GET, path, token, None);
        stale
            .headers_mut()
            .insert("if-none-match", "\"something-else\"".parse().unwrap());
        assert_eq!(app.send(stale).await.status, StatusCode::OK);
    }
    // A changed representation gets a new tag.
    let before = app
        .call(Method::GET, "/v1/tenants", Some(&ada.token), None)
        .await;
    app.call(
        Method::POST,
        "/v1/tenants",
        Some(&ada.token),
        Some(json!({"name": "Second"})),
    )
    .await;
    let after = app
        .call(Method::GET, "/v1/tenants", Some(&ada.token), None)
        .await;
    assert_ne!(before.header("etag"), after.header("etag"));
    // Writes and errors carry none, and stay uncacheable.
    let created = app
        .call(
            Method::POST,
            "/v1/tenants",
            Some(&ada.token),
            Some(json!({"name": "Third"})),
        )
        .await;
    assert_eq!(created.header("etag"), "");
    assert_eq!(created.header("cache-control"), "no-store");
}

#[tokio::test]
async fn signups_are_limited_per_address_with_the_ietf_headers() {
    let app =
        app_with(|o| o.limits = Some(limits(MemoryKv::default(), LimiterFailure::Open))).await;
    let limit = identity_routes::limits::SIGNUP_PER_IP.limit;
    let signup = |n: u32| {
        let body = json!({"email": format!("user{n}@example.com"), "password": PASSWORD});
        request(Method::POST, "/v1/signup", None, Some(body))
    };
    for n in 0..limit {
        let reply = app.send(from("203.0.113.7", signup(n))).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(
            reply.header("ratelimit-policy"),
            format!("\"signup-ip\";q={limit};w=3600")
        );
        assert!(
            reply
                .header("ratelimit")
                .starts_with(&format!("\"signup-ip\";r={};t=", limit - n - 1))
        );
    }
    let refused = app.send(from("203.0.113.7", signup(limit))).await;
    refused.assert_problem(429);
    let retry: u64 = refused.header("retry-after").parse().unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    assert!(
        refused
            .header("ratelimit")
            .starts_with("\"signup-ip\";r=0;t=")
    );
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("signup-ip")
    );
    // Nothing was created for the refused request; another address is unaffected.
    let login = app
        .send(from(
            "198.51.100.1",
            self::login(&format!("user{limit}@example.com"), PASSWORD),
        ))
        .await;
    login.assert_problem(401);
    let other = app.send(from("198.51.100.2", signup(limit))).await;
    assert_eq!(other.status, StatusCode::CREATED);
    assert_eq!(app.metrics.count("RateLimited"), 1);
}

#[tokio::test]
async fn guessing_one_accounts_password_is_slowed_whatever_the_address() {
    let app =
        app_with(|o| o.limits = Some(limits(MemoryKv::default(), LimiterFailure::Open))).await;
    app.signup("ada@example.com", "Acme").await;
    let limit = identity_routes::limits::LOGIN_PER_ACCOUNT.limit;
    for n in 0..limit {
        let ip = format!("192.0.2.{n}");
        let reply = app
            .send(from(&ip, login("ada@example.com", "wrong guess 1234")))
            .await;
        reply.assert_problem(401);
    }
    // A fresh address, even with the right password: the account's attempts are spent.
    let refused = app
        .send(from("192.0.2.200", login("ADA@example.com", PASSWORD)))
        .await;
    refused.assert_problem(429);
    assert!(
        refused
            .header("ratelimit")
            .starts_with("\"login-account\";r=0;")
    );
    // Another account from the same addresses is unaffected.
    app.signup("bob@example.com", "Bobco").await;
    let bob = app
        .send(from("192.0.2.1", login("bob@example.com", PASSWORD)))
        .await;
    assert_eq!(bob.status, StatusCode::CREATED);
}

#[tokio::test]
async fn logins_are_limited_per_address() {
    let app =
        app_with(|o| o.limits = Some(limits(MemoryKv::default(), LimiterFailure::Open))).await;
    let limit = identity_routes::limits::LOGIN_PER_IP.limit;
    for n in 0..limit {
        let reply = app
            .send(from(
                "203.0.113.9",
                login(&format!("nobody{n}@example.com"), PASSWORD),
            ))
            .await;
        reply.assert_problem(401);
    }
    app.send(from("203.0.113.9", login("nobody@example.com", PASSWORD)))
        .await
        .assert_problem(429);
}

#[tokio::test]
async fn behind_the_cdn_the_viewer_address_is_the_client() {
    let app = app_with(|o| {
        o.limits = Some(limits(MemoryKv::default(), LimiterFailure::Open));
        o.origin_secret = Some("from-the-cdn".into());
    })
    .await;
    let limit = identity_routes::limits::PASSWORD_RESET_PER_IP.limit;
    let reset = |viewer: &str, n: u32| {
        let body = json!({"email": format!("r{n}@example.com")});
        let mut req = request(Method::POST, "/v1/password-resets", None, Some(body));
        req.headers_mut()
            .insert("x-origin-verify", "from-the-cdn".parse().unwrap());
        req.headers_mut()
            .insert("cloudfront-viewer-address", viewer.parse().unwrap());
        // API Gateway saw the CDN's edge, the same for every viewer.
        from("10.0.0.1", req)
    };
    for n in 0..limit {
        assert_eq!(
            app.send(reset("203.0.113.50:41234", n)).await.status,
            StatusCode::ACCEPTED
        );
    }
    app.send(reset("203.0.113.50:50000", limit))
        .await
        .assert_problem(429);
    assert_eq!(
        app.send(reset("2001:db8::1:443", limit)).await.status,
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn sessions_are_limited_per_session() {
    let app =
        app_with(|o| o.limits = Some(limits(MemoryKv::default(), LimiterFailure::Open))).await;
    fresh_minute().await;
    let ada = app.signup("ada@example.com", "Acme").await;
    // The signup's tenant creation counted once.
    let limit = web::PER_SESSION.limit;
    let mut last = None;
    for _ in 1..limit {
        let me = app
            .call(Method::GET, "/v1/me", Some(&ada.token), None)
            .await;
        assert_eq!(me.status, StatusCode::OK);
        last = Some(me);
    }
    assert!(
        last.unwrap()
            .header("ratelimit")
            .starts_with("\"session\";r=0;")
    );
    app.call(Method::GET, "/v1/me", Some(&ada.token), None)
        .await
        .assert_problem(429);
    let other = app
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"email": "ada@example.com", "password": PASSWORD})),
        )
        .await;
    let token = other.body["token"].as_str().unwrap();
    assert_eq!(
        app.call(Method::GET, "/v1/me", Some(token), None)
            .await
            .status,
        StatusCode::OK
    );
}

async fn create_tenant(app: &TestApp, token: &str, key: &str, name: &str) -> Reply {
    let mut req = request(
        Method::POST,
        "/v1/tenants",
        Some(token),
        Some(json!({"name": name})),
    );
    req.headers_mut()
        .insert("idempotency-key", key.parse().unwrap());
    app.send(req).await
}

async fn tenant_names(app: &TestApp, token: &str) -> Vec<String> {
    let listed = app
        .call(Method::GET, "/v1/tenants", Some(token), None)
        .await;
    let mut names: Vec<String> = listed.body["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn idempotency_keys_run_a_post_once(app: TestApp) {
    let ada = app.signup("ada@example.com", "Acme").await;
    let first = create_tenant(&app, &ada.token, "key-1", "Globex").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.header("idempotent-replayed"), "");
    let retry = create_tenant(&app, &ada.token, "key-1", "Globex").await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.header("idempotent-replayed"), "true");
    assert_eq!(retry.header("content-type"), first.header("content-type"));

    let other_body = create_tenant(&app, &ada.token, "key-1", "Initech").await;
    other_body.assert_problem(422);
    assert_eq!(other_body.fields(), ["idempotency-key"]);
    // Another key runs again; a refused request is replayed as refused.
    let second = create_tenant(&app, &ada.token, "key-2", "Globex").await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_ne!(second.body["id"], first.body["id"]);
    let bad = create_tenant(&app, &ada.token, "key-3", "").await;
    bad.assert_problem(422);
    let bad_again = create_tenant(&app, &ada.token, "key-3", "").await;
    assert_eq!(bad_again.body, bad.body);
    assert_eq!(bad_again.header("idempotent-replayed"), "true");
    assert_eq!(
        tenant_names(&app, &ada.token).await,
        ["Acme", "Globex", "Globex"]
    );

    // Keys belong to their session: another session's same key runs on its own.
    let bob = app.signup("bob@example.com", "Bobco").await;
    let bobs = create_tenant(&app, &bob.token, "key-1", "Globex").await;
    assert_eq!(bobs.header("idempotent-replayed"), "");
    assert_ne!(bobs.body["id"], first.body["id"]);
    let unusable = create_tenant(&app, &bob.token, &"k".repeat(256), "X").await;
    unusable.assert_problem(422);
    assert_eq!(unusable.fields(), ["idempotency-key"]);
}

async fn concurrent_requests_with_one_key_make_one_tenant(app: TestApp) {
    let ada = app.signup("ada@example.com", "Acme").await;
    let replies = futures_util::future::join_all(
        (0..8).map(|_| create_tenant(&app, &ada.token, "burst", "Globex")),
    )
    .await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let in_flight = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .count();
    assert!(
        created >= 1 && created + in_flight == 8,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for reply in replies.iter().filter(|r| r.status == StatusCode::CONFLICT) {
        assert_eq!(reply.header("retry-after"), "1");
    }
    let ids: std::collections::BTreeSet<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .map(|r| r.body["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 1, "one tenant, replayed");
    assert_eq!(tenant_names(&app, &ada.token).await, ["Acme", "Globex"]);
}

against_both_databases!(
    idempotency_keys_run_a_post_once,
    concurrent_requests_with_one_key_make_one_tenant,
);

/// The limiter's store is down: by default requests pass, counted by a metric; configured
/// closed, they get 503.
#[tokio::test]
async fn a_limiter_that_is_down_fails_open_or_closed_as_configured() {
    // Nothing listens there: every limiter call fails fast.
    let url = format!("redis://127.0.0.1:{}", testkit::free_port());
    let down = kv_redis::RedisKv::new(&kv_redis::Redis::open(&url).unwrap());
    let open = app_with(|o| o.limits = Some(limits(down.clone(), LimiterFailure::Open))).await;
    let reply = open
        .send(from("203.0.113.7", login("nobody@example.com", PASSWORD)))
        .await;
    reply.assert_problem(401);
    // Both of a login's limits were skipped: the address's and the account's.
    assert_eq!(open.metrics.count("RateLimiterUnavailable"), 2);
    let closed = app_with(|o| o.limits = Some(limits(down, LimiterFailure::Closed))).await;
    let reply = closed
        .send(from("203.0.113.7", login("nobody@example.com", PASSWORD)))
        .await;
    reply.assert_problem(503);
    assert_eq!(reply.header("retry-after"), "1");
}

/// Sessions on a store that is down: a clear 503 problem, never a 500, and no account is
/// harmed.
#[tokio::test]
async fn a_session_store_that_is_down_answers_503() {
    let up = app_with(|_| {}).await;
    let ada = up.signup("ada@example.com", "Acme").await;
    let url = format!("redis://127.0.0.1:{}", testkit::free_port());
    let redis = kv_redis::Redis::open(&url).unwrap();
    let mut platform = up.platform.clone();
    platform.sessions = sessions::Sessions::new(
        kv_redis::RedisSessions::new(&redis),
        Arc::new(SystemClock),
        time::Duration::hours(1),
    );
    let down = TestApp::with_platform(platform, Captured::default(), None);
    let me = down
        .call(Method::GET, "/v1/me", Some(&ada.token), None)
        .await;
    me.assert_problem(503);
    assert_eq!(me.header("retry-after"), "1");
    down.send(login("ada@example.com", PASSWORD))
        .await
        .assert_problem(503);
    // The database side is untouched: the account still logs in where sessions work.
    let again = up.send(login("ada@example.com", PASSWORD)).await;
    assert_eq!(again.status, StatusCode::CREATED);
}

/// A tenant's members share its plan's budget; strangers knocking on its URLs spend none of it.
#[tokio::test]
async fn tenants_are_limited_by_their_plan() {
    let db = TestDb::sqlite(&app::MIGRATIONS).await;
    let metrics = Captured::default();
    let emf = EmfMetrics::new("Saas/test".into(), "test".into(), Box::new(metrics.clone()));
    let mut platform = Platform::new(db.backend.clone(), Arc::new(emf), time::Duration::hours(1));
    platform.http.limits = Some(limits(MemoryKv::default(), LimiterFailure::Open));
    let quotas = tenancy_routes::PlanQuotas::new(tenancy_sql::members(&db.backend));
    platform.http.tenant_quotas = Some(web::DynTenantQuotas::new_arc(quotas));
    let app = TestApp::with_platform(platform, metrics, Some(db));

    fresh_minute().await;
    let ada = app.signup("ada@example.com", "Acme").await;
    let eve = app.signup("eve@example.com", "Evil").await;
    let path = format!("/v1/tenants/{}", ada.tenant_id);
    for _ in 0..50 {
        app.call(Method::GET, &path, Some(&eve.token), None)
            .await
            .assert_problem(404);
    }
    let budget = tenancy::PLANS[0].limits.requests_per_minute;
    for n in 0..budget {
        let reply = app.call(Method::GET, &path, Some(&ada.token), None).await;
        assert_eq!(reply.status, StatusCode::OK, "request {n}: {}", reply.body);
        assert_eq!(reply.body["plan"], "free");
    }
    let refused = app.call(Method::GET, &path, Some(&ada.token), None).await;
    refused.assert_problem(429);
    assert_eq!(
        refused.header("ratelimit-policy"),
        format!("\"tenant\";q={budget};w=60")
    );
    // Eve's own tenant has its own budget.
    let evil = format!("/v1/tenants/{}", eve.tenant_id);
    assert_eq!(
        app.call(Method::GET, &evil, Some(&eve.token), None)
            .await
            .status,
        StatusCode::OK
    );
}
