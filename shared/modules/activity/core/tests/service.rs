//! The dashboard use case and its consumer on the in-memory store and cache.

use std::sync::Arc;

use activity::{
    Activity, ActivityError, DashboardInvalidation, DynActivityStore, MemoryActivity, dashboard_key,
};
use jobs::Consumer;
use kernel::{Envelope, EventId, SystemClock, TenantId, UserId};
use kv::{Cache, CacheStatus, MemoryKv};
use time::OffsetDateTime;

fn activity(store: &MemoryActivity, cache: &Cache) -> Activity {
    Activity::new(
        DynActivityStore::new_arc(store.clone()),
        cache.clone(),
        Arc::new(SystemClock),
    )
}

fn envelope(kind: &str, tenant: Option<TenantId>) -> Envelope {
    Envelope {
        id: EventId::generate(),
        kind: kind.to_owned(),
        version: 1,
        tenant_id: tenant,
        occurred_at: OffsetDateTime::now_utc(),
        payload: serde_json::Value::Null,
    }
}

#[tokio::test]
async fn members_read_the_dashboard_and_others_are_told_it_does_not_exist() {
    let store = MemoryActivity::default();
    let cache = Cache::new(MemoryKv::default(), Arc::new(SystemClock));
    let activity = activity(&store, &cache);
    let (tenant, ada, eve) = (TenantId::generate(), UserId::generate(), UserId::generate());
    store.set_member(tenant, ada, OffsetDateTime::now_utc());
    let (dashboard, status) = activity.dashboard(ada, tenant).await.unwrap();
    assert_eq!(status, CacheStatus::Miss);
    assert_eq!(dashboard.tenant_id, tenant);
    assert_eq!(dashboard.days.len(), 90);
    assert_eq!(dashboard.days[89].signups, 1);
    // Cached now, yet still not for a non-member.
    assert!(matches!(
        activity.dashboard(eve, tenant).await,
        Err(ActivityError::TenantNotFound)
    ));
    let (_, status) = activity.dashboard(ada, tenant).await.unwrap();
    assert_eq!(status, CacheStatus::Hit);
}

#[tokio::test]
async fn a_membership_event_drops_the_cached_dashboard() {
    let store = MemoryActivity::default();
    let cache = Cache::new(MemoryKv::default(), Arc::new(SystemClock));
    let activity = activity(&store, &cache);
    let (tenant, ada, bob) = (TenantId::generate(), UserId::generate(), UserId::generate());
    store.set_member(tenant, ada, OffsetDateTime::now_utc());
    activity.dashboard(ada, tenant).await.unwrap();
    store.set_member(tenant, bob, OffsetDateTime::now_utc());
    let (cached, status) = activity.dashboard(ada, tenant).await.unwrap();
    assert_eq!((status, cached.days[89].signups), (CacheStatus::Hit, 1));

    let consumer = DashboardInvalidation::new(cache.clone());
    assert!(consumer.wants("tenancy.member_added"));
    assert!(consumer.wants("tenancy.member_removed"));
    assert!(!consumer.wants("tenancy.member_invited"));
    consumer
        .handle(&envelope("tenancy.member_added", Some(tenant)))
        .await
        .unwrap();
    let (fresh, status) = activity.dashboard(ada, tenant).await.unwrap();
    assert_eq!((status, fresh.days[89].signups), (CacheStatus::Miss, 2));
    assert_eq!(dashboard_key(tenant), format!("dashboard:{tenant}"));
}

#[tokio::test]
async fn an_event_without_a_tenant_fails_for_good() {
    let cache = Cache::new(MemoryKv::default(), Arc::new(SystemClock));
    let consumer = DashboardInvalidation::new(cache);
    let err = consumer
        .handle(&envelope("tenancy.member_added", None))
        .await
        .unwrap_err();
    assert!(matches!(err, jobs::JobError::Permanent(_)));
}
