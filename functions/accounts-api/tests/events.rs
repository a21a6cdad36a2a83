//! Real API Gateway v2 events from `events/accounts-api/`, fed through this function's Lambda
//! handler as its `main` wires it, on a fresh SQLite database.

use std::path::Path;

use database::PLATFORM;
use identity_passwords::Argon2Hasher;
use testkit::TestDb;

const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/accounts-api");

/// Each event file and the status it must produce.
const CASES: &[(&str, u16)] = &[
    ("signup.json", 201),
    ("signup-malformed.json", 400),
    ("health-named-stage.json", 200),
    ("me-without-session.json", 401),
    ("me-unknown-session.json", 401),
];

#[tokio::test]
async fn events_get_the_expected_responses() {
    let db = TestDb::sqlite(&[&PLATFORM, &identity_sql::MIGRATIONS]).await;
    let platform = testkit::platform(&db.backend);
    let app = || accounts_api::app(&platform, Argon2Hasher::for_tests());
    for (file, expected) in CASES {
        let (status, body) = testkit::replay(app(), &Path::new(EVENTS).join(file)).await;
        assert_eq!(status, *expected, "{file}: {body}");
        if status >= 400 {
            assert_eq!(body["status"], *expected, "{file}: problem body {body}");
            // API Gateway's request id, not a client's, names the request.
            assert_eq!(body["request_id"], "cHJlZml4LXJlcXVlc3Q=", "{file}");
        }
    }
    let (_, again) = testkit::replay(app(), &Path::new(EVENTS).join("signup.json")).await;
    assert_eq!(
        again["status"], 409,
        "the same signup twice conflicts: {again}"
    );
}

/// The plain router built at cold start serves every operation the document lists.
#[tokio::test]
async fn the_router_serves_every_documented_operation() {
    let db = TestDb::sqlite(&[&PLATFORM, &identity_sql::MIGRATIONS]).await;
    let app = accounts_api::app(&testkit::platform(&db.backend), Argon2Hasher::for_tests());
    testkit::assert_serves_documented(app, &accounts_api::openapi()).await;
}

#[test]
fn every_event_has_an_expectation() {
    testkit::assert_every_event_expected(EVENTS, CASES);
}
