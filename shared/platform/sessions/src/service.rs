use std::sync::Arc;

use kernel::{Clock, Unavailable, UserId};
use time::{Duration, OffsetDateTime};

use crate::{DynSessionStore, Session, SessionStore, SessionToken};

/// A freshly issued session: the token is shown to the client once.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    pub token: SessionToken,
    pub user_id: UserId,
    pub expires_at: OffsetDateTime,
}

/// Issues, resolves and revokes sessions. Cheap to clone; build it once per process.
#[derive(Clone)]
pub struct Sessions {
    store: Arc<DynSessionStore<'static>>,
    clock: Arc<dyn Clock>,
    ttl: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("operating system randomness unavailable: {0}")]
struct RandomnessError(getrandom::Error);

#[derive(Debug, thiserror::Error)]
#[error("session lifetime {0} runs past the end of the calendar")]
struct TtlOverflow(Duration);

impl Sessions {
    pub fn new(store: impl SessionStore + 'static, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        Self {
            store: DynSessionStore::new_arc(store),
            clock,
            ttl,
        }
    }

    pub async fn issue(&self, user_id: UserId) -> Result<IssuedSession, Unavailable> {
        let token = SessionToken::generate().map_err(|e| Unavailable::new(RandomnessError(e)))?;
        let expires_at = self
            .clock
            .now()
            .checked_add(self.ttl)
            .ok_or_else(|| Unavailable::new(TtlOverflow(self.ttl)))?;
        let session = Session {
            token_hash: token.hash(),
            user_id,
            expires_at,
        };
        self.store.insert(&session).await?;
        Ok(IssuedSession {
            token,
            user_id,
            expires_at,
        })
    }

    /// The user behind a token; `None` for unknown and expired sessions alike.
    pub async fn resolve(&self, token: &SessionToken) -> Result<Option<UserId>, Unavailable> {
        let hash = token.hash();
        match self.store.find(&hash).await? {
            Some(s) if s.token_hash.matches(&hash) => {
                if s.expires_at > self.clock.now() {
                    return Ok(Some(s.user_id));
                }
                // An expired session is dead weight: drop it on first sight.
                self.store.delete(&hash).await?;
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    pub async fn revoke(&self, token: &SessionToken) -> Result<(), Unavailable> {
        self.store.delete(&token.hash()).await?;
        Ok(())
    }

    /// Ends every session of `user`, as a password change must.
    pub async fn revoke_all(&self, user: UserId) -> Result<u64, Unavailable> {
        self.store.delete_user(user).await
    }
}
