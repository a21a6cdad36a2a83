//! Tenants and their members in the `tenants` and `memberships` tables.

use database::{Db, is_unique_violation, outbox};
use kernel::{Envelope, TenantId, Unavailable, UserId};
use sqlx::types::Json;
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use tenancy::rules::{self, Seen};
use tenancy::{
    DirectoryUser, Member, Members, Membership, NewTenant, Role, TenancyError, Tenant, Unique,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::TenancyDialect;
use crate::rows::{MemberRow, MembershipRow, TenantRow, role};
use crate::sql;

#[derive(Debug)]
pub struct SqlMembers<DB: TenancyDialect> {
    db: Db<DB>,
}

impl<DB: TenancyDialect> SqlMembers<DB> {
    pub fn new(db: Db<DB>) -> Self {
        Self { db }
    }
}

impl<DB> Members for SqlMembers<DB>
where
    DB: TenancyDialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> Option<Uuid>: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i16: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Json<&'q serde_json::Value>: Encode<'q, DB> + Type<DB>,
    for<'q> OffsetDateTime: Encode<'q, DB> + Type<DB>,
    for<'r> MembershipRow: FromRow<'r, DB::Row>,
    for<'r> TenantRow: FromRow<'r, DB::Row>,
    for<'r> MemberRow: FromRow<'r, DB::Row>,
    for<'r> (String,): FromRow<'r, DB::Row>,
    for<'r> (Option<String>, Option<String>, i64): FromRow<'r, DB::Row>,
{
    #[tracing::instrument(name = "members.create_tenant", skip_all, fields(tenant_id = %tenant.id))]
    async fn create_tenant(&self, tenant: &NewTenant, event: &Envelope) -> Result<(), Unavailable> {
        let mut tx = self.db.begin().await?;
        let fail = |e| self.db.unavailable(e);
        sqlx::query(sql::INSERT_TENANT)
            .bind(tenant.id.as_uuid())
            .bind(tenant.name.as_str())
            .bind(tenant.created_at)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        sqlx::query(sql::INSERT_MEMBERSHIP)
            .bind(tenant.id.as_uuid())
            .bind(tenant.owner.as_uuid())
            .bind(Role::Owner.as_str())
            .bind(tenant.created_at)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        outbox::append(&mut *tx, event).await.map_err(fail)?;
        self.db.commit(tx).await
    }

    #[tracing::instrument(name = "members.memberships", skip_all, fields(user_id = %user))]
    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>, Unavailable> {
        let rows: Vec<MembershipRow> = sqlx::query_as(sql::SELECT_MEMBERSHIPS)
            .bind(user.as_uuid())
            .fetch_all(self.db.pool().await?)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(name = "members.tenant", skip_all, fields(tenant_id = %tenant))]
    async fn tenant(&self, tenant: TenantId) -> Result<Option<Tenant>, Unavailable> {
        let row: Option<TenantRow> = sqlx::query_as(sql::SELECT_TENANT)
            .bind(tenant.as_uuid())
            .fetch_optional(self.db.pool().await?)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(name = "members.role", skip_all, fields(tenant_id = %tenant))]
    async fn role(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>, Unavailable> {
        let row: Option<(String,)> = sqlx::query_as(sql::SELECT_ROLE)
            .bind(tenant.as_uuid())
            .bind(user.as_uuid())
            .fetch_optional(self.db.pool().await?)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        row.map(|(r,)| role(&r)).transpose()
    }

    #[tracing::instrument(name = "members.members", skip_all, fields(tenant_id = %tenant))]
    async fn members(
        &self,
        tenant: TenantId,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<Member>, Unavailable> {
        let rows: Vec<MemberRow> = sqlx::query_as(sql::SELECT_MEMBERS)
            .bind(tenant.as_uuid())
            .bind(after.map(|id| id.as_uuid()))
            .bind(i64::from(limit))
            .fetch_all(self.db.pool().await?)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(name = "members.add", skip_all, fields(tenant_id = %tenant))]
    async fn add_member(
        &self,
        tenant: TenantId,
        actor: UserId,
        user: &DirectoryUser,
        role: Role,
        at: OffsetDateTime,
    ) -> Result<Member, TenancyError> {
        let mut tx = self.db.begin().await?;
        let fail = |e| self.db.unavailable(e);
        let seen = locked(&self.db, &mut tx, tenant, actor, user.id).await?;
        let event = rules::add(tenant, actor, user.id, role, seen)?;
        sqlx::query(sql::INSERT_MEMBERSHIP)
            .bind(tenant.as_uuid())
            .bind(user.id.as_uuid())
            .bind(role.as_str())
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    TenancyError::Unique(Unique::Membership)
                } else {
                    fail(e).into()
                }
            })?;
        outbox::append(&mut *tx, &Envelope::wrap(&event, at))
            .await
            .map_err(fail)?;
        self.db.commit(tx).await?;
        Ok(Member {
            user_id: user.id,
            email: user.email.clone(),
            role,
            joined_at: at,
        })
    }

    #[tracing::instrument(name = "members.change_role", skip_all, fields(tenant_id = %tenant))]
    async fn change_role(
        &self,
        tenant: TenantId,
        actor: UserId,
        target: UserId,
        role: Role,
        at: OffsetDateTime,
    ) -> Result<Member, TenancyError> {
        let mut tx = self.db.begin().await?;
        let fail = |e| self.db.unavailable(e);
        let seen = locked(&self.db, &mut tx, tenant, actor, target).await?;
        let event = rules::change_role(tenant, actor, target, role, seen)?;
        sqlx::query(sql::UPDATE_ROLE)
            .bind(tenant.as_uuid())
            .bind(target.as_uuid())
            .bind(role.as_str())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        outbox::append(&mut *tx, &Envelope::wrap(&event, at))
            .await
            .map_err(fail)?;
        let row: MemberRow = sqlx::query_as(sql::SELECT_MEMBER)
            .bind(tenant.as_uuid())
            .bind(target.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(fail)?;
        self.db.commit(tx).await?;
        Ok(row.try_into()?)
    }

    #[tracing::instrument(name = "members.remove", skip_all, fields(tenant_id = %tenant))]
    async fn remove_member(
        &self,
        tenant: TenantId,
        actor: UserId,
        target: UserId,
        at: OffsetDateTime,
    ) -> Result<(), TenancyError> {
        let mut tx = self.db.begin().await?;
        let fail = |e| self.db.unavailable(e);
        let seen = locked(&self.db, &mut tx, tenant, actor, target).await?;
        let event = rules::remove(tenant, actor, target, seen)?;
        sqlx::query(sql::DELETE_MEMBERSHIP)
            .bind(tenant.as_uuid())
            .bind(target.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        outbox::append(&mut *tx, &Envelope::wrap(&event, at))
            .await
            .map_err(fail)?;
        Ok(self.db.commit(tx).await?)
    }
}

/// Locks the tenant for the rest of the transaction, then reads the roles a change is decided
/// on, in one round trip, so the lock is held no longer than it must be.
async fn locked<DB>(
    db: &Db<DB>,
    conn: &mut DB::Connection,
    tenant: TenantId,
    actor: UserId,
    target: UserId,
) -> Result<Seen, Unavailable>
where
    DB: TenancyDialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'r> (Option<String>, Option<String>, i64): FromRow<'r, DB::Row>,
{
    let fail = |e| db.unavailable(e);
    sqlx::query(DB::LOCK_TENANT)
        .bind(tenant.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(fail)?;
    let (actor_role, target_role, owners): (Option<String>, Option<String>, i64) =
        sqlx::query_as(sql::SELECT_SEEN)
            .bind(tenant.as_uuid())
            .bind(actor.as_uuid())
            .bind(target.as_uuid())
            .fetch_one(&mut *conn)
            .await
            .map_err(fail)?;
    Ok(Seen {
        actor: actor_role.as_deref().map(role).transpose()?,
        target: target_role.as_deref().map(role).transpose()?,
        owners: u64::try_from(owners).unwrap_or(0),
    })
}
