//! Real API Gateway v2 events from `events/accounts-api/`, fed through this function's Lambda
//! handler as its `main` wires it, on a fresh SQLite database.

use database::PLATFORM;
use http_body_util::BodyExt;
use identity_passwords::Argon2Hasher;
use runtime::{Platform, lambda};
use serde_json::Value;
use testkit::TestDb;
use tower::ServiceExt;

const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/accounts-api");

/// Each event file and the status it must produce.
const CASES: &[(&str, u16)] = &[
    ("signup.json", 201),
    ("signup-malformed.json", 400),
    ("health-named-stage.json", 200),
    ("me-without-session.json", 401),
];

async fn invoke(platform: &Platform, file: &str) -> (u16, Value) {
    let raw = std::fs::read_to_string(format!("{EVENTS}/{file}")).unwrap();
    let request = lambda_http::request::from_str(&raw).unwrap_or_else(|e| panic!("{file}: {e}"));
    let app = accounts_api::app(platform, Argon2Hasher::for_tests());
    let response = lambda::handler(app).oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn events_get_the_expected_responses() {
    let db = TestDb::sqlite(&[&PLATFORM, &identity_sql::MIGRATIONS]).await;
    let platform = Platform::new(
        db.backend.clone(),
        std::sync::Arc::new(web::EmfMetrics::new(
            "t".into(),
            "t".into(),
            Box::new(std::io::sink()),
        )),
        time::Duration::hours(1),
    );
    for (file, expected) in CASES {
        let (status, body) = invoke(&platform, file).await;
        assert_eq!(status, *expected, "{file}: {body}");
        if status >= 400 {
            assert_eq!(body["status"], *expected, "{file}: problem body {body}");
            // API Gateway's request id, not a client's, names the request.
            assert_eq!(body["request_id"], "cHJlZml4LXJlcXVlc3Q=", "{file}");
        }
    }
    let (_, again) = invoke(&platform, "signup.json").await;
    assert_eq!(
        again["status"], 409,
        "the same signup twice conflicts: {again}"
    );
}

#[test]
fn every_event_has_an_expectation() {
    for file in std::fs::read_dir(EVENTS).unwrap() {
        let name = file.unwrap().file_name().into_string().unwrap();
        assert!(
            CASES.iter().any(|(f, _)| *f == name),
            "events/accounts-api/{name} has no expectation"
        );
    }
}
