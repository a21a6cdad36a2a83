//! The sessions store contract, and the `Sessions` rules on top of it, on both drivers.

use std::sync::{Arc, Mutex};

use database::{PLATFORM, session_store};
use kernel::{Clock, UserId};
use sessions::{Session, SessionStore, SessionToken, Sessions};
use testkit::TestDb;
use time::{Duration, OffsetDateTime};

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

async fn insert_find_delete(db: TestDb) {
    let store = session_store(&db.backend);
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

async fn unknown_sessions_are_absent(db: TestDb) {
    let store = session_store(&db.backend);
    let hash = SessionToken::generate().unwrap().hash();
    assert!(store.find(&hash).await.unwrap().is_none());
    assert!(!store.delete(&hash).await.unwrap());
    db.backend.ping().await.unwrap();
}

async fn sessions_expire_and_are_removed_on_sight(db: TestDb) {
    let clock = Arc::new(Frozen(Mutex::new(OffsetDateTime::now_utc())));
    let sessions = Sessions::new(
        session_store(&db.backend),
        clock.clone(),
        Duration::hours(1),
    );
    let user = UserId::generate();
    let issued = sessions.issue(user).await.unwrap();
    assert_eq!(sessions.resolve(&issued.token).await.unwrap(), Some(user));

    clock.advance(Duration::minutes(61));
    assert_eq!(sessions.resolve(&issued.token).await.unwrap(), None);
    let store = session_store(&db.backend);
    assert!(store.find(&issued.token.hash()).await.unwrap().is_none());
}

async fn revoked_sessions_stop_working(db: TestDb) {
    let clock = Arc::new(Frozen(Mutex::new(OffsetDateTime::now_utc())));
    let sessions = Sessions::new(session_store(&db.backend), clock, Duration::hours(1));
    let user = UserId::generate();
    let (a, b) = (
        sessions.issue(user).await.unwrap(),
        sessions.issue(user).await.unwrap(),
    );
    sessions.revoke(&a.token).await.unwrap();
    assert_eq!(sessions.resolve(&a.token).await.unwrap(), None);
    assert_eq!(sessions.resolve(&b.token).await.unwrap(), Some(user));
}

testkit::on_both_drivers!(
    &[&PLATFORM];
    insert_find_delete,
    unknown_sessions_are_absent,
    sessions_expire_and_are_removed_on_sight,
    revoked_sessions_stop_working,
);
