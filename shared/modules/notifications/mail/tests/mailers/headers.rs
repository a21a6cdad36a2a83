//! Text from users reaches the subject of a mail; it must not reach any other header.

use kernel::Envelope;
use mail_parser::{Message, MessageParser};
use notifications::{Branding, MailId, Mailer, Notifications};
use notifications_mail::{FileMailer, SmtpConfig, SmtpMailer, SmtpTls};
use serde_json::{Value, json};

use crate::aiosmtpd::SmtpServer;
use crate::{Delivered, TempDir, sender, welcome_mail};

const INVITED: &str = include_str!("../../../core/tests/fixtures/tenancy.member_invited.v1.json");

/// The headers every message carries, sorted; aiosmtpd adds its own `X-` ones.
const HEADERS: [&str; 7] = [
    "Content-Type",
    "Date",
    "From",
    "MIME-Version",
    "Message-ID",
    "Subject",
    "To",
];

fn header_names(message: &Message<'_>) -> Vec<String> {
    let mut names: Vec<String> = message
        .headers()
        .iter()
        .map(|h| h.name().to_owned())
        .filter(|name| !name.starts_with("X-"))
        .collect();
    names.sort();
    names
}

fn recipients(message: &Message<'_>) -> Vec<String> {
    message
        .to()
        .into_iter()
        .flat_map(|to| to.iter())
        .filter_map(|to| to.address())
        .map(str::to_owned)
        .collect()
}

/// The adapters do not rely on the templates: a subject with line breaks still becomes one
/// encoded `Subject` header, and the mail goes out.
#[tokio::test]
async fn line_breaks_in_a_subject_add_no_header() {
    let tmp = TempDir::new("headers");
    let files = FileMailer::new(tmp.path(), sender());
    let server = SmtpServer::start();
    let smtp = SmtpMailer::new(SmtpConfig {
        host: "127.0.0.1".into(),
        port: server.port(),
        tls: SmtpTls::None,
        credentials: None,
        sender: sender(),
        timeout: std::time::Duration::from_secs(10),
    })
    .unwrap();
    let mut mail = welcome_mail("ada@example.com");
    mail.subject = "Join Acme\r\nBcc: eve@example.com\r\n\r\nforged body".into();

    files.send(&mail).await.unwrap();
    smtp.send(&mail).await.unwrap();

    let mut stored = server.messages();
    assert_eq!(stored.len(), 1);
    stored.push(std::fs::read(files.path(&mail.id)).unwrap());
    for raw in &stored {
        let message = MessageParser::default().parse(raw).unwrap();
        assert_eq!(header_names(&message), HEADERS);
        assert!(message.bcc().is_none());
        assert_eq!(recipients(&message), ["ada@example.com"]);
        assert_eq!(Delivered::parse(raw).text, mail.text, "the body is intact");
        let text = String::from_utf8_lossy(raw);
        assert!(!text.contains("\nBcc:") && !text.contains("forged body"));
    }
}

#[tokio::test]
async fn a_hostile_tenant_name_arrives_as_a_one_line_subject() {
    let tmp = TempDir::new("headers");
    let mailer = FileMailer::new(tmp.path(), sender());
    let branding = Branding {
        product: "Acme".into(),
        base_url: "https://app.acme.test".into(),
    };
    let notifications = Notifications::new(mailer.clone(), branding);
    let mut json: Value = serde_json::from_str(INVITED).unwrap();
    json["payload"]["tenant_name"] = json!("<script>x()</script>\r\nBcc: eve@example.com");
    let envelope: Envelope = serde_json::from_value(json).unwrap();

    notifications.handle(&envelope).await.unwrap();

    let id = MailId::for_event(envelope.id, "invitation");
    let raw = std::fs::read(mailer.path(&id)).unwrap();
    let message = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(header_names(&message), HEADERS);
    assert!(message.bcc().is_none());
    assert_eq!(recipients(&message), ["grace@example.com"]);
    assert_eq!(
        message.subject(),
        Some("You're invited to join <script>x()</script> Bcc: eve@example.com on Acme")
    );
    let delivered = Delivered::parse(&raw);
    assert!(
        delivered
            .html
            .contains("<strong>&lt;script&gt;x()&lt;/script&gt; Bcc: eve@example.com</strong>"),
        "{}",
        delivered.html
    );
    assert!(!delivered.html.contains("<script>"));
}
