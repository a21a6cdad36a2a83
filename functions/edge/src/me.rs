//! `GET /v1/me` at the edge: the identity module's own route and use case, with edge adapters
//! for its ports. Sessions and accounts are read from the edge's key-value store; a request
//! whose session is not there asks the origin API's `GET /v1/me` once and remembers the answer
//! for the cache's TTL. So a session revoked at the origin keeps working at the edge until its
//! entry expires (at most the TTL), and the origin sees one request per session per TTL.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use identity::{
    CreateUserError, HashError, Identity, NewUser, Password, PasswordHasher, PasswordReset,
    StoredPassword, User, Users,
};
use identity_routes::IdentityState;
use kernel::{Clock, Email, Envelope, SystemClock, Unavailable, UserId};
use serde::{Deserialize, Serialize};
use sessions::{Session, SessionStore, SessionToken, Sessions, TokenHash};
use time::OffsetDateTime;
use uuid::Uuid;
use web::{ApiError, EmfMetrics};

/// A bucket of the edge's key-value store (`wasi:keyvalue` in a component).
pub trait Bucket: Send + Sync + 'static {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Unavailable>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), Unavailable>;
    fn delete(&self, key: &str) -> Result<(), Unavailable>;
}

/// The origin API, as the edge asks it who a session belongs to.
#[dynosaur::dynosaur(pub DynOrigin = dyn(box) Origin)]
pub trait Origin: Send + Sync {
    /// The account behind `token`, as the origin's `GET /v1/me` answers; `None` when the
    /// origin refuses the token.
    fn me(
        &self,
        token: &SessionToken,
    ) -> impl Future<Output = Result<Option<User>, Unavailable>> + Send;
}

/// What the edge knows of sessions and their accounts, each entry until it expires.
#[derive(Clone)]
pub struct SessionCache {
    bucket: Arc<dyn Bucket>,
    ttl: Duration,
    clock: Arc<dyn Clock>,
}

/// One remembered session: its account, and until when the edge trusts it.
#[derive(Serialize, Deserialize)]
struct Entry {
    user_id: Uuid,
    email: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

impl SessionCache {
    pub fn new(bucket: impl Bucket, ttl: Duration) -> Self {
        Self {
            bucket: Arc::new(bucket),
            ttl,
            clock: Arc::new(SystemClock),
        }
    }

    /// Remembers that `hash` is a session of `user`, for the TTL.
    pub fn remember(&self, hash: &TokenHash, user: &User) -> Result<(), Unavailable> {
        let entry = Entry {
            user_id: user.id.as_uuid(),
            email: user.email.as_str().to_owned(),
            created_at: user.created_at,
            expires_at: self.clock.now() + self.ttl,
        };
        let value = serde_json::to_vec(&entry).map_err(Unavailable::new)?;
        self.bucket.set(&session_key(hash), &value)?;
        self.bucket.set(&user_key(user.id), &value)
    }

    /// The live entry under `key`; an expired or unreadable one counts as none.
    fn entry(&self, key: &str) -> Result<Option<Entry>, Unavailable> {
        let Some(value) = self.bucket.get(key)? else {
            return Ok(None);
        };
        Ok(serde_json::from_slice::<Entry>(&value)
            .ok()
            .filter(|entry| entry.expires_at > self.clock.now()))
    }

    fn session(&self, hash: &TokenHash) -> Result<Option<Entry>, Unavailable> {
        self.entry(&session_key(hash))
    }
}

fn session_key(hash: &TokenHash) -> String {
    let hex: String = hash.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("session:{hex}")
}

fn user_key(user: UserId) -> String {
    format!("user:{user}")
}

impl Entry {
    fn user(&self) -> Result<User, Unavailable> {
        Ok(User {
            id: UserId::from_uuid(self.user_id),
            email: Email::parse(&self.email).map_err(|e| Unavailable::new(e.to_string()))?,
            created_at: self.created_at,
        })
    }
}

/// The edge's ports, with which [`router`] serves `GET /v1/me`.
#[derive(Clone)]
pub struct Edge {
    pub cache: SessionCache,
    pub origin: Arc<DynOrigin<'static>>,
}

/// `GET /v1/me`, identity's own route, on the edge's adapters.
pub fn router(edge: Edge) -> Router {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let ttl = time::Duration::try_from(edge.cache.ttl).unwrap_or(time::Duration::MINUTE);
    let sessions = Sessions::new(EdgeSessions(edge.cache.clone()), clock.clone(), ttl);
    let identity = Identity::new(
        EdgeUsers(edge.cache.clone()),
        NoPasswords,
        sessions.clone(),
        clock,
    );
    let state = IdentityState {
        identity,
        sessions,
        metrics: Arc::new(EmfMetrics::stdout("Saas".into(), "edge".into())),
    };
    identity_routes::me()
        .with_state(state)
        .layer(middleware::from_fn_with_state(edge, fill_from_origin))
}

/// Before the route runs: a bearer token the cache does not know is asked about at the origin,
/// and remembered if the origin accepts it. An origin that cannot answer is a 503.
async fn fill_from_origin(State(edge): State<Edge>, request: Request, next: Next) -> Response {
    if let Some(token) = web::bearer(request.headers()) {
        let hash = token.hash();
        let filled = match edge.cache.session(&hash) {
            Ok(Some(_)) => Ok(()),
            Ok(None) => match edge.origin.me(&token).await {
                Ok(Some(user)) => edge.cache.remember(&hash, &user),
                Ok(None) => Ok(()),
                Err(err) => Err(err),
            },
            Err(err) => Err(err),
        };
        if let Err(err) = filled {
            return ApiError::unavailable(err).into_response();
        }
    }
    next.run(request).await
}

/// Why an operation the edge does not serve was asked of it.
fn origin_only(what: &str) -> Unavailable {
    Unavailable::new(format!("{what} happens at the origin, not at the edge"))
}

/// Sessions as the edge knows them: read-only, each until its entry expires.
struct EdgeSessions(SessionCache);

impl SessionStore for EdgeSessions {
    async fn insert(&self, _: &Session) -> Result<(), Unavailable> {
        Err(origin_only("issuing a session"))
    }

