use std::sync::Arc;

use kernel::{Email, Envelope};
use serde::Deserialize;

use crate::events::{MemberInvited, PasswordResetRequested, UserSignedUp};
use crate::templates::Content;
use crate::{Branding, DynMailer, Mail, MailId, Mailer, NotifyError, templates};

/// The event types this module consumes; a queue subscription for it lists these.
pub const HANDLES: &[&str] = &[
    UserSignedUp::TYPE,
    PasswordResetRequested::TYPE,
    MemberInvited::TYPE,
];

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
            UserSignedUp::TYPE => self.welcome(envelope).await,
            PasswordResetRequested::TYPE => self.password_reset(envelope).await,
            MemberInvited::TYPE => self.invitation(envelope).await,
            _ => Ok(Handled::Ignored),
        }
    }

    async fn welcome(&self, envelope: &Envelope) -> Result<Handled, NotifyError> {
        check_version(envelope, UserSignedUp::VERSION)?;
        let event: UserSignedUp = payload(envelope)?;
        let to = recipient(envelope, &event.email)?;
        let content = templates::welcome(&self.branding, &to);
        self.send(envelope, "welcome", to, content).await
    }

    async fn password_reset(&self, envelope: &Envelope) -> Result<Handled, NotifyError> {
        check_version(envelope, PasswordResetRequested::VERSION)?;
        let event: PasswordResetRequested = payload(envelope)?;
        let to = recipient(envelope, &event.email)?;
        let content =
            templates::password_reset(&self.branding, &to, &event.token, event.expires_at);
        self.send(envelope, "password_reset", to, content).await
    }

    async fn invitation(&self, envelope: &Envelope) -> Result<Handled, NotifyError> {
        check_version(envelope, MemberInvited::VERSION)?;
        let event: MemberInvited = payload(envelope)?;
        let to = recipient(envelope, &event.email)?;
        let content = templates::invitation(
            &self.branding,
            &to,
            &event.tenant_name,
            event.role,
            &event.token,
            event.expires_at,
        );
        self.send(envelope, "invitation", to, content).await
    }

    /// `template` names the mail in its id, so it must stay the same across releases.
    async fn send(
        &self,
        envelope: &Envelope,
        template: &'static str,
        to: Email,
        content: Content,
    ) -> Result<Handled, NotifyError> {
        let id = MailId::for_event(envelope.id, template);
        self.mailer.send(&Mail::new(id, to, content)).await?;
        Ok(Handled::Sent)
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

fn recipient(envelope: &Envelope, email: &str) -> Result<Email, NotifyError> {
    Email::parse(email).map_err(|e| malformed(envelope, e))
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
