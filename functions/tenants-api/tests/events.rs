//! Real API Gateway v2 events from `events/tenants-api/`, fed through this function's Lambda
//! handler as its `main` wires it, on a fresh SQLite database.

use database::PLATFORM;
use http_body_util::BodyExt;
use runtime::{Platform, lambda};
use serde_json::Value;
use testkit::TestDb;
use tower::ServiceExt;

const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/tenants-api");

/// Each event file and the status it must produce.
const CASES: &[(&str, u16)] = &[("health.json", 200), ("members-named-stage.json", 401)];

#[tokio::test]
async fn events_get_the_expected_responses() {
    let db = TestDb::sqlite(&[&PLATFORM, &tenancy_sql::MIGRATIONS]).await;
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
        let raw = std::fs::read_to_string(format!("{EVENTS}/{file}")).unwrap();
        let request = lambda_http::request::from_str(&raw).unwrap();
        let response = lambda::handler(tenants_api::app(&platform))
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert_eq!(status, *expected, "{file}: {body}");
    }
}

#[test]
fn every_event_has_an_expectation() {
    for file in std::fs::read_dir(EVENTS).unwrap() {
        let name = file.unwrap().file_name().into_string().unwrap();
        assert!(
            CASES.iter().any(|(f, _)| *f == name),
            "events/tenants-api/{name} has no expectation"
        );
    }
}
