//! Deliveries over real sockets: the HTTP sender against a receiver on a loopback port,
//! through the webhooks service on the in-memory store and on PostgreSQL.

mod receiver;

use std::sync::Arc;
use std::time::{Duration, Instant};

use database::{Backend, MigrationSet, PLATFORM};
use kernel::{Envelope, EventId, SystemClock, TenantId, UserId};
use receiver::{Receiver, Reply};
use sqlx::migrate::Migrator;
use testkit::TestDb;
use time::OffsetDateTime;
use webhooks::signing::{self, verify};
use webhooks::{
    DeliverError, DynEndpoints, EndpointUrl, MemoryEndpoints, Outcome, Outgoing, Role, SendError,
    Sender, UrlPolicy, Webhooks,
};
use webhooks_http::{HttpSender, HttpSenderConfig};

static MEMBERS_POSTGRES: Migrator = sqlx::migrate!("../sql/tests/members/postgres");
static MEMBERS_SQLITE: Migrator = sqlx::migrate!("../sql/tests/members/sqlite");
static MEMBERS: MigrationSet = MigrationSet {
    owner: "tenant members stand-in",
    postgres: &MEMBERS_POSTGRES,
    sqlite: &MEMBERS_SQLITE,
};

fn sender(policy: UrlPolicy, timeout: Duration) -> HttpSender {
    HttpSender::new(HttpSenderConfig { policy, timeout }).unwrap()
}

/// A tenant with an owner, on a store, and the service over it with a local-mode sender.
struct Setup {
    webhooks: Webhooks,
    tenant: TenantId,
    owner: UserId,
}

fn local(store: impl webhooks::Endpoints + 'static) -> Webhooks {
    Webhooks::new(
        store,
        sender(UrlPolicy::Local, Duration::from_secs(2)),
        Arc::new(SystemClock),
        UrlPolicy::Local,
    )
}

fn on_memory() -> (Setup, MemoryEndpoints) {
    let store = MemoryEndpoints::default();
    let (tenant, owner) = (TenantId::generate(), UserId::generate());
    store.set_role(tenant, owner, Role::Owner);
    let setup = Setup {
        webhooks: local(store.clone()),
        tenant,
        owner,
    };
    (setup, store)
}

async fn on_postgres(db: &TestDb) -> Setup {
    let (tenant, owner) = (TenantId::generate(), UserId::generate());
    let Backend::Postgres(pg) = &db.backend else {
        unreachable!("a PostgreSQL test database")
    };
    sqlx::query("INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, 'owner')")
        .bind(tenant.as_uuid())
        .bind(owner.as_uuid())
        .execute(pg.raw_pool())
        .await
        .unwrap();
    let store: Box<DynEndpoints<'static>> = webhooks_sql::endpoints(&db.backend);
    Setup {
        webhooks: local(store),
        tenant,
        owner,
    }
}

fn event(tenant: TenantId) -> Envelope {
    Envelope {
        id: EventId::generate(),
        kind: "tenancy.member_added".into(),
        version: 1,
        tenant_id: Some(tenant),
        occurred_at: OffsetDateTime::now_utc(),
        payload: serde_json::json!({"tenant_id": tenant, "role": "admin"}),
    }
}

fn url(raw: &str) -> EndpointUrl {
    EndpointUrl::parse(raw, UrlPolicy::Local).unwrap()
}

