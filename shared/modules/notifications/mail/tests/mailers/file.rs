//! The file adapter: one whole file per mail id, in a directory it creates.

use mail_parser::MessageParser;
use notifications::{MailError, Mailer};
use notifications_mail::FileMailer;

use crate::{TempDir, sender, welcome_mail};

fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_redelivered_mail_replaces_its_file() {
    let tmp = TempDir::new("file");
    let mailer = FileMailer::new(tmp.path(), sender());
    let mail = welcome_mail("ada@example.com");

    mailer.send(&mail).await.unwrap();
    mailer.send(&mail).await.unwrap();

    assert_eq!(entries(tmp.path()), [format!("{}.eml", mail.id)]);
    assert_eq!(
        mailer.path(&mail.id),
        tmp.path().join(format!("{}.eml", mail.id))
    );
}

#[tokio::test]
async fn creates_missing_directories() {
    let tmp = TempDir::new("file");
    let dir = tmp.path().join("var").join("mail");
    let mailer = FileMailer::new(&dir, sender());
    let mail = welcome_mail("ada@example.com");

    mailer.send(&mail).await.unwrap();

    assert!(mailer.path(&mail.id).starts_with(&dir));
    assert!(mailer.path(&mail.id).is_file());
}

#[tokio::test]
async fn the_file_is_a_message_from_the_sender() {
    let tmp = TempDir::new("file");
    let mailer = FileMailer::new(tmp.path(), sender());
    let mail = welcome_mail("ada@example.com");

    mailer.send(&mail).await.unwrap();

    let raw = std::fs::read(mailer.path(&mail.id)).unwrap();
    let message = MessageParser::default().parse(&raw).unwrap();
    let from = message.from().and_then(|f| f.first()).unwrap();
    assert_eq!(from.name(), Some("Acme Mail"));
    assert_eq!(from.address(), Some("no-reply@acme.test"));
    assert_eq!(
        message.message_id(),
        Some(format!("{}@acme.test", mail.id).as_str())
    );
    assert!(message.date().is_some(), "a Date header");
}

#[tokio::test]
async fn a_directory_it_cannot_create_is_transient() {
    let tmp = TempDir::new("file");
    let occupied = tmp.path().join("not-a-directory");
    std::fs::write(&occupied, b"a file where the directory should be").unwrap();
    let mailer = FileMailer::new(&occupied, sender());

    let err = mailer
        .send(&welcome_mail("ada@example.com"))
        .await
        .unwrap_err();

    assert!(matches!(err, MailError::Transient(_)), "{err:?}");
    assert_eq!(entries(tmp.path()), ["not-a-directory"]);
}
