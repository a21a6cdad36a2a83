use std::fmt;

use kernel::{Email, EventId};

use crate::templates::Content;

/// Identifies one mail. It is derived from the event that caused the mail and the template
/// that rendered it, so every delivery of that event yields the same id and an adapter can
/// recognise a mail it already sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailId(String);

impl MailId {
    /// The id of the mail `template` renders for `event`. `template` is a name fixed in code
    /// (lower-case letters and `_`), so the id is safe as a file name and in a `Message-ID`.
    pub fn for_event(event: EventId, template: &'static str) -> Self {
        Self(format!("{event}.{template}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MailId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A rendered mail to one recipient. The sender is not part of it: each adapter is configured
/// with the address it sends from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: MailId,
    pub to: Email,
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part, with every interpolated value escaped.
    pub html: String,
}

impl Mail {
    pub fn new(id: MailId, to: Email, content: Content) -> Self {
        Self {
            id,
            to,
            subject: content.subject,
            text: content.text,
            html: content.html,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_event_and_template_give_the_same_id() {
        let event = EventId::generate();
        let first = MailId::for_event(event, "welcome");
        assert_eq!(first, MailId::for_event(event, "welcome"));
        assert_eq!(first.as_str(), format!("{event}.welcome"));
        assert_ne!(first, MailId::for_event(event, "goodbye"));
        assert_ne!(first, MailId::for_event(EventId::generate(), "welcome"));
    }
}
