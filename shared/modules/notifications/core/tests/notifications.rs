//! The notification rules on in-memory mailers, fed with envelopes as the outbox stores them.

use kernel::{Envelope, EventId};
use notifications::{
    Branding, HANDLES, Handled, Mail, MailError, MailId, Mailer, MemoryMailer, Notifications,
    NotifyError,
};
use serde_json::{Value, json};

const SIGNED_UP: &str = include_str!("fixtures/identity.user_signed_up.v1.json");
const RESET_REQUESTED: &str = include_str!("fixtures/identity.password_reset_requested.v1.json");
const INVITED: &str = include_str!("fixtures/tenancy.member_invited.v1.json");

/// Each fixture, the template its mail is named after, and the address it goes to.
const MAILS: [(&str, &str, &str); 3] = [
    (SIGNED_UP, "welcome", "ada@example.com"),
    (RESET_REQUESTED, "password_reset", "ada@example.com"),
    (INVITED, "invitation", "grace@example.com"),
];

fn branding() -> Branding {
    Branding {
        product: "Acme".into(),
        base_url: "https://app.example.com".into(),
    }
}

fn fixture(raw: &str) -> Envelope {
    serde_json::from_str(raw).unwrap()
}

/// The fixture `raw` with `edit` applied to its JSON.
fn edited(raw: &str, edit: impl FnOnce(&mut Value)) -> Envelope {
    let mut json: Value = serde_json::from_str(raw).unwrap();
    edit(&mut json);
    serde_json::from_value(json).unwrap()
}

fn signed_up() -> Envelope {
    fixture(SIGNED_UP)
}

fn signed_up_with(edit: impl FnOnce(&mut Value)) -> Envelope {
    edited(SIGNED_UP, edit)
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
    for kind in [
        "identity.user_signed_up",
        "identity.password_reset_requested",
        "tenancy.member_invited",
    ] {
        assert!(HANDLES.contains(&kind), "{kind} is not listed");
    }
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

#[tokio::test]
async fn each_handled_event_sends_one_mail_with_an_id_from_the_event() {
    for (raw, template, to) in MAILS {
        let mailer = MemoryMailer::default();
        let notifications = Notifications::new(mailer.clone(), branding());
        let envelope = fixture(raw);
        assert!(
            HANDLES.contains(&envelope.kind.as_str()),
            "{}",
            envelope.kind
        );

        assert_eq!(
            notifications.handle(&envelope).await.unwrap(),
            Handled::Sent
        );
        notifications.handle(&envelope).await.unwrap();

        let sent = mailer.sent();
        assert_eq!(sent.len(), 2, "{template}");
        for mail in &sent {
            assert_eq!(mail.to.as_str(), to, "{template}");
            assert_eq!(mail.id, MailId::for_event(envelope.id, template));
        }
    }
}

#[tokio::test]
async fn a_reset_request_mails_a_single_use_link_until_the_expiry() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());
    let envelope = fixture(RESET_REQUESTED);

    notifications.handle(&envelope).await.unwrap();

    let sent = mailer.sent();
    assert_eq!(sent.len(), 1);
    let mail = &sent[0];
    assert_eq!(mail.to.as_str(), "ada@example.com");
    assert_eq!(mail.subject, "Reset your Acme password");
    let link = format!(
        "https://app.example.com/reset-password?token={}",
        envelope.payload["token"].as_str().unwrap()
    );
    assert!(mail.text.contains(&link), "{}", mail.text);
    assert!(
        mail.html.contains(&format!(r#"<a href="{link}">"#)),
        "{}",
        mail.html
    );
    for part in [&mail.text, &mail.html] {
        assert!(part.contains("works once, until 27 November 2026 at 13:00 UTC"));
        assert!(part.contains("you can ignore this message: your password has not changed"));
    }
}

#[tokio::test]
async fn an_invitation_names_the_tenant_the_role_and_the_link() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());
    let envelope = fixture(INVITED);

    notifications.handle(&envelope).await.unwrap();

    let sent = mailer.sent();
    assert_eq!(sent.len(), 1);
    let mail = &sent[0];
    assert_eq!(mail.to.as_str(), "grace@example.com");
    assert_eq!(mail.subject, "You're invited to join Globex on Acme");
    let link = format!(
        "https://app.example.com/invitations/accept?token={}",
        envelope.payload["token"].as_str().unwrap()
    );
    assert!(mail.text.contains(&link), "{}", mail.text);
    assert!(
        mail.html.contains(&format!(r#"<a href="{link}">"#)),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("<strong>Globex</strong> as an admin."));
    for part in [&mail.text, &mail.html] {
        assert!(part.contains("Globex"));
        assert!(part.contains("as an admin."));
        assert!(part.contains("sign in, or sign up, with this email address"));
        assert!(part.contains("grace@example.com"));
        assert!(part.contains("valid until 4 December 2026 at 12:00 UTC."));
    }
}

#[tokio::test]
async fn a_hostile_tenant_name_is_escaped_and_kept_off_other_header_lines() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());
    let envelope = edited(INVITED, |json| {
        json["payload"]["tenant_name"] =
            json!("<script>alert('pwned')</script>\r\nBcc: eve@example.com");
    });

    assert_eq!(
        notifications.handle(&envelope).await.unwrap(),
        Handled::Sent
    );

    let sent = mailer.sent();
    assert_eq!(sent.len(), 1);
    let mail = &sent[0];
    assert_eq!(
        mail.subject,
        "You're invited to join <script>alert('pwned')</script> Bcc: eve@example.com on Acme"
    );
    assert!(!mail.subject.contains(|c: char| c.is_control()));
    assert!(!mail.text.contains('\r') && !mail.text.contains("\nBcc:"));
    assert!(mail.html.contains(
        "<strong>&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; Bcc: eve@example.com</strong>"
    ));
    assert!(!mail.html.contains("<script>"), "{}", mail.html);
    assert!(!mail.html.contains("</script>"), "{}", mail.html);
}

