//! Real API Gateway v2 events from `events/` fed through each function's Lambda handler,
//! wired exactly as the function's `main` wires it.

use std::path::{Path, PathBuf};

use http_api::RouteGroup;
use http_body_util::BodyExt;
use runtime::{Config, Migrations, lambda};
use serde_json::Value;
use tower::ServiceExt;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Each event file, the function that receives it, and the status it must produce.
const CASES: &[(&str, RouteGroup, u16)] = &[
    ("accounts-api/signup.json", RouteGroup::Accounts, 201),
    (
        "accounts-api/signup-malformed.json",
        RouteGroup::Accounts,
        400,
    ),
    (
        "accounts-api/health-named-stage.json",
        RouteGroup::Accounts,
        200,
    ),
    (
        "accounts-api/me-without-session.json",
        RouteGroup::Accounts,
        401,
    ),
    (
        "tenants-api/members-named-stage.json",
        RouteGroup::Tenants,
        401,
    ),
    ("tenants-api/health.json", RouteGroup::Tenants, 200),
];

async fn invoke(file: &str, group: RouteGroup, sqlite: &Path) -> (u16, Value) {
    let raw = std::fs::read_to_string(repo_root().join("events").join(file)).unwrap();
    let request = lambda_http::request::from_str(&raw).unwrap_or_else(|e| panic!("{file}: {e}"));
    let path = sqlite.to_str().unwrap().to_owned();
    let config = Config::from_lookup(|name| (name == "SQLITE_PATH").then(|| path.clone())).unwrap();
    let state = runtime::state(&config, Migrations::Apply).await.unwrap();
    let response = lambda::handler(http_api::group(group, state))
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn events_get_the_expected_responses() {
    let db = std::env::temp_dir().join(format!("saas-events-{}.sqlite", std::process::id()));
    for (file, group, expected) in CASES {
        let (status, body) = invoke(file, *group, &db).await;
        assert_eq!(status, *expected, "{file}: {body}");
        if status >= 400 {
            assert_eq!(body["status"], *expected, "{file}: problem body {body}");
        }
    }
    let (_, signup) = invoke("accounts-api/signup.json", RouteGroup::Accounts, &db).await;
    assert_eq!(
        signup["status"], 409,
        "the same signup twice conflicts: {signup}"
    );
}

/// Every event file has an expectation, and every function has events.
#[test]
fn every_event_and_function_is_covered() {
    let events = repo_root().join("events");
    for function in std::fs::read_dir(repo_root().join("functions")).unwrap() {
        let name = function.unwrap().file_name().into_string().unwrap();
        let dir = events.join(&name);
        assert!(dir.is_dir(), "function {name} has no events/{name}/");
        for file in std::fs::read_dir(dir).unwrap() {
            let file = format!(
                "{name}/{}",
                file.unwrap().file_name().into_string().unwrap()
            );
            assert!(
                CASES.iter().any(|(f, _, _)| *f == file),
                "events/{file} has no expectation"
            );
        }
    }
}

#[test]
fn named_stages_are_stripped_and_default_is_left_alone() {
    let raw =
        std::fs::read_to_string(repo_root().join("events/accounts-api/health-named-stage.json"))
            .unwrap();
    let request = lambda_http::request::from_str(&raw).unwrap();
    assert_eq!(request.uri().path(), "/prod/v1/health");
    assert_eq!(lambda::strip_stage(request).uri().path(), "/v1/health");
    let raw =
        std::fs::read_to_string(repo_root().join("events/tenants-api/members-named-stage.json"))
            .unwrap();
    let stripped = lambda::strip_stage(lambda_http::request::from_str(&raw).unwrap());
    assert_eq!(stripped.uri().query(), Some("limit=10"));
    let raw = std::fs::read_to_string(repo_root().join("events/tenants-api/health.json")).unwrap();
    let request = lambda_http::request::from_str(&raw).unwrap();
    assert_eq!(lambda::strip_stage(request).uri().path(), "/v1/health");
}
