//! The endpoint use cases on the in-memory store: who may manage webhooks, the secret shown
//! once, tenant isolation, and which events the consumer takes. Deliveries over a real socket
//! are tested in `webhooks-http`.

use std::sync::Arc;

use jobs::Consumer;
use kernel::{Envelope, SystemClock, TenantId, UserId};
use webhooks::{
    DeliverConsumer, Description, EndpointId, EndpointUrl, MemoryEndpoints, Outgoing, Role,
    SendError, Sender, UrlPolicy, Webhooks, WebhooksError,
};

/// A sender for a machine without a network: these tests register and list, never deliver.
struct Offline;

impl Sender for Offline {
    async fn send(&self, _: &Outgoing) -> Result<u16, SendError> {
        Err(SendError::Transport("offline".into()))
    }
}

struct Fixture {
    webhooks: Webhooks,
    store: MemoryEndpoints,
    tenant: TenantId,
    owner: UserId,
}

fn fixture() -> Fixture {
    let store = MemoryEndpoints::default();
    let webhooks = Webhooks::new(
        store.clone(),
        Offline,
        Arc::new(SystemClock),
        UrlPolicy::Public,
    );
    let (tenant, owner) = (TenantId::generate(), UserId::generate());
    store.set_role(tenant, owner, Role::Owner);
    Fixture {
        webhooks,
        store,
        tenant,
        owner,
    }
}

fn url(raw: &str) -> EndpointUrl {
    EndpointUrl::parse(raw, UrlPolicy::Public).unwrap()
}

#[tokio::test]
async fn owners_and_admins_register_and_see_the_secret_once() {
    let f = fixture();
    let admin = UserId::generate();
    f.store.set_role(f.tenant, admin, Role::Admin);
    let description = Description::parse("CRM sync").unwrap();
    let registered = f
        .webhooks
        .register(
            admin,
            f.tenant,
            url("https://hooks.example.com/in"),
            description,
        )
        .await
        .unwrap();
    assert!(registered.secret.expose().starts_with("whsec_"));
    assert_eq!(registered.endpoint.tenant_id, f.tenant);
    assert!(registered.endpoint.enabled);
    let listed = f.webhooks.endpoints(f.owner, f.tenant).await.unwrap();
    assert_eq!(listed, vec![registered.endpoint.clone()]);
    assert_eq!(
        listed[0].description.as_ref().map(Description::as_str),
        Some("CRM sync")
    );
    f.webhooks
        .delete(f.owner, f.tenant, registered.endpoint.id)
        .await
        .unwrap();
    assert!(
        f.webhooks
            .endpoints(f.owner, f.tenant)
            .await
            .unwrap()
            .is_empty()
    );
    let again = f
        .webhooks
        .delete(f.owner, f.tenant, registered.endpoint.id)
        .await;
    assert!(
        matches!(again, Err(WebhooksError::EndpointNotFound)),
        "{again:?}"
    );
}

#[tokio::test]
async fn members_are_forbidden_and_outsiders_see_no_tenant() {
    let f = fixture();
    let member = UserId::generate();
    f.store.set_role(f.tenant, member, Role::Member);
    let outsider = UserId::generate();
    let as_member = f
        .webhooks
        .register(member, f.tenant, url("https://example.com/"), None)
        .await;
    assert!(
        matches!(as_member, Err(WebhooksError::Forbidden)),
        "{as_member:?}"
    );
    let listed = f.webhooks.endpoints(member, f.tenant).await;
    assert!(
        matches!(listed, Err(WebhooksError::Forbidden)),
        "{listed:?}"
    );
    let as_outsider = f.webhooks.endpoints(outsider, f.tenant).await;
    assert!(
        matches!(as_outsider, Err(WebhooksError::TenantNotFound)),
        "{as_outsider:?}"
    );
    let deliveries = f
        .webhooks
        .deliveries(outsider, f.tenant, EndpointId::generate(), None, 10)
        .await;
    assert!(
        matches!(deliveries, Err(WebhooksError::TenantNotFound)),
        "{deliveries:?}"
    );
}

#[tokio::test]
async fn one_tenant_never_reaches_another_tenants_endpoints() {
    let f = fixture();
    let theirs = f
        .webhooks
        .register(f.owner, f.tenant, url("https://a.example.com/"), None)
        .await
        .unwrap();
    let (other, other_owner) = (TenantId::generate(), UserId::generate());
    f.store.set_role(other, other_owner, Role::Owner);
    assert!(
        f.webhooks
            .endpoints(other_owner, other)
            .await
            .unwrap()
            .is_empty()
    );
    let id = theirs.endpoint.id;
    let deleted = f.webhooks.delete(other_owner, other, id).await;
    assert!(
        matches!(deleted, Err(WebhooksError::EndpointNotFound)),
        "{deleted:?}"
    );
    let log = f
        .webhooks
        .deliveries(other_owner, other, id, None, 10)
        .await;
    assert!(
        matches!(log, Err(WebhooksError::EndpointNotFound)),
        "{log:?}"
    );
    assert_eq!(
        f.webhooks.endpoints(f.owner, f.tenant).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn a_tenant_has_at_most_its_quota_of_endpoints() {
    let f = fixture();
    for i in 0..webhooks::MAX_ENDPOINTS {
        let raw = format!("https://h{i}.example.com/");
        f.webhooks
            .register(f.owner, f.tenant, url(&raw), None)
            .await
            .unwrap();
    }
    let over = f
        .webhooks
        .register(f.owner, f.tenant, url("https://over.example.com/"), None)
        .await;
    assert!(
        matches!(over, Err(WebhooksError::TooManyEndpoints)),
        "{over:?}"
    );
}

#[tokio::test]
async fn the_consumer_takes_published_events_only() {
    let f = fixture();
    let consumer = DeliverConsumer::new(f.webhooks.clone());
    assert_eq!(consumer.name(), "webhooks.deliver");
    assert!(consumer.wants("tenancy.member_added"));
    assert!(!consumer.wants("webhooks.endpoint_disabled"));
    assert!(
        !consumer.wants("tenancy.member_invited"),
        "an invitation's token never leaves the platform"
    );
    // A failing endpoint makes the job retryable; an event without a tenant goes nowhere.
    f.webhooks
        .register(f.owner, f.tenant, url("https://a.example.com/"), None)
        .await
        .unwrap();
    let event = Envelope {
        id: kernel::EventId::generate(),
        kind: "tenancy.member_added".into(),
        version: 1,
        tenant_id: Some(f.tenant),
        occurred_at: time::OffsetDateTime::now_utc(),
        payload: serde_json::json!({"role": "admin"}),
    };
    let failed = consumer.handle(&event).await;
    assert!(
        matches!(failed, Err(jobs::JobError::Retryable(_))),
        "{failed:?}"
    );
    let untenanted = Envelope {
        tenant_id: None,
        ..event
    };
    assert!(consumer.handle(&untenanted).await.is_ok());
}
