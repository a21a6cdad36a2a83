//! The edge component, built for wasm32-wasip2 and served over HTTP by a real WebAssembly host
//! (wasmtime with WASI and wasi:http), passes the same checks as the router it is built from,
//! served natively; and `spin.toml` names what is built and what the API documents.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tower::ServiceExt;
use wasm_host::{Host, Settings};

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Where the checks send their requests: the router in process, or a server over HTTP.
enum Server {
    Native(axum::Router),
    Http(SocketAddr),
}

impl Server {
    async fn send(&self, method: Method, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.send_body(method, path, headers, Vec::new()).await
    }

    async fn send_body(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        match self {
            Self::Native(router) => {
                let request = builder.body(Body::from(body)).unwrap();
                let response = router.clone().oneshot(request).await.unwrap();
                let (parts, body) = response.into_parts();
                let body = body.collect().await.unwrap().to_bytes().to_vec();
                Reply {
                    status: parts.status,
                    headers: parts.headers,
                    body,
                }
            }
            Self::Http(addr) => {
                let request = builder
                    .header("host", addr.to_string())
                    .body(Full::new(axum::body::Bytes::from(body)))
                    .unwrap();
                let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
                let (mut sender, connection) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream))
                        .await
                        .unwrap();
                tokio::spawn(connection);
                let response = sender.send_request(request).await.unwrap();
                let (parts, body) = response.into_parts();
                let body = body.collect().await.unwrap().to_bytes().to_vec();
                Reply {
                    status: parts.status,
                    headers: parts.headers,
                    body,
                }
            }
        }
    }
}

/// The plan catalog's contract: public, cacheable by browsers and the CDN, with an ETag that
/// answers 304, the platform's headers, and problems for what it does not serve.
async fn serves_the_plan_catalog(server: &Server) -> Vec<u8> {
    let plans = server.send(Method::GET, "/v1/plans", &[]).await;
    assert_eq!(plans.status, StatusCode::OK);
    assert_eq!(plans.header("content-type"), "application/json");
    assert_eq!(
        plans.header("cache-control"),
        "public, max-age=60, s-maxage=300"
    );
    assert_eq!(plans.header("x-content-type-options"), "nosniff");
    assert!(!plans.header("x-request-id").is_empty());
    let ids: Vec<String> = plans.json()["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["free", "team", "business"]);

    let etag = plans.header("etag");
    assert!(etag.starts_with('"'), "{etag:?}");
    let again = server
        .send(Method::GET, "/v1/plans", &[("if-none-match", etag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), etag);

    let kept = server
        .send(
            Method::GET,
            "/v1/plans",
            &[("x-request-id", "edge-check-1")],
        )
        .await;
    assert_eq!(kept.header("x-request-id"), "edge-check-1");

    for (method, path, status) in [
        (Method::GET, "/v1/nothing-here", 404),
        (Method::DELETE, "/v1/plans", 405),
    ] {
        let reply = server.send(method, path, &[]).await;
        assert_eq!(reply.status.as_u16(), status, "{path}");
        assert_eq!(reply.header("content-type"), "application/problem+json");
        assert_eq!(reply.json()["status"], status);
    }
    plans.body
}

/// The component, built once per test run.
fn component() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| wasm_host::build("edge").unwrap_or_else(|e| panic!("{e:#}")))
}

async fn serve_component() -> SocketAddr {
    serve_component_with(Settings::default()).await
}

/// The component compiled once per test run; each test serves it with its own settings.
fn compiled() -> &'static Host {
    static COMPILED: OnceLock<Host> = OnceLock::new();
    COMPILED.get_or_init(|| {
        Host::load(component(), Settings::default()).unwrap_or_else(|e| panic!("{e:#}"))
    })
}

async fn serve_component_with(settings: Settings) -> SocketAddr {
    let host = tokio::task::spawn_blocking(move || compiled().with_settings(settings))
        .await
        .unwrap();
    host.spawn().await.unwrap()
}

