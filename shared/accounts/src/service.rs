use std::sync::{Arc, OnceLock};

use domain::{DomainEvent, Email, Password, Role, TenantId, TenantName, UserId, UserSignedUp};
use time::{Duration, OffsetDateTime};

use crate::{
    AccountsError, AccountsStore, Member, MemberPage, MembershipSummary, NewSignup, PasswordHasher,
    SessionRecord, SessionToken, StoreError, Tenant, User,
};

/// A freshly issued session: the token is shown to the client once.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    pub token: SessionToken,
    pub user_id: UserId,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct SignedUp {
    pub user: User,
    pub tenant: Tenant,
    pub session: IssuedSession,
}

/// The accounts use cases. Cheap to clone; build it once per process.
#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn AccountsStore>,
    hasher: Arc<dyn PasswordHasher>,
    session_ttl: Duration,
    /// Verified against when an email is unknown, so a miss costs as much as a wrong password.
    decoy_hash: Arc<OnceLock<String>>,
}

impl Accounts {
    pub fn new(
        store: Arc<dyn AccountsStore>,
        hasher: Arc<dyn PasswordHasher>,
        session_ttl: Duration,
    ) -> Self {
        Self {
            store,
            hasher,
            session_ttl,
            decoy_hash: Arc::default(),
        }
    }

    pub async fn signup(
        &self,
        email: Email,
        password: Password,
        tenant_name: TenantName,
    ) -> Result<SignedUp, AccountsError> {
        let password_hash = self.hasher.hash(password).await?;
        let at = OffsetDateTime::now_utc();
        let (user_id, tenant_id) = (UserId::generate(), TenantId::generate());
        let (token, session) = self.new_session(user_id, at)?;
        let event = DomainEvent::UserSignedUp(UserSignedUp {
            user_id,
            tenant_id,
            email: email.as_str().to_owned(),
            occurred_at: at,
        });
        let signup = NewSignup {
            tenant_id,
            tenant_name: tenant_name.clone(),
            user_id,
            email: email.clone(),
            password_hash,
            session,
            event,
            at,
        };
        self.store.create_signup(&signup).await?;
        Ok(SignedUp {
            user: User {
                id: user_id,
                email,
                created_at: at,
            },
            tenant: Tenant {
                id: tenant_id,
                name: tenant_name.as_str().to_owned(),
                created_at: at,
            },
            session: IssuedSession {
                token,
                user_id,
                expires_at: signup.session.expires_at,
            },
        })
    }

    pub async fn login(
        &self,
        email: &Email,
        password: Password,
    ) -> Result<IssuedSession, AccountsError> {
        let Some(credentials) = self.store.credentials(email).await? else {
            let decoy = self.decoy_hash(&password).await?;
            self.hasher.verify(password, decoy).await?;
            return Err(AccountsError::InvalidCredentials);
        };
        if !self
            .hasher
            .verify(password, credentials.password_hash)
            .await?
        {
            return Err(AccountsError::InvalidCredentials);
        }
        let (token, session) = self.new_session(credentials.user_id, OffsetDateTime::now_utc())?;
        self.store.insert_session(&session).await?;
        Ok(IssuedSession {
            token,
            user_id: credentials.user_id,
            expires_at: session.expires_at,
        })
    }

    /// Resolves a bearer token to its user, refusing unknown and expired sessions alike.
    pub async fn authenticate(&self, token: &SessionToken) -> Result<UserId, AccountsError> {
        let hash = token.hash();
        match self.store.session(&hash).await? {
            Some(s) if s.token_hash.matches(&hash) => {
                if s.expires_at > OffsetDateTime::now_utc() {
                    return Ok(s.user_id);
                }
                // An expired session is dead weight: drop it on first sight.
                self.store.delete_session(&hash).await?;
                Err(AccountsError::Unauthenticated)
            }
            _ => Err(AccountsError::Unauthenticated),
        }
    }

    pub async fn logout(&self, token: &SessionToken) -> Result<(), AccountsError> {
        self.store.delete_session(&token.hash()).await?;
        Ok(())
    }

    pub async fn me(&self, user: UserId) -> Result<(User, Vec<MembershipSummary>), AccountsError> {
        let me = self
            .store
            .user(user)
            .await?
            .ok_or(AccountsError::Unauthenticated)?;
        let memberships = self.store.memberships(user).await?;
        Ok((me, memberships))
    }

