//! The worker over real queues: SQS batches on moto with partial batch failures, and the
//! embedded queue redelivering what a killed worker left, each event mailed exactly once.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use database::PLATFORM;
use jobs::{Claim, DeadLetters, Ledger, Queue};
use kernel::{Envelope, Event, TenantId, UserId};
use notifications::{Branding, MemoryMailer, Notifications};
use runtime::Jobs;
use testkit::TestDb;
use time::OffsetDateTime;
use webhooks_http::HttpSenderConfig;

#[derive(serde::Serialize)]
struct UserSignedUp {
    user_id: UserId,
    email: String,
}

impl Event for UserSignedUp {
    const TYPE: &'static str = "identity.user_signed_up";
    const VERSION: u16 = 1;

    fn tenant(&self) -> Option<TenantId> {
        None
    }
}

fn signed_up(email: &str) -> Envelope {
    let event = UserSignedUp {
        user_id: UserId::generate(),
        email: email.into(),
    };
    Envelope::wrap(&event, OffsetDateTime::now_utc())
}

fn body(envelope: &Envelope) -> String {
    serde_json::to_string(envelope).unwrap()
}

fn branding() -> Branding {
    Branding {
        product: "Acme".into(),
        base_url: "https://app.acme.test".into(),
    }
}

fn recipients(mailer: &MemoryMailer) -> Vec<String> {
    let mut to: Vec<String> = mailer.sent().iter().map(|m| m.to.to_string()).collect();
    to.sort();
    to
}

/// A batch with a good event, one another worker holds, and a body that is no envelope:
/// only the held one is reported for redelivery; the unreadable one goes to the dead-letter
/// queue at once; the good one is mailed.
#[tokio::test]
async fn a_batch_reports_only_what_must_come_back() {
    let db = TestDb::sqlite(&[&PLATFORM]).await;
    let queue = testkit::sqs::fresh_queue(5).await;
    let jobs = Jobs::on_sqs(&db.backend, queue.clone());
    let platform = runtime::Platform {
        jobs: jobs.clone(),
        ..testkit::platform(&db.backend)
    };
    let mailer = MemoryMailer::default();
    let dispatcher = jobs_worker::dispatcher(
        &platform,
        Notifications::new(mailer.clone(), branding()),
        jobs_worker::webhooks(&platform, HttpSenderConfig::default()).unwrap(),
    );

    let (good, held) = (signed_up("ada@example.com"), signed_up("bob@example.com"));
    let claim = jobs
        .ledger
        .claim("notifications.mail", held.id, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(claim, Claim::Granted, "another worker holds it");
    queue
        .send(&[body(&good), body(&held), "{not an envelope".to_owned()])
        .await
        .unwrap();
    let received =
        testkit::queue_contract::receive_n(&jobs.queue, 3, Duration::from_secs(60)).await;
    let records: Vec<SqsMessage> = received
        .iter()
        .map(|d| {
            let mut message = SqsMessage::default();
            message.message_id = Some(d.message_id.clone());
            message.receipt_handle = Some(d.receipt.0.clone());
            message.body = Some(d.body.clone());
            message.attributes.insert(
                "ApproximateReceiveCount".into(),
                d.receive_count.to_string(),
            );
            message
        })
        .collect();
    let held_id = received
        .iter()
        .find(|d| d.body == body(&held))
        .unwrap()
        .message_id
        .clone();
    let mut event = SqsEvent::default();
    event.records = records;

    let response = runtime::jobs::handle_batch(&dispatcher, &jobs.queue, event).await;

    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(failed, vec![held_id]);
    assert_eq!(recipients(&mailer), vec!["ada@example.com".to_owned()]);
    let dead = jobs
        .dead_letters
        .list(10, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(
        dead.iter().map(|l| l.body.as_str()).collect::<Vec<_>>(),
        vec!["{not an envelope"]
    );
}

/// A worker takes three jobs, mails the first and dies before acknowledging any. After the
/// visibility timeout another worker handles all three: three mails in all, one per event.
#[tokio::test]
async fn a_killed_workers_jobs_are_redelivered_and_mailed_once() {
    let db = TestDb::postgres(&[&PLATFORM]).await;
    let platform = testkit::platform(&db.backend);
    let mailer = MemoryMailer::default();
    let dispatcher = jobs_worker::dispatcher(
        &platform,
        Notifications::new(mailer.clone(), branding()),
        jobs_worker::webhooks(&platform, HttpSenderConfig::default()).unwrap(),
    );
    let envelopes = [
        signed_up("ada@example.com"),
        signed_up("bob@example.com"),
        signed_up("cy@example.com"),
    ];
    testkit::append_outbox(&db.backend, &envelopes).await;
    assert_eq!(platform.jobs.relay().await.unwrap(), 3);

    let taken = platform
        .jobs
        .queue
        .receive(10, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(taken.len(), 3);
    assert_eq!(dispatcher.process(&taken[0]).await, jobs::Outcome::Done);
    assert_eq!(mailer.sent().len(), 1);
    // Killed here: nothing was deleted.
    tokio::time::sleep(Duration::from_millis(1300)).await;

    let until = async {
        while mailer.sent().len() < 3 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Long enough for the last delivery to be acknowledged too.
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let second = runtime::jobs::work_embedded(platform.jobs.clone(), dispatcher, async {
        let _ = tokio::time::timeout(Duration::from_secs(10), until).await;
    });
    second.await;

    assert_eq!(
        recipients(&mailer),
        vec![
            "ada@example.com".to_owned(),
            "bob@example.com".into(),
            "cy@example.com".into()
        ]
    );
    let ids: BTreeSet<String> = mailer.sent().iter().map(|m| m.id.to_string()).collect();
    assert_eq!(ids.len(), 3, "one mail per event");
    assert!(
        platform
            .jobs
            .queue
            .receive(10, Duration::from_secs(30))
            .await
            .unwrap()
            .is_empty()
    );
}
