use kernel::Email;
use lettre::message::Mailbox;

/// The address mails are sent from, with an optional display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    mailbox: Mailbox,
}

/// The sender address cannot be written in a `From` header.
#[derive(Debug, thiserror::Error)]
#[error("{address} cannot be used as a sender address: {source}")]
pub struct InvalidSender {
    address: String,
    #[source]
    source: lettre::address::AddressError,
}

impl Sender {
    /// `name` is shown by mail clients beside the address, as in `Acme <no-reply@acme.test>`.
    pub fn new(name: Option<String>, address: &Email) -> Result<Self, InvalidSender> {
        let parsed = address.as_str().parse().map_err(|source| InvalidSender {
            address: address.to_string(),
            source,
        })?;
        Ok(Self {
            mailbox: Mailbox::new(name, parsed),
        })
    }

    pub(crate) fn mailbox(&self) -> &Mailbox {
        &self.mailbox
    }

    /// The sender's domain: the right-hand side of each `Message-ID`, and the name this
    /// client greets SMTP servers with.
    pub(crate) fn domain(&self) -> &str {
        self.mailbox.email.domain()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_name_beside_the_address() {
        let address = Email::parse("no-reply@acme.test").unwrap();
        let named = Sender::new(Some("Acme".into()), &address).unwrap();
        assert_eq!(named.mailbox().to_string(), "Acme <no-reply@acme.test>");
        assert_eq!(named.domain(), "acme.test");
        let bare = Sender::new(None, &address).unwrap();
        assert_eq!(bare.mailbox().to_string(), "no-reply@acme.test");
    }
}
