//! How many SQL statements each route may run per request on PostgreSQL (`COMMIT` counts;
//! sqlx opens a transaction without logging its `BEGIN`).
//! Every route of the API document has a budget, and a request over a tenant with several
//! members, tenants, invitations, endpoints and deliveries must stay within it: a query per
//! row (an N+1) overruns it and fails the build.
//!
//! Statements are counted from the event sqlx emits for each one it runs (target
//! `sqlx::query`), inside the request's span only: the outbox relay and the usage flush that
//! run beside requests are not theirs. SQLite is not counted: its driver runs statements on a
//! worker thread of its own, outside the request's span.

#[allow(dead_code)]
mod support;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request};
use kernel::{EventId, TenantId};
use serde_json::{Value, json};
use support::{Reply, TestApp, User};
use testkit::TestDb;
use time::OffsetDateTime;
use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use uuid::Uuid;
use webhooks::{Attempt, DeliveryId, EndpointId, Endpoints, Outcome};

/// (method, route, most statements one request may run).
const BUDGETS: &[(&str, &str, usize)] = &[
    ("get", "/v1/health", 0),
    ("get", "/v1/health/ready", 1),
    ("get", "/openapi.json", 0),
    ("get", "/v1/plans", 0),
    ("post", "/v1/signup", 4),
    ("post", "/v1/sessions", 2),
    ("delete", "/v1/sessions/current", 2),
    ("get", "/v1/me", 2),
    ("post", "/v1/password-resets", 4),
    ("post", "/v1/password-resets/confirm", 7),
    ("get", "/v1/tenants", 2),
    ("post", "/v1/tenants", 5),
    ("get", "/v1/tenants/{tenant_id}", 3),
    // Members from the tenant's shard, their emails from the directory at home.
    ("get", "/v1/tenants/{tenant_id}/members", 4),
    ("patch", "/v1/tenants/{tenant_id}/members/{user_id}", 8),
    ("delete", "/v1/tenants/{tenant_id}/members/{user_id}", 6),
    ("get", "/v1/tenants/{tenant_id}/invitations", 3),
    ("post", "/v1/tenants/{tenant_id}/invitations", 10),
    (
        "delete",
        "/v1/tenants/{tenant_id}/invitations/{invitation_id}",
        4,
    ),
    ("post", "/v1/invitations/accept", 11),
    ("get", "/v1/tenants/{tenant_id}/dashboard", 5),
    ("get", "/v1/tenants/{tenant_id}/webhooks", 3),
    ("post", "/v1/webhooks/inbound", 3),
    ("post", "/v1/tenants/{tenant_id}/webhooks", 5),
    (
        "delete",
        "/v1/tenants/{tenant_id}/webhooks/{endpoint_id}",
        5,
    ),
    (
        "get",
        "/v1/tenants/{tenant_id}/webhooks/{endpoint_id}/deliveries",
        4,
    ),
];

/// The statements sqlx runs inside a request's span, by their first words.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

impl Statements {
    fn since(&self, start: usize) -> Vec<String> {
        self.0.lock().unwrap()[start..].to_vec()
    }

    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// Reads the `summary` field sqlx gives each statement event.
struct Summary(String);

impl Visit for Summary {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "summary" {
            value.clone_into(&mut self.0);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query"
            && ctx
                .event_scope(event)
                .is_some_and(|mut spans| spans.any(|span| span.name() == "request"))
        {
            let mut summary = Summary(String::new());
            event.record(&mut summary);
            self.0.lock().unwrap().push(summary.0);
        }
    }
}

/// Sends requests and checks each one against its route's budget.
struct Audit<'a> {
    app: &'a TestApp,
    statements: Statements,
    /// (method, route, statements run), in the order sent.
    seen: Vec<(String, String, Vec<String>)>,
}

impl Audit<'_> {
    /// Sends `method path` (an instance of `route`) and expects a success.
    async fn send(
        &mut self,
        method: Method,
        route: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let request = support::request(method, path, token, body);
        self.send_request(route, request).await
    }

    /// Sends `request` (an instance of `route`) and expects a success.
    async fn send_request(&mut self, route: &str, request: Request<Body>) -> Reply {
        let (method, path) = (request.method().clone(), request.uri().to_string());
        let before = self.statements.len();
        let reply = self.app.send(request).await;
        let ran = self.statements.since(before);
        assert!(
            reply.status.is_success(),
            "{method} {path}: {} {}",
            reply.status,
            reply.body
        );
        self.seen
            .push((method.as_str().to_lowercase(), route.to_owned(), ran));
        reply
    }
}

fn budget(method: &str, route: &str) -> usize {
    BUDGETS
        .iter()
        .find(|(m, r, _)| *m == method && *r == route)
        .map(|(_, _, max)| *max)
        .unwrap_or_else(|| panic!("{method} {route} has no budget"))
}

