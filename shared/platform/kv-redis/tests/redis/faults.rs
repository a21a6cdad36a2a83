//! Redis that is down, silent or gone answers `Unavailable` within seconds, and a server that
//! comes back is used again.

use std::future::Future;
use std::time::{Duration, Instant};

use kv::KeyValue;
use kv_redis::{Redis, RedisKv, RedisSessions};
use sessions::{SessionStore, SessionToken};

/// Far above the adapter's deadlines (about a second), far below a hung test.
const PROMPTLY: Duration = Duration::from_secs(10);

/// Runs `call`, and fails the test if it took longer than [`PROMPTLY`].
async fn promptly<T>(call: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let out = tokio::time::timeout(PROMPTLY, call)
        .await
        .expect("a Redis call hung");
    assert!(started.elapsed() < PROMPTLY);
    out
}

fn closed_port() -> Redis {
    Redis::open(&format!("redis://127.0.0.1:{}", testkit::free_port())).unwrap()
}

#[tokio::test]
async fn a_closed_port_is_unavailable() {
    let kv = RedisKv::new(&closed_port());
    let err = promptly(kv.incr("k", 1, Duration::from_secs(1)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("redis"), "{err}");
    assert!(promptly(kv.get("k")).await.is_err());
    let sessions = RedisSessions::new(&closed_port());
    let hash = SessionToken::generate().unwrap().hash();
    assert!(promptly(sessions.find(&hash)).await.is_err());
}

/// A server that accepts connections and never answers costs each call its deadline; once a
/// real server takes its place, calls succeed again.
#[tokio::test]
async fn a_silent_server_is_unavailable_until_a_real_one_answers() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let kv = RedisKv::new(&Redis::open(&format!("redis://127.0.0.1:{port}")).unwrap());
    for _ in 0..2 {
        let started = Instant::now();
        assert!(
            promptly(kv.set("k", b"v", Duration::from_secs(60)))
                .await
                .is_err()
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
    drop(listener);
    let _server = testkit::redis::RedisServer::start_on(port);
    eventually_succeeds(|| kv.set("k", b"v", Duration::from_secs(60))).await;
    assert_eq!(kv.get("k").await.unwrap().as_deref(), Some(&b"v"[..]));
}

/// Retries `call` until it succeeds; fails the test after [`PROMPTLY`].
async fn eventually_succeeds<T, E: std::fmt::Display, Fut>(call: impl Fn() -> Fut) -> T
where
    Fut: Future<Output = Result<T, E>>,
{
    let deadline = Instant::now() + PROMPTLY;
    loop {
        match promptly(call()).await {
            Ok(out) => return out,
            Err(e) => assert!(Instant::now() < deadline, "never reconnected: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A server that stops fails the calls made meanwhile, and is used again once it is back.
#[tokio::test]
async fn a_stopped_server_fails_fast_and_is_found_again() {
    let mut server = testkit::redis::RedisServer::start();
    let kv = RedisKv::new(&Redis::open(&server.url()).unwrap());
    kv.set("k", b"before", Duration::from_secs(60))
        .await
        .unwrap();

    server.stop();
    assert!(promptly(kv.get("k")).await.is_err());
    assert!(promptly(kv.get("k")).await.is_err());

    let _back = testkit::redis::RedisServer::start_on(server.port);
    let added = eventually_succeeds(|| kv.add("k", b"after", Duration::from_secs(60))).await;
    assert!(added, "a server without persistence came back with data");
    assert_eq!(kv.get("k").await.unwrap().as_deref(), Some(&b"after"[..]));
}

/// `rediss://` speaks TLS: against a plain server the handshake fails, as an error.
#[tokio::test]
async fn tls_to_a_plain_server_is_unavailable() {
    let server = testkit::redis::RedisServer::start();
    let url = format!("rediss://127.0.0.1:{}", server.port);
    let kv = RedisKv::new(&Redis::open(&url).unwrap());
    assert!(promptly(kv.get("k")).await.is_err());
}

#[test]
fn urls_that_name_no_server_are_refused_without_echoing_them() {
    let err = Redis::open("http://user:secret@example.com").unwrap_err();
    assert!(!err.to_string().contains("secret"), "{err}");
    assert!(Redis::open("redis://127.0.0.1:6379/0").is_ok());
    assert!(Redis::open("rediss://cache.example.com:6380").is_ok());
}
