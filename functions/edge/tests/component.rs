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
        let mut builder = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        match self {
            Self::Native(router) => {
                let request = builder.body(Body::empty()).unwrap();
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
                    .body(Full::<axum::body::Bytes>::default())
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
    let path = component().to_owned();
    let host = tokio::task::spawn_blocking(move || Host::load(&path, Settings::default()))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{e:#}"));
    host.spawn().await.unwrap()
}

#[tokio::test]
async fn the_component_serves_what_the_router_serves() {
    let native = serves_the_plan_catalog(&Server::Native(edge::router())).await;
    let component = serves_the_plan_catalog(&Server::Http(serve_component().await)).await;
    assert_eq!(
        String::from_utf8_lossy(&component),
        String::from_utf8_lossy(&native)
    );
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
    assert!(!triggers.is_empty());
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
        let source = component["source"].as_str().unwrap();
        assert_eq!(
            source,
            format!(
                "../../target/wasm32-wasip2/release/{}.wasm",
                env!("CARGO_PKG_NAME").replace('-', "_")
            )
        );
        // The artifact the build makes loads as a wasi:http component and serves the route.
        let addr = serve_component().await;
        let reply = Server::Http(addr).send(Method::GET, route, &[]).await;
        assert_eq!(reply.status, StatusCode::OK, "{route}");
    }
}