/// A tenant with five members, two more tenants of its owner, three pending invitations and
/// three endpoints, one with a log of deliveries.
async fn populate(app: &TestApp) -> (User, String) {
    let ada = app.signup("ada@example.com", "Acme").await;
    for name in ["Beta", "Gamma"] {
        let created = app
            .call(
                Method::POST,
                "/v1/tenants",
                Some(&ada.token),
                Some(json!({"name": name})),
            )
            .await;
        assert!(created.status.is_success(), "{}", created.body);
    }
    for (email, role) in [
        ("grace@example.com", "admin"),
        ("lin@example.com", "member"),
        ("mo@example.com", "member"),
        ("kit@example.com", "member"),
    ] {
        let signup = json!({"email": email, "password": "correct horse battery"});
        let reply = app
            .call(Method::POST, "/v1/signup", None, Some(signup))
            .await;
        assert!(reply.status.is_success(), "{}", reply.body);
        let added = app.add(&ada, email, role).await;
        assert!(added.status.is_success(), "{}", added.body);
    }
    for email in ["p1@example.com", "p2@example.com", "p3@example.com"] {
        let invited = app.invite(&ada, email, "member").await;
        assert!(invited.status.is_success(), "{}", invited.body);
    }
    let mut endpoint = String::new();
    for n in 0..3 {
        let created = app
            .call(
                Method::POST,
                &format!("/v1/tenants/{}/webhooks", ada.tenant_id),
                Some(&ada.token),
                Some(json!({"url": format!("https://hooks.example.com/{n}")})),
            )
            .await;
        assert!(created.status.is_success(), "{}", created.body);
        endpoint = created.body["id"].as_str().unwrap().to_owned();
    }
    let endpoints = webhooks_sql::endpoints(&app.platform.backend);
    let tenant = TenantId::from_uuid(ada.tenant_id.parse().unwrap());
    for n in 0..5 {
        let attempt = Attempt {
            id: DeliveryId::from_uuid(Uuid::now_v7()),
            tenant_id: tenant,
            endpoint_id: EndpointId::from_uuid(endpoint.parse().unwrap()),
            event_id: EventId::from_uuid(Uuid::now_v7()),
            event_type: "tenancy.member_added".into(),
            outcome: Outcome::Status(if n == 0 { 500 } else { 200 }),
            duration_ms: 12,
            at: OffsetDateTime::now_utc(),
        };
        assert!(endpoints.record(&attempt, 10).await.unwrap().is_some());
    }
    (ada, endpoint)
}

