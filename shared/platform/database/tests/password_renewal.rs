//! New connections take their password from a `PasswordSource`, asked again only once its last
//! answer is due for renewal. Checked against a PostgreSQL server that verifies passwords.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use database::postgres::{self, PoolSettings};
use database::{Backend, ExpiringPassword, PasswordSource, SourceError};
use sqlx::{Connection, PgConnection};
use testkit::PasswordPostgres;

/// Answers whatever the test last told it to, and counts the questions.
#[derive(Debug)]
struct Scripted {
    answer: Mutex<(String, SystemTime)>,
    asked: AtomicUsize,
}

impl Scripted {
    fn new(password: &str, renew_at: SystemTime) -> Arc<Self> {
        Arc::new(Self {
            answer: Mutex::new((password.to_owned(), renew_at)),
            asked: AtomicUsize::new(0),
        })
    }
    fn set(&self, password: &str, renew_at: SystemTime) {
        *self.answer.lock().unwrap() = (password.to_owned(), renew_at);
    }
    fn asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }
}

/// The pool's handle on the shared script.
#[derive(Debug)]
struct Handle(Arc<Scripted>);

impl PasswordSource for Handle {
    async fn password(&self) -> Result<ExpiringPassword, SourceError> {
        self.0.asked.fetch_add(1, Ordering::SeqCst);
        let (password, renew_at) = self.0.answer.lock().unwrap().clone();
        if password.is_empty() {
            return Err("the source is down".into());
        }
        Ok(ExpiringPassword { password, renew_at })
    }
}

/// Closes every other session on the server, so the pool must dial anew.
async fn disconnect_all(server: &PasswordPostgres, password: &str) {
    admin_sql(
        server,
        password,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
    )
    .await;
}

/// Changes the server's password, then closes every other session.
async fn rotate(server: &PasswordPostgres, from: &str, to: &str) {
    admin_sql(
        server,
        from,
        &format!("ALTER ROLE postgres PASSWORD '{to}'"),
    )
    .await;
    disconnect_all(server, to).await;
}

async fn admin_sql(server: &PasswordPostgres, password: &str, sql: &str) {
    let mut admin = PgConnection::connect(&server.url_with_password(password))
        .await
        .expect("admin connection with the current password");
    sqlx::raw_sql(sql)
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn new_connections_use_the_renewed_password_when_due_or_refused() {
    let server = PasswordPostgres::start("first");
    let source = Scripted::new("first", UNIX_EPOCH);
    let settings = PoolSettings {
        max_connections: 1,
        acquire_timeout: Duration::from_secs(5),
        ..PoolSettings::default()
    };
    let store = Backend::Postgres(
        postgres::connect_lazy_with_password(
            &server.url_without_password(),
            settings,
            Handle(source.clone()),
        )
        .unwrap(),
    );

    // No password in the URL: the source's answer is what authenticates.
    store
        .ping()
        .await
        .expect("connects with the source's password");
    assert_eq!(source.asked(), 1);

    // The server rotates; a source that has not caught up yields a failure, not a hang.
    rotate(&server, "first", "second").await;
    store.ping().await.expect_err("a stale password is refused");
    assert_eq!(
        source.asked(),
        2,
        "an answer already due is renewed before each query"
    );

    // Once the source has the new password, the next query connects with it.
    let far = SystemTime::now() + Duration::from_secs(3600);
    source.set("second", far);
    store
        .ping()
        .await
        .expect("connects with the renewed password");
    assert_eq!(source.asked(), 3);

    // Until that answer is due, the source is not asked again, even when connections are made.
    disconnect_all(&server, "second").await;
    store.ping().await.expect("a new connection, same password");
    assert_eq!(source.asked(), 3);

    // A refused password is renewed before the next query, without waiting for it to be due.
    rotate(&server, "second", "third").await;
    source.set("third", far);
    store
        .ping()
        .await
        .expect_err("the cached password is refused");
    assert_eq!(source.asked(), 3);
    store.ping().await.expect("renewed after the refusal");
    assert_eq!(source.asked(), 4);
}

#[tokio::test]
async fn a_failing_source_is_an_unavailable_store_and_is_asked_again() {
    let server = PasswordPostgres::start("only");
    let source = Scripted::new("", UNIX_EPOCH);
    let store = Backend::Postgres(
        postgres::connect_lazy_with_password(
            &server.url_without_password(),
            PoolSettings::default(),
            Handle(source.clone()),
        )
        .unwrap(),
    );

    let err = store.ping().await.expect_err("no password, no query");
    assert!(!err.is_outcome_unknown(), "{err:?}");
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(
        cause.as_deref(),
        Some("no database password: the source is down")
    );

    source.set("only", SystemTime::now() + Duration::from_secs(3600));
    store
        .ping()
        .await
        .expect("recovers once the source answers");
    assert_eq!(source.asked(), 2);
}
