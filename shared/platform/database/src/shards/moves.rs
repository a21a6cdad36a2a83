//! Moving a tenant from one shard to another, in steps recorded in the routing table so that a
//! move interrupted anywhere resumes where it stopped:
//!
//! 1. **freeze**: the route is marked as moving. Its data stays readable from the source, writes
//!    are refused (503, retry) and no process caches the route any more. The move then waits
//!    `settle` (longer than the route cache's TTL plus the longest request) so that no process
//!    still writes through a route it read before.
//! 2. **copy**: in one transaction on the target, whatever an earlier attempt left there is
//!    deleted and every row of the tenant is copied, table by table, parents first.
//! 3. **verify**: row counts and a checksum of every row of each table match on both sides, or
//!    the move goes back to step 2.
//! 4. **flip**: the route names the target; writes resume there.
//! 5. **clean up**: in one transaction, the source's rows are deleted; the route forgets the
//!    move.
//!
//! The route names exactly one shard at every step, and every process reads it from there, so
//! a tenant is never readable from two shards; the source's rows are deleted only after the
//! target's are verified and serving, so no row is lost wherever the move stops.

use std::time::Duration;

use futures_util::TryStreamExt;
use kernel::{TenantId, Unavailable};
use sqlx::{Postgres, Transaction};

use super::{HOME, ShardSet};
use crate::Db;

/// A table that holds tenant data, and the column that names the tenant. Each module lists its
/// own, parents before the tables that refer to them.
#[derive(Debug, Clone, Copy)]
pub struct TenantTable {
    pub table: &'static str,
    pub tenant_column: &'static str,
}

/// The steps of a move, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Freeze,
    Copy,
    Verify,
    Flip,
    CleanUp,
}

impl Step {
    pub const ALL: [Self; 5] = [
        Self::Freeze,
        Self::Copy,
        Self::Verify,
        Self::Flip,
        Self::CleanUp,
    ];
}

/// Where a move stops as if its process died: after a step is recorded (after the clean-up's
/// delete, before the route forgets the move), or in the middle of the copy once some rows are
/// written. For tests of resuming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    After(Step),
    DuringCopy,
}

#[derive(Debug, Clone)]
pub struct MoveOptions {
    /// How long the move waits after the freeze before it copies.
    pub settle: Duration,
    /// Rows per insert statement of the copy.
    pub chunk: usize,
    pub interrupt: Option<Interrupt>,
}

impl Default for MoveOptions {
    /// 35 s of settling: the route cache's default TTL (5 s) plus API Gateway's longest request
    /// (29 s), rounded up.
    fn default() -> Self {
        Self {
            settle: Duration::from_secs(35),
            chunk: 500,
            interrupt: None,
        }
    }
}

/// What a move reports as it goes, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// A step begins.
    Step(Step),
    /// The tenant's rows, before the copy.
    Rows(u64),
    /// This many more rows were copied.
    Copied(u64),
}

/// What a completed move did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub from: String,
    pub to: String,
    /// Rows copied and deleted; 0 when the tenant was already on the target.
    pub rows: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("the database has no shards")]
    NotSharded,
    #[error("no shard is named {0}")]
    UnknownShard(String),
    #[error("tenant {0} has no data on its shard {1}")]
    NoSuchTenant(TenantId, String),
    #[error("tenant {tenant} is being moved to {to}: resume that move, with that target")]
    OtherMove { tenant: TenantId, to: String },
    #[error("the copy of {0} does not match its source; the next run copies again")]
    Mismatch(&'static str),
    #[error("interrupted after {0:?}")]
    Interrupted(Interrupt),
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}

const SELECT_STATE: &str =
    "SELECT shard, move_from, move_to, move_step FROM tenant_shards WHERE tenant_id = $1";
const FREEZE: &str = "INSERT INTO tenant_shards (tenant_id, shard, move_from, move_to, move_step) \
     VALUES ($1, $2, $2, $3, 'frozen') ON CONFLICT (tenant_id) DO UPDATE \
     SET move_from = excluded.move_from, move_to = excluded.move_to, move_step = 'frozen' \
     WHERE tenant_shards.move_step IS NULL AND tenant_shards.shard = excluded.shard";
const ADVANCE: &str =
    "UPDATE tenant_shards SET move_step = $3 WHERE tenant_id = $1 AND move_step = $2";
const FLIP: &str = "UPDATE tenant_shards SET shard = move_to, move_step = 'flipped' \
     WHERE tenant_id = $1 AND move_step = 'verified'";
const FINISH: &str = "UPDATE tenant_shards SET move_from = NULL, move_to = NULL, move_step = NULL \
     WHERE tenant_id = $1 AND move_step = 'flipped'";

