//! The Lambda adapter on real API Gateway v2 events from `events/`.

use runtime::lambda;

fn event(file: &str) -> lambda_http::Request {
    let path = format!("{}/../../../events/{file}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    lambda_http::request::from_str(&raw).unwrap()
}

#[test]
fn named_stages_are_stripped_and_default_is_left_alone() {
    let request = event("accounts-api/health-named-stage.json");
    assert_eq!(request.uri().path(), "/prod/v1/health");
    assert_eq!(lambda::strip_stage(request).uri().path(), "/v1/health");
    let stripped = lambda::strip_stage(event("tenants-api/members-named-stage.json"));
    assert_eq!(stripped.uri().query(), Some("limit=10"));
    let request = event("tenants-api/health.json");
    assert_eq!(lambda::strip_stage(request).uri().path(), "/v1/health");
}
