use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use notifications::{Mail, MailError};

use crate::Sender;

/// `mail` as an RFC 5322 message from `sender`: `multipart/alternative`, the plain-text part
/// first so that clients prefer the HTML one.
pub(crate) fn build(mail: &Mail, sender: &Sender) -> Result<Message, MailError> {
    let to = mail.to.as_str().parse().map_err(MailError::rejected)?;
    Message::builder()
        .message_id(Some(format!("<{}@{}>", mail.id, sender.domain())))
        .from(sender.mailbox().clone())
        .to(Mailbox::new(None, to))
        .subject(mail.subject.as_str())
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(MailError::rejected)
}
