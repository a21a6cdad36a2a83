//! The user directory's contract, on SQLite, on the real PostgreSQL server, and on the
//! in-memory default.

use database::{Backend, PLATFORM};
use identity::{
    CreateUserError, DynUsers, MemoryUsers, NewUser, PasswordReset, PasswordResetRequested, Unique,
    UserSignedUp, Users,
};
use identity_sql::{MIGRATIONS, users};
use kernel::{Email, Envelope, UserId};
use serde_json::Value;
use sessions::SessionToken;
use testkit::TestDb;
use time::OffsetDateTime;

/// What the contract needs of a store: the adapter and the events it wrote.
trait Fixture {
    fn users(&self) -> Box<DynUsers<'static>>;
    async fn outbox(&self) -> Vec<(String, Value)>;
}

impl Fixture for TestDb {
    fn users(&self) -> Box<DynUsers<'static>> {
        users(&self.backend)
    }

    async fn outbox(&self) -> Vec<(String, Value)> {
        testkit::outbox(&self.backend).await
    }
}

impl Fixture for MemoryUsers {
    fn users(&self) -> Box<DynUsers<'static>> {
        DynUsers::new_box(self.clone())
    }

    async fn outbox(&self) -> Vec<(String, Value)> {
        MemoryUsers::outbox(self)
            .into_iter()
            .map(|e| (e.kind, e.payload))
            .collect()
    }
}

fn new_user(email: &str) -> (NewUser, Envelope) {
    let user = NewUser {
        id: UserId::generate(),
        email: Email::parse(email).unwrap(),
        password_hash: "$argon2id$fake".into(),
        created_at: OffsetDateTime::now_utc(),
    };
    let event = UserSignedUp {
        user_id: user.id,
        email: user.email.as_str().to_owned(),
    };
    let envelope = Envelope::wrap(&event, user.created_at);
    (user, envelope)
}

async fn create_writes_the_user_and_its_event(f: impl Fixture) {
    let store = f.users();
    let (user, event) = new_user("ada@example.com");
    store.create(&user, &event).await.unwrap();

    let creds = store.stored_password(&user.email).await.unwrap().unwrap();
    assert_eq!(creds.user_id, user.id);
    assert_eq!(creds.password_hash, "$argon2id$fake");
    let found = store.user(user.id).await.unwrap().unwrap();
    assert_eq!(found.email, user.email);
    assert_eq!(
        found.created_at.unix_timestamp(),
        user.created_at.unix_timestamp()
    );

    let outbox = f.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].0, "identity.user_signed_up");
    assert_eq!(outbox[0].1, event.payload);
}

async fn a_taken_email_writes_nothing(f: impl Fixture) {
    let store = f.users();
    let (first, event) = new_user("ada@example.com");
    store.create(&first, &event).await.unwrap();
    let (again, event) = new_user("ADA@example.com");
    let err = store.create(&again, &event).await.unwrap_err();
    assert!(
        matches!(err, CreateUserError::Unique(Unique::Email)),
        "{err:?}"
    );
    assert!(store.user(again.id).await.unwrap().is_none());
    assert_eq!(f.outbox().await.len(), 1);
}

async fn unknown_users_are_absent(f: impl Fixture) {
    let store = f.users();
    let nobody = Email::parse("nobody@example.com").unwrap();
    assert!(store.stored_password(&nobody).await.unwrap().is_none());
    assert!(store.user(UserId::generate()).await.unwrap().is_none());
}

/// Other modules read accounts through `directory_users`: ids and emails, never hashes.
async fn the_directory_view_publishes_ids_and_emails_only(db: TestDb) {
    let store = users(&db.backend);
    let (user, event) = new_user("ada@example.com");
    store.create(&user, &event).await.unwrap();
    let columns: Vec<String> = match &db.backend {
        Backend::Postgres(db) => sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_name = 'directory_users' ORDER BY ordinal_position",
        )
        .fetch_all(db.raw_pool())
        .await
        .unwrap(),
        Backend::Sqlite(db) => {
            sqlx::query_scalar("SELECT name FROM pragma_table_info('directory_users') ORDER BY cid")
                .fetch_all(db.raw_pool())
                .await
                .unwrap()
        }
    };
    assert_eq!(columns, ["id", "email"]);
}

