//! Providers' signed events at the origin: `POST /v1/webhooks/inbound` verifies the Standard
//! Webhooks signature with the configured secret and records what verifies in the outbox, once
//! per `webhook-id`, on both databases.

#[allow(dead_code)]
mod support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request};
use identity_passwords::Argon2Hasher;
use runtime::Platform;
use support::{Reply, send};
use testkit::TestDb;
use time::OffsetDateTime;
use webhooks::Secret;

fn delivery(
    secret: &Secret,
    id: &str,
    at: OffsetDateTime,
    body: &str,
    skip: Option<&str>,
) -> Request<Body> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/v1/webhooks/inbound")
        .header("content-type", "application/json");
    for (name, value) in
        webhooks::signing::headers(secret, id, at.unix_timestamp(), body.as_bytes())
    {
        if Some(name) != skip {
            request = request.header(name, value);
        }
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

async fn received(db: &TestDb) -> Vec<serde_json::Value> {
    testkit::outbox(&db.backend)
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "webhooks.inbound_received")
        .map(|(_, payload)| payload)
        .collect()
}

async fn verified_events_are_recorded_once_and_the_rest_refused(db: TestDb) {
    let metrics =
        web::EmfMetrics::new("Saas/test".into(), "test".into(), Box::new(std::io::sink()));
    let platform = Platform::new(
        db.backend.clone(),
        Arc::new(metrics),
        time::Duration::hours(1),
    );
    let secret = Secret::generate().unwrap();
    let app = app::app_with(&platform, Argon2Hasher::for_tests(), Some(secret.clone()));
    let now = OffsetDateTime::now_utc();
    let body = r#"{"type":"invoice.paid"}"#;

    let accepted = send(&app, delivery(&secret, "msg_1", now, body, None)).await;
    assert_eq!(accepted.status.as_u16(), 202, "{}", accepted.body);
    let events = received(&db).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["webhook_id"], "msg_1");
    assert_eq!(events[0]["payload"]["type"], "invoice.paid");

    // The provider sends the message again (it missed the answer): accepted, not recorded.
    let later = now + time::Duration::seconds(30);
    let repeat = send(&app, delivery(&secret, "msg_1", later, body, None)).await;
    assert_eq!(repeat.status.as_u16(), 202, "{}", repeat.body);
    assert_eq!(received(&db).await.len(), 1);

    let stale = now - time::Duration::minutes(6);
    let refused: [(Request<Body>, u16, Option<&str>); 5] = [
        (delivery(&secret, "msg_2", stale, body, None), 401, None),
        (
            delivery(&Secret::generate().unwrap(), "msg_3", now, body, None),
            401,
            None,
        ),
        (
            delivery(&secret, "msg_4", now, "not json", None),
            400,
            Some("body"),
        ),
        (
            delivery(&secret, "msg_5", now, body, Some("webhook-signature")),
            400,
            Some("webhook-signature"),
        ),
        (
            delivery(&secret, &"m".repeat(257), now, body, None),
            400,
            Some("webhook-id"),
        ),
    ];
    for (request, status, field) in refused {
        let reply: Reply = send(&app, request).await;
        reply.assert_problem(status);
        if let Some(field) = field {
            assert_eq!(reply.fields(), [field], "{}", reply.body);
        }
    }
    assert_eq!(received(&db).await.len(), 1);

    // Ids are kept until the sweeper deletes them; a repeat after that is recorded again.
    assert_eq!(
        webhooks_sql::sweep_inbound(&db.backend, now).await.unwrap(),
        0
    );
    let swept = webhooks_sql::sweep_inbound(&db.backend, later + time::Duration::seconds(1));
    assert_eq!(swept.await.unwrap(), 1);
    let again = send(&app, delivery(&secret, "msg_1", later, body, None)).await;
    assert_eq!(again.status.as_u16(), 202, "{}", again.body);
    assert_eq!(received(&db).await.len(), 2);

    // Without a secret the route is off.
    let off = app::app_with(&platform, Argon2Hasher::for_tests(), None);
    send(&off, delivery(&secret, "msg_6", now, body, None))
        .await
        .assert_problem(404);
}

mod sqlite {
    #[tokio::test]
    async fn verified_events_are_recorded_once_and_the_rest_refused() {
        let db = testkit::TestDb::sqlite(&app::MIGRATIONS).await;
        super::verified_events_are_recorded_once_and_the_rest_refused(db).await;
    }
}

mod postgres {
    #[tokio::test]
    async fn verified_events_are_recorded_once_and_the_rest_refused() {
        let db = testkit::TestDb::postgres(&app::MIGRATIONS).await;
        super::verified_events_are_recorded_once_and_the_rest_refused(db).await;
    }
}