/// Every route of the document, each once, over the populated tenant.
async fn every_route_stays_within_its_budget(app: TestApp) {
    let (ada, endpoint) = populate(&app).await;
    let statements = Statements::default();
    let subscriber = tracing_subscriber::registry().with(statements.clone());
    let _counting = tracing::subscriber::set_default(subscriber);
    let mut audit = Audit {
        app: &app,
        statements,
        seen: Vec::new(),
    };
    let t = ada.tenant_id.clone();
    let token = Some(ada.token.as_str());
    let members = format!("/v1/tenants/{t}/members");
    let listed = app.call(Method::GET, &members, token, None).await;
    let user_id = |email: &str| {
        listed.body["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == email)
            .map(|m| m["user_id"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{email} is not a member: {}", listed.body))
    };
    let (lin, mo) = (user_id("lin@example.com"), user_id("mo@example.com"));

    for route in [
        "/v1/health",
        "/v1/health/ready",
        "/openapi.json",
        "/v1/plans",
    ] {
        audit.send(Method::GET, route, route, None, None).await;
    }
    let event = r#"{"type":"invoice.paid"}"#;
    let secret = webhooks::Secret::parse(INBOUND_SECRET).unwrap();
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut inbound = Request::builder()
        .method(Method::POST)
        .uri("/v1/webhooks/inbound")
        .header("content-type", "application/json");
    for (name, value) in webhooks::signing::headers(&secret, "msg_1", now, event.as_bytes()) {
        inbound = inbound.header(name, value);
    }
    let inbound = inbound.body(Body::from(event)).unwrap();
    audit.send_request("/v1/webhooks/inbound", inbound).await;
    let signup = json!({"email": "new@example.com", "password": "correct horse battery"});
    let new = audit
        .send(Method::POST, "/v1/signup", "/v1/signup", None, Some(signup))
        .await;
    let login = json!({"email": "kit@example.com", "password": "correct horse battery"});
    audit
        .send(
            Method::POST,
            "/v1/sessions",
            "/v1/sessions",
            None,
            Some(login),
        )
        .await;
    audit
        .send(Method::GET, "/v1/me", "/v1/me", token, None)
        .await;
    audit
        .send(Method::GET, "/v1/tenants", "/v1/tenants", token, None)
        .await;
    let body = json!({"name": "Delta"});
    audit
        .send(
            Method::POST,
            "/v1/tenants",
            "/v1/tenants",
            token,
            Some(body),
        )
        .await;

    let scoped = |route: &str| route.replace("{tenant_id}", &t);
    for route in [
        "/v1/tenants/{tenant_id}",
        "/v1/tenants/{tenant_id}/members",
        "/v1/tenants/{tenant_id}/invitations",
        "/v1/tenants/{tenant_id}/webhooks",
        "/v1/tenants/{tenant_id}/dashboard",
    ] {
        audit
            .send(Method::GET, route, &scoped(route), token, None)
            .await;
    }
    let route = "/v1/tenants/{tenant_id}/webhooks/{endpoint_id}/deliveries";
    let deliveries = audit
        .send(
            Method::GET,
            route,
            &scoped(route).replace("{endpoint_id}", &endpoint),
            token,
            None,
        )
        .await;
    assert_eq!(
        deliveries.body["deliveries"].as_array().map(Vec::len),
        Some(5)
    );

    let route = "/v1/tenants/{tenant_id}/invitations";
    let invite = json!({"email": "new@example.com", "role": "member"});
    audit
        .send(Method::POST, route, &scoped(route), token, Some(invite))
        .await;
    let invitation_token = app.invitation_token("new@example.com").await;
    let route = "/v1/invitations/accept";
    let accept = json!({"token": invitation_token});
    audit
        .send(
            Method::POST,
            route,
            route,
            new.body["token"].as_str(),
            Some(accept),
        )
        .await;
    let pending = app
        .call(
            Method::GET,
            &scoped("/v1/tenants/{tenant_id}/invitations"),
            token,
            None,
        )
        .await;
    let invitation = pending.body["invitations"][0]["id"].as_str().unwrap();
    let route = "/v1/tenants/{tenant_id}/invitations/{invitation_id}";
    audit
        .send(
            Method::DELETE,
            route,
            &scoped(route).replace("{invitation_id}", invitation),
            token,
            None,
        )
        .await;

    let route = "/v1/tenants/{tenant_id}/members/{user_id}";
    audit
        .send(
            Method::PATCH,
            route,
            &scoped(route).replace("{user_id}", &lin),
            token,
            Some(json!({"role": "admin"})),
        )
        .await;
    audit
        .send(
            Method::DELETE,
            route,
            &scoped(route).replace("{user_id}", &mo),
            token,
            None,
        )
        .await;

    let route = "/v1/tenants/{tenant_id}/webhooks";
    let hook = json!({"url": "https://hooks.example.com/new"});
    audit
        .send(Method::POST, route, &scoped(route), token, Some(hook))
        .await;
    let route = "/v1/tenants/{tenant_id}/webhooks/{endpoint_id}";
    audit
        .send(
            Method::DELETE,
            route,
            &scoped(route).replace("{endpoint_id}", &endpoint),
            token,
            None,
        )
        .await;

    let route = "/v1/password-resets";
    let reset = json!({"email": "grace@example.com"});
    audit
        .send(Method::POST, route, route, None, Some(reset))
        .await;
    let reset_token = testkit::outbox(&app.platform.backend)
        .await
        .into_iter()
        .rev()
        .find(|(kind, _)| kind == "identity.password_reset_requested")
        .and_then(|(_, payload)| payload["token"].as_str().map(str::to_owned))
        .expect("a reset in the outbox");
    let route = "/v1/password-resets/confirm";
    let confirm = json!({"token": reset_token, "password": "another long password"});
    audit
        .send(Method::POST, route, route, None, Some(confirm))
        .await;
    let route = "/v1/sessions/current";
    audit.send(Method::DELETE, route, route, token, None).await;

    let report: Vec<String> = audit
        .seen
        .iter()
        .map(|(m, r, ran)| format!("{m} {r}: {} of {}", ran.len(), budget(m, r)))
        .collect();
    println!("{}", report.join("\n"));
    let over: Vec<String> = audit
        .seen
        .iter()
        .filter(|(m, r, ran)| ran.len() > budget(m, r))
        .map(|(m, r, ran)| format!("{m} {r} ran {}: {ran:?}", ran.len()))
        .collect();
    assert!(over.is_empty(), "over budget:\n{}", over.join("\n"));
    // The count is real: the readiness probe's one query shows up.
    assert!(
        audit
            .seen
            .iter()
            .any(|(_, r, ran)| r == "/v1/health/ready" && ran.len() == 1)
    );
    let exercised: BTreeSet<(&str, &str)> = audit
        .seen
        .iter()
        .map(|(m, r, _)| (m.as_str(), r.as_str()))
        .collect();
    let budgeted: BTreeSet<(&str, &str)> = BUDGETS.iter().map(|(m, r, _)| (*m, *r)).collect();
    assert_eq!(exercised, budgeted, "every budgeted route is exercised");

    let doc = app.call(Method::GET, "/openapi.json", None, None).await;
    let documented: BTreeSet<(String, String)> = doc.body["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let budgeted: BTreeSet<(String, String)> = BUDGETS
        .iter()
        .map(|(m, r, _)| ((*m).to_owned(), (*r).to_owned()))
        .collect();
    assert_eq!(documented, budgeted, "every documented route has a budget");
}

/// The secret providers sign inbound webhooks with in this suite.
const INBOUND_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[tokio::test]
async fn postgres() {
    let db = TestDb::postgres(&app::MIGRATIONS).await;
    let mut app = TestApp::new(db);
    let secret = webhooks::Secret::parse(INBOUND_SECRET).unwrap();
    app.router = app::app_with(
        &app.platform,
        identity_passwords::Argon2Hasher::for_tests(),
        Some(secret),
    );
    every_route_stays_within_its_budget(app).await;
}
