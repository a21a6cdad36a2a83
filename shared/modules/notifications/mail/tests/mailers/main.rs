//! The Mailer contract, held by the in-memory default, the file adapter and the SMTP adapter
//! against a real SMTP server (aiosmtpd) on loopback; then what is particular to each adapter.

mod aiosmtpd;
mod contract;
mod delivered;
mod file;
mod headers;
mod smtp;

use std::path::{Path, PathBuf};

use kernel::{Email, EventId};
use notifications::templates::welcome;
use notifications::{Branding, Mail, MailId};
use notifications_mail::Sender;

pub use delivered::Delivered;

/// A new directory under the system's temporary one, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        let name = format!("notifications-{label}-{}", uuid::Uuid::now_v7().simple());
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn sender() -> Sender {
    Sender::new(
        Some("Acme Mail".into()),
        &Email::parse("no-reply@acme.test").unwrap(),
    )
    .unwrap()
}

/// A welcome mail to `to` for a new event, with a product name that needs escaping in HTML.
pub fn welcome_mail(to: &str) -> Mail {
    let branding = Branding {
        product: "Acme <Beta> & Co".into(),
        base_url: "https://app.acme.test/?from=mail&x=\"1\"".into(),
    };
    let to = Email::parse(to).unwrap();
    let content = welcome(&branding, &to);
    Mail::new(
        MailId::for_event(EventId::generate(), "welcome"),
        to,
        content,
    )
}
