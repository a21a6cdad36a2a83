//! The sessions contract on DynamoDB, and the parts of it DynamoDB makes harder: expired items
//! that are not deleted yet, and users with more sessions than one batch deletes.

use aws_sdk_dynamodb::types::AttributeValue;
use kernel::UserId;
use kv_dynamodb::DynamoSessions;
use sessions::{Session, SessionStore, SessionToken};
use time::{Duration, OffsetDateTime};

async fn fresh() -> DynamoSessions {
    DynamoSessions::with_client(super::moto_client(), testkit::dynamodb::fresh_table().await)
}

testkit::session_contract_tests!(fresh().await);

fn session(user: UserId, expires_at: OffsetDateTime) -> (SessionToken, Session) {
    let token = SessionToken::generate().unwrap();
    let session = Session {
        token_hash: token.hash(),
        user_id: user,
        expires_at,
    };
    (token, session)
}

/// A session past its expiry is not found, though its item is still in the table.
#[tokio::test]
async fn expired_sessions_are_not_found() {
    let table = testkit::dynamodb::fresh_table().await;
    let store = DynamoSessions::with_client(super::moto_client(), table.clone());
    let (token, old) = session(
        UserId::generate(),
        OffsetDateTime::now_utc() - Duration::minutes(1),
    );
    store.insert(&old).await.unwrap();
    assert!(store.find(&token.hash()).await.unwrap().is_none());
    let items = testkit::dynamodb::client()
        .scan()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    assert_eq!(items.count(), 1, "the expired item is still stored");
    let item = &items.items()[0];
    assert!(
        matches!(item.get("pk"), Some(AttributeValue::S(pk)) if pk.starts_with("s#") && pk.len() == 66)
    );
}

/// A user with more sessions than one BatchWriteItem takes loses all of them, and the count
/// says so.
#[tokio::test]
async fn delete_user_deletes_past_one_batch() {
    let store = fresh().await;
    let user = UserId::generate();
    let mut tokens = Vec::new();
    for _ in 0..60 {
        let (token, s) = session(user, OffsetDateTime::now_utc() + Duration::hours(1));
        store.insert(&s).await.unwrap();
        tokens.push(token);
    }
    let (other_token, other) = session(
        UserId::generate(),
        OffsetDateTime::now_utc() + Duration::hours(1),
    );
    store.insert(&other).await.unwrap();
    assert_eq!(store.delete_user(user).await.unwrap(), 60);
    for token in &tokens {
        assert!(store.find(&token.hash()).await.unwrap().is_none());
    }
    assert!(store.find(&other_token.hash()).await.unwrap().is_some());
}
