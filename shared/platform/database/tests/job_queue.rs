//! The embedded job queue, the ledger and the relay's outbox on both SQL drivers: the queue
//! contract that SQS also passes, then what only the SQL side has.

use std::time::Duration;

use database::{PLATFORM, SqlJobs, sql_jobs};
use jobs::{Claim, Ledger, Outbox, Queue};
use kernel::{Envelope, EventId, TenantId};
use testkit::TestDb;
use testkit::queue_contract::{self, MAX_RECEIVES};
use time::OffsetDateTime;

fn jobs(db: &TestDb) -> SqlJobs {
    sql_jobs(&db.backend, "jobs", MAX_RECEIVES)
}

async fn delivers_and_hides(db: TestDb) {
    queue_contract::delivers_and_hides(&jobs(&db).queue).await;
}

async fn redelivers_what_is_not_deleted(db: TestDb) {
    queue_contract::redelivers_what_is_not_deleted(&jobs(&db).queue).await;
}

async fn retries_after_the_delay(db: TestDb) {
    queue_contract::retries_after_the_delay(&jobs(&db).queue).await;
}

async fn dead_letters_after_max_receives(db: TestDb) {
    let jobs = jobs(&db);
    queue_contract::dead_letters_after_max_receives(&jobs.queue, &jobs.dead_letters).await;
}

async fn dead_letters_at_once_and_purges(db: TestDb) {
    let jobs = jobs(&db);
    queue_contract::dead_letters_at_once_and_purges(&jobs.queue, &jobs.dead_letters).await;
}

/// Two queues in one table never see each other's messages.
async fn queues_are_separate(db: TestDb) {
    let jobs = jobs(&db);
    let other = sql_jobs(&db.backend, "other", MAX_RECEIVES);
    other.queue.send(&["elsewhere".to_owned()]).await.unwrap();
    assert!(
        jobs.queue
            .receive(10, Duration::from_secs(30))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        other
            .queue
            .receive(10, Duration::from_secs(30))
            .await
            .unwrap()
            .len(),
        1
    );
}

/// A stale receipt (from before a redelivery) neither deletes nor delays the message.
async fn stale_receipts_do_nothing(db: TestDb) {
    let queue = jobs(&db).queue;
    queue.send(&["once".to_owned()]).await.unwrap();
    let first = queue.receive(1, Duration::from_millis(10)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = queue.receive(1, Duration::from_secs(30)).await.unwrap();
    assert_eq!(second.len(), 1);
    queue.delete(&first[0].receipt).await.unwrap();
    queue
        .retry_after(&first[0].receipt, Duration::ZERO)
        .await
        .unwrap();
    assert!(
        queue
            .receive(1, Duration::from_secs(30))
            .await
            .unwrap()
            .is_empty()
    );
    queue.delete(&second[0].receipt).await.unwrap();
}

/// A claim is granted once; while it is held a second is busy; once complete the event is
/// done; a released claim, or one whose lease ran out, is granted again.
async fn ledger_claims_once(db: TestDb) {
    let ledger = jobs(&db).ledger;
    let event = EventId::generate();
    let lease = Duration::from_secs(60);
    assert_eq!(
        ledger.claim("mail", event, lease).await.unwrap(),
        Claim::Granted
    );
    assert_eq!(
        ledger.claim("mail", event, lease).await.unwrap(),
        Claim::Busy
    );
    assert_eq!(
        ledger.claim("hooks", event, lease).await.unwrap(),
        Claim::Granted,
        "per consumer"
    );
    ledger.release("hooks", event).await.unwrap();
    assert_eq!(
        ledger.claim("hooks", event, lease).await.unwrap(),
        Claim::Granted
    );
    ledger.complete("mail", event).await.unwrap();
    assert_eq!(
        ledger.claim("mail", event, lease).await.unwrap(),
        Claim::Done
    );
    ledger.release("mail", event).await.unwrap();
    assert_eq!(
        ledger.claim("mail", event, lease).await.unwrap(),
        Claim::Done,
        "done stays done"
    );

    let expiring = EventId::generate();
    let short = Duration::from_millis(20);
    assert_eq!(
        ledger.claim("mail", expiring, short).await.unwrap(),
        Claim::Granted
    );
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(
        ledger.claim("mail", expiring, lease).await.unwrap(),
        Claim::Granted
    );
}

fn envelope(seconds: i64) -> Envelope {
    Envelope {
        id: EventId::generate(),
        kind: "test.happened".into(),
        version: 3,
        tenant_id: Some(TenantId::generate()),
        occurred_at: OffsetDateTime::from_unix_timestamp(1_800_000_000 + seconds).unwrap(),
        payload: serde_json::json!({ "n": seconds }),
    }
}

/// The relay moves each committed envelope to the queue once, whole and in order, and a
/// second relay finds nothing left.
async fn relay_publishes_each_envelope_once(db: TestDb) {
    let jobs = jobs(&db);
    let sent: Vec<Envelope> = (0..13).map(envelope).collect();
    testkit::append_outbox(&db.backend, &sent).await;
    assert_eq!(jobs::relay(&jobs.outbox, &jobs.queue).await.unwrap(), 13);
    assert_eq!(jobs::relay(&jobs.outbox, &jobs.queue).await.unwrap(), 0);
    let got = queue_contract::receive_n(&jobs.queue, 13, Duration::from_secs(30)).await;
    let mut received: Vec<Envelope> = got
        .iter()
        .map(|d| serde_json::from_str(&d.body).unwrap())
        .collect();
    received.sort_by_key(|e| e.occurred_at);
    assert_eq!(received, sent);
}

/// Envelopes another relay holds are skipped until its lease ends.
async fn relay_skips_leased_envelopes(db: TestDb) {
    let jobs = jobs(&db);
    testkit::append_outbox(&db.backend, &[envelope(1)]).await;
    let held = jobs
        .outbox
        .claim(10, Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(jobs::relay(&jobs.outbox, &jobs.queue).await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(jobs::relay(&jobs.outbox, &jobs.queue).await.unwrap(), 1);
}

/// A relay whose queue is down gives its envelopes back at once: the next relay, on a queue
/// that works, sends them without waiting for the lease.
async fn a_failed_relay_releases_its_envelopes(db: TestDb) {
    let jobs = jobs(&db);
    testkit::append_outbox(&db.backend, &[envelope(1), envelope(2)]).await;
    let down = testkit::sqs::unreachable_queue();
    let down = jobs::DynQueue::new_box(down);
    assert!(jobs::relay(&jobs.outbox, &down).await.is_err());
    assert_eq!(jobs::relay(&jobs.outbox, &jobs.queue).await.unwrap(), 2);
}

testkit::on_both_drivers!(&[&PLATFORM];
    delivers_and_hides,
    redelivers_what_is_not_deleted,
    retries_after_the_delay,
    dead_letters_after_max_receives,
    dead_letters_at_once_and_purges,
    queues_are_separate,
    stale_receipts_do_nothing,
    ledger_claims_once,
    relay_publishes_each_envelope_once,
    relay_skips_leased_envelopes,
    a_failed_relay_releases_its_envelopes,
);