#[tokio::test]
async fn the_component_serves_what_the_router_serves() {
    let native = serves_the_plan_catalog(&Server::Native(edge::catalog())).await;
    let component = serves_the_plan_catalog(&Server::Http(serve_component().await)).await;
    assert_eq!(
        String::from_utf8_lossy(&component),
        String::from_utf8_lossy(&native)
    );
}

/// A component that cannot run (here its linear memory is over the host's limit) answers 500
/// with a problem, request after request, and the host goes on serving.
#[tokio::test]
async fn a_component_that_fails_is_a_500_problem() {
    let edge = Server::Http(
        serve_component_with(Settings {
            max_memory_bytes: Some(64 * 1024),
            ..Settings::default()
        })
        .await,
    );
    for _ in 0..2 {
        let reply = edge.send(Method::GET, "/v1/plans", &[]).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(reply.header("content-type"), "application/problem+json");
        assert_eq!(reply.json()["status"], 500);
    }
    let roomy = Server::Http(
        serve_component_with(Settings {
            max_memory_bytes: Some(64 << 20),
            ..Settings::default()
        })
        .await,
    );
    let reply = roomy.send(Method::GET, "/v1/plans", &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
}

/// Every component `spin.toml` names is this crate, built where its build command puts it,
/// and loads as a `wasi:http` component; every route it triggers is one the API documents.
#[tokio::test]
async fn spin_toml_names_built_components_and_documented_routes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table = std::fs::read_to_string(dir.join("spin.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let document: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("../../docs/openapi.json")).unwrap(),
    )
    .unwrap();
    let documented = document["paths"].as_object().unwrap();
    let components = manifest["component"].as_table().unwrap();
    let triggers = manifest["trigger"]["http"].as_array().unwrap();
    let routes: Vec<&str> = triggers
        .iter()
        .map(|t| t["route"].as_str().unwrap())
        .collect();
    assert_eq!(routes, ["/v1/plans", "/v1/me", "/v1/webhooks/inbound"]);
    // Every variable a component reads is declared for the application.
    let variables = manifest["variables"].as_table().unwrap();
    for trigger in triggers {
        let route = trigger["route"].as_str().unwrap();
        assert!(
            documented.contains_key(route),
            "spin.toml routes {route}, which docs/openapi.json does not document"
        );
        let name = trigger["component"].as_str().unwrap();
        let component = components[name].as_table().unwrap();
        let build = component["build"]["command"].as_str().unwrap();
        let package = build.split_whitespace().skip_while(|w| *w != "-p").nth(1);
        assert_eq!(package, Some(env!("CARGO_PKG_NAME")), "{build}");
        assert!(build.contains("--target wasm32-wasip2") && build.contains("--release"));
        for (variable, value) in component["variables"].as_table().unwrap() {
            assert!(
                variables.contains_key(variable),
                "{variable} is not declared"
            );
            assert_eq!(
                value.as_str(),
                Some(format!("{{{{ {variable} }}}}").as_str())
            );
        }
        assert_eq!(component["key_value_stores"].as_array().unwrap().len(), 1);
        let source = component["source"].as_str().unwrap();
        assert_eq!(
            source,
            format!(
                "../../target/wasm32-wasip2/release/{}.wasm",
                env!("CARGO_PKG_NAME").replace('-', "_")
            )
        );
        // The artifact the build makes loads as a wasi:http component and serves the route
        // (without a session or a secret it refuses, but not as an unknown route).
        let addr = serve_component().await;
        let reply = Server::Http(addr).send(Method::GET, route, &[]).await;
        assert!(
            matches!(reply.status.as_u16(), 200 | 401 | 405),
            "{route}: {}",
            reply.status
        );
    }
}

/// The origin API: the whole platform on a fresh SQLite database, on a loopback port.
async fn origin() -> (SocketAddr, testkit::TestDb) {
    origin_with(None).await
}

/// The origin, taking providers' events signed with `inbound`.
async fn origin_with(inbound: Option<webhooks::Secret>) -> (SocketAddr, testkit::TestDb) {
    let db = testkit::TestDb::sqlite(&app::MIGRATIONS).await;
    let metrics = web::EmfMetrics::new(
        "Saas/test".into(),
        "origin".into(),
        Box::new(std::io::sink()),
    );
    let platform = runtime::Platform::new(
        db.backend.clone(),
        std::sync::Arc::new(metrics),
        time::Duration::hours(1),
    );
    let router = app::app_with(
        &platform,
        identity_passwords::Argon2Hasher::for_tests(),
        inbound,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (addr, db)
}

/// The edge with the origin it may call, trusting sessions for `ttl_seconds`.
async fn edge_in_front_of(origin: SocketAddr, ttl_seconds: &str) -> Server {
    let settings = Settings {
        allowed_outbound: vec![origin.to_string()],
        config: [
            ("origin_url".to_owned(), format!("http://{origin}")),
            ("session_cache_seconds".to_owned(), ttl_seconds.to_owned()),
        ]
        .into(),
        ..Settings::default()
    };
    Server::Http(serve_component_with(settings).await)
}

async fn sign_up(origin: &Server, email: &str) -> String {
    let body = serde_json::json!({"email": email, "password": "correct horse battery"});
    let reply = origin
        .send_body(
            Method::POST,
            "/v1/signup",
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    reply.json()["token"].as_str().unwrap().to_owned()
}

/// `GET /v1/me` at the edge answers as the origin does: the account for a session it accepts,
/// 401 problems for a missing or unknown token. A session revoked at the origin keeps working
/// at the edge until its entry expires, and no longer.
#[tokio::test]
async fn me_answers_as_the_origin_and_forgets_sessions_after_the_ttl() {
    let (addr, _db) = origin().await;
    let origin = Server::Http(addr);
    let edge = edge_in_front_of(addr, "1").await;
    let token = sign_up(&origin, "ada@example.com").await;
    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];

    let at_origin = origin.send(Method::GET, "/v1/me", &auth).await;
    let at_edge = edge.send(Method::GET, "/v1/me", &auth).await;
    assert_eq!(at_edge.status, StatusCode::OK);
    assert_eq!(at_edge.json(), at_origin.json());
    assert_eq!(
        at_edge.header("cache-control"),
        at_origin.header("cache-control")
    );

    let stranger = "Bearer sk_0000000000000000000000000000000000000000000";
    for headers in [&[][..], &[("authorization", stranger)][..]] {
        let at_origin = origin.send(Method::GET, "/v1/me", headers).await;
        let at_edge = edge.send(Method::GET, "/v1/me", headers).await;
        assert_eq!(at_edge.status, StatusCode::UNAUTHORIZED);
        assert_eq!(at_edge.status, at_origin.status);
        assert_eq!(at_edge.header("content-type"), "application/problem+json");
        assert_eq!(at_edge.json()["title"], at_origin.json()["title"]);
    }

    // Logged out at the origin: the edge's entry still holds, until it expires.
    let logout = origin
        .send(Method::DELETE, "/v1/sessions/current", &auth)
        .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert_eq!(
        origin.send(Method::GET, "/v1/me", &auth).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        edge.send(Method::GET, "/v1/me", &auth).await.status,
        StatusCode::OK
    );
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let expired = edge.send(Method::GET, "/v1/me", &auth).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
}

/// An origin the edge may not call, or one that is down, is a 503 problem, never a 500.
#[tokio::test]
async fn an_origin_out_of_reach_is_a_503() {
    let (addr, _db) = origin().await;
    let token = sign_up(&Server::Http(addr), "ada@example.com").await;
    let bearer = format!("Bearer {token}");
    let closed = testkit::free_port();
    let denied = Settings {
        allowed_outbound: Vec::new(),
        config: [("origin_url".to_owned(), format!("http://{addr}"))].into(),
        ..Settings::default()
    };
    let down = Settings {
        allowed_outbound: vec![format!("127.0.0.1:{closed}")],
        config: [(
            "origin_url".to_owned(),
            format!("http://127.0.0.1:{closed}"),
        )]
        .into(),
        ..Settings::default()
    };
    for settings in [denied, down] {
        let edge = Server::Http(serve_component_with(settings).await);
        let reply = edge
            .send(Method::GET, "/v1/me", &[("authorization", &bearer)])
            .await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.header("content-type"), "application/problem+json");
        // The catalog needs no origin.
        assert_eq!(
            edge.send(Method::GET, "/v1/plans", &[]).await.status,
            StatusCode::OK
        );
    }
}

/// A provider's event signed with `secret` now, as (headers, body).
fn signed(secret: &webhooks::Secret, id: &str, body: &str) -> Vec<(&'static str, String)> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut headers: Vec<(&'static str, String)> =
        webhooks::signing::headers(secret, id, now, body.as_bytes()).into();
    headers.push(("content-type", "application/json".to_owned()));
    headers
}

