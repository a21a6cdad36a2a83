use std::future::Future;

use crate::{Mail, MailError};

/// Delivers a rendered mail. A mail whose id was sent before may be sent again (a redelivered
/// event); adapters that can, replace the earlier copy rather than add a second one.
#[dynosaur::dynosaur(pub DynMailer = dyn(box) Mailer)]
pub trait Mailer: Send + Sync {
    fn send(&self, mail: &Mail) -> impl Future<Output = Result<(), MailError>> + Send;
}
