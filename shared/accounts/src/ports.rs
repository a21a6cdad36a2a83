use async_trait::async_trait;
use domain::{Email, Password, Role, TenantId, UserId};
use time::OffsetDateTime;

use crate::{
    Credentials, Member, MembershipSummary, NewSignup, SessionRecord, StoreError, Tenant,
    TokenHash, User,
};

/// Persistence for the accounts module. Every tenant-scoped method takes the tenant id and must
/// filter by it, so one tenant's data is never reachable through another's id.
#[async_trait]
pub trait AccountsStore: Send + Sync + 'static {
    /// Writes the tenant, its owner, the owner's membership and session, and the outbox event,
    /// all or nothing. A taken email is `Duplicate("email")`.
    async fn create_signup(&self, signup: &NewSignup) -> Result<(), StoreError>;

    async fn credentials(&self, email: &Email) -> Result<Option<Credentials>, StoreError>;
    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError>;
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;

    async fn insert_session(&self, session: &SessionRecord) -> Result<(), StoreError>;
    async fn session(&self, hash: &TokenHash) -> Result<Option<SessionRecord>, StoreError>;
    /// Returns whether a session was deleted.
    async fn delete_session(&self, hash: &TokenHash) -> Result<bool, StoreError>;

    async fn memberships(&self, user: UserId) -> Result<Vec<MembershipSummary>, StoreError>;
    async fn tenant(&self, tenant: TenantId) -> Result<Option<Tenant>, StoreError>;
    async fn role(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>, StoreError>;
    async fn member(&self, tenant: TenantId, user: UserId) -> Result<Option<Member>, StoreError>;
    /// Members ordered by user id, starting after `after`, at most `limit` of them.
    async fn members(
        &self,
        tenant: TenantId,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<Member>, StoreError>;

    /// A taken membership is `Duplicate("membership")`.
    async fn add_member(
        &self,
        tenant: TenantId,
        user: UserId,
        role: Role,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Atomically refuses with `LastOwner` when the change would leave no owner.
    async fn change_role(
        &self,
        tenant: TenantId,
        user: UserId,
        role: Role,
    ) -> Result<(), StoreError>;
    /// Atomically refuses with `LastOwner` when the change would leave no owner.
    async fn remove_member(&self, tenant: TenantId, user: UserId) -> Result<(), StoreError>;

    /// Succeeds when the store can serve queries.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Slow, salted password hashing. Implementations must keep the work off the async executor.
#[async_trait]
pub trait PasswordHasher: Send + Sync + 'static {
    async fn hash(&self, password: Password) -> Result<String, StoreError>;
    /// False for a wrong password or a malformed hash.
    async fn verify(&self, password: Password, hash: String) -> Result<bool, StoreError>;
}
