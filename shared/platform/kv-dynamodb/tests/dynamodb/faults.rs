//! DynamoDB that is down or silent answers `Unavailable` within seconds.

use std::future::Future;
use std::time::{Duration, Instant};

use kv::KeyValue;
use kv_dynamodb::{DynamoKv, DynamoSessions};
use sessions::{SessionStore, SessionToken};

/// Far above the adapter's deadlines (seconds), far below a hung test.
const PROMPTLY: Duration = Duration::from_secs(10);

async fn promptly<T>(call: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let out = tokio::time::timeout(PROMPTLY, call)
        .await
        .expect("a DynamoDB call hung");
    assert!(started.elapsed() < PROMPTLY);
    out
}

fn client_for(port: u16) -> aws_sdk_dynamodb::Client {
    kv_dynamodb::client(testkit::dynamodb::config_for(&format!(
        "http://127.0.0.1:{port}"
    )))
}

#[tokio::test]
async fn a_closed_port_is_unavailable() {
    let port = testkit::free_port();
    let kv = DynamoKv::with_client(client_for(port), "kv".into());
    let err = promptly(kv.incr("k", 1, Duration::from_secs(1)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("dynamodb"), "{err}");
    assert!(
        promptly(kv.add("k", b"v", Duration::from_secs(1)))
            .await
            .is_err()
    );
    let sessions = DynamoSessions::with_client(client_for(port), "sessions".into());
    let hash = SessionToken::generate().unwrap().hash();
    assert!(promptly(sessions.find(&hash)).await.is_err());
    assert!(
        promptly(sessions.delete_user(kernel::UserId::generate()))
            .await
            .is_err()
    );
}

/// An endpoint that accepts connections and never answers costs a call the adapter's
/// deadline, not the SDK's default minutes.
#[tokio::test]
async fn a_silent_endpoint_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let kv = DynamoKv::with_client(client_for(port), "kv".into());
    let started = Instant::now();
    assert!(promptly(kv.get("k")).await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(7),
        "{:?}",
        started.elapsed()
    );
    drop(listener);
}