/// A row of the routing table.
#[derive(Debug, sqlx::FromRow)]
struct State {
    shard: String,
    move_from: Option<String>,
    move_to: Option<String>,
    move_step: Option<String>,
}

/// Moves `tenant` to the shard `to`, or resumes its interrupted move there. `home` is the home
/// database with its shards; `tables` every table of tenant data, parents first.
pub async fn move_tenant(
    home: &Db<Postgres>,
    tenant: TenantId,
    to: &str,
    tables: &[TenantTable],
    options: &MoveOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Moved, MoveError> {
    let set = home.shards.as_deref().ok_or(MoveError::NotSharded)?;
    let target = shard(home, set, to)?;
    let mut state = state(home, tenant).await?;
    if state.move_step.is_none() {
        if state.shard == to {
            return Ok(Moved {
                from: state.shard.clone(),
                to: state.shard,
                rows: 0,
            });
        }
        let source = shard(home, set, &state.shard)?;
        if counts(&source, tenant, &tables[..1]).await?[0] == 0 {
            return Err(MoveError::NoSuchTenant(tenant, state.shard));
        }
        progress(Progress::Step(Step::Freeze));
        let frozen = sqlx::query(FREEZE)
            .bind(tenant.as_uuid())
            .bind(&state.shard)
            .bind(to)
            .execute(home.pool().await?)
            .await
            .map_err(|e| home.unavailable(e))?;
        if frozen.rows_affected() != 1 {
            return Err(MoveError::OtherMove {
                tenant,
                to: "another shard".into(),
            });
        }
        set.routes.forget(tenant);
        stop_if(options, Interrupt::After(Step::Freeze))?;
        state = self::state(home, tenant).await?;
    }
    let (Some(from), Some(moving_to)) = (state.move_from.clone(), state.move_to.clone()) else {
        return Err(MoveError::NoSuchTenant(tenant, state.shard));
    };
    if moving_to != to {
        return Err(MoveError::OtherMove {
            tenant,
            to: moving_to,
        });
    }
    let source = shard(home, set, &from)?;
    let mut rows = 0;
    loop {
        match state.move_step.as_deref() {
            Some("frozen") => {
                progress(Progress::Step(Step::Copy));
                tokio::time::sleep(options.settle).await;
                rows = copy(&source, &target, tenant, tables, options, progress).await?;
                advance(home, tenant, "frozen", "copied").await?;
                stop_if(options, Interrupt::After(Step::Copy))?;
            }
            Some("copied") => {
                progress(Progress::Step(Step::Verify));
                let (here, there) = (
                    checksums(&source, tenant, tables).await?,
                    checksums(&target, tenant, tables).await?,
                );
                if let Some(i) = (0..tables.len()).find(|&i| here[i] != there[i]) {
                    advance(home, tenant, "copied", "frozen").await?;
                    return Err(MoveError::Mismatch(tables[i].table));
                }
                rows = here.iter().map(|(count, _)| count).sum();
                advance(home, tenant, "copied", "verified").await?;
                stop_if(options, Interrupt::After(Step::Verify))?;
            }
            Some("verified") => {
                progress(Progress::Step(Step::Flip));
                execute(home, FLIP, tenant).await?;
                set.routes.forget(tenant);
                stop_if(options, Interrupt::After(Step::Flip))?;
            }
            Some("flipped") => {
                progress(Progress::Step(Step::CleanUp));
                let mut tx = source.begin().await?;
                delete(&source, &mut tx, tenant, tables).await?;
                source.commit(tx).await?;
                // Before the route forgets the move: a run that stops here deletes again.
                stop_if(options, Interrupt::After(Step::CleanUp))?;
                execute(home, FINISH, tenant).await?;
                set.routes.forget(tenant);
                return Ok(Moved {
                    from,
                    to: moving_to,
                    rows,
                });
            }
            _ => return Err(MoveError::NoSuchTenant(tenant, state.shard)),
        }
        state = self::state(home, tenant).await?;
    }
}

/// Row counts and checksums of `tenant`'s rows in each of `tables` on `db`, in order.
pub async fn checksums(
    db: &Db<Postgres>,
    tenant: TenantId,
    tables: &[TenantTable],
) -> Result<Vec<(u64, String)>, Unavailable> {
    let mut sums = Vec::with_capacity(tables.len());
    for t in tables {
        let sql = format!(
            "SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') \
             FROM {} t WHERE {} = $1",
            t.table, t.tenant_column
        );
        let (count, sum): (i64, String) = sqlx::query_as(&sql)
            .bind(tenant.as_uuid())
            .fetch_one(db.pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        sums.push((u64::try_from(count).unwrap_or(0), sum));
    }
    Ok(sums)
}

/// How many rows of `tenant` each of `tables` holds on `db`, in order.
pub async fn counts(
    db: &Db<Postgres>,
    tenant: TenantId,
    tables: &[TenantTable],
) -> Result<Vec<u64>, Unavailable> {
    let mut counts = Vec::with_capacity(tables.len());
    for t in tables {
        let sql = format!(
            "SELECT count(*) FROM {} WHERE {} = $1",
            t.table, t.tenant_column
        );
        let count: i64 = sqlx::query_scalar(&sql)
            .bind(tenant.as_uuid())
            .fetch_one(db.pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        counts.push(u64::try_from(count).unwrap_or(0));
    }
    Ok(counts)
}

/// Copies every row of `tenant` from `source` to `target` in one transaction on the target,
/// replacing what an interrupted copy left there; answers how many rows.
async fn copy(
    source: &Db<Postgres>,
    target: &Db<Postgres>,
    tenant: TenantId,
    tables: &[TenantTable],
    options: &MoveOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<u64, MoveError> {
    let total = counts(source, tenant, tables).await?;
    progress(Progress::Rows(total.iter().sum()));
    let mut tx = target.begin().await?;
    delete(target, &mut tx, tenant, tables).await?;
    let mut copied = 0;
    for t in tables {
        let select = format!(
            "SELECT row_to_json(t)::text FROM {} t WHERE {} = $1",
            t.table, t.tenant_column
        );
        let insert = format!(
            "INSERT INTO {0} SELECT * FROM json_populate_recordset(NULL::{0}, $1::json)",
            t.table
        );
        let pool = source.pool().await?;
        let mut rows = sqlx::query_scalar::<_, String>(&select)
            .bind(tenant.as_uuid())
            .fetch(pool);
        let mut chunk = Vec::with_capacity(options.chunk);
        loop {
            let row = rows.try_next().await.map_err(|e| source.unavailable(e))?;
            let done = row.is_none();
            chunk.extend(row);
            if chunk.len() >= options.chunk.max(1) || (done && !chunk.is_empty()) {
                let n = chunk.len() as u64;
                sqlx::query(&insert)
                    .bind(format!("[{}]", chunk.join(",")))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| target.unavailable(e))?;
                chunk.clear();
                copied += n;
                progress(Progress::Copied(n));
                // Dropping the transaction here rolls the partial copy back.
                stop_if(options, Interrupt::DuringCopy)?;
            }
            if done {
                break;
            }
        }
    }
    target.commit(tx).await?;
    Ok(copied)
}

/// Deletes `tenant`'s rows of `tables` on `db`, children first.
async fn delete(
    db: &Db<Postgres>,
    tx: &mut Transaction<'static, Postgres>,
    tenant: TenantId,
    tables: &[TenantTable],
) -> Result<(), Unavailable> {
    for t in tables.iter().rev() {
        let sql = format!("DELETE FROM {} WHERE {} = $1", t.table, t.tenant_column);
        sqlx::query(&sql)
            .bind(tenant.as_uuid())
            .execute(&mut **tx)
            .await
            .map_err(|e| db.unavailable(e))?;
    }
    Ok(())
}

async fn state(home: &Db<Postgres>, tenant: TenantId) -> Result<State, Unavailable> {
    let row: Option<State> = sqlx::query_as(SELECT_STATE)
        .bind(tenant.as_uuid())
        .fetch_optional(home.pool().await?)
        .await
        .map_err(|e| home.unavailable(e))?;
    Ok(row.unwrap_or(State {
        shard: HOME.to_owned(),
        move_from: None,
        move_to: None,
        move_step: None,
    }))
}

async fn advance(
    home: &Db<Postgres>,
    tenant: TenantId,
    from: &str,
    to: &str,
) -> Result<(), Unavailable> {
    sqlx::query(ADVANCE)
        .bind(tenant.as_uuid())
        .bind(from)
        .bind(to)
        .execute(home.pool().await?)
        .await
        .map_err(|e| home.unavailable(e))?;
    Ok(())
}

async fn execute(home: &Db<Postgres>, sql: &str, tenant: TenantId) -> Result<(), Unavailable> {
    sqlx::query(sql)
        .bind(tenant.as_uuid())
        .execute(home.pool().await?)
        .await
        .map_err(|e| home.unavailable(e))?;
    Ok(())
}

fn shard(
    home: &Db<Postgres>,
    set: &ShardSet<Postgres>,
    name: &str,
) -> Result<Db<Postgres>, MoveError> {
    home.named(set, name)
        .map_err(|_| MoveError::UnknownShard(name.to_owned()))
}

fn stop_if(options: &MoveOptions, here: Interrupt) -> Result<(), MoveError> {
    match options.interrupt {
        Some(at) if at == here => Err(MoveError::Interrupted(at)),
        _ => Ok(()),
    }
}
