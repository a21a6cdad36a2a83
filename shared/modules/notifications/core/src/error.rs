use std::error::Error as StdError;

/// Why a mailer did not deliver a mail, split by what a retry can do about it.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Worth retrying later: the server could not be reached, timed out, or answered with a
    /// temporary (4xx) refusal.
    #[error("mail not delivered for now: {0}")]
    Transient(#[source] Box<dyn StdError + Send + Sync>),
    /// Retrying will not help: the server refused the mail for good (a 5xx answer, such as an
    /// unknown recipient), or the mail cannot be expressed as a message at all.
    #[error("mail rejected: {0}")]
    Rejected(#[source] Box<dyn StdError + Send + Sync>),
}

impl MailError {
    pub fn transient(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::Transient(source.into())
    }

    pub fn rejected(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::Rejected(source.into())
    }

    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Rejected(_))
    }
}

/// Why an event was not turned into a sent notification.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The event type is one this module handles, at a version it cannot read.
    #[error("{kind} version {version} is not a version this module reads")]
    UnknownVersion { kind: String, version: u16 },
    /// The payload does not match the event type's declared shape.
    #[error("{kind} payload is malformed: {source}")]
    MalformedPayload {
        kind: String,
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    #[error(transparent)]
    Mail(#[from] MailError),
}

impl NotifyError {
    /// Whether redelivering the same event can only fail the same way, so it belongs in a
    /// dead-letter queue rather than back on the queue.
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::UnknownVersion { .. } | Self::MalformedPayload { .. } => true,
            Self::Mail(e) => e.is_permanent(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rejections_and_unreadable_events_are_permanent() {
        assert!(!MailError::transient("connection refused").is_permanent());
        assert!(MailError::rejected("550 no such user").is_permanent());
        let unknown = NotifyError::UnknownVersion {
            kind: "identity.user_signed_up".into(),
            version: 2,
        };
        assert!(unknown.is_permanent());
        let malformed = NotifyError::MalformedPayload {
            kind: "identity.user_signed_up".into(),
            source: "missing field `email`".into(),
        };
        assert!(malformed.is_permanent());
        assert!(!NotifyError::from(MailError::transient("timeout")).is_permanent());
        assert!(NotifyError::from(MailError::rejected("550")).is_permanent());
    }
}
