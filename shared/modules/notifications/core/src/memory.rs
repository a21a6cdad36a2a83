//! A mailer that keeps what it is given in the process's memory: the embedded default for unit
//! tests and single-process runs, held to the same contract suite as the file and SMTP
//! adapters (`notifications-mail/tests/contract.rs`).

use std::sync::{Arc, Mutex, PoisonError};

use crate::{Mail, MailError, Mailer};

/// Records every mail it is asked to send, redeliveries included. Clones share the record.
#[derive(Debug, Clone, Default)]
pub struct MemoryMailer {
    sent: Arc<Mutex<Vec<Mail>>>,
}

impl MemoryMailer {
    /// Every mail sent so far, oldest first.
    pub fn sent(&self) -> Vec<Mail> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Mailer for MemoryMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(mail.clone());
        Ok(())
    }
}
