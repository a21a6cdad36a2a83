//! The SES mailer against moto server: a verified sender's mail is accepted and recorded with
//! its recipient, subject and HTML part; an unverified sender is a permanent failure; SES that does not
//! answer is a transient one.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
use kernel::{Email, EventId};
use notifications::templates::Content;
use notifications::{Mail, MailId, Mailer};
use notifications_ses::SesMailer;

fn client(endpoint: &str) -> Client {
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(aws_sdk_setup::http_client())
        .endpoint_url(endpoint)
        .region(Region::new(testkit::REGION))
        .credentials_provider(Credentials::new(
            testkit::ACCESS_KEY_ID,
            testkit::SECRET_ACCESS_KEY,
            None,
            None,
            "moto",
        ))
        .build();
    Client::from_conf(config)
}

fn mail(to: &str) -> Mail {
    Mail::new(
        MailId::for_event(EventId::generate(), "welcome"),
        Email::parse(to).unwrap(),
        Content {
            subject: "Welcome to Acme".into(),
            text: "Hello, plain text".into(),
            html: "<p>Hello, <strong>HTML</strong></p>".into(),
        },
    )
}

/// A sender domain of its own per test, so tests never share a verified identity.
fn domain() -> String {
    format!("t{}.example.com", uuid::Uuid::now_v7().simple())
}

/// What moto recorded as sent from `sender`.
async fn sent_from(sender: &str) -> Vec<serde_json::Value> {
    let url = format!("{}/moto-api/data.json", testkit::moto_endpoint());
    let body = tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new("curl")
            .args(["-sf", &url])
            .output()
            .expect("curl");
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
    .await
    .unwrap();
    let data: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let messages = data["ses"]["Message"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    messages
        .into_iter()
        .filter(|m| m["source"].as_str().is_some_and(|s| s.contains(sender)))
        .collect()
}

#[tokio::test]
async fn a_verified_sender_mails_subject_and_body() {
    let endpoint = testkit::moto_endpoint();
    let client = client(&endpoint);
    let domain = domain();
    client
        .create_email_identity()
        .email_identity(&domain)
        .send()
        .await
        .unwrap();
    let sender = format!("no-reply@{domain}");
    let mailer = SesMailer::new(format!("Acme <{sender}>"), None).with_client(client);
    mailer.send(&mail("ada@example.com")).await.unwrap();

    let sent = sent_from(&sender).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let record = sent[0].to_string();
    // moto records one body per message: the HTML part when there is one.
    for expected in [
        "ada@example.com",
        "Welcome to Acme",
        "<strong>HTML</strong>",
    ] {
        assert!(
            record.contains(expected),
            "{expected} missing from {record}"
        );
    }
}

#[tokio::test]
async fn an_unverified_sender_is_rejected_for_good() {
    let mailer = SesMailer::new(format!("no-reply@{}", domain()), None)
        .with_client(client(&testkit::moto_endpoint()));
    let err = mailer.send(&mail("ada@example.com")).await.unwrap_err();
    assert!(err.is_permanent(), "{err}");
}

#[tokio::test]
async fn ses_that_does_not_answer_is_transient() {
    let closed = format!("http://127.0.0.1:{}", testkit::free_port());
    let mailer = SesMailer::new("no-reply@example.com", None).with_client(client(&closed));
    let err = mailer.send(&mail("ada@example.com")).await.unwrap_err();
    assert!(!err.is_permanent(), "{err}");
}
