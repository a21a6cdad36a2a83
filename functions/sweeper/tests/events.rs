//! The EventBridge schedule's event from `events/sweeper/`, fed through the sweeper as `main`
//! wires it: what the outbox holds reaches the queue.

use std::path::Path;

use database::PLATFORM;
use kernel::{Envelope, Event, TenantId};
use testkit::TestDb;

const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/sweeper");

/// Each event file and how many envelopes the run relays, with one waiting in the outbox.
const CASES: &[(&str, u16)] = &[("scheduled.json", 1)];

#[derive(serde::Serialize)]
struct Happened;

impl Event for Happened {
    const TYPE: &'static str = "test.happened";
    const VERSION: u16 = 1;

    fn tenant(&self) -> Option<TenantId> {
        None
    }
}

#[tokio::test]
async fn scheduled_events_relay_the_outbox() {
    for (file, relayed) in CASES {
        let db = TestDb::sqlite(&[
            &PLATFORM,
            &identity_sql::MIGRATIONS,
            &tenancy_sql::MIGRATIONS,
            &webhooks_sql::MIGRATIONS,
            &activity_sql::MIGRATIONS,
        ])
        .await;
        let platform = testkit::platform(&db.backend);
        let envelope = Envelope::wrap(&Happened, time::OffsetDateTime::now_utc());
        testkit::append_outbox(&db.backend, &[envelope]).await;
        let raw = std::fs::read_to_string(Path::new(EVENTS).join(file)).unwrap();
        let event: serde_json::Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(event["detail-type"], "Scheduled Event", "{file}");

        let report = sweeper::run(&platform).await.unwrap();

        assert_eq!(report.relayed, usize::from(*relayed), "{file}");
        let queued = jobs::Queue::receive(
            &*platform.jobs.queue,
            10,
            std::time::Duration::from_secs(30),
        )
        .await
        .unwrap();
        assert_eq!(queued.len(), usize::from(*relayed));
    }
}

#[test]
fn every_event_has_an_expectation() {
    testkit::assert_every_event_expected(EVENTS, CASES);
}
