//! The notification rules on in-memory mailers, fed with envelopes as the outbox stores them.

use kernel::{Envelope, EventId};
use notifications::{
    Branding, HANDLES, Handled, Mail, MailError, MailId, Mailer, MemoryMailer, Notifications,
    NotifyError,
};
use serde_json::{Value, json};

const SIGNED_UP: &str = include_str!("fixtures/identity.user_signed_up.v1.json");

fn branding() -> Branding {
    Branding {
        product: "Acme".into(),
        base_url: "https://app.example.com".into(),
    }
}

fn signed_up() -> Envelope {
    serde_json::from_str(SIGNED_UP).unwrap()
}

/// The fixture with `edit` applied to its JSON.
fn signed_up_with(edit: impl FnOnce(&mut Value)) -> Envelope {
    let mut json: Value = serde_json::from_str(SIGNED_UP).unwrap();
    edit(&mut json);
    serde_json::from_value(json).unwrap()
}

/// A mailer that fails every send the same way.
struct Failing(fn() -> MailError);

impl Mailer for Failing {
    async fn send(&self, _: &Mail) -> Result<(), MailError> {
        Err((self.0)())
    }
}

#[tokio::test]
async fn a_signup_sends_one_welcome_mail_to_the_new_account() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());
    let envelope = signed_up();

    let handled = notifications.handle(&envelope).await.unwrap();

    assert_eq!(handled, Handled::Sent);
    let sent = mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to.as_str(), "ada@example.com");
    assert_eq!(sent[0].subject, "Welcome to Acme");
    assert_eq!(sent[0].id, MailId::for_event(envelope.id, "welcome"));
    assert!(sent[0].text.contains("https://app.example.com"));
    assert!(
        sent[0]
            .html
            .contains(r#"<a href="https://app.example.com">"#)
    );
}

#[tokio::test]
async fn a_redelivered_event_produces_the_same_mail_id() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());
    let envelope = signed_up();

    notifications.handle(&envelope).await.unwrap();
    notifications.handle(&envelope.clone()).await.unwrap();
    let other = Envelope {
        id: EventId::generate(),
        ..signed_up()
    };
    notifications.handle(&other).await.unwrap();

    let ids: Vec<MailId> = mailer.sent().into_iter().map(|m| m.id).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[0], ids[1]);
    assert_ne!(ids[0], ids[2]);
}

#[tokio::test]
async fn fields_added_by_the_publisher_are_ignored() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());
    let envelope = signed_up_with(|json| json["payload"]["locale"] = json!("de"));

    assert_eq!(
        notifications.handle(&envelope).await.unwrap(),
        Handled::Sent
    );
    assert_eq!(mailer.sent().len(), 1);
}

#[tokio::test]
async fn events_it_does_not_handle_are_ignored_without_mail() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());
    let envelope = signed_up_with(|json| {
        json["type"] = json!("tenancy.tenant_created");
        json["payload"] = json!({"anything": true});
    });

    assert_eq!(
        notifications.handle(&envelope).await.unwrap(),
        Handled::Ignored
    );
    assert!(mailer.sent().is_empty());
}

#[tokio::test]
async fn an_unknown_version_is_permanent_and_sends_nothing() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());
    let envelope = signed_up_with(|json| json["version"] = json!(2));

    let err = notifications.handle(&envelope).await.unwrap_err();

    assert!(
        matches!(&err, NotifyError::UnknownVersion { kind, version: 2 } if kind == "identity.user_signed_up"),
        "{err:?}"
    );
    assert!(err.is_permanent());
    assert!(mailer.sent().is_empty());
}

#[tokio::test]
async fn a_payload_that_does_not_parse_is_permanent() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());
    let edits: [fn(&mut Value); 3] = [
        |json| json["payload"] = json!({"user_id": "019a7e3c-5a90-7d11-8b2c-6e4f1a9d0c37"}),
        |json| json["payload"]["user_id"] = json!("not-a-uuid"),
        |json| json["payload"]["email"] = json!("not an address"),
    ];

    for edit in edits {
        let envelope = signed_up_with(edit);
        let err = notifications.handle(&envelope).await.unwrap_err();
        assert!(
            matches!(err, NotifyError::MalformedPayload { .. }),
            "{err:?}"
        );
        assert!(err.is_permanent());
    }
    assert!(mailer.sent().is_empty());
}

#[tokio::test]
async fn a_mailer_failure_keeps_its_classification() {
    let envelope = signed_up();
    let transient = Notifications::new(
        Failing(|| MailError::transient("connection refused")),
        branding(),
    );
    let rejected = Notifications::new(
        Failing(|| MailError::rejected("550 no such user")),
        branding(),
    );

    let err = transient.handle(&envelope).await.unwrap_err();
    assert!(matches!(err, NotifyError::Mail(MailError::Transient(_))));
    assert!(!err.is_permanent());
    let err = rejected.handle(&envelope).await.unwrap_err();
    assert!(matches!(err, NotifyError::Mail(MailError::Rejected(_))));
    assert!(err.is_permanent());
}

#[tokio::test]
async fn every_listed_type_is_one_it_handles() {
    let notifications = Notifications::new(MemoryMailer::default(), branding());
    assert!(HANDLES.contains(&"identity.user_signed_up"));
    for kind in HANDLES {
        // A version no publisher uses: a handled type refuses it, an ignored one would pass.
        let envelope = signed_up_with(|json| {
            json["type"] = json!(kind);
            json["version"] = json!(u16::MAX);
        });
        let outcome = notifications.handle(&envelope).await;
        assert!(
            matches!(outcome, Err(NotifyError::UnknownVersion { .. })),
            "{kind}: {outcome:?}"
        );
    }
}
