//! One contract for every adapter of the sessions port, and the `Sessions` rules on top of it:
//! the SQL store on both drivers, the in-memory default, Redis, and DynamoDB on moto. Each rule
//! is a function taking a [`Fixture`]; [`session_contract_tests!`] runs them all.
//!
//! Every session a rule makes has a fresh token and user, so stores may be shared.
//!
//! [`session_contract_tests!`]: crate::session_contract_tests

use std::sync::{Arc, Mutex, PoisonError};

use kernel::{Clock, UserId};
use sessions::{DynSessionStore, Session, SessionStore, SessionToken, Sessions};
use time::{Duration, OffsetDateTime};

use crate::TestDb;

/// A store under test; every call gives a handle on the same sessions.
pub trait Fixture {
    fn store(&self) -> Box<DynSessionStore<'static>>;
}

impl Fixture for TestDb {
    fn store(&self) -> Box<DynSessionStore<'static>> {
        database::session_store(&self.backend)
    }
}

/// Any store whose clones share its sessions.
impl<S: SessionStore + Clone + 'static> Fixture for S {
    fn store(&self) -> Box<DynSessionStore<'static>> {
        DynSessionStore::new_box(self.clone())
    }
}

/// A clock the test moves by hand.
#[derive(Debug)]
struct Frozen(Mutex<OffsetDateTime>);

impl Frozen {
    fn now_utc() -> Arc<Self> {
        Arc::new(Self(Mutex::new(OffsetDateTime::now_utc())))
    }

    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) += by;
    }
}

impl Clock for Frozen {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A stored session is found by its hash, to the second, until it is deleted.
pub async fn insert_find_delete(f: impl Fixture) {
    let store = f.store();
    let token = SessionToken::generate().unwrap();
    let session = Session {
        token_hash: token.hash(),
        user_id: UserId::generate(),
        expires_at: OffsetDateTime::now_utc() + Duration::days(7),
    };
    store.insert(&session).await.unwrap();
    let found = store.find(&token.hash()).await.unwrap().unwrap();
    assert_eq!(found.user_id, session.user_id);
    assert_eq!(
        found.expires_at.unix_timestamp(),
        session.expires_at.unix_timestamp()
    );
    assert!(found.token_hash.matches(&token.hash()));
    assert!(store.delete(&token.hash()).await.unwrap());
    assert!(store.find(&token.hash()).await.unwrap().is_none());
    assert!(!store.delete(&token.hash()).await.unwrap());
}

pub async fn unknown_sessions_are_absent(f: impl Fixture) {
    let store = f.store();
    let hash = SessionToken::generate().unwrap().hash();
    assert!(store.find(&hash).await.unwrap().is_none());
    assert!(!store.delete(&hash).await.unwrap());
}

/// A session past its expiry no longer resolves, and is removed when it is seen.
pub async fn sessions_expire_and_are_removed_on_sight(f: impl Fixture) {
    let clock = Frozen::now_utc();
    let sessions = Sessions::new(f.store(), clock.clone(), Duration::hours(1));
    let user = UserId::generate();
    let issued = sessions.issue(user).await.unwrap();
    assert_eq!(sessions.resolve(&issued.token).await.unwrap(), Some(user));

    clock.advance(Duration::minutes(61));
    assert_eq!(sessions.resolve(&issued.token).await.unwrap(), None);
    let store = f.store();
    assert!(store.find(&issued.token.hash()).await.unwrap().is_none());
}

pub async fn revoked_sessions_stop_working(f: impl Fixture) {
    let sessions = Sessions::new(f.store(), Frozen::now_utc(), Duration::hours(1));
    let user = UserId::generate();
    let (a, b) = (
        sessions.issue(user).await.unwrap(),
        sessions.issue(user).await.unwrap(),
    );
    sessions.revoke(&a.token).await.unwrap();
    assert_eq!(sessions.resolve(&a.token).await.unwrap(), None);
    assert_eq!(sessions.resolve(&b.token).await.unwrap(), Some(user));
}

/// Revoking a user's sessions ends all of theirs and nobody else's.
pub async fn revoking_a_user_ends_all_of_theirs(f: impl Fixture) {
    let sessions = Sessions::new(f.store(), Frozen::now_utc(), Duration::hours(1));
    let (user, other) = (UserId::generate(), UserId::generate());
    let (a, b, c) = (
        sessions.issue(user).await.unwrap(),
        sessions.issue(user).await.unwrap(),
        sessions.issue(other).await.unwrap(),
    );
    assert_eq!(sessions.revoke_all(user).await.unwrap(), 2);
    assert_eq!(sessions.resolve(&a.token).await.unwrap(), None);
    assert_eq!(sessions.resolve(&b.token).await.unwrap(), None);
    assert_eq!(sessions.resolve(&c.token).await.unwrap(), Some(other));
    assert_eq!(sessions.revoke_all(user).await.unwrap(), 0);
}

/// One `#[tokio::test]` per rule of the contract, each on the fixture that `$fixture` (an
/// expression, evaluated once per test, that may `.await`) gives.
#[macro_export]
macro_rules! session_contract_tests {
    ($fixture:expr) => {
        $crate::session_contract_tests!(@rules $fixture;
            insert_find_delete,
            unknown_sessions_are_absent,
            sessions_expire_and_are_removed_on_sight,
            revoked_sessions_stop_working,
            revoking_a_user_ends_all_of_theirs,
        );
    };
    (@rules $fixture:expr; $($rule:ident),* $(,)?) => {
        $(#[tokio::test]
        async fn $rule() {
            $crate::session_contract::$rule($fixture).await;
        })*
    };
}
