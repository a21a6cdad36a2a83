//! The webhooks routes through the shared layers, on a fresh PostgreSQL database, with roles
//! from a stand-in for the tenancy module's `tenant_members` view.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use database::{Backend, MigrationSet, PLATFORM};
use http_body_util::BodyExt;
use kernel::{SystemClock, TenantId, UserId};
use serde_json::{Value, json};
use sessions::{MemorySessions, Sessions};
use sqlx::migrate::Migrator;
use testkit::TestDb;
use tower::ServiceExt;
use webhooks::{UrlPolicy, Webhooks};
use webhooks_http::{HttpSender, HttpSenderConfig};
use webhooks_routes::WebhooksState;

static MEMBERS_POSTGRES: Migrator = sqlx::migrate!("../sql/tests/members/postgres");
static MEMBERS_SQLITE: Migrator = sqlx::migrate!("../sql/tests/members/sqlite");
static MEMBERS: MigrationSet = MigrationSet {
    owner: "tenant members stand-in",
    postgres: &MEMBERS_POSTGRES,
    sqlite: &MEMBERS_SQLITE,
};

struct App {
    router: Router,
    sessions: Sessions,
    db: TestDb,
    tenant: TenantId,
}

impl App {
    async fn new() -> Self {
        let db = TestDb::postgres(&[&PLATFORM, &MEMBERS, &webhooks_sql::MIGRATIONS]).await;
        let config = HttpSenderConfig {
            policy: UrlPolicy::Public,
            timeout: Duration::from_secs(1),
        };
        let webhooks = Webhooks::new(
            webhooks_sql::endpoints(&db.backend),
            HttpSender::new(config).unwrap(),
            Arc::new(SystemClock),
            UrlPolicy::Public,
        );
        let sessions = Sessions::new(
            MemorySessions::default(),
            Arc::new(SystemClock),
            time::Duration::hours(1),
        );
        let state = WebhooksState {
            webhooks,
            sessions: sessions.clone(),
        };
        Self {
            router: web::serve(
                webhooks_routes::router().with_state(state),
                &web::HttpOptions::default(),
            ),
            sessions,
            db,
            tenant: TenantId::generate(),
        }
    }

    /// A session for a new user with `role` in the tenant, or none if `None`.
    async fn user(&self, role: Option<&str>) -> String {
        let user = UserId::generate();
        if let Some(role) = role {
            let Backend::Postgres(pg) = &self.db.backend else {
                unreachable!("PostgreSQL")
            };
            sqlx::query(
                "INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, $3)",
            )
            .bind(self.tenant.as_uuid())
            .bind(user.as_uuid())
            .bind(role)
            .execute(pg.raw_pool())
            .await
            .unwrap();
        }
        let issued = self.sessions.issue(user).await.unwrap();
        issued.token.expose().to_owned()
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"));
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    fn hooks(&self) -> String {
        format!("/v1/tenants/{}/webhooks", self.tenant)
    }
}

#[tokio::test]
async fn an_admin_registers_lists_and_deletes_and_sees_the_secret_once() {
    let app = App::new().await;
    let admin = app.user(Some("admin")).await;
    let request = json!({"url": "https://hooks.example.com/in", "description": " CRM "});
    let (status, created) = app.call("POST", &app.hooks(), &admin, Some(request)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(created["url"], "https://hooks.example.com/in");
    assert_eq!(created["description"], "CRM");
    assert_eq!(created["tenant_id"], app.tenant.to_string());
    assert_eq!(
        (
            created["enabled"].clone(),
            created["consecutive_failures"].clone()
        ),
        (json!(true), json!(0))
    );

    let (status, listed) = app.call("GET", &app.hooks(), &admin, None).await;
    assert_eq!(status, StatusCode::OK);
    let endpoints = listed["endpoints"].as_array().unwrap();
    assert_eq!(endpoints.len(), 1);
    assert_eq!(endpoints[0]["id"], created["id"]);
    assert!(!listed.to_string().contains("whsec_"), "{listed}");
    assert!(endpoints[0].get("secret").is_none());

    let id = created["id"].as_str().unwrap();
    let log = format!("{}/{id}/deliveries", app.hooks());
    let (status, page) = app.call("GET", &log, &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page, json!({"deliveries": [], "next_cursor": null}));
    let (status, bad) = app
        .call("GET", &format!("{log}?limit=0"), &admin, None)
        .await;
    assert_eq!(
        (status, bad["errors"][0]["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("limit"))
    );

    let one = format!("{}/{id}", app.hooks());
    assert_eq!(
        app.call("DELETE", &one, &admin, None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.call("DELETE", &one, &admin, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call("GET", &log, &admin, None).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, listed) = app.call("GET", &app.hooks(), &admin, None).await;
    assert_eq!(listed["endpoints"], json!([]));
}

#[tokio::test]
async fn members_get_403_and_outsiders_404_as_for_a_missing_tenant() {
    let app = App::new().await;
    let owner = app.user(Some("owner")).await;
    let member = app.user(Some("member")).await;
    let outsider = app.user(None).await;
    let request = json!({"url": "https://hooks.example.com/in"});
    let (status, created) = app
        .call("POST", &app.hooks(), &owner, Some(request.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let one = format!("{}/{}", app.hooks(), created["id"].as_str().unwrap());

    for (method, path, body) in [
        ("POST", app.hooks(), Some(request.clone())),
        ("GET", app.hooks(), None),
        ("DELETE", one.clone(), None),
        ("GET", format!("{one}/deliveries"), None),
    ] {
        let (status, problem) = app.call(method, &path, &member, body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {problem}");
        let (status, problem) = app.call(method, &path, &outsider, body.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {problem}");
        let missing = path.replace(&app.tenant.to_string(), &TenantId::generate().to_string());
        let (_, absent) = app.call(method, &missing, &outsider, body).await;
        assert_eq!(problem["detail"], absent["detail"], "{method} {path}");
    }
    // The endpoint survived every attempt.
    let (_, listed) = app.call("GET", &app.hooks(), &owner, None).await;
    assert_eq!(listed["endpoints"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn unsafe_or_malformed_urls_are_422_naming_the_url() {
    let app = App::new().await;
    let owner = app.user(Some("owner")).await;
    for url in [
        json!("http://hooks.example.com/in"),
        json!("https://127.0.0.1/in"),
        json!("https://169.254.169.254/latest/meta-data"),
        json!("https://localhost/in"),
        json!("not a url"),
        json!(42),
    ] {
        let (status, problem) = app
            .call("POST", &app.hooks(), &owner, Some(json!({"url": url})))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
    }
    let long = json!({"url": "https://example.com/", "description": "d".repeat(201)});
    let (status, problem) = app.call("POST", &app.hooks(), &owner, Some(long)).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("description"))
    );
    let (_, listed) = app.call("GET", &app.hooks(), &owner, None).await;
    assert_eq!(listed["endpoints"], json!([]));
}

/// The plain router serves every operation the document lists, and the document lists the
/// four operations.
#[tokio::test]
async fn the_router_serves_every_documented_operation() {
    let app = App::new().await;
    let doc = web::openapi::merged([webhooks_routes::routes().into_openapi()]);
    let json: Value = serde_json::from_str(&web::openapi::to_json(&doc)).unwrap();
    let operations: usize = json["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().map_or(0, |m| m.len()))
        .sum();
    assert_eq!(operations, 4);
    let registered = json["components"]["schemas"]["RegisteredBody"].to_string();
    assert!(registered.contains("\"secret\""), "{registered}");
    testkit::assert_serves_documented(app.router, &doc).await;
}
