use domain::{DomainEvent, Email, Role, TenantId, TenantName, UserId};
use time::OffsetDateTime;

use crate::TokenHash;

#[derive(Debug, Clone, PartialEq)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub created_at: OffsetDateTime,
}

/// What login needs to check a password, and nothing more.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: UserId,
    pub password_hash: String,
}

/// One of a user's memberships, as `/v1/me` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MembershipSummary {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub role: Role,
}

/// One member of a tenant, as the member list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub user_id: UserId,
    pub email: Email,
    pub role: Role,
    pub joined_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberPage {
    pub members: Vec<Member>,
    /// The id to resume after, present while more members remain.
    pub next: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub token_hash: TokenHash,
    pub user_id: UserId,
    pub expires_at: OffsetDateTime,
}

/// Everything a signup writes, stored atomically with its outbox event.
#[derive(Debug, Clone)]
pub struct NewSignup {
    pub tenant_id: TenantId,
    pub tenant_name: TenantName,
    pub user_id: UserId,
    pub email: Email,
    pub password_hash: String,
    pub session: SessionRecord,
    pub event: DomainEvent,
    pub at: OffsetDateTime,
}
