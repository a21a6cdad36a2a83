use std::sync::{Arc, OnceLock};

use kernel::{Clock, Email, Envelope, UserId};
use sessions::{IssuedSession, SessionToken, Sessions};

use crate::{
    DynPasswordHasher, DynUsers, IdentityError, NewUser, Password, PasswordHasher, User,
    UserSignedUp, Users,
};

#[derive(Debug, Clone)]
pub struct SignedUp {
    pub user: User,
    pub session: IssuedSession,
}

/// The identity use cases. Cheap to clone; build it once per process.
#[derive(Clone)]
pub struct Identity {
    users: Arc<DynUsers<'static>>,
    hasher: Arc<DynPasswordHasher<'static>>,
    sessions: Sessions,
    clock: Arc<dyn Clock>,
    /// Verified against when an email is unknown, so a miss costs as much as a wrong password.
    decoy_hash: Arc<OnceLock<String>>,
}

impl Identity {
    pub fn new(
        users: impl Users + 'static,
        hasher: impl PasswordHasher + 'static,
        sessions: Sessions,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            users: DynUsers::new_arc(users),
            hasher: DynPasswordHasher::new_arc(hasher),
            sessions,
            clock,
            decoy_hash: Arc::default(),
        }
    }

    /// Creates the account, then logs it in. The session is issued after the account's
    /// transaction commits, so a session store that is down never undoes a signup.
    pub async fn signup(
        &self,
        email: Email,
        password: Password,
    ) -> Result<SignedUp, IdentityError> {
        let password_hash = self.hasher.hash(password).await?;
        let user = NewUser {
            id: UserId::generate(),
            email,
            password_hash,
            created_at: self.clock.now(),
        };
        let event = UserSignedUp {
            user_id: user.id,
            email: user.email.as_str().to_owned(),
        };
        self.users
            .create(&user, &Envelope::wrap(&event, user.created_at))
            .await?;
        let session = self
            .sessions
            .issue(user.id)
            .await
            .map_err(IdentityError::SignedUpWithoutSession)?;
        Ok(SignedUp {
            user: User {
                id: user.id,
                email: user.email,
                created_at: user.created_at,
            },
            session,
        })
    }

    pub async fn login(
        &self,
        email: &Email,
        password: Password,
    ) -> Result<IssuedSession, IdentityError> {
        let Some(stored) = self.users.stored_password(email).await? else {
            let decoy = self.decoy_hash(&password).await?;
            self.hasher.verify(password, decoy).await?;
            return Err(IdentityError::WrongEmailOrPassword);
        };
        if !self.hasher.verify(password, stored.password_hash).await? {
            return Err(IdentityError::WrongEmailOrPassword);
        }
        Ok(self.sessions.issue(stored.user_id).await?)
    }

    pub async fn logout(&self, token: &SessionToken) -> Result<(), IdentityError> {
        Ok(self.sessions.revoke(token).await?)
    }

    pub async fn me(&self, user: UserId) -> Result<User, IdentityError> {
        self.users
            .user(user)
            .await?
            .ok_or(IdentityError::UnknownUser)
    }

    async fn decoy_hash(&self, password: &Password) -> Result<String, IdentityError> {
        if let Some(hash) = self.decoy_hash.get() {
            return Ok(hash.clone());
        }
        let hash = self.hasher.hash(password.clone()).await?;
        Ok(self.decoy_hash.get_or_init(|| hash).clone())
    }
}
