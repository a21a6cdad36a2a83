use std::sync::Arc;

use kernel::{Email, Envelope};
use serde::Deserialize;

use crate::events::UserSignedUp;
use crate::{Branding, DynMailer, Mail, MailId, Mailer, NotifyError, templates};

/// The event types this module consumes; a queue subscription for it lists these.
pub const HANDLES: &[&str] = &[UserSignedUp::TYPE];

/// What became of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Its mail was handed to the mailer.
    Sent,
    /// The module does not react to this event type.
    Ignored,
}

/// The notification use cases. Cheap to clone; build it once per process.
#[derive(Clone)]
pub struct Notifications {
    mailer: Arc<DynMailer<'static>>,
    branding: Arc<Branding>,
}

impl Notifications {
    pub fn new(mailer: impl Mailer + 'static, branding: Branding) -> Self {
        Self {
            mailer: DynMailer::new_arc(mailer),
            branding: Arc::new(branding),
        }
    }

    /// Sends the mail `envelope` calls for. The mail's id comes from the event's id, so
    /// handling a redelivery again sends a mail with the same id.
    pub async fn handle(&self, envelope: &Envelope) -> Result<Handled, NotifyError> {
        match envelope.kind.as_str() {
            UserSignedUp::TYPE => {
                check_version(envelope, UserSignedUp::VERSION)?;
                let event: UserSignedUp = payload(envelope)?;
                let to = Email::parse(&event.email).map_err(|e| malformed(envelope, e))?;
                let content = templates::welcome(&self.branding, &to);
                let id = MailId::for_event(envelope.id, "welcome");
                self.mailer.send(&Mail::new(id, to, content)).await?;
                Ok(Handled::Sent)
            }
            _ => Ok(Handled::Ignored),
        }
    }
}

fn check_version(envelope: &Envelope, known: u16) -> Result<(), NotifyError> {
    if envelope.version == known {
        Ok(())
    } else {
        Err(NotifyError::UnknownVersion {
            kind: envelope.kind.clone(),
            version: envelope.version,
        })
    }
}

fn payload<'a, T: Deserialize<'a>>(envelope: &'a Envelope) -> Result<T, NotifyError> {
    T::deserialize(&envelope.payload).map_err(|e| malformed(envelope, e))
}

fn malformed(
    envelope: &Envelope,
    source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> NotifyError {
    NotifyError::MalformedPayload {
        kind: envelope.kind.clone(),
        source: source.into(),
    }
}
