//! Real API Gateway v2 events from `events/tenants-api/`, fed through this function's Lambda
//! handler as its `main` wires it, on a fresh SQLite database.

use std::path::Path;

use database::PLATFORM;
use testkit::TestDb;

const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/tenants-api");

/// Each event file and the status it must produce.
const CASES: &[(&str, u16)] = &[
    ("health.json", 200),
    ("members-named-stage.json", 401),
    ("plans.json", 200),
];

#[tokio::test]
async fn events_get_the_expected_responses() {
    let db = TestDb::sqlite(&[
        &PLATFORM,
        &tenancy_sql::MIGRATIONS,
        &activity_sql::MIGRATIONS,
    ])
    .await;
    let platform = testkit::platform(&db.backend);
    for (file, expected) in CASES {
        let app = tenants_api::app(&platform);
        let (status, body) = testkit::replay(app, &Path::new(EVENTS).join(file)).await;
        assert_eq!(status, *expected, "{file}: {body}");
    }
}

/// The plain router built at cold start serves every operation the document lists.
#[tokio::test]
async fn the_router_serves_every_documented_operation() {
    let db = TestDb::sqlite(&[
        &PLATFORM,
        &tenancy_sql::MIGRATIONS,
        &activity_sql::MIGRATIONS,
    ])
    .await;
    let app = tenants_api::app(&testkit::platform(&db.backend));
    testkit::assert_serves_documented(app, &tenants_api::openapi()).await;
}

#[test]
fn every_event_has_an_expectation() {
    testkit::assert_every_event_expected(EVENTS, CASES);
}
