//! Passwords that change while the process runs: an RDS IAM auth token (valid 15 minutes) or a
//! Secrets Manager password that RDS rotates. The pool asks its [`PasswordSource`] again once
//! the last answer is due for renewal, before the next query, so a function thawed after a long
//! idle never dials with a stale token; and after the server refuses a password, so a rotation
//! costs one failed query. Open connections keep working: only new ones use the new password.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::{Connection, Database, Pool};

use crate::Dialect;

type ConnectOptions<DB> = <<DB as Database>::Connection as Connection>::Options;

/// A password and the time to ask for a new one.
#[derive(Clone)]
pub struct ExpiringPassword {
    pub password: String,
    /// After this instant the next query first fetches a new password.
    pub renew_at: SystemTime,
}

impl fmt::Debug for ExpiringPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExpiringPassword")
            .field("password", &"<redacted>")
            .field("renew_at", &self.renew_at)
            .finish()
    }
}

pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// Where new connections get their password when `DATABASE_URL` does not carry one.
#[dynosaur::dynosaur(pub DynPasswordSource = dyn(box) PasswordSource)]
pub trait PasswordSource: Send + Sync {
    fn password(&self) -> impl Future<Output = Result<ExpiringPassword, SourceError>> + Send;
}

/// Keeps a pool's connect options carrying a current password.
pub(crate) struct Renewal<DB: Database> {
    source: Arc<DynPasswordSource<'static>>,
    base: ConnectOptions<DB>,
    /// Seconds since the epoch when the current password is due for renewal; 0 before the first.
    renew_at: AtomicU64,
    /// One renewal at a time; the others wait for it rather than asking the source again.
    lock: tokio::sync::Mutex<()>,
}

impl<DB: Database> fmt::Debug for Renewal<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The connect options are left out: they print every field, a password included.
        f.debug_struct("Renewal")
            .field("renew_at", &self.renew_at)
            .finish_non_exhaustive()
    }
}

/// The source failed to give a password; the query is not attempted.
#[derive(Debug, thiserror::Error)]
#[error("no database password: {0}")]
pub struct RenewError(#[source] SourceError);

impl<DB: Dialect> Renewal<DB> {
    pub(crate) fn new(source: Arc<DynPasswordSource<'static>>, base: ConnectOptions<DB>) -> Self {
        Self {
            source,
            base,
            renew_at: AtomicU64::new(0),
            lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Renews the pool's password if it is due. Cheap when it is not: one atomic load.
    pub(crate) async fn ensure_current(&self, pool: &Pool<DB>) -> Result<(), RenewError> {
        if !self.due() {
            return Ok(());
        }
        let _guard = self.lock.lock().await;
        if !self.due() {
            return Ok(());
        }
        let fresh = self.source.password().await.map_err(RenewError)?;
        pool.set_connect_options(DB::with_password(self.base.clone(), &fresh.password));
        self.renew_at
            .store(epoch_seconds(fresh.renew_at).max(1), Ordering::Release);
        Ok(())
    }

    /// Makes the current password due now, e.g. after the server refused it.
    pub(crate) fn expire(&self) {
        self.renew_at.store(0, Ordering::Release);
    }

    fn due(&self) -> bool {
        epoch_seconds(SystemTime::now()) >= self.renew_at.load(Ordering::Acquire)
    }
}

fn epoch_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}
