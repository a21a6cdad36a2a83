//! JSON logs carry the request's span: request id, route, tenant and status.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::Request;
use runtime::config::LogFormat;
use serde_json::Value;
use tower::ServiceExt;

#[allow(dead_code)]
mod support;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn json_logs_carry_request_route_and_tenant() {
    let logs = Buffer::default();
    let writer = logs.clone();
    let _guard = tracing::subscriber::set_default(runtime::telemetry::subscriber(
        LogFormat::Json,
        move || writer.clone(),
    ));
    let db = testkit::TestDb::sqlite(&app::MIGRATIONS).await;
    let app = support::TestApp::new(db);
    let ada = app.signup("ada@example.com", "Acme").await;
    let (token, tenant) = (ada.token.as_str(), ada.tenant_id.as_str());

    let request = Request::get(format!("/v1/tenants/{tenant}"))
        .header("x-request-id", "req-42")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let served: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}")))
        .filter(|line: &Value| {
            line["message"] == "served" && line["span"]["request_id"] == "req-42"
        })
        .collect();
    assert_eq!(served.len(), 1, "{text}");
    let span = &served[0]["span"];
    assert_eq!(span["request_id"], "req-42");
    assert_eq!(span["route"], "/v1/tenants/{tenant_id}");
    assert_eq!(span["status"], 200);
    assert_eq!(span["tenant_id"], tenant);
    assert_eq!(span["user_id"], ada.user_id.as_str());
    assert_eq!(span["method"], "GET");
    assert!(served[0]["latency_ms"].is_number());
}
