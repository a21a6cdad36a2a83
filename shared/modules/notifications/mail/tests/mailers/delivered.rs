use mail_parser::{MessageParser, MimeHeaders, PartType};
use notifications::Mail;

/// A mail as it arrived, read back from wherever the adapter put it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The mail id the message carries (the local part of its `Message-ID`).
    pub id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Delivered {
    pub fn from_mail(mail: &Mail) -> Self {
        Self {
            id: mail.id.to_string(),
            to: mail.to.to_string(),
            subject: mail.subject.clone(),
            text: mail.text.clone(),
            html: mail.html.clone(),
        }
    }

    /// Parses an RFC 5322 message, insisting on one plain-text and one HTML alternative.
    pub fn parse(raw: &[u8]) -> Self {
        let message = MessageParser::default()
            .parse(raw)
            .expect("an RFC 5322 message");
        let content_type = message.content_type().expect("a Content-Type");
        assert_eq!(
            (content_type.ctype(), content_type.subtype()),
            ("multipart", Some("alternative"))
        );
        assert_eq!(message.text_body_count(), 1, "one text/plain part");
        assert_eq!(message.html_body_count(), 1, "one text/html part");
        let text = match &message.text_part(0).unwrap().body {
            PartType::Text(text) => text.to_string(),
            other => panic!("the plain-text part is {other:?}"),
        };
        let html = match &message.html_part(0).unwrap().body {
            PartType::Html(html) => html.to_string(),
            other => panic!("the HTML part is {other:?}"),
        };
        let message_id = message.message_id().expect("a Message-ID");
        let (id, _) = message_id.rsplit_once('@').expect("id@domain");
        Self {
            id: id.to_owned(),
            to: message
                .to()
                .and_then(|to| to.first())
                .and_then(|to| to.address())
                .unwrap()
                .to_owned(),
            subject: message.subject().unwrap().to_owned(),
            text: unix_lines(&text),
            html: unix_lines(&html),
        }
    }
}

/// Bodies travel with CRLF line ends; mails are written with LF.
fn unix_lines(body: &str) -> String {
    body.replace("\r\n", "\n")
}
