//! The sessions contract on Redis, and what Redis keeps for it.

use kernel::UserId;
use kv_redis::RedisSessions;
use sessions::{Session, SessionStore, SessionToken};
use time::{Duration, OffsetDateTime};

testkit::session_contract_tests!(RedisSessions::new(&super::shared()));

fn session(user: UserId, expires_at: OffsetDateTime) -> (SessionToken, Session) {
    let token = SessionToken::generate().unwrap();
    let session = Session {
        token_hash: token.hash(),
        user_id: user,
        expires_at,
    };
    (token, session)
}

/// A session is kept to the nanosecond of its expiry, and is absent once that has passed,
/// without anyone deleting it.
#[tokio::test]
async fn sessions_expire_by_themselves() {
    let store = RedisSessions::new(&super::shared());
    let soon = OffsetDateTime::now_utc() + Duration::milliseconds(1500);
    let (token, short) = session(UserId::generate(), soon);
    store.insert(&short).await.unwrap();
    let found = store.find(&token.hash()).await.unwrap().unwrap();
    assert_eq!(found.expires_at, soon);
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    assert!(store.find(&token.hash()).await.unwrap().is_none());
    assert!(
        !store.delete(&token.hash()).await.unwrap(),
        "the key outlived its session"
    );
}

/// A session already expired when it is stored is never found.
#[tokio::test]
async fn an_expired_session_is_not_found() {
    let store = RedisSessions::new(&super::shared());
    let (token, old) = session(
        UserId::generate(),
        OffsetDateTime::now_utc() - Duration::minutes(1),
    );
    store.insert(&old).await.unwrap();
    assert!(store.find(&token.hash()).await.unwrap().is_none());
}

/// Ending a user's sessions counts only the live ones: an expired session is already gone,
/// and so is its entry in the user's set.
#[tokio::test]
async fn delete_user_counts_only_live_sessions() {
    let store = RedisSessions::new(&super::shared());
    let user = UserId::generate();
    let now = OffsetDateTime::now_utc();
    let (_, brief) = session(user, now + Duration::seconds(1));
    let (live_token, live) = session(user, now + Duration::hours(1));
    store.insert(&brief).await.unwrap();
    store.insert(&live).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(store.delete_user(user).await.unwrap(), 1);
    assert!(store.find(&live_token.hash()).await.unwrap().is_none());
}