fn reset(user: UserId, minutes: i64) -> (PasswordReset, SessionToken) {
    let token = SessionToken::generate().unwrap();
    let now = OffsetDateTime::now_utc();
    let reset = PasswordReset {
        token_hash: token.hash(),
        user_id: user,
        created_at: now,
        expires_at: now + time::Duration::minutes(minutes),
    };
    (reset, token)
}

fn reset_event(user: &NewUser, token: &SessionToken) -> Envelope {
    let event = PasswordResetRequested {
        user_id: user.id,
        email: user.email.as_str().to_owned(),
        token: token.expose().to_owned(),
        expires_at: OffsetDateTime::now_utc(),
    };
    Envelope::wrap(&event, OffsetDateTime::now_utc())
}

/// A reset is stored with its event; its token names its owner until it expires; using it sets
/// the password once, and takes the user's other resets with it.
async fn a_reset_sets_the_password_once(f: impl Fixture) {
    let store = f.users();
    let (user, event) = new_user("ada@example.com");
    store.create(&user, &event).await.unwrap();
    let (first, first_token) = reset(user.id, 60);
    let (second, second_token) = reset(user.id, 60);
    store
        .create_reset(&first, &reset_event(&user, &first_token))
        .await
        .unwrap();
    store
        .create_reset(&second, &reset_event(&user, &second_token))
        .await
        .unwrap();
    let kinds: Vec<String> = f.outbox().await.into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "identity.password_reset_requested")
            .count(),
        2
    );

    let now = OffsetDateTime::now_utc();
    assert_eq!(
        store.reset_owner(&first.token_hash, now).await.unwrap(),
        Some(user.id)
    );
    let later = now + time::Duration::minutes(61);
    assert_eq!(
        store.reset_owner(&first.token_hash, later).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(
        store
            .reset_password(&first.token_hash, later, "$new")
            .await
            .unwrap(),
        None
    );

    assert_eq!(
        store
            .reset_password(&first.token_hash, now, "$argon2id$new")
            .await
            .unwrap(),
        Some(user.id)
    );
    let stored = store.stored_password(&user.email).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, "$argon2id$new");
    assert_eq!(
        store
            .reset_password(&first.token_hash, now, "$again")
            .await
            .unwrap(),
        None,
        "used up"
    );
    assert_eq!(
        store.reset_owner(&second.token_hash, now).await.unwrap(),
        None,
        "the others went too"
    );
    let stored = store.stored_password(&user.email).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, "$argon2id$new");
}

/// The sweeper deletes expired resets and keeps live ones.
async fn the_sweep_deletes_expired_resets(db: TestDb) {
    let store = users(&db.backend);
    let (user, event) = new_user("ada@example.com");
    store.create(&user, &event).await.unwrap();
    let (live, live_token) = reset(user.id, 60);
    let (old, old_token) = reset(user.id, 1);
    store
        .create_reset(&live, &reset_event(&user, &live_token))
        .await
        .unwrap();
    store
        .create_reset(&old, &reset_event(&user, &old_token))
        .await
        .unwrap();
    let in_ten_minutes = OffsetDateTime::now_utc() + time::Duration::minutes(10);
    assert_eq!(
        identity_sql::sweep(&db.backend, in_ten_minutes)
            .await
            .unwrap(),
        1
    );
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        store.reset_owner(&live.token_hash, now).await.unwrap(),
        Some(user.id)
    );
    assert_eq!(store.reset_owner(&old.token_hash, now).await.unwrap(), None);
}

/// Each contract test on SQLite, PostgreSQL and the in-memory default; the view test on the two
/// SQL drivers, which publish it.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        testkit::on_both_drivers!(
            &[&PLATFORM, &MIGRATIONS];
            $($name,)*
            the_directory_view_publishes_ids_and_emails_only,
            the_sweep_deletes_expired_resets,
        );
        mod memory {
            $(#[tokio::test]
            async fn $name() {
                super::$name(identity::MemoryUsers::default()).await;
            })*
        }
    };
}

contract!(
    create_writes_the_user_and_its_event,
    a_taken_email_writes_nothing,
    unknown_users_are_absent,
    a_reset_sets_the_password_once,
);
