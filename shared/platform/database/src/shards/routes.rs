//! The routing table and its in-process cache.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kernel::{TenantId, Unavailable};
use sqlx::Postgres;

use super::HOME;
use crate::Db;

/// Beyond this many cached routes the cache starts over, bounding an instance's memory.
const MAX_CACHED: usize = 100_000;

const SELECT: &str = "SELECT shard, move_step FROM tenant_shards WHERE tenant_id = $1";
const INSERT: &str = "INSERT INTO tenant_shards (tenant_id, shard) VALUES ($1, $2)";

/// Where a tenant is served from, and whether it is being moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub shard: String,
    /// The last step of a move in progress, if any: `frozen`, `copied`, `verified` or
    /// `flipped` (see [`super::moves`]).
    pub move_step: Option<String>,
}

impl Route {
    pub(crate) fn home() -> Self {
        Self {
            shard: HOME.to_owned(),
            move_step: None,
        }
    }

    /// Between the freeze and the flip of a move: readable, not writable, never cached.
    pub fn moving(&self) -> bool {
        matches!(
            self.move_step.as_deref(),
            Some("frozen" | "copied" | "verified")
        )
    }
}

#[derive(Debug)]
pub(crate) struct Routes {
    directory: Db<Postgres>,
    ttl: Duration,
    cache: Mutex<HashMap<TenantId, (Route, Instant)>>,
}

impl Routes {
    pub(crate) fn new(directory: Db<Postgres>, ttl: Duration) -> Self {
        Self {
            directory,
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The tenant's route, from the cache while it is fresh.
    pub(crate) async fn cached(&self, tenant: TenantId) -> Result<Route, Unavailable> {
        if let Some((route, at)) = self.lock().get(&tenant)
            && at.elapsed() < self.ttl
        {
            return Ok(route.clone());
        }
        let route = self.read(tenant).await?;
        if !route.moving() && !self.ttl.is_zero() {
            let mut cache = self.lock();
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(tenant, (route.clone(), Instant::now()));
        }
        Ok(route)
    }

    /// The tenant's route as the table holds it now (the writer's: a route is never read from
    /// a replica that may lag behind a move).
    pub(crate) async fn read(&self, tenant: TenantId) -> Result<Route, Unavailable> {
        let row: Option<(String, Option<String>)> = sqlx::query_as(SELECT)
            .bind(tenant.as_uuid())
            .fetch_optional(self.directory.pool().await?)
            .await
            .map_err(|e| self.directory.unavailable(e))?;
        Ok(row.map_or_else(Route::home, |(shard, move_step)| Route { shard, move_step }))
    }

    pub(crate) async fn insert(&self, tenant: TenantId, shard: &str) -> Result<(), Unavailable> {
        sqlx::query(INSERT)
            .bind(tenant.as_uuid())
            .bind(shard)
            .execute(self.directory.pool().await?)
            .await
            .map_err(|e| self.directory.unavailable(e))?;
        Ok(())
    }

    pub(crate) fn forget(&self, tenant: TenantId) {
        self.lock().remove(&tenant);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, (Route, Instant)>> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
