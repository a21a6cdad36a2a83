//! The SMTP adapter against aiosmtpd: what the server's answers and failures become.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mail_parser::MessageParser;
use notifications::{MailError, Mailer};
use notifications_mail::{SmtpConfig, SmtpMailer, SmtpTls};

use crate::aiosmtpd::{SmtpServer, free_port};
use crate::{TempDir, sender, welcome_mail};

fn mailer(port: u16, tls: SmtpTls, timeout: Duration) -> SmtpMailer {
    SmtpMailer::new(SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        tls,
        credentials: None,
        sender: sender(),
        timeout,
    })
    .unwrap()
}

fn plain(port: u16) -> SmtpMailer {
    mailer(port, SmtpTls::None, Duration::from_secs(10))
}

#[tokio::test]
async fn the_envelope_matches_the_headers() {
    let server = SmtpServer::start();
    let mail = welcome_mail("ada@example.com");

    plain(server.port()).send(&mail).await.unwrap();

    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let message = MessageParser::default().parse(&messages[0]).unwrap();
    // aiosmtpd records the SMTP envelope in these headers.
    assert_eq!(
        message.header_raw("X-MailFrom").map(str::trim),
        Some("no-reply@acme.test")
    );
    assert_eq!(
        message.header_raw("X-RcptTo").map(str::trim),
        Some("ada@example.com")
    );
    let from = message.from().and_then(|f| f.first()).unwrap();
    assert_eq!(from.name(), Some("Acme Mail"));
    assert_eq!(from.address(), Some("no-reply@acme.test"));
}

#[tokio::test]
async fn a_recipient_refused_for_good_is_rejected() {
    let server = SmtpServer::start();

    let err = plain(server.port())
        .send(&welcome_mail("rejected@example.com"))
        .await
        .unwrap_err();

    assert!(matches!(err, MailError::Rejected(_)), "{err:?}");
    assert!(err.to_string().contains("550"), "{err}");
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn a_recipient_refused_for_now_is_transient() {
    let server = SmtpServer::start();

    let err = plain(server.port())
        .send(&welcome_mail("deferred@example.com"))
        .await
        .unwrap_err();

    assert!(matches!(err, MailError::Transient(_)), "{err:?}");
    assert!(err.to_string().contains("451"), "{err}");
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    let err = plain(free_port())
        .send(&welcome_mail("ada@example.com"))
        .await
        .unwrap_err();

    assert!(matches!(err, MailError::Transient(_)), "{err:?}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_as_transient() {
    // Connections complete in the listener's backlog, but nothing ever greets them.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let started = Instant::now();

    let err = mailer(port, SmtpTls::None, Duration::from_millis(300))
        .send(&welcome_mail("ada@example.com"))
        .await
        .unwrap_err();

    assert!(matches!(err, MailError::Transient(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn starttls_sends_nothing_to_a_server_without_it() {
    let server = SmtpServer::start();

    let err = mailer(server.port(), SmtpTls::StartTls, Duration::from_secs(10))
        .send(&welcome_mail("ada@example.com"))
        .await
        .unwrap_err();

    assert!(matches!(err, MailError::Transient(_)), "{err:?}");
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn implicit_tls_sends_nothing_to_a_plain_text_server() {
    let server = SmtpServer::start();

    let err = mailer(server.port(), SmtpTls::Implicit, Duration::from_secs(10))
        .send(&welcome_mail("ada@example.com"))
        .await
        .unwrap_err();

    assert!(matches!(err, MailError::Transient(_)), "{err:?}");
    assert!(server.messages().is_empty());
}

/// A self-signed certificate for `localhost` and its key, made with the openssl CLI.
fn self_signed(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl (apt-get install openssl)");
    assert!(status.success());
    (cert, key)
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_before_any_mail() {
    let tmp = TempDir::new("certs");
    let (cert, key) = self_signed(tmp.path());
    let starttls = SmtpServer::start_with(&[
        "--tlscert".as_ref(),
        cert.as_os_str(),
        "--tlskey".as_ref(),
        key.as_os_str(),
    ]);
    let implicit = SmtpServer::start_with(&[
        "--smtpscert".as_ref(),
        cert.as_os_str(),
        "--smtpskey".as_ref(),
        key.as_os_str(),
    ]);

    for (server, tls) in [
        (&starttls, SmtpTls::StartTls),
        (&implicit, SmtpTls::Implicit),
    ] {
        let mailer = SmtpMailer::new(SmtpConfig {
            host: "localhost".into(),
            port: server.port(),
            tls,
            credentials: None,
            sender: sender(),
            timeout: Duration::from_secs(10),
        })
        .unwrap();
        let err = mailer
            .send(&welcome_mail("ada@example.com"))
            .await
            .unwrap_err();
        assert!(matches!(err, MailError::Transient(_)), "{tls:?}: {err:?}");
        assert!(err.to_string().contains("certificate"), "{tls:?}: {err}");
        assert!(server.messages().is_empty(), "{tls:?}");
    }
}
