//! The operators' listing of every tenant, across shards.

use database::{Backend, Db, Dialect};
use kernel::{TenantId, Unavailable};
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use tenancy::Tenant;
use uuid::Uuid;

use crate::rows::TenantRow;
use crate::sql;

/// A tenant as operators list it: where it lives and how many members it has.
#[derive(Debug, Clone)]
pub struct ListedTenant {
    pub tenant: Tenant,
    pub shard: String,
    pub members: u64,
}

#[derive(FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    tenant: TenantRow,
    members: i64,
}

/// Tenants in id order, after `after`, at most `limit`: each shard's first page, merged, each
/// tenant taken only from the shard that serves it.
pub async fn tenants(
    backend: &Backend,
    after: Option<TenantId>,
    limit: u32,
) -> Result<Vec<ListedTenant>, Unavailable> {
    match backend {
        Backend::Postgres(db) => tenants_on(db, after, limit).await,
        Backend::Sqlite(db) => tenants_on(db, after, limit).await,
    }
}

async fn tenants_on<DB>(
    db: &Db<DB>,
    after: Option<TenantId>,
    limit: u32,
) -> Result<Vec<ListedTenant>, Unavailable>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Option<Uuid>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> ListedRow: FromRow<'r, DB::Row>,
{
    let mut listed = Vec::new();
    for shard in db.shards() {
        let rows: Vec<ListedRow> = sqlx::query_as(sql::SELECT_TENANTS_PAGE)
            .bind(after.map(|id| id.as_uuid()))
            .bind(i64::from(limit))
            .fetch_all(shard.db.read_pool().await?)
            .await
            .map_err(|e| shard.db.unavailable(e))?;
        for row in rows {
            let tenant = Tenant::from(row.tenant);
            if db.routes_to(tenant.id, &shard.name).await? {
                listed.push(ListedTenant {
                    tenant,
                    shard: shard.name.clone(),
                    members: u64::try_from(row.members).unwrap_or(0),
                });
            }
        }
    }
    listed.sort_by_key(|t| t.tenant.id);
    listed.truncate(limit as usize);
    Ok(listed)
}