/// A receiver that fails twice sees three signed deliveries of the event, one logged success,
/// and nothing more when the event comes again.
async fn retries_reach_a_recovering_receiver_exactly_once(setup: Setup) {
    let receiver = Receiver::start([Reply::Status(500), Reply::Status(500)]).await;
    let Setup {
        webhooks,
        tenant,
        owner,
    } = setup;
    let registered = webhooks
        .register(owner, tenant, url(&receiver.url("/hook?x=1")), None)
        .await
        .unwrap();
    let envelope = event(tenant);
    for _ in 0..2 {
        let failed = webhooks.deliver(&envelope).await;
        assert!(
            matches!(
                failed,
                Err(DeliverError::Failed {
                    failed: 1,
                    attempted: 1
                })
            ),
            "{failed:?}"
        );
    }
    assert_eq!(webhooks.deliver(&envelope).await.unwrap(), 1);
    assert_eq!(webhooks.deliver(&envelope).await.unwrap(), 0, "redelivered");

    let seen = receiver.seen();
    assert_eq!(seen.len(), 3);
    for request in &seen {
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/hook?x=1")
        );
        assert_eq!(request.header("content-type"), "application/json");
        assert_eq!(request.header("host"), receiver.addr.to_string());
        assert_eq!(request.header(signing::ID_HEADER), envelope.id.to_string());
        let checked = verify(
            &registered.secret,
            request.header(signing::ID_HEADER),
            request.header(signing::TIMESTAMP_HEADER),
            request.header(signing::SIGNATURE_HEADER),
            &request.body,
            OffsetDateTime::now_utc(),
        );
        assert_eq!(checked, Ok(()));
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["type"], "tenancy.member_added");
        assert_eq!(body["data"], envelope.payload);
        let at = body["timestamp"].as_str().unwrap();
        let at = OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339);
        assert_eq!(
            at.unwrap().unix_timestamp(),
            envelope.occurred_at.unix_timestamp()
        );
    }

    let id = registered.endpoint.id;
    let log = webhooks
        .deliveries(owner, tenant, id, None, 10)
        .await
        .unwrap()
        .deliveries;
    let attempts: Vec<(u32, Outcome)> =
        log.iter().map(|d| (d.attempt, d.outcome.clone())).collect();
    assert_eq!(
        attempts,
        [
            (3, Outcome::Status(200)),
            (2, Outcome::Status(500)),
            (1, Outcome::Status(500)),
        ]
    );
    assert_eq!(log.iter().filter(|d| d.outcome.succeeded()).count(), 1);
    assert!(log.iter().all(|d| d.event_id == envelope.id));
    let endpoint = &webhooks.endpoints(owner, tenant).await.unwrap()[0];
    assert_eq!((endpoint.enabled, endpoint.consecutive_failures), (true, 0));
}

#[tokio::test]
async fn retries_reach_a_recovering_receiver_exactly_once_on_memory() {
    retries_reach_a_recovering_receiver_exactly_once(on_memory().0).await;
}

#[tokio::test]
async fn retries_reach_a_recovering_receiver_exactly_once_on_postgres() {
    let db = TestDb::postgres(&[&PLATFORM, &MEMBERS, &webhooks_sql::MIGRATIONS]).await;
    retries_reach_a_recovering_receiver_exactly_once(on_postgres(&db).await).await;
}

#[tokio::test]
async fn retries_reach_a_recovering_receiver_exactly_once_on_sqlite() {
    let db = TestDb::sqlite(&[&PLATFORM, &MEMBERS, &webhooks_sql::MIGRATIONS]).await;
    let (tenant, owner) = (TenantId::generate(), UserId::generate());
    let Backend::Sqlite(lite) = &db.backend else {
        unreachable!("a SQLite test database")
    };
    sqlx::query("INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, 'owner')")
        .bind(tenant.as_uuid())
        .bind(owner.as_uuid())
        .execute(lite.raw_pool())
        .await
        .unwrap();
    let store: Box<DynEndpoints<'static>> = webhooks_sql::endpoints(&db.backend);
    let setup = Setup {
        webhooks: local(store),
        tenant,
        owner,
    };
    retries_reach_a_recovering_receiver_exactly_once(setup).await;
}

fn outgoing(raw: &str, policy: UrlPolicy) -> Outgoing {
    Outgoing {
        url: EndpointUrl::parse(raw, policy).unwrap(),
        headers: vec![],
        body: b"{}".to_vec(),
    }
}

/// Outside local mode, a receiver on this machine or a private network is never called,
/// whether the URL names its address or a name that resolves to it.
#[tokio::test]
async fn private_and_loopback_receivers_are_refused_outside_local_mode() {
    let receiver = Receiver::start([]).await;
    let public = sender(UrlPolicy::Public, Duration::from_secs(2));
    let port = receiver.addr.port();
    for raw in [
        format!("https://localhost:{port}/hook"),
        format!("https://127.0.0.1:{port}/hook"),
        format!("https://[::ffff:127.0.0.1]:{port}/hook"),
        format!("https://10.0.0.1:{port}/hook"),
        format!("https://169.254.169.254:{port}/latest"),
    ] {
        // As if stored under another policy: the sender checks for itself.
        let url = EndpointUrl::from_stored(&raw).unwrap();
        let request = Outgoing {
            url,
            headers: vec![],
            body: b"{}".to_vec(),
        };
        let sent = public.send(&request).await;
        assert!(
            matches!(sent, Err(SendError::Refused(_))),
            "{raw}: {sent:?}"
        );
    }
    // Plain HTTP is for local mode only, even to a public address.
    let plain = public
        .send(&outgoing("http://93.184.215.14/", UrlPolicy::Local))
        .await;
    assert!(matches!(plain, Err(SendError::Refused(_))), "{plain:?}");
    assert!(receiver.seen().is_empty());

    // Local mode reaches it; over https it speaks TLS, which a plain receiver cannot answer.
    let local = sender(UrlPolicy::Local, Duration::from_secs(2));
    let sent = local
        .send(&outgoing(&receiver.url("/hook"), UrlPolicy::Local))
        .await;
    assert_eq!(sent, Ok(200));
    let tls = local
        .send(&outgoing(
            &format!("https://127.0.0.1:{port}/hook"),
            UrlPolicy::Local,
        ))
        .await;
    assert!(matches!(tls, Err(SendError::Transport(_))), "{tls:?}");
    assert_eq!(receiver.seen().len(), 1);
}

