//! What every Mailer adapter guarantees about what arrives.

use notifications::{DynMailer, Mailer, MemoryMailer};
use notifications_mail::{FileMailer, SmtpConfig, SmtpMailer, SmtpTls};

use crate::aiosmtpd::SmtpServer;
use crate::{Delivered, TempDir, sender, welcome_mail};

/// An adapter under test, and a way to read back what it delivered.
trait Fixture {
    fn mailer(&self) -> Box<DynMailer<'static>>;
    fn delivered(&self) -> Vec<Delivered>;
}

impl Fixture for MemoryMailer {
    fn mailer(&self) -> Box<DynMailer<'static>> {
        DynMailer::new_box(self.clone())
    }

    fn delivered(&self) -> Vec<Delivered> {
        self.sent().iter().map(Delivered::from_mail).collect()
    }
}

struct Files(TempDir);

impl Fixture for Files {
    fn mailer(&self) -> Box<DynMailer<'static>> {
        DynMailer::new_box(FileMailer::new(self.0.path().join("outbox"), sender()))
    }

    fn delivered(&self) -> Vec<Delivered> {
        std::fs::read_dir(self.0.path().join("outbox"))
            .map(|entries| {
                entries
                    .map(|entry| Delivered::parse(&std::fs::read(entry.unwrap().path()).unwrap()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Fixture for SmtpServer {
    fn mailer(&self) -> Box<DynMailer<'static>> {
        let mailer = SmtpMailer::new(SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port(),
            tls: SmtpTls::None,
            credentials: None,
            sender: sender(),
            timeout: std::time::Duration::from_secs(10),
        })
        .unwrap();
        DynMailer::new_box(mailer)
    }

    fn delivered(&self) -> Vec<Delivered> {
        self.messages()
            .iter()
            .map(|m| Delivered::parse(m))
            .collect()
    }
}

async fn a_mail_arrives_whole(f: impl Fixture) {
    let mail = welcome_mail("o'brien&co@example.com");
    f.mailer().send(&mail).await.unwrap();

    let delivered = f.delivered();
    assert_eq!(delivered.len(), 1);
    let arrived = &delivered[0];
    assert_eq!(arrived.id, mail.id.as_str());
    assert_eq!(arrived.to, "o'brien&co@example.com");
    assert_eq!(arrived.subject, "Welcome to Acme <Beta> & Co");
    assert_eq!(arrived.text, mail.text);
    assert_eq!(arrived.html, mail.html);
    assert!(arrived.text.contains("Welcome to Acme <Beta> & Co!"));
    assert!(
        arrived
            .html
            .contains("<h1>Welcome to Acme &lt;Beta&gt; &amp; Co!</h1>")
    );
    assert!(
        arrived
            .html
            .contains("<strong>o&#39;brien&amp;co@example.com</strong>")
    );
    assert!(!arrived.html.contains("<Beta>"));
}

async fn each_mail_arrives_at_its_own_recipient(f: impl Fixture) {
    let (ada, grace) = (
        welcome_mail("ada@example.com"),
        welcome_mail("grace@example.org"),
    );
    let mailer = f.mailer();
    mailer.send(&ada).await.unwrap();
    mailer.send(&grace).await.unwrap();

    let mut arrived: Vec<(String, String)> =
        f.delivered().into_iter().map(|d| (d.to, d.id)).collect();
    arrived.sort();
    assert_eq!(
        arrived,
        [
            ("ada@example.com".to_owned(), ada.id.to_string()),
            ("grace@example.org".to_owned(), grace.id.to_string()),
        ]
    );
}

async fn a_resent_mail_keeps_its_id(f: impl Fixture) {
    let mail = welcome_mail("ada@example.com");
    let mailer = f.mailer();
    mailer.send(&mail).await.unwrap();
    mailer.send(&mail).await.unwrap();

    let delivered = f.delivered();
    // Stored once where the adapter can replace a copy, twice where it cannot.
    assert!((1..=2).contains(&delivered.len()), "{delivered:?}");
    assert!(delivered.iter().all(|d| d.id == mail.id.as_str()));
}

async fn non_ascii_text_arrives_intact(f: impl Fixture) {
    let mut mail = welcome_mail("ada@bücher.de");
    mail.subject = "Willkommen bei Café Ünïcode ✓".into();
    mail.text = format!("Grüße — {}\n", "ö".repeat(200));
    mail.html = format!("<p>Grüße — {}</p>\n", "ö".repeat(200));
    f.mailer().send(&mail).await.unwrap();

    let delivered = f.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].to, "ada@xn--bcher-kva.de");
    assert_eq!(delivered[0].subject, mail.subject);
    assert_eq!(delivered[0].text, mail.text);
    assert_eq!(delivered[0].html, mail.html);
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod memory {
            $(#[tokio::test]
            async fn $case() {
                super::$case(notifications::MemoryMailer::default()).await;
            })*
        }
        mod file {
            $(#[tokio::test]
            async fn $case() {
                super::$case(super::Files(crate::TempDir::new("files"))).await;
            })*
        }
        mod smtp {
            $(#[tokio::test]
            async fn $case() {
                super::$case(crate::aiosmtpd::SmtpServer::start()).await;
            })*
        }
    };
}

contract!(
    a_mail_arrives_whole,
    each_mail_arrives_at_its_own_recipient,
    a_resent_mail_keeps_its_id,
    non_ascii_text_arrives_intact,
);
