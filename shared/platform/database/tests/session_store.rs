//! The sessions store contract, and the `Sessions` rules on top of it, on both SQL drivers and
//! on the in-memory default.

use std::sync::{Arc, Mutex};

use database::{PLATFORM, session_store};
use kernel::{Clock, UserId};
use sessions::{DynSessionStore, MemorySessions, Session, SessionStore, SessionToken, Sessions};
use testkit::TestDb;
use time::{Duration, OffsetDateTime};

/// A store under test; every call gives a handle on the same sessions.
trait Fixture {
    fn store(&self) -> Box<DynSessionStore<'static>>;
}

impl Fixture for TestDb {
    fn store(&self) -> Box<DynSessionStore<'static>> {
        session_store(&self.backend)
    }
}

impl Fixture for MemorySessions {
    fn store(&self) -> Box<DynSessionStore<'static>> {
        DynSessionStore::new_box(self.clone())
    }
}

/// A clock the test moves by hand.
#[derive(Debug)]
struct Frozen(Mutex<OffsetDateTime>);

impl Frozen {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for Frozen {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

async fn insert_find_delete(f: impl Fixture) {
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

async fn unknown_sessions_are_absent(f: impl Fixture) {
    let store = f.store();
    let hash = SessionToken::generate().unwrap().hash();
    assert!(store.find(&hash).await.unwrap().is_none());
    assert!(!store.delete(&hash).await.unwrap());
}

async fn sessions_expire_and_are_removed_on_sight(f: impl Fixture) {
    let clock = Arc::new(Frozen(Mutex::new(OffsetDateTime::now_utc())));
    let sessions = Sessions::new(f.store(), clock.clone(), Duration::hours(1));
    let user = UserId::generate();
    let issued = sessions.issue(user).await.unwrap();
    assert_eq!(sessions.resolve(&issued.token).await.unwrap(), Some(user));

    clock.advance(Duration::minutes(61));
    assert_eq!(sessions.resolve(&issued.token).await.unwrap(), None);
    let store = f.store();
    assert!(store.find(&issued.token.hash()).await.unwrap().is_none());
}

async fn revoked_sessions_stop_working(f: impl Fixture) {
    let clock = Arc::new(Frozen(Mutex::new(OffsetDateTime::now_utc())));
    let sessions = Sessions::new(f.store(), clock, Duration::hours(1));
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
async fn revoking_a_user_ends_all_of_theirs(f: impl Fixture) {
    let clock = Arc::new(Frozen(Mutex::new(OffsetDateTime::now_utc())));
    let sessions = Sessions::new(f.store(), clock, Duration::hours(1));
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

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        testkit::on_both_drivers!(&[&PLATFORM]; $($name,)*);
        mod memory {
            $(#[tokio::test]
            async fn $name() {
                super::$name(sessions::MemorySessions::default()).await;
            })*
        }
    };
}

contract!(
    insert_find_delete,
    unknown_sessions_are_absent,
    sessions_expire_and_are_removed_on_sight,
    revoked_sessions_stop_working,
    revoking_a_user_ends_all_of_theirs,
);
