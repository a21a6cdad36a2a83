use std::future::Future;

use kernel::{Unavailable, UserId};
use time::OffsetDateTime;

use crate::TokenHash;

/// A stored session: whose it is and until when.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub token_hash: TokenHash,
    pub user_id: UserId,
    pub expires_at: OffsetDateTime,
}

/// Where sessions are kept.
#[dynosaur::dynosaur(pub DynSessionStore = dyn(box) SessionStore)]
pub trait SessionStore: Send + Sync {
    fn insert(&self, session: &Session) -> impl Future<Output = Result<(), Unavailable>> + Send;

    fn find(
        &self,
        hash: &TokenHash,
    ) -> impl Future<Output = Result<Option<Session>, Unavailable>> + Send;

    /// Returns whether a session was deleted.
    fn delete(&self, hash: &TokenHash) -> impl Future<Output = Result<bool, Unavailable>> + Send;

    /// Deletes every session of `user`; returns how many there were.
    fn delete_user(&self, user: UserId) -> impl Future<Output = Result<u64, Unavailable>> + Send;
}
