//! Tenant sharding. The home database is the directory: accounts, sessions, the job tables and
//! the routing table (`tenant_shards`) live there. Tenant data (whatever the modules keep per
//! tenant) lives on the shard the routing table names, the home database itself being the shard
//! [`HOME`] of every tenant without a row.
//!
//! Adapters ask the home [`Db`] for a tenant's shard ([`Db::shard_for`]), place new tenants with
//! [`Db::place`], and visit every shard for queries that are not about one tenant
//! ([`Db::shards`], keeping only rows whose tenant [`Db::routes_to`] that shard). Routes are
//! cached in the process for [`ShardConfig::route_ttl`], except those of a tenant that is being
//! moved (see [`moves`]), which are read on every request.
//!
//! **Placement:** a new tenant goes to one of the shards open for placement
//! ([`ShardConfig::open`]), chosen by its id (uniform over the open shards, no query). Close a
//! full shard by leaving it out of the list; rebalance by moving tenants.

pub mod moves;
mod routes;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use kernel::{TenantId, Unavailable};
use sqlx::Postgres;

use crate::{Db, Dialect};
pub use routes::Route;
use routes::Routes;

/// The shard name of the home database.
pub const HOME: &str = "main";

/// Whether a tenant's data is read or changed: a tenant that is being moved can be read, from
/// the shard that serves it, but not changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// The tenant is between two shards: its data is read-only until the move flips its route.
#[derive(Debug, thiserror::Error)]
#[error("tenant {0} is being moved to another shard; retry shortly")]
pub struct TenantMoving(pub TenantId);

/// A shard by name, with its database.
#[derive(Debug, Clone)]
pub struct Shard<DB: Dialect> {
    pub name: String,
    pub db: Db<DB>,
}

/// How a home database's shards are laid out.
#[derive(Debug, Clone)]
pub struct ShardConfig {
    /// Where new tenants are placed; names from the shards or [`HOME`].
    pub open: Vec<String>,
    /// How long a process trusts a route it read.
    pub route_ttl: Duration,
}

/// The shards beside a home database, and the routes to them.
#[derive(Debug)]
pub(crate) struct ShardSet<DB: Dialect> {
    shards: BTreeMap<String, Db<DB>>,
    open: Vec<String>,
    routes: Routes,
}

impl Db<Postgres> {
    /// This home database with tenant data on `shards` (by name, beside [`HOME`]) as well.
    ///
    /// # Panics
    /// When a shard is named [`HOME`] or the open list names an unknown shard: both are
    /// configuration mistakes, caught at start.
    #[must_use]
    pub fn with_shards(
        mut self,
        shards: BTreeMap<String, Db<Postgres>>,
        config: ShardConfig,
    ) -> Self {
        assert!(!shards.contains_key(HOME), "no shard may be named {HOME}");
        for name in &config.open {
            assert!(
                name == HOME || shards.contains_key(name),
                "open shard {name} is not configured"
            );
        }
        assert!(
            !config.open.is_empty(),
            "at least one shard must be open for new tenants"
        );
        let routes = Routes::new(self.clone(), config.route_ttl);
        self.shards = Some(Arc::new(ShardSet {
            shards,
            open: config.open,
            routes,
        }));
        self
    }

    /// The route of `tenant` as the routing table holds it now, bypassing the cache: for the
    /// move command and tests.
    pub async fn route(&self, tenant: TenantId) -> Result<Route, Unavailable> {
        match &self.shards {
            Some(set) => set.routes.read(tenant).await,
            None => Ok(Route::home()),
        }
    }
}

impl<DB: Dialect> Db<DB> {
    /// The database that holds `tenant`'s data, for reading it or changing it. Without shards,
    /// this database.
    pub async fn shard_for(&self, tenant: TenantId, access: Access) -> Result<Self, Unavailable> {
        let Some(set) = &self.shards else {
            return Ok(self.clone());
        };
        let route = set.routes.cached(tenant).await?;
        if route.moving() && access == Access::Write {
            return Err(Unavailable::new(TenantMoving(tenant)));
        }
        self.named(set, &route.shard)
    }

    /// Places the new tenant `tenant` on a shard open for placement, records its route and
    /// answers that shard's database. A tenant whose creation then fails leaves a route to
    /// nothing, which reads as an unknown tenant.
    pub async fn place(&self, tenant: TenantId) -> Result<Self, Unavailable> {
        let Some(set) = &self.shards else {
            return Ok(self.clone());
        };
        let name = placement(&set.open, tenant);
        set.routes.insert(tenant, name).await?;
        self.named(set, name)
    }

    /// Every database that may hold tenant data, the home database first.
    pub fn shards(&self) -> Vec<Shard<DB>> {
        let home = Shard {
            name: HOME.to_owned(),
            db: self.clone(),
        };
        let others = self.shards.iter().flat_map(|set| {
            set.shards.iter().map(|(name, db)| Shard {
                name: name.clone(),
                db: db.clone(),
            })
        });
        std::iter::once(home).chain(others).collect()
    }

    /// Whether `tenant` is served by the shard named `shard`: rows a query over every shard
    /// finds elsewhere (a copy in the middle of a move, or leftovers of one) are not its data.
    pub async fn routes_to(&self, tenant: TenantId, shard: &str) -> Result<bool, Unavailable> {
        match &self.shards {
            Some(set) => Ok(set.routes.cached(tenant).await?.shard == shard),
            None => Ok(true),
        }
    }

    /// Whether tenant data may live elsewhere than here.
    pub fn is_sharded(&self) -> bool {
        self.shards.is_some()
    }

    fn named(&self, set: &ShardSet<DB>, name: &str) -> Result<Self, Unavailable> {
        if name == HOME {
            return Ok(self.clone());
        }
        set.shards.get(name).cloned().ok_or_else(|| {
            Unavailable::new(format!(
                "the routing table names shard {name}, which is not configured"
            ))
        })
    }
}

/// The open shard for `tenant`: its id's last bytes modulo the number of open shards. Ids are
/// random (UUID v4) or end in random bits (v7), so placement is uniform.
fn placement(open: &[String], tenant: TenantId) -> &str {
    let id = tenant.as_uuid();
    let tail = u64::from_be_bytes(id.as_bytes()[8..].try_into().unwrap_or([0; 8]));
    let index = usize::try_from(tail % open.len() as u64).unwrap_or(0);
    &open[index]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_spreads_new_tenants_over_the_open_shards() {
        let open = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let mut counts = BTreeMap::<&str, u32>::new();
        for _ in 0..3000 {
            *counts
                .entry(placement(&open, TenantId::generate()))
                .or_default() += 1;
        }
        assert_eq!(counts.len(), 3);
        assert!(
            counts.values().all(|&n| (800..1200).contains(&n)),
            "{counts:?}"
        );
        let one = TenantId::generate();
        assert_eq!(placement(&open, one), placement(&open, one));
    }
}
