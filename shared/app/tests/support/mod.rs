//! Drives the whole API in-process with `oneshot`, over a real database.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use database::Backend;
use http_body_util::BodyExt;
use identity_passwords::Argon2Hasher;
use runtime::Platform;
use serde_json::{Value, json};
use testkit::TestDb;
use tower::ServiceExt;
use web::EmfMetrics;

/// Captures EMF lines so tests can count business metrics.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// How many EMF lines reported `metric`.
    pub fn count(&self, metric: &str) -> usize {
        let bytes = self.0.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .filter(|line| serde_json::from_str::<Value>(line).unwrap()[metric] == 1)
            .count()
    }
}

pub struct TestApp {
    pub router: Router,
    pub metrics: Captured,
    pub platform: Platform,
    /// Keeps the database until the test ends.
    _db: Option<TestDb>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }

    /// The field names of a validation problem.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["field"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn assert_problem(&self, status: u16) {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.header("content-type"), "application/problem+json");
        assert_eq!(self.body["status"], status);
        assert_eq!(
            self.body["request_id"].as_str(),
            Some(self.header("x-request-id"))
        );
    }
}

pub struct User {
    pub token: String,
    pub user_id: String,
    pub tenant_id: String,
}

impl TestApp {
    pub fn new(db: TestDb) -> Self {
        Self::with_session_ttl(db, time::Duration::hours(1))
    }

    pub fn with_session_ttl(db: TestDb, ttl: time::Duration) -> Self {
        let backend = db.backend.clone();
        Self::on(backend, Some(db), ttl)
    }

    /// The API on a database that may not even be up.
    pub fn on(backend: Backend, db: Option<TestDb>, ttl: time::Duration) -> Self {
        let metrics = Captured::default();
        let emf = EmfMetrics::new("Saas/test".into(), "test".into(), Box::new(metrics.clone()));
        let platform = Platform::new(backend, Arc::new(emf), ttl);
        Self::with_platform(platform, metrics, db)
    }

    /// The API on `platform`, as built by the caller (its jobs on another queue, say).
    pub fn with_platform(platform: Platform, metrics: Captured, db: Option<TestDb>) -> Self {
        Self {
            router: app::app(&platform, Argon2Hasher::for_tests()),
            metrics,
            platform,
            _db: db,
        }
    }

    /// The routers the two functions serve on their own.
    pub fn functions(&self) -> (Router, Router) {
        (
            accounts_api::app(&self.platform, Argon2Hasher::for_tests()),
            tenants_api::app(&self.platform),
        )
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        send(&self.router, request).await
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.send(request(method, path, token, body)).await
    }

    /// Signs up `email`, then creates a tenant named `tenant` that the new user owns.
    pub async fn signup(&self, email: &str, tenant: &str) -> User {
        let body = json!({"email": email, "password": "correct horse battery"});
        let reply = self
            .call(Method::POST, "/v1/signup", None, Some(body))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let token = reply.body["token"].as_str().unwrap().to_owned();
        let created = self
            .call(
                Method::POST,
                "/v1/tenants",
                Some(&token),
                Some(json!({"name": tenant})),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        User {
            token,
            user_id: reply.body["user"]["id"].as_str().unwrap().to_owned(),
            tenant_id: created.body["id"].as_str().unwrap().to_owned(),
        }
    }

    /// Invites `email` to `owner`'s tenant with `role`.
    pub async fn invite(&self, owner: &User, email: &str, role: &str) -> Reply {
        let path = format!("/v1/tenants/{}/invitations", owner.tenant_id);
        let body = json!({"email": email, "role": role});
        self.call(Method::POST, &path, Some(&owner.token), Some(body))
            .await
    }

    /// The token the newest invitation of `email` was mailed with, read from the outbox.
    pub async fn invitation_token(&self, email: &str) -> String {
        testkit::outbox(&self.platform.backend)
            .await
            .into_iter()
            .rev()
            .find(|(kind, payload)| kind == "tenancy.member_invited" && payload["email"] == email)
            .and_then(|(_, payload)| payload["token"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("no invitation of {email} in the outbox"))
    }

    /// Logs in as `email` (an account signed up with the suite's password) and accepts the
    /// newest invitation of that email.
    pub async fn accept(&self, email: &str) -> Reply {
        let login = json!({"email": email, "password": "correct horse battery"});
        let session = self
            .call(Method::POST, "/v1/sessions", None, Some(login))
            .await;
        assert_eq!(session.status, StatusCode::CREATED, "{}", session.body);
        let token = self.invitation_token(email).await;
        self.call(
            Method::POST,
            "/v1/invitations/accept",
            session.body["token"].as_str(),
            Some(json!({"token": token})),
        )
        .await
    }

    /// `email`'s account joins `owner`'s tenant with `role`: `owner` invites it and it
    /// accepts. A refused invitation's reply comes back as it is; otherwise the acceptance's.
    pub async fn add(&self, owner: &User, email: &str, role: &str) -> Reply {
        let invited = self.invite(owner, email, role).await;
        if invited.status != StatusCode::ACCEPTED {
            return invited;
        }
        self.accept(email).await
    }
}

pub fn request(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    match body {
        Some(body) => builder
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// Runs each named `async fn(TestApp)` test against SQLite, a fresh PostgreSQL database,
/// another reached through the transaction pooler (PgBouncer standing in for RDS Proxy), and a
/// home database whose tenants live on two shard databases, each migrated with every module's
/// migrations.
#[macro_export]
macro_rules! against_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                let db = testkit::TestDb::sqlite(&app::MIGRATIONS).await;
                super::$name($crate::support::TestApp::new(db)).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let db = testkit::TestDb::postgres(&app::MIGRATIONS).await;
                super::$name($crate::support::TestApp::new(db)).await;
            })*
        }
        mod pooled {
            $(#[tokio::test]
            async fn $name() {
                let db = testkit::TestDb::postgres_pooled(&app::MIGRATIONS).await;
                super::$name($crate::support::TestApp::new(db)).await;
            })*
        }
        mod sharded {
            $(#[tokio::test]
            async fn $name() {
                let db = testkit::TestDb::postgres_sharded(&app::MIGRATIONS).await;
                super::$name($crate::support::TestApp::new(db)).await;
            })*
        }
    };
}
