//! The notifications module's [`Mailer`](notifications::Mailer) adapters.
//!
//! - [`FileMailer`], the embedded default: each mail becomes `<dir>/<mail id>.eml`, a complete
//!   RFC 5322 message that any mail client opens. A redelivered mail replaces its file.
//! - [`SmtpMailer`]: any SMTP server, over STARTTLS or implicit TLS (rustls, with the Mozilla
//!   root certificates built in), or in plain text to a server on loopback.
//!
//! Both send `multipart/alternative` messages with a plain-text and an HTML part, from the
//! configured [`Sender`], with `Message-ID: <mail id@sender's domain>`, so copies of one
//! redelivered mail can be recognised downstream too.
//!
//! The settings, which the runtime reads from its environment:
//!
//! | setting | adapter | meaning |
//! |---|---|---|
//! | directory | file | where `.eml` files are written; created if missing |
//! | sender address, optional display name | both | the `From` of every mail ([`Sender`]) |
//! | host, port | SMTP | the server; 587 is usual for STARTTLS, 465 for implicit TLS |
//! | TLS mode | SMTP | [`SmtpTls`]: `StartTls`, `Implicit`, or `None` (loopback hosts only) |
//! | username, password | SMTP | optional ([`SmtpCredentials`]); sent encrypted, or to loopback in plain text |
//! | timeout | SMTP | bounds one send, connecting included; a send that exceeds it is transient |
//!
//! Failures are classified for the caller's retry policy: a permanent (5xx) answer from the
//! server, or a recipient that cannot be written as an address, is
//! [`MailError::Rejected`](notifications::MailError::Rejected); anything else (refused or
//! dropped connections, timeouts, TLS failures, 4xx answers, a full disk) is
//! [`MailError::Transient`](notifications::MailError::Transient).

mod file;
mod message;
mod sender;
mod smtp;

pub use file::FileMailer;
pub use sender::{InvalidSender, Sender};
pub use smtp::{SmtpConfig, SmtpConfigError, SmtpCredentials, SmtpMailer, SmtpTls};
