//! Row shapes shared by both drivers, and their conversion into domain values. A row that
//! fails to convert means the database holds data the schema should have refused.

use accounts::{Member, MembershipSummary, SessionRecord, StoreError, Tenant, TokenHash, User};
use domain::{Email, Role, TenantId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
#[error("corrupt row: {0}")]
struct CorruptRow(&'static str);

fn corrupt(what: &'static str) -> StoreError {
    StoreError::unavailable(CorruptRow(what))
}

fn role(raw: &str) -> Result<Role, StoreError> {
    raw.parse().map_err(|_| corrupt("role"))
}

fn email(raw: &str) -> Result<Email, StoreError> {
    Email::parse(raw).map_err(|_| corrupt("email"))
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    email: String,
    created_at: OffsetDateTime,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: UserId::from_uuid(row.id),
            email: email(&row.email)?,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CredentialsRow {
    pub id: Uuid,
    pub password_hash: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    token_hash: Vec<u8>,
    user_id: Uuid,
    expires_at: OffsetDateTime,
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<Self, StoreError> {
        Ok(Self {
            token_hash: TokenHash::from_bytes(&row.token_hash).ok_or(corrupt("token_hash"))?,
            user_id: UserId::from_uuid(row.user_id),
            expires_at: row.expires_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MembershipRow {
    tenant_id: Uuid,
    tenant_name: String,
    role: String,
}

impl TryFrom<MembershipRow> for MembershipSummary {
    type Error = StoreError;

    fn try_from(row: MembershipRow) -> Result<Self, StoreError> {
        Ok(Self {
            tenant_id: TenantId::from_uuid(row.tenant_id),
            tenant_name: row.tenant_name,
            role: role(&row.role)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TenantRow {
    id: Uuid,
    name: String,
    created_at: OffsetDateTime,
}

impl From<TenantRow> for Tenant {
    fn from(row: TenantRow) -> Self {
        Self {
            id: TenantId::from_uuid(row.id),
            name: row.name,
            created_at: row.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RoleRow {
    role: String,
}

impl TryFrom<RoleRow> for Role {
    type Error = StoreError;

    fn try_from(row: RoleRow) -> Result<Self, StoreError> {
        role(&row.role)
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    user_id: Uuid,
    email: String,
    role: String,
    created_at: OffsetDateTime,
}

impl TryFrom<MemberRow> for Member {
    type Error = StoreError;

    fn try_from(row: MemberRow) -> Result<Self, StoreError> {
        Ok(Self {
            user_id: UserId::from_uuid(row.user_id),
            email: email(&row.email)?,
            role: role(&row.role)?,
            joined_at: row.created_at,
        })
    }
}
