//! Moves between shards as tests stage them.

use database::Db;
use database::shards::TenantMoving;
use kernel::{TenantId, Unavailable};
use sqlx::Postgres;

use crate::SHARDS;

/// Records `tenant`'s route as a move to its other test shard stopped after `step` (`frozen`,
/// `copied`, ...), or with `None` as settled again; answers the shard the move goes to.
pub async fn mark_move(home: &Db<Postgres>, tenant: TenantId, step: Option<&str>) -> String {
    let at = home.route(tenant).await.unwrap().shard;
    let to = SHARDS.into_iter().find(|s| *s != at).unwrap();
    let done = sqlx::query(
        "UPDATE tenant_shards SET move_from = CASE WHEN $3::text IS NULL THEN NULL ELSE shard END, \
         move_to = CASE WHEN $3::text IS NULL THEN NULL ELSE $2 END, move_step = $3 \
         WHERE tenant_id = $1",
    )
    .bind(tenant.as_uuid())
    .bind(to)
    .bind(step)
    .execute(home.raw_pool())
    .await
    .unwrap_or_else(|e| panic!("mark the move: {e}"));
    assert_eq!(done.rows_affected(), 1, "{tenant} has no route");
    to.to_owned()
}

/// Whether `err` says the tenant is being moved between shards.
pub fn is_moving(err: &Unavailable) -> bool {
    std::error::Error::source(err).is_some_and(|e| e.is::<TenantMoving>())
}
