use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use notifications::{Mail, MailError, Mailer};

use crate::{Sender, message};

type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text, for a development server on the same machine; refused for any other host.
    None,
    /// Connect in plain text, then upgrade with STARTTLS before anything else is sent; a server
    /// that does not offer STARTTLS gets no mail (usually port 587).
    StartTls,
    /// TLS from the first byte, also called SMTPS (usually port 465).
    Implicit,
}

/// The login for servers that require one. Its `Debug` output hides the password.
#[derive(Clone)]
pub struct SmtpCredentials {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub credentials: Option<SmtpCredentials>,
    pub sender: Sender,
    /// Bounds one send, from connecting to the server's last answer.
    pub timeout: Duration,
}

/// The configuration cannot make a working transport.
#[derive(Debug, thiserror::Error)]
pub enum SmtpConfigError {
    #[error("SMTP without TLS is only allowed to a loopback host, not {host}")]
    PlainTextOffLoopback { host: String },
    #[error("TLS settings for {host}: {source}")]
    Tls {
        host: String,
        #[source]
        source: lettre::transport::smtp::Error,
    },
}

/// Sends mails through an SMTP server, one connection per mail: a function handles one mail
/// at a time and may be frozen between them, so an idle pooled connection would only go stale.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: Transport,
    sender: Sender,
    timeout: Duration,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("sender", &self.sender)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Prepares the transport (TLS settings and root certificates) without connecting.
    pub fn new(config: SmtpConfig) -> Result<Self, SmtpConfigError> {
        let host = config.host.as_str();
        let tls_error = |source| SmtpConfigError::Tls {
            host: host.to_owned(),
            source,
        };
        let builder = match config.tls {
            SmtpTls::None if is_loopback(host) => Transport::builder_dangerous(host),
            SmtpTls::None => {
                return Err(SmtpConfigError::PlainTextOffLoopback {
                    host: host.to_owned(),
                });
            }
            SmtpTls::StartTls => Transport::starttls_relay(host).map_err(tls_error)?,
            SmtpTls::Implicit => Transport::relay(host).map_err(tls_error)?,
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(config.timeout))
            .hello_name(ClientId::Domain(config.sender.domain().to_owned()));
        if let Some(login) = config.credentials {
            builder = builder.credentials(Credentials::new(login.username, login.password));
        }
        Ok(Self {
            transport: builder.build(),
            sender: config.sender,
            timeout: config.timeout,
        })
    }
}

impl Mailer for SmtpMailer {
    #[tracing::instrument(name = "mailer.smtp.send", skip_all, fields(mail_id = %mail.id))]
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let message = message::build(mail, &self.sender)?;
        // The transport's own timeout covers connecting only; a server that stops answering
        // mid-dialogue would otherwise hold the send forever.
        let sent = tokio::time::timeout(self.timeout, self.transport.send(message)).await;
        match sent {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.is_permanent() => Err(MailError::rejected(e)),
            Ok(Err(e)) => Err(MailError::transient(e)),
            Err(_) => Err(MailError::transient(format!(
                "no answer from the SMTP server within {:?}",
                self.timeout
            ))),
        }
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || bare.parse().is_ok_and(|ip: IpAddr| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use kernel::Email;

    use super::*;

    fn config(host: &str, tls: SmtpTls) -> SmtpConfig {
        let sender = Sender::new(None, &Email::parse("no-reply@acme.test").unwrap()).unwrap();
        SmtpConfig {
            host: host.into(),
            port: 2525,
            tls,
            credentials: None,
            sender,
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn plain_text_is_refused_off_loopback() {
        for host in ["localhost", "127.0.0.1", "127.0.0.53", "::1", "[::1]"] {
            assert!(
                SmtpMailer::new(config(host, SmtpTls::None)).is_ok(),
                "{host}"
            );
        }
        for host in ["smtp.example.com", "10.0.0.5", "localhost.example.com"] {
            let err = SmtpMailer::new(config(host, SmtpTls::None)).unwrap_err();
            assert!(
                matches!(&err, SmtpConfigError::PlainTextOffLoopback { host: h } if h == host),
                "{host}: {err:?}"
            );
            for tls in [SmtpTls::StartTls, SmtpTls::Implicit] {
                assert!(SmtpMailer::new(config(host, tls)).is_ok(), "{host} {tls:?}");
            }
        }
    }

    #[test]
    fn credentials_never_print_their_password() {
        let login = SmtpCredentials {
            username: "mailer".into(),
            password: "hunter2".into(),
        };
        let shown = format!("{login:?}");
        assert!(shown.contains("mailer"));
        assert!(!shown.contains("hunter2"));
    }
}
