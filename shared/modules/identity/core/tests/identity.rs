//! The identity rules on in-memory ports: no database, so this runs in milliseconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use identity::{
    HashError, Identity, IdentityError, MemoryUsers, Password, PasswordHasher,
    PasswordResetRequested, UserSignedUp,
};
use kernel::{Email, Event, SystemClock, Unavailable, UserId};
use sessions::{MemorySessions, Session, SessionStore, SessionToken, Sessions, TokenHash};

/// A hasher that only marks the password, and counts verifications.
#[derive(Debug, Clone, Default)]
struct Marking {
    verified: Arc<AtomicUsize>,
}

impl PasswordHasher for Marking {
    async fn hash(&self, password: Password) -> Result<String, HashError> {
        Ok(format!("marked:{}", password.expose()))
    }

    async fn verify(&self, password: Password, hash: String) -> Result<bool, HashError> {
        self.verified.fetch_add(1, Ordering::SeqCst);
        Ok(hash == format!("marked:{}", password.expose()))
    }
}

/// A session store that is down.
#[derive(Debug)]
struct Down;

#[derive(Debug, thiserror::Error)]
#[error("down")]
struct DownError;

impl SessionStore for Down {
    async fn insert(&self, _: &Session) -> Result<(), Unavailable> {
        Err(Unavailable::new(DownError))
    }
    async fn find(&self, _: &TokenHash) -> Result<Option<Session>, Unavailable> {
        Err(Unavailable::new(DownError))
    }
    async fn delete(&self, _: &TokenHash) -> Result<bool, Unavailable> {
        Err(Unavailable::new(DownError))
    }
    async fn delete_user(&self, _: UserId) -> Result<u64, Unavailable> {
        Err(Unavailable::new(DownError))
    }
}

struct Fixture {
    identity: Identity,
    users: MemoryUsers,
    sessions: Sessions,
    hasher: Marking,
}

fn fixture(store: impl SessionStore + 'static) -> Fixture {
    let (users, hasher) = (MemoryUsers::default(), Marking::default());
    let sessions = Sessions::new(store, Arc::new(SystemClock), time::Duration::hours(1));
    let identity = Identity::new(
        users.clone(),
        hasher.clone(),
        sessions.clone(),
        Arc::new(SystemClock),
    );
    Fixture {
        identity,
        users,
        sessions,
        hasher,
    }
}

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

fn password(raw: &str) -> Password {
    Password::parse(raw.to_owned()).unwrap()
}

#[tokio::test]
async fn signup_stores_the_account_with_its_event_and_logs_it_in() {
    let f = fixture(MemorySessions::default());
    let done = f
        .identity
        .signup(email("ada@example.com"), password("correct horse battery"))
        .await
        .unwrap();
    assert_eq!(
        f.sessions.resolve(&done.session.token).await.unwrap(),
        Some(done.user.id)
    );
    let outbox = f.users.outbox();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].kind, UserSignedUp::TYPE);
    assert_eq!(outbox[0].payload["email"], "ada@example.com");
    assert_eq!(
        f.identity.me(done.user.id).await.unwrap().email,
        done.user.email
    );
}

#[tokio::test]
async fn one_email_is_one_account() {
    let f = fixture(MemorySessions::default());
    let first = f
        .identity
        .signup(email("ada@example.com"), password("correct horse battery"))
        .await;
    assert!(first.is_ok());
    let again = f
        .identity
        .signup(email("ADA@example.com"), password("another long password"))
        .await;
    assert!(matches!(again, Err(IdentityError::EmailTaken)), "{again:?}");
    assert_eq!(f.users.outbox().len(), 1);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_look_alike() {
    let f = fixture(MemorySessions::default());
    f.identity
        .signup(email("ada@example.com"), password("correct horse battery"))
        .await
        .unwrap();
    let wrong = f
        .identity
        .login(&email("ada@example.com"), password("not the password"))
        .await;
    let unknown = f
        .identity
        .login(&email("who@example.com"), password("correct horse battery"))
        .await;
    assert!(matches!(wrong, Err(IdentityError::WrongEmailOrPassword)));
    assert!(matches!(unknown, Err(IdentityError::WrongEmailOrPassword)));
    // The unknown email cost a verification too, against a decoy hash.
    assert_eq!(f.hasher.verified.load(Ordering::SeqCst), 2);
    let right = f
        .identity
        .login(&email("ada@example.com"), password("correct horse battery"))
        .await
        .unwrap();
    assert_eq!(
        f.sessions.resolve(&right.token).await.unwrap(),
        Some(right.user_id)
    );
}

#[tokio::test]
async fn a_session_store_that_is_down_never_undoes_a_signup() {
    let f = fixture(Down);
    let result = f
        .identity
        .signup(email("ada@example.com"), password("correct horse battery"))
        .await;
    assert!(
        matches!(result, Err(IdentityError::SignedUpWithoutSession(_))),
        "{result:?}"
    );
    assert_eq!(f.users.outbox().len(), 1, "the account and its event stay");
}

#[tokio::test]
async fn a_session_of_a_vanished_user_is_unknown() {
    let f = fixture(MemorySessions::default());
    let me = f.identity.me(UserId::generate()).await;
    assert!(matches!(me, Err(IdentityError::UnknownUser)), "{me:?}");
}

/// The reset token from the outbox's last reset event.
fn mailed_token(users: &MemoryUsers) -> SessionToken {
    let event = users
        .outbox()
        .into_iter()
        .rev()
        .find(|e| e.kind == PasswordResetRequested::TYPE)
        .expect("a reset event");
    SessionToken::parse(event.payload["token"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn a_reset_for_an_unknown_email_does_nothing_visible() {
    let f = fixture(MemorySessions::default());
    f.identity
        .request_password_reset(&email("who@example.com"))
        .await
        .unwrap();
    assert!(f.users.outbox().is_empty());
}

/// With the session store down, a reset fails before its token is used: the same token works
/// once the store is back.
#[tokio::test]
async fn a_reset_that_cannot_end_sessions_keeps_its_token() {
    let down = fixture(Down);
    let _ = down
        .identity
        .signup(email("ada@example.com"), password("correct horse battery"))
        .await;
    down.identity
        .request_password_reset(&email("ada@example.com"))
        .await
        .unwrap();
    let token = mailed_token(&down.users);
    let failed = down
        .identity
        .reset_password(&token, password("a much better passphrase"))
        .await;
    assert!(
        matches!(failed, Err(IdentityError::Unavailable(_))),
        "{failed:?}"
    );

    let back = Identity::new(
        down.users.clone(),
        down.hasher.clone(),
        Sessions::new(
            MemorySessions::default(),
            Arc::new(SystemClock),
            time::Duration::hours(1),
        ),
        Arc::new(SystemClock),
    );
    back.reset_password(&token, password("a much better passphrase"))
        .await
        .unwrap();
    assert!(
        back.login(
            &email("ada@example.com"),
            password("a much better passphrase")
        )
        .await
        .is_ok()
    );
}