#[tokio::test]
async fn a_token_is_percent_encoded_in_the_link() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());
    for raw in [RESET_REQUESTED, INVITED] {
        let envelope = edited(raw, |json| json["payload"]["token"] = json!("a+b/c=&d"));
        notifications.handle(&envelope).await.unwrap();
    }

    let sent = mailer.sent();
    assert_eq!(sent.len(), 2);
    for mail in &sent {
        assert!(
            mail.text.contains("?token=a%2Bb%2Fc%3D%26d\n"),
            "{}",
            mail.text
        );
        assert!(
            mail.html.contains(r#"?token=a%2Bb%2Fc%3D%26d">"#),
            "{}",
            mail.html
        );
    }
}

#[tokio::test]
async fn an_unknown_version_of_any_handled_type_is_permanent() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());

    for (raw, template, _) in MAILS {
        let envelope = edited(raw, |json| json["version"] = json!(2));
        let err = notifications.handle(&envelope).await.unwrap_err();
        assert!(
            matches!(&err, NotifyError::UnknownVersion { kind, version: 2 } if *kind == envelope.kind),
            "{template}: {err:?}"
        );
        assert!(err.is_permanent(), "{template}");
    }
    assert!(mailer.sent().is_empty());
}

#[tokio::test]
async fn a_reset_or_invitation_payload_that_does_not_parse_is_permanent() {
    let mailer = MemoryMailer::default();
    let notifications = Notifications::new(mailer.clone(), branding());
    let common: [fn(&mut Value); 7] = [
        |json| json["payload"]["email"] = json!("not an address"),
        |json| json["payload"]["token"] = json!(""),
        |json| json["payload"]["token"] = json!(42),
        |json| json["payload"].as_object_mut().unwrap().clear(),
        |json| json["payload"]["expires_at"] = json!("2026-11-27 13:00"),
        |json| json["payload"]["expires_at"] = json!(1_795_784_400),
        |json| json["payload"]["expires_at"] = json!("9999-12-31T23:00:00-02:00"),
    ];
    let reset_only: [fn(&mut Value); 1] = [|json| json["payload"]["user_id"] = json!("nobody")];
    let invitation_only: [fn(&mut Value); 3] = [
        |json| json["payload"]["role"] = json!("superuser"),
        |json| json["payload"]["tenant_id"] = json!("not-a-uuid"),
        |json| {
            json["payload"]
                .as_object_mut()
                .unwrap()
                .remove("tenant_name");
        },
    ];
    let cases = common
        .iter()
        .map(|edit| (RESET_REQUESTED, edit))
        .chain(common.iter().map(|edit| (INVITED, edit)))
        .chain(reset_only.iter().map(|edit| (RESET_REQUESTED, edit)))
        .chain(invitation_only.iter().map(|edit| (INVITED, edit)));

    let mut count = 0;
    for (raw, edit) in cases {
        let envelope = edited(raw, edit);
        let err = notifications.handle(&envelope).await.unwrap_err();
        assert!(
            matches!(&err, NotifyError::MalformedPayload { kind, .. } if *kind == envelope.kind),
            "{}: {err:?}",
            envelope.payload
        );
        assert!(err.is_permanent());
        count += 1;
    }
    assert_eq!(count, 18);
    assert!(mailer.sent().is_empty());
}
