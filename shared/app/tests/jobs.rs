//! Async jobs end to end: a signup's welcome mail reaches `MAIL_DIR` through the outbox, the
//! queue and the worker, on both databases; and a signup while SQS is down still succeeds,
//! its mail sent once SQS is back.

#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use jobs_worker::{MailConfig, Transport};
use runtime::{Jobs, Platform};
use serde_json::json;
use support::{Captured, TestApp};
use testkit::TestDb;

fn mail_config(dir: &Path) -> MailConfig {
    let mut config = MailConfig::from_lookup(|_| None).unwrap();
    if let Transport::Files { dir: mail_dir, .. } = &mut config.transport {
        *mail_dir = dir.to_owned();
    }
    config
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mail-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `.eml` files in `dir` once there are `want` of them, or what is there after 15 s.
async fn mails(dir: &Path, want: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let found: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .map(|e| std::fs::read_to_string(e.path()).unwrap())
                    .collect()
            })
            .unwrap_or_default();
        if found.len() >= want || std::time::Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn signup(app: &TestApp, email: &str) {
    let body = json!({"email": email, "password": "correct horse battery"});
    let reply = app.call(Method::POST, "/v1/signup", None, Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

async fn signup_mails_a_welcome(db: TestDb) {
    let dir = temp_dir();
    let app = TestApp::new(db);
    let worker = tokio::spawn({
        let platform = app.platform.clone();
        let mail = mail_config(&dir);
        async move { app::work(&platform, &mail, std::future::pending()).await }
    });
    signup(&app, "ada@example.com").await;
    let found = mails(&dir, 1).await;
    worker.abort();
    assert_eq!(found.len(), 1, "one welcome mail");
    assert!(found[0].contains("To: ada@example.com"), "{}", found[0]);
    assert!(found[0].contains("Subject: Welcome to"), "{}", found[0]);
    let _ = std::fs::remove_dir_all(dir);
}

mod sqlite {
    #[tokio::test]
    async fn signup_mails_a_welcome() {
        super::signup_mails_a_welcome(testkit::TestDb::sqlite(&app::MIGRATIONS).await).await;
    }
}

mod postgres {
    #[tokio::test]
    async fn signup_mails_a_welcome() {
        super::signup_mails_a_welcome(testkit::TestDb::postgres(&app::MIGRATIONS).await).await;
    }
}

/// SQS is down when the user signs up: the signup succeeds and its envelope waits in the
/// outbox. Once SQS is back, the sweeper relays it and the worker mails it.
#[tokio::test]
async fn sqs_down_at_signup_mails_once_it_is_back() {
    let db = TestDb::postgres(&app::MIGRATIONS).await;
    let dir = temp_dir();
    let base = testkit::platform(&db.backend);
    let down = Platform {
        jobs: Jobs::on_sqs(&db.backend, testkit::sqs::unreachable_queue()),
        ..base.clone()
    };
    let app = TestApp::with_platform(down.clone(), Captured::default(), None);
    signup(&app, "ada@example.com").await;
    // The relay that follows the signup may hold the envelope's claim while the sweeper runs;
    // once it has failed and released it, the sweeper's own attempt reports the queue down.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        match sweeper::run(&down).await {
            Err(_) => break,
            Ok(report) => {
                assert_eq!(report.relayed, 0, "nothing reaches a queue that is down");
                assert!(
                    std::time::Instant::now() < deadline,
                    "the queue is still down"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    assert!(mails(&dir, 0).await.is_empty());

    let up = Platform {
        jobs: Jobs::on_sqs(&db.backend, testkit::sqs::fresh_queue(5).await),
        ..base
    };
    let report = sweeper::run(&up).await.unwrap();
    assert_eq!(report.relayed, 1);
    let worker = tokio::spawn({
        let mail = mail_config(&dir);
        let up = up.clone();
        async move { app::work(&up, &mail, std::future::pending()).await }
    });
    let found = mails(&dir, 1).await;
    worker.abort();
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("To: ada@example.com"));
    assert_eq!(sweeper::run(&up).await.unwrap().relayed, 0, "relayed once");
    let _ = std::fs::remove_dir_all(dir);
}
