//! Real SQS events from `events/jobs-worker/`, fed through the batch handler as `main` wires
//! it, on a fresh SQLite database with mail written to a temporary `MAIL_DIR`.

use std::path::Path;

use aws_lambda_events::sqs::SqsEvent;
use database::{MigrationSet, PLATFORM};
use jobs_worker::{MailConfig, Transport};
use testkit::TestDb;
use webhooks_http::HttpSenderConfig;

const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/jobs-worker");

/// Every table the worker's consumers use, and the views they read.
const MIGRATIONS: [&MigrationSet; 4] = [
    &PLATFORM,
    &identity_sql::MIGRATIONS,
    &tenancy_sql::MIGRATIONS,
    &webhooks_sql::MIGRATIONS,
];

/// Each event file and the number of mails it must produce; none may fail its batch.
const CASES: &[(&str, u16)] = &[("welcome.json", 1), ("unconsumed-event.json", 0)];

#[tokio::test]
async fn events_are_handled_as_expected() {
    for (file, mails) in CASES {
        let db = TestDb::sqlite(&MIGRATIONS).await;
        let platform = testkit::platform(&db.backend);
        let dir =
            std::env::temp_dir().join(format!("events-mail-{}", uuid::Uuid::now_v7().simple()));
        let mut config = MailConfig::from_lookup(|_| None).unwrap();
        if let Transport::Files { dir: mail_dir, .. } = &mut config.transport {
            *mail_dir = dir.clone();
        }
        let webhooks = jobs_worker::webhooks(&platform, HttpSenderConfig::default()).unwrap();
        let dispatcher = jobs_worker::dispatcher(
            &platform,
            jobs_worker::notifications(&config).unwrap(),
            webhooks,
        );
        let raw = std::fs::read_to_string(Path::new(EVENTS).join(file)).unwrap();
        let event: SqsEvent = serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{file}: {e}"));

        let response = runtime::jobs::handle_batch(&dispatcher, &platform.jobs.queue, event).await;

        assert!(
            response.batch_item_failures.is_empty(),
            "{file}: {response:?}"
        );
        let written = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        assert_eq!(written, usize::from(*mails), "{file}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn every_event_has_an_expectation() {
    testkit::assert_every_event_expected(EVENTS, CASES);
}
