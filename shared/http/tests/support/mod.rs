//! Drives `app(state)` in-process with `oneshot`, over a real store.

use std::io::Write;
use std::sync::{Arc, Mutex};

use accounts::{Accounts, AccountsStore};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_api::{AppState, EmfMetrics, RouteGroup};
use http_body_util::BodyExt;
use passwords::Argon2Hasher;
use serde_json::{Value, json};
use tower::ServiceExt;

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
    state: AppState,
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
    pub fn new(store: impl AccountsStore) -> Self {
        Self::with_session_ttl(store, time::Duration::hours(1))
    }

    pub fn with_session_ttl(store: impl AccountsStore, ttl: time::Duration) -> Self {
        let metrics = Captured::default();
        let accounts = Accounts::new(Arc::new(store), Arc::new(Argon2Hasher::for_tests()), ttl);
        let emf = EmfMetrics::new("Saas/test".into(), "test".into(), Box::new(metrics.clone()));
        let state = AppState {
            accounts,
            metrics: Arc::new(emf),
        };
        Self {
            router: http_api::app(state.clone()),
            metrics,
            state,
        }
    }

    pub fn group(&self, group: RouteGroup) -> Router {
        http_api::group(group, self.state.clone())
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

    pub async fn signup(&self, email: &str, tenant: &str) -> User {
        let body =
            json!({"email": email, "password": "correct horse battery", "tenant_name": tenant});
        let reply = self
            .call(Method::POST, "/v1/signup", None, Some(body))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        User {
            token: reply.body["token"].as_str().unwrap().to_owned(),
            user_id: reply.body["user"]["id"].as_str().unwrap().to_owned(),
            tenant_id: reply.body["tenant"]["id"].as_str().unwrap().to_owned(),
        }
    }

    /// Adds `member` to `owner`'s tenant with `role`.
    pub async fn add(&self, owner: &User, email: &str, role: &str) -> Reply {
        let path = format!("/v1/tenants/{}/members", owner.tenant_id);
        let body = json!({"email": email, "role": role});
        self.call(Method::POST, &path, Some(&owner.token), Some(body))
            .await
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

/// Runs each named test against SQLite and against a fresh PostgreSQL database.
#[macro_export]
macro_rules! against_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::support::TestApp::new(testkit::sqlite_store().await)).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::support::TestApp::new(testkit::postgres_store().await)).await;
            })*
        }
    };
}
