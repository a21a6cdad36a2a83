//! The sweeper's housekeeping on both SQL drivers: each kind of row goes when its time is up,
//! and nothing that is still needed goes with it.

use std::time::Duration;

use database::sweep::{Retention, Swept, sweep};
use database::{PLATFORM, session_store, sql_jobs};
use jobs::{Ledger, Outbox};
use kernel::{Envelope, EventId, UserId};
use sessions::{Session, SessionStore, SessionToken};
use testkit::TestDb;
use time::OffsetDateTime;

async fn deletes_only_what_has_expired(db: TestDb) {
    let now = OffsetDateTime::now_utc();
    let store = session_store(&db.backend);
    let session = |hours: i64| Session {
        token_hash: SessionToken::generate().unwrap().hash(),
        user_id: UserId::generate(),
        expires_at: now + time::Duration::hours(hours),
    };
    store.insert(&session(1)).await.unwrap();
    store.insert(&session(30 * 24)).await.unwrap();

    let envelope = || Envelope::wrap(&Fact, now);
    let (published, pending) = (envelope(), envelope());
    testkit::append_outbox(&db.backend, &[published.clone(), pending.clone()]).await;
    let jobs = sql_jobs(&db.backend, "jobs", 5);
    let claimed = jobs.outbox.claim(1, Duration::from_secs(60)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    jobs.outbox.mark_published(&[claimed[0].id]).await.unwrap();

    let handled = EventId::generate();
    jobs.ledger
        .claim("mail", handled, Duration::from_secs(60))
        .await
        .unwrap();
    jobs.ledger.complete("mail", handled).await.unwrap();

    let days = |n: i64| now + time::Duration::days(n);
    let first = sweep(&db.backend, days(8), Retention::default())
        .await
        .unwrap();
    assert_eq!(
        first,
        Swept {
            sessions: 1,
            outbox: 1,
            ledger: 0,
            dead_letters: 0
        }
    );
    let second = sweep(&db.backend, days(16), Retention::default())
        .await
        .unwrap();
    assert_eq!(
        second,
        Swept {
            sessions: 0,
            outbox: 0,
            ledger: 1,
            dead_letters: 0
        },
        "the pending envelope and the month-long session stay"
    );
    let left = jobs
        .outbox
        .claim(10, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(left.len(), 1, "the unpublished envelope is never swept");
}

#[derive(serde::Serialize)]
struct Fact;

impl kernel::Event for Fact {
    const TYPE: &'static str = "test.fact";
    const VERSION: u16 = 1;

    fn tenant(&self) -> Option<kernel::TenantId> {
        None
    }
}

testkit::on_both_drivers!(&[&PLATFORM]; deletes_only_what_has_expired);
