//! Sessions in the process's memory: the embedded default for a single process (tests, a
//! local run), held to the same contract suite as the other stores (`testkit::session_contract`).
//! Sessions vanish when the process ends, and no other instance sees them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use kernel::{Unavailable, UserId};

use crate::{Session, SessionStore, TokenHash};

#[derive(Debug, Clone, Default)]
pub struct MemorySessions {
    sessions: Arc<Mutex<HashMap<TokenHash, Session>>>,
}

impl MemorySessions {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<TokenHash, Session>) -> T) -> T {
        f(&mut self.sessions.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl SessionStore for MemorySessions {
    async fn insert(&self, session: &Session) -> Result<(), Unavailable> {
        self.with(|s| s.insert(session.token_hash, session.clone()));
        Ok(())
    }

    async fn find(&self, hash: &TokenHash) -> Result<Option<Session>, Unavailable> {
        Ok(self.with(|s| s.get(hash).cloned()))
    }

    async fn delete(&self, hash: &TokenHash) -> Result<bool, Unavailable> {
        Ok(self.with(|s| s.remove(hash).is_some()))
    }

    async fn delete_user(&self, user: UserId) -> Result<u64, Unavailable> {
        Ok(self.with(|s| {
            let before = s.len();
            s.retain(|_, session| session.user_id != user);
            (before - s.len()) as u64
        }))
    }
}
