//! The notifications module's core: the mails the platform sends when something happens in
//! another module.
//!
//! It reacts to events ([`Notifications::handle`] takes an [`Envelope`](kernel::Envelope) as
//! the outbox wrote it), reads them through its own view of their payloads (it never links the
//! module that published them), renders a [`Mail`] from a template and hands it to the
//! [`Mailer`] port. Each mail's [`MailId`] is derived from the event's id, so a redelivered
//! event produces the same mail id. Failures say whether retrying can help
//! ([`NotifyError::is_permanent`]).
//!
//! Email is the only channel for now. Nothing here knows about SMTP or files, and it builds
//! for `wasm32-wasip2`.

mod branding;
mod error;
pub mod events;
mod mail;
pub mod memory;
mod ports;
mod service;
pub mod templates;

pub use branding::Branding;
pub use error::{MailError, NotifyError};
pub use mail::{Mail, MailId};
pub use memory::MemoryMailer;
pub use ports::{DynMailer, Mailer};
pub use service::{HANDLES, Handled, Notifications};