async fn post_signed(server: &Server, headers: &[(&'static str, String)], body: &str) -> Reply {
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    server
        .send_body(
            Method::POST,
            "/v1/webhooks/inbound",
            &headers,
            body.as_bytes().to_vec(),
        )
        .await
}

/// The edge verifies providers' signatures with the webhooks module's own route and forwards
/// only verified events, which the origin (checking them again) records for the job queue.
#[tokio::test]
async fn only_verified_inbound_webhooks_reach_the_origin() {
    let secret = webhooks::Secret::generate().unwrap();
    let (addr, db) = origin_with(Some(secret.clone())).await;
    let settings = Settings {
        allowed_outbound: vec![addr.to_string()],
        config: [
            ("origin_url".to_owned(), format!("http://{addr}")),
            ("inbound_webhook_secret".to_owned(), secret.expose()),
        ]
        .into(),
        ..Settings::default()
    };
    let edge = Server::Http(serve_component_with(settings).await);
    let received = || async {
        testkit::outbox(&db.backend)
            .await
            .into_iter()
            .filter(|(kind, _)| kind == "webhooks.inbound_received")
            .map(|(_, payload)| payload)
            .collect::<Vec<_>>()
    };

    let body = r#"{"type":"invoice.paid","amount":1200}"#;
    let accepted = post_signed(&edge, &signed(&secret, "msg_1", body), body).await;
    assert_eq!(
        accepted.status,
        StatusCode::ACCEPTED,
        "{}",
        String::from_utf8_lossy(&accepted.body)
    );
    let events = received().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["webhook_id"], "msg_1");
    assert_eq!(events[0]["payload"]["amount"], 1200);

    // Tampered, signed with another secret, or missing a header: turned away at the edge, and
    // the origin records nothing more.
    let tampered = r#"{"type":"invoice.paid","amount":1}"#;
    let other = webhooks::Secret::generate().unwrap();
    let cases = [
        (signed(&secret, "msg_2", body), tampered, 401),
        (signed(&other, "msg_3", body), body, 401),
        (signed(&secret, "msg_4", body)[1..].to_vec(), body, 400),
    ];
    for (headers, sent, status) in cases {
        let reply = post_signed(&edge, &headers, sent).await;
        assert_eq!(reply.status.as_u16(), status);
        assert_eq!(reply.header("content-type"), "application/problem+json");
    }
    assert_eq!(received().await.len(), 1);

    // The same checks at the origin itself.
    let origin = Server::Http(addr);
    let at_origin = post_signed(&origin, &signed(&secret, "msg_2", body), tampered).await;
    assert_eq!(at_origin.status, StatusCode::UNAUTHORIZED);
    // Without a secret the edge takes no events at all.
    let closed = Server::Http(serve_component().await);
    let off = post_signed(&closed, &signed(&secret, "msg_5", body), body).await;
    assert_eq!(off.status, StatusCode::NOT_FOUND);
}