    async fn find(&self, hash: &TokenHash) -> Result<Option<Session>, Unavailable> {
        Ok(self.0.session(hash)?.map(|entry| Session {
            token_hash: *hash,
            user_id: UserId::from_uuid(entry.user_id),
            expires_at: entry.expires_at,
        }))
    }

    async fn delete(&self, hash: &TokenHash) -> Result<bool, Unavailable> {
        self.0.bucket.delete(&session_key(hash))?;
        Ok(true)
    }

    async fn delete_user(&self, _: UserId) -> Result<u64, Unavailable> {
        Err(origin_only("ending a user's sessions"))
    }
}

/// Accounts as the edge knows them: those of the sessions it remembers.
struct EdgeUsers(SessionCache);

impl Users for EdgeUsers {
    async fn create(&self, _: &NewUser, _: &Envelope) -> Result<(), CreateUserError> {
        Err(origin_only("signing up").into())
    }

    async fn stored_password(&self, _: &Email) -> Result<Option<StoredPassword>, Unavailable> {
        Err(origin_only("checking a password"))
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, Unavailable> {
        self.0
            .entry(&user_key(id))?
            .map(|entry| entry.user())
            .transpose()
    }

    async fn create_reset(&self, _: &PasswordReset, _: &Envelope) -> Result<(), Unavailable> {
        Err(origin_only("resetting a password"))
    }

    async fn reset_owner(
        &self,
        _: &TokenHash,
        _: OffsetDateTime,
    ) -> Result<Option<UserId>, Unavailable> {
        Err(origin_only("resetting a password"))
    }

    async fn reset_password(
        &self,
        _: &TokenHash,
        _: OffsetDateTime,
        _: &str,
    ) -> Result<Option<UserId>, Unavailable> {
        Err(origin_only("resetting a password"))
    }
}

/// The edge never hashes a password: logins go to the origin.
struct NoPasswords;

impl PasswordHasher for NoPasswords {
    async fn hash(&self, _: Password) -> Result<String, HashError> {
        Err(HashError(Box::new(origin_only("hashing a password"))))
    }

    async fn verify(&self, _: Password, _: String) -> Result<bool, HashError> {
        Err(HashError(Box::new(origin_only("checking a password"))))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct Memory(Mutex<HashMap<String, Vec<u8>>>);

    impl Bucket for Arc<Memory> {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Unavailable> {
            Ok(self.0.lock().unwrap().get(key).cloned())
        }

        fn set(&self, key: &str, value: &[u8]) -> Result<(), Unavailable> {
            self.0
                .lock()
                .unwrap()
                .insert(key.to_owned(), value.to_vec());
            Ok(())
        }

        fn delete(&self, key: &str) -> Result<(), Unavailable> {
            self.0.lock().unwrap().remove(key);
            Ok(())
        }
    }

    fn ada() -> User {
        User {
            id: UserId::generate(),
            email: Email::parse("ada@example.com").unwrap(),
            created_at: OffsetDateTime::now_utc(),
        }
    }

    #[tokio::test]
    async fn a_remembered_session_finds_its_account_until_it_expires() {
        let memory = Arc::new(Memory::default());
        let cache = SessionCache::new(memory.clone(), Duration::from_secs(60));
        let token = SessionToken::generate().unwrap();
        let user = ada();
        assert!(
            EdgeSessions(cache.clone())
                .find(&token.hash())
                .await
                .unwrap()
                .is_none()
        );
        cache.remember(&token.hash(), &user).unwrap();
        let session = EdgeSessions(cache.clone())
            .find(&token.hash())
            .await
            .unwrap();
        assert_eq!(session.map(|s| s.user_id), Some(user.id));
        let found = EdgeUsers(cache).user(user.id).await.unwrap().unwrap();
        assert_eq!((found.id, found.email), (user.id, user.email.clone()));

        let expired = SessionCache::new(memory.clone(), Duration::ZERO);
        expired.remember(&token.hash(), &user).unwrap();
        assert!(
            EdgeSessions(expired.clone())
                .find(&token.hash())
                .await
                .unwrap()
                .is_none()
        );
        assert!(EdgeUsers(expired).user(user.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_unreadable_entry_is_a_miss_and_the_edge_issues_no_session() {
        let memory = Arc::new(Memory::default());
        let cache = SessionCache::new(memory.clone(), Duration::from_secs(60));
        let token = SessionToken::generate().unwrap();
        memory
            .set(&session_key(&token.hash()), b"not json")
            .unwrap();
        assert!(
            EdgeSessions(cache.clone())
                .find(&token.hash())
                .await
                .unwrap()
                .is_none()
        );
        let session = Session {
            token_hash: token.hash(),
            user_id: UserId::generate(),
            expires_at: OffsetDateTime::now_utc(),
        };
        assert!(EdgeSessions(cache.clone()).insert(&session).await.is_err());
        let signup = EdgeUsers(cache).stored_password(&ada().email).await;
        assert!(signup.is_err());
    }
}
