//! The reader pool on a real streaming replica (`scripts/lib/replica.sh`): plain reads are
//! served by the replica, writes and pinned reads by the primary.

use std::time::{Duration, Instant};

use database::reads::on_writer;
use sqlx::{Pool, Postgres};
use testkit::replica::ReplicatedDb;

async fn in_recovery(pool: &Pool<Postgres>) -> bool {
    sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(pool)
        .await
        .expect("pg_is_in_recovery")
}

async fn notes(pool: &Pool<Postgres>) -> Vec<String> {
    sqlx::query_scalar("SELECT body FROM notes ORDER BY body")
        .fetch_all(pool)
        .await
        .expect("read notes")
}

async fn with_notes() -> ReplicatedDb {
    let replicated = ReplicatedDb::create().await;
    let db = &replicated.db;
    sqlx::query("CREATE TABLE notes (body text PRIMARY KEY)")
        .execute(db.pool().await.expect("writer"))
        .await
        .expect("create table");
    replicated.caught_up().await;
    replicated
}

#[tokio::test]
async fn plain_reads_are_served_by_the_replica_and_writes_by_the_primary() {
    let replicated = with_notes().await;
    let db = &replicated.db;
    assert!(in_recovery(db.read_pool().await.unwrap()).await);
    assert!(!in_recovery(db.pool().await.unwrap()).await);
    // A write through the reader would fail: the replica is read-only.
    let refused = sqlx::query("INSERT INTO notes VALUES ('x')")
        .execute(db.read_pool().await.unwrap())
        .await;
    assert!(refused.is_err(), "the replica accepted a write");
    let mut tx = db.begin().await.unwrap();
    let in_tx: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert!(!in_tx, "a transaction ran on the replica");
    db.commit(tx).await.unwrap();
}

#[tokio::test]
async fn a_task_pinned_to_the_writer_reads_from_the_primary() {
    let replicated = with_notes().await;
    let db = replicated.db.clone();
    let pinned = on_writer(async { in_recovery(db.read_pool().await.unwrap()).await }).await;
    assert!(!pinned);
    // The pin is the task's: after it, plain reads go back to the replica.
    assert!(in_recovery(db.read_pool().await.unwrap()).await);
}

#[tokio::test]
async fn with_replay_paused_only_pinned_reads_see_a_new_write() {
    let replicated = with_notes().await;
    let db = replicated.db.clone();
    let paused = replicated.pause_replay().await;
    sqlx::query("INSERT INTO notes VALUES ('written')")
        .execute(db.pool().await.unwrap())
        .await
        .unwrap();
    let pinned = on_writer(async { notes(db.read_pool().await.unwrap()).await }).await;
    assert_eq!(pinned, ["written"]);
    assert!(
        notes(db.read_pool().await.unwrap()).await.is_empty(),
        "the paused replica served a write it had not replayed"
    );
    paused.resume();
    let deadline = Instant::now() + Duration::from_secs(30);
    while notes(db.read_pool().await.unwrap()).await.is_empty() {
        assert!(Instant::now() < deadline, "the replica never caught up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn without_a_reader_reads_use_the_writer() {
    let replicated = ReplicatedDb::create().await;
    let writer =
        database::postgres::connect_lazy(&replicated.writer_url, Default::default()).unwrap();
    assert!(!in_recovery(writer.read_pool().await.unwrap()).await);
    assert!(!in_recovery(writer.reader().pool().await.unwrap()).await);
}
