//! Row shapes and their conversion into domain values. A row that fails to convert means the
//! database holds data the schema should have refused.

use kernel::{Email, TenantId, Unavailable, UserId};
use sqlx::FromRow;
use tenancy::{DirectoryUser, Invitation, InvitationId, Member, Membership, Role, Tenant};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
#[error("corrupt row: {0}")]
struct CorruptRow(&'static str);

fn corrupt(what: &'static str) -> Unavailable {
    Unavailable::new(CorruptRow(what))
}

pub(crate) fn role(raw: &str) -> Result<Role, Unavailable> {
    raw.parse().map_err(|_| corrupt("role"))
}

fn email(raw: &str) -> Result<Email, Unavailable> {
    Email::parse(raw).map_err(|_| corrupt("email"))
}

#[derive(FromRow)]
pub struct MembershipRow {
    tenant_id: Uuid,
    tenant_name: String,
    role: String,
}

impl TryFrom<MembershipRow> for Membership {
    type Error = Unavailable;

    fn try_from(row: MembershipRow) -> Result<Self, Unavailable> {
        Ok(Self {
            tenant_id: TenantId::from_uuid(row.tenant_id),
            tenant_name: row.tenant_name,
            role: role(&row.role)?,
        })
    }
}

#[derive(FromRow)]
pub struct TenantRow {
    id: Uuid,
    name: String,
    created_at: OffsetDateTime,
    plan: String,
}

impl From<TenantRow> for Tenant {
    fn from(row: TenantRow) -> Self {
        Self {
            id: TenantId::from_uuid(row.id),
            name: row.name,
            created_at: row.created_at,
            // The column's check allows only the catalog's ids.
            plan: tenancy::plans::plan(&row.plan).unwrap_or_else(tenancy::plans::starting_plan),
        }
    }
}

#[derive(FromRow)]
pub struct MemberRow {
    pub user_id: Uuid,
    role: String,
    created_at: OffsetDateTime,
}

impl MemberRow {
    /// The member, with the email the directory holds for them.
    pub fn with_email(self, email_address: &str) -> Result<Member, Unavailable> {
        Ok(Member {
            user_id: UserId::from_uuid(self.user_id),
            email: email(email_address)?,
            role: role(&self.role)?,
            joined_at: self.created_at,
        })
    }
}

#[derive(FromRow)]
pub struct DirectoryRow {
    id: Uuid,
    email: String,
}

impl TryFrom<DirectoryRow> for DirectoryUser {
    type Error = Unavailable;

    fn try_from(row: DirectoryRow) -> Result<Self, Unavailable> {
        Ok(Self {
            id: UserId::from_uuid(row.id),
            email: email(&row.email)?,
        })
    }
}

#[derive(FromRow)]
pub struct InvitationRow {
    id: Uuid,
    tenant_id: Uuid,
    email: String,
    role: String,
    invited_by: Uuid,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = Unavailable;

    fn try_from(row: InvitationRow) -> Result<Self, Unavailable> {
        Ok(Self {
            id: InvitationId::from_uuid(row.id),
            tenant_id: TenantId::from_uuid(row.tenant_id),
            email: email(&row.email)?,
            role: role(&row.role)?,
            invited_by: UserId::from_uuid(row.invited_by),
            created_at: row.created_at,
            expires_at: row.expires_at,
        })
    }
}