    pub async fn tenant(&self, actor: UserId, tenant: TenantId) -> Result<Tenant, AccountsError> {
        self.role_in(actor, tenant).await?;
        self.store
            .tenant(tenant)
            .await?
            .ok_or(AccountsError::NotFound("tenant"))
    }

    pub async fn members(
        &self,
        actor: UserId,
        tenant: TenantId,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<MemberPage, AccountsError> {
        self.role_in(actor, tenant).await?;
        let limit = limit.clamp(1, crate::MAX_PAGE_SIZE);
        let mut members = self.store.members(tenant, after, limit + 1).await?;
        let next = if members.len() > limit as usize {
            members.truncate(limit as usize);
            members.last().map(|m| m.user_id)
        } else {
            None
        };
        Ok(MemberPage { members, next })
    }

    pub async fn add_member(
        &self,
        actor: UserId,
        tenant: TenantId,
        email: &Email,
        role: Role,
    ) -> Result<Member, AccountsError> {
        let actor_role = self.role_in(actor, tenant).await?;
        require(actor_role.may_assign(role))?;
        let user = self
            .store
            .user_by_email(email)
            .await?
            .ok_or(AccountsError::Unprocessable {
                field: "email",
                message: "no account uses this email",
            })?;
        let joined_at = OffsetDateTime::now_utc();
        self.store
            .add_member(tenant, user.id, role, joined_at)
            .await?;
        Ok(Member {
            user_id: user.id,
            email: user.email,
            role,
            joined_at,
        })
    }

    pub async fn change_role(
        &self,
        actor: UserId,
        tenant: TenantId,
        target: UserId,
        role: Role,
    ) -> Result<Member, AccountsError> {
        let actor_role = self.role_in(actor, tenant).await?;
        let member = self.member(tenant, target).await?;
        require(actor_role.may_assign(member.role) && actor_role.may_assign(role))?;
        self.store.change_role(tenant, target, role).await?;
        Ok(Member { role, ..member })
    }

    /// Owners and admins remove others; anyone may leave, unless they are the last owner.
    pub async fn remove_member(
        &self,
        actor: UserId,
        tenant: TenantId,
        target: UserId,
    ) -> Result<(), AccountsError> {
        let actor_role = self.role_in(actor, tenant).await?;
        let member = self.member(tenant, target).await?;
        require(actor == target || actor_role.may_assign(member.role))?;
        self.store.remove_member(tenant, target).await?;
        Ok(())
    }

    pub async fn ready(&self) -> Result<(), AccountsError> {
        Ok(self.store.ping().await?)
    }

    /// The actor's role in the tenant. Outsiders get `NotFound`, so tenant ids don't leak.
    async fn role_in(&self, actor: UserId, tenant: TenantId) -> Result<Role, AccountsError> {
        self.store
            .role(tenant, actor)
            .await?
            .ok_or(AccountsError::NotFound("tenant"))
    }

    async fn member(&self, tenant: TenantId, user: UserId) -> Result<Member, AccountsError> {
        self.store
            .member(tenant, user)
            .await?
            .ok_or(AccountsError::NotFound("member"))
    }

    fn new_session(
        &self,
        user_id: UserId,
        at: OffsetDateTime,
    ) -> Result<(SessionToken, SessionRecord), AccountsError> {
        let token = SessionToken::generate()
            .map_err(|e| AccountsError::Store(StoreError::unavailable(RandomnessError(e))))?;
        let record = SessionRecord {
            token_hash: token.hash(),
            user_id,
            expires_at: at + self.session_ttl,
        };
        Ok((token, record))
    }

    async fn decoy_hash(&self, password: &Password) -> Result<String, AccountsError> {
        if let Some(hash) = self.decoy_hash.get() {
            return Ok(hash.clone());
        }
        let hash = self.hasher.hash(password.clone()).await?;
        Ok(self.decoy_hash.get_or_init(|| hash).clone())
    }
}

fn require(allowed: bool) -> Result<(), AccountsError> {
    if allowed {
        Ok(())
    } else {
        Err(AccountsError::Forbidden("your role does not allow this"))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("operating system randomness unavailable: {0}")]
struct RandomnessError(getrandom::Error);
