//! Tenants and their members in the `tenants` and `memberships` tables.

use database::{Access, Db, is_unique_violation, outbox};
use std::collections::HashMap;

use kernel::{Email, Envelope, TenantId, Unavailable, UserId};
use sessions::TokenHash;
use sqlx::types::Json;
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use tenancy::rules::{self, Seen};
use tenancy::{
    DirectoryUser, Invitation, InvitationAccepted, InvitationId, Member, Members, Membership,
    NewInvitation, NewTenant, Role, TenancyError, Tenant, Unique,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::TenancyDialect;
use crate::rows::{DirectoryRow, InvitationRow, MemberRow, MembershipRow, TenantRow, role};
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
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'r> MembershipRow: FromRow<'r, DB::Row>,
    for<'r> InvitationRow: FromRow<'r, DB::Row>,
    for<'r> TenantRow: FromRow<'r, DB::Row>,
    for<'r> MemberRow: FromRow<'r, DB::Row>,
    for<'r> DirectoryRow: FromRow<'r, DB::Row>,
    for<'r> (Uuid,): FromRow<'r, DB::Row>,
    for<'r> (String,): FromRow<'r, DB::Row>,
    for<'r> (Option<String>, Option<String>, i64): FromRow<'r, DB::Row>,
{
    /// Places the tenant on a shard (see [`database::shards`]), then writes it there.
    #[tracing::instrument(name = "members.create_tenant", skip_all, fields(tenant_id = %tenant.id))]
    async fn create_tenant(&self, tenant: &NewTenant, event: &Envelope) -> Result<(), Unavailable> {
        let db = self.db.place(tenant.id).await?;
        let mut tx = db.begin().await?;
        let fail = |e| db.unavailable(e);
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
        db.commit(tx).await
    }

    /// Asks every shard, keeping each tenant only from the shard that serves it.
    #[tracing::instrument(name = "members.memberships", skip_all, fields(user_id = %user))]
    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>, Unavailable> {
        let mut memberships = Vec::new();
        for shard in self.db.shards() {
            let rows: Vec<MembershipRow> = sqlx::query_as(sql::SELECT_MEMBERSHIPS)
                .bind(user.as_uuid())
                .fetch_all(shard.db.read_pool().await?)
                .await
                .map_err(|e| shard.db.unavailable(e))?;
            for row in rows {
                let membership = Membership::try_from(row)?;
                if self.db.routes_to(membership.tenant_id, &shard.name).await? {
                    memberships.push(membership);
                }
            }
        }
        memberships.sort_by_key(|m| m.tenant_id);
        Ok(memberships)
    }

    #[tracing::instrument(name = "members.tenant", skip_all, fields(tenant_id = %tenant))]
    async fn tenant(&self, tenant: TenantId) -> Result<Option<Tenant>, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let row: Option<TenantRow> = sqlx::query_as(sql::SELECT_TENANT)
            .bind(tenant.as_uuid())
            .fetch_optional(db.read_pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(name = "members.role", skip_all, fields(tenant_id = %tenant))]
    async fn role(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let row: Option<(String,)> = sqlx::query_as(sql::SELECT_ROLE)
            .bind(tenant.as_uuid())
            .bind(user.as_uuid())
            .fetch_optional(db.read_pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        row.map(|(r,)| role(&r)).transpose()
    }

    #[tracing::instrument(name = "members.members", skip_all, fields(tenant_id = %tenant))]
    async fn members(
        &self,
        tenant: TenantId,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<Member>, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let rows: Vec<MemberRow> = sqlx::query_as(sql::SELECT_MEMBERS)
            .bind(tenant.as_uuid())
            .bind(after.map(|id| id.as_uuid()))
            .bind(i64::from(limit))
            .fetch_all(db.read_pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        self.with_emails(rows).await
    }

    #[tracing::instrument(name = "members.invite", skip_all, fields(tenant_id = %invitation.invitation.tenant_id))]
    async fn invite(
        &self,
        invitation: &NewInvitation,
        existing: Option<UserId>,
        event: &Envelope,
    ) -> Result<(), TenancyError> {
        let new = &invitation.invitation;
        let db = self.db.shard_for(new.tenant_id, Access::Write).await?;
        let mut tx = db.begin().await?;
        let fail = |e| db.unavailable(e);
        let target = existing.unwrap_or(new.invited_by);
        let seen = locked(&db, &mut tx, new.tenant_id, new.invited_by, target).await?;
        let seen = Seen {
            target: existing.and(seen.target),
            ..seen
        };
        rules::invite(new.role, seen)?;
        sqlx::query(sql::REPLACE_INVITATIONS)
            .bind(new.tenant_id.as_uuid())
            .bind(new.email.as_str())
            .bind(new.created_at)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        sqlx::query(sql::INSERT_INVITATION)
            .bind(new.id.as_uuid())
            .bind(new.tenant_id.as_uuid())
            .bind(new.email.as_str())
            .bind(new.role.as_str())
            .bind(invitation.token_hash.as_bytes().as_slice())
            .bind(new.invited_by.as_uuid())
            .bind(new.created_at)
            .bind(new.expires_at)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        outbox::append(&mut *tx, event).await.map_err(fail)?;
        Ok(db.commit(tx).await?)
    }

    #[tracing::instrument(name = "members.invitations", skip_all, fields(tenant_id = %tenant))]
    async fn invitations(
        &self,
        tenant: TenantId,
        now: OffsetDateTime,
    ) -> Result<Vec<Invitation>, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let rows: Vec<InvitationRow> = sqlx::query_as(sql::SELECT_INVITATIONS)
            .bind(tenant.as_uuid())
            .bind(now)
            .fetch_all(db.read_pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(name = "members.invitation", skip_all, fields(tenant_id = %tenant))]
    async fn invitation(
        &self,
        tenant: TenantId,
        id: InvitationId,
    ) -> Result<Option<Invitation>, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Read).await?;
        let row: Option<InvitationRow> = sqlx::query_as(sql::SELECT_INVITATION)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(db.read_pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        row.map(TryInto::try_into).transpose()
    }

    #[tracing::instrument(name = "members.revoke_invitation", skip_all, fields(tenant_id = %tenant))]
    async fn revoke_invitation(
        &self,
        tenant: TenantId,
        id: InvitationId,
        at: OffsetDateTime,
    ) -> Result<bool, Unavailable> {
        let db = self.db.shard_for(tenant, Access::Write).await?;
        let done = sqlx::query(sql::REVOKE_INVITATION)
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(at)
            .execute(db.pool().await?)
            .await
            .map_err(|e| db.unavailable(e))?;
        Ok(DB::rows_affected(&done) == 1)
    }

    #[tracing::instrument(name = "members.accept_invitation", skip_all, fields(user_id = %user.id))]
    async fn accept_invitation(
        &self,
        token: &TokenHash,
        user: &DirectoryUser,
        at: OffsetDateTime,
    ) -> Result<Membership, TenancyError> {
        let Some(db) = self.shard_of_invitation(token).await? else {
            return Err(TenancyError::InvitationNotFound);
        };
        let mut tx = db.begin().await?;
        let fail = |e| db.unavailable(e);
        let row: Option<InvitationRow> = sqlx::query_as(sql::SELECT_INVITATION_BY_TOKEN)
            .bind(token.as_bytes().as_slice())
            .bind(at)
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail)?;
        let invitation: Invitation = row.ok_or(TenancyError::InvitationNotFound)?.try_into()?;
        if invitation.email != user.email {
            return Err(TenancyError::InvitationForAnotherEmail);
        }
        let tenant = invitation.tenant_id;
        let seen = locked(&db, &mut tx, tenant, invitation.invited_by, user.id).await?;
        let added = rules::accept(
            tenant,
            invitation.invited_by,
            user.id,
            invitation.role,
            seen,
        )?;
        sqlx::query(sql::INSERT_MEMBERSHIP)
            .bind(tenant.as_uuid())
            .bind(user.id.as_uuid())
            .bind(invitation.role.as_str())
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
        let accepted = sqlx::query(sql::ACCEPT_INVITATION)
            .bind(invitation.id.as_uuid())
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        if DB::rows_affected(&accepted) != 1 {
            // Accepted or revoked since it was read: this transaction rolls back.
            return Err(TenancyError::InvitationNotFound);
        }
        let event = InvitationAccepted {
            tenant_id: tenant,
            invitation_id: invitation.id.as_uuid(),
            user_id: user.id,
            role: invitation.role,
        };
        outbox::append(&mut *tx, &Envelope::wrap(&added, at))
            .await
            .map_err(fail)?;
        outbox::append(&mut *tx, &Envelope::wrap(&event, at))
            .await
            .map_err(fail)?;
        let name: TenantRow = sqlx::query_as(sql::SELECT_TENANT)
            .bind(tenant.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(fail)?;
        db.commit(tx).await?;
        Ok(Membership {
            tenant_id: tenant,
            tenant_name: Tenant::from(name).name,
            role: invitation.role,
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
        let db = self.db.shard_for(tenant, Access::Write).await?;
        let mut tx = db.begin().await?;
        let fail = |e| db.unavailable(e);
        let seen = locked(&db, &mut tx, tenant, actor, target).await?;
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
        db.commit(tx).await?;
        let member = self.with_emails(vec![row]).await?.pop();
        Ok(member.ok_or_else(|| Unavailable::new("the member has no account in the directory"))?)
    }

    #[tracing::instrument(name = "members.remove", skip_all, fields(tenant_id = %tenant))]
    async fn remove_member(
        &self,
        tenant: TenantId,
        actor: UserId,
        target: UserId,
        at: OffsetDateTime,
    ) -> Result<(), TenancyError> {
        let db = self.db.shard_for(tenant, Access::Write).await?;
        let mut tx = db.begin().await?;
        let fail = |e| db.unavailable(e);
        let seen = locked(&db, &mut tx, tenant, actor, target).await?;
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
        Ok(db.commit(tx).await?)
    }
}

impl<DB> SqlMembers<DB>
where
    DB: TenancyDialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'r> DirectoryRow: FromRow<'r, DB::Row>,
    for<'r> (Uuid,): FromRow<'r, DB::Row>,
{
    /// `rows` as members, with their emails from the directory; a row whose account is gone
    /// is left out.
    async fn with_emails(&self, rows: Vec<MemberRow>) -> Result<Vec<Member>, Unavailable> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let statement = sql::select_emails(rows.len());
        let mut query = sqlx::query_as::<_, DirectoryRow>(&statement);
        for row in &rows {
            query = query.bind(row.user_id);
        }
        let users: Vec<DirectoryRow> = query
            .fetch_all(self.db.read_pool().await?)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        let emails: HashMap<UserId, Email> = users
            .into_iter()
            .map(|row| DirectoryUser::try_from(row).map(|u| (u.id, u.email)))
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .filter_map(|row| {
                let email = emails.get(&UserId::from_uuid(row.user_id))?;
                Some(row.with_email(email.as_str()))
            })
            .collect()
    }

    /// The shard whose invitations hold `token`, of the tenant it serves; without shards, the
    /// one database.
    async fn shard_of_invitation(&self, token: &TokenHash) -> Result<Option<Db<DB>>, Unavailable> {
        if !self.db.is_sharded() {
            return Ok(Some(self.db.clone()));
        }
        for shard in self.db.shards() {
            let found: Option<(Uuid,)> = sqlx::query_as(sql::SELECT_INVITATION_TENANT)
                .bind(token.as_bytes().as_slice())
                .fetch_optional(shard.db.pool().await?)
                .await
                .map_err(|e| shard.db.unavailable(e))?;
            if let Some((tenant,)) = found {
                let tenant = TenantId::from_uuid(tenant);
                if self.db.routes_to(tenant, &shard.name).await? {
                    return self.db.shard_for(tenant, Access::Write).await.map(Some);
                }
            }
        }
        Ok(None)
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
