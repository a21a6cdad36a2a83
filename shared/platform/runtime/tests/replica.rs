//! Read-your-writes through the shared HTTP layers, on a real streaming replica
//! (`scripts/lib/replica.sh`) whose replay the tests pause: a session that has just written
//! reads from the primary, every other read from the replica.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use database::Db;
use kv::MemoryKv;
use serde_json::{Value, json};
use sqlx::Postgres;
use testkit::replica::ReplicatedDb;
use tower::ServiceExt;
use web::{HttpOptions, ReadYourWrites};

async fn write(State(db): State<Db<Postgres>>, Path(body): Path<String>) -> StatusCode {
    sqlx::query("INSERT INTO notes VALUES ($1)")
        .bind(body)
        .execute(db.pool().await.expect("writer"))
        .await
        .expect("insert");
    StatusCode::CREATED
}

async fn read(State(db): State<Db<Postgres>>) -> Json<Value> {
    let pool = db.read_pool().await.expect("reader");
    let notes: Vec<String> = sqlx::query_scalar("SELECT body FROM notes ORDER BY body")
        .fetch_all(pool)
        .await
        .expect("select");
    let replica: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(pool)
        .await
        .expect("recovery");
    Json(json!({ "notes": notes, "replica": replica }))
}

async fn app(window: Duration) -> (Router, ReplicatedDb) {
    let replicated = ReplicatedDb::create().await;
    sqlx::query("CREATE TABLE notes (body text PRIMARY KEY)")
        .execute(replicated.db.pool().await.unwrap())
        .await
        .unwrap();
    replicated.caught_up().await;
    let routes = Router::new()
        .route("/notes", get(read))
        .route("/notes/{body}", post(write))
        .route(
            "/refused",
            post(|| async { StatusCode::UNPROCESSABLE_ENTITY }),
        )
        .with_state(replicated.db.clone());
    let options = HttpOptions {
        read_your_writes: Some(ReadYourWrites::new(
            MemoryKv::default(),
            window,
            runtime::pin_reads_to_writer,
        )),
        ..HttpOptions::default()
    };
    (web::serve(routes, &options), replicated)
}

fn token() -> String {
    sessions::SessionToken::generate()
        .expect("random token")
        .expose()
        .to_owned()
}

async fn call(app: &Router, method: &str, uri: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test]
async fn a_session_reads_its_own_write_while_replay_is_paused() {
    let (app, replicated) = app(Duration::from_secs(30)).await;
    let (a, b) = (token(), token());
    let paused = replicated.pause_replay().await;

    let (status, _) = call(&app, "POST", "/notes/mine", Some(&a)).await;
    assert_eq!(status, StatusCode::CREATED);

    let (_, writer) = call(&app, "GET", "/notes", Some(&a)).await;
    assert_eq!(writer, json!({ "notes": ["mine"], "replica": false }));

    for token in [Some(b.as_str()), None] {
        let (_, other) = call(&app, "GET", "/notes", token).await;
        assert_eq!(other, json!({ "notes": [], "replica": true }), "{token:?}");
    }

    paused.resume();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, other) = call(&app, "GET", "/notes", Some(&b)).await;
        if other == json!({ "notes": ["mine"], "replica": true }) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the replica never served the write: {other}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_pin_ends_with_its_window_and_a_refused_write_sets_none() {
    let (app, _replicated) = app(Duration::from_secs(1)).await;
    let (a, c) = (token(), token());

    call(&app, "POST", "/notes/x", Some(&a)).await;
    let (_, pinned) = call(&app, "GET", "/notes", Some(&a)).await;
    assert_eq!(pinned["replica"], json!(false));

    let (status, _) = call(&app, "POST", "/refused", Some(&c)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, unpinned) = call(&app, "GET", "/notes", Some(&c)).await;
    assert_eq!(unpinned["replica"], json!(true));

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (_, after) = call(&app, "GET", "/notes", Some(&a)).await;
    assert_eq!(after["replica"], json!(true));
}