/// A 302 is answered as it is: not followed, and a failed delivery.
#[tokio::test]
async fn redirects_are_not_followed() {
    let receiver = Receiver::start([Reply::Redirect]).await;
    let (setup, _) = on_memory();
    let registered = setup
        .webhooks
        .register(setup.owner, setup.tenant, url(&receiver.url("/hook")), None)
        .await
        .unwrap();
    let failed = setup.webhooks.deliver(&event(setup.tenant)).await;
    assert!(
        matches!(failed, Err(DeliverError::Failed { .. })),
        "{failed:?}"
    );
    let paths: Vec<String> = receiver.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/hook"]);
    let log = setup
        .webhooks
        .deliveries(setup.owner, setup.tenant, registered.endpoint.id, None, 10)
        .await
        .unwrap();
    assert_eq!(log.deliveries[0].outcome, Outcome::Status(302));
}

/// A receiver slower than the timeout is a failed delivery, logged as timed out.
#[tokio::test]
async fn a_slow_receiver_times_out() {
    let receiver = Receiver::start([Reply::Slow(Duration::from_secs(5))]).await;
    let quick = sender(UrlPolicy::Local, Duration::from_millis(300));
    let started = Instant::now();
    let sent = quick
        .send(&outgoing(&receiver.url("/slow"), UrlPolicy::Local))
        .await;
    assert_eq!(sent, Err(SendError::Timeout));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let store = MemoryEndpoints::default();
    let (tenant, owner) = (TenantId::generate(), UserId::generate());
    store.set_role(tenant, owner, Role::Owner);
    let webhooks = Webhooks::new(store, quick, Arc::new(SystemClock), UrlPolicy::Local);
    let slow = Receiver::start([Reply::Slow(Duration::from_secs(5))]).await;
    let registered = webhooks
        .register(owner, tenant, url(&slow.url("/slow")), None)
        .await
        .unwrap();
    assert!(webhooks.deliver(&event(tenant)).await.is_err());
    let log = webhooks
        .deliveries(owner, tenant, registered.endpoint.id, None, 10)
        .await
        .unwrap();
    assert_eq!(
        log.deliveries[0].outcome,
        Outcome::Error("timed out".into())
    );
    assert!(
        log.deliveries[0].duration_ms >= 300,
        "{:?}",
        log.deliveries[0]
    );
}

/// Ten failed events in a row disable the endpoint, once, with an event in the outbox; the
/// next event is not sent to it.
#[tokio::test]
async fn an_endpoint_failing_ten_events_is_disabled() {
    let receiver = Receiver::start(vec![Reply::Status(503); 20]).await;
    let (setup, store) = on_memory();
    setup
        .webhooks
        .register(setup.owner, setup.tenant, url(&receiver.url("/hook")), None)
        .await
        .unwrap();
    for _ in 0..webhooks::DISABLE_AFTER {
        assert!(setup.webhooks.deliver(&event(setup.tenant)).await.is_err());
    }
    let endpoint = &setup
        .webhooks
        .endpoints(setup.owner, setup.tenant)
        .await
        .unwrap()[0];
    assert_eq!(
        (endpoint.enabled, endpoint.consecutive_failures),
        (false, 10)
    );
    let kinds: Vec<String> = store.outbox().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["webhooks.endpoint_disabled"]);
    assert_eq!(
        setup.webhooks.deliver(&event(setup.tenant)).await.unwrap(),
        0
    );
    assert_eq!(receiver.seen().len(), 10);
}
