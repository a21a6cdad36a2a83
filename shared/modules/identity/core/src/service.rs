use std::sync::{Arc, OnceLock};

use kernel::{Clock, Email, Envelope, Unavailable, UserId};
use sessions::{IssuedSession, SessionToken, Sessions};

use crate::{
    DynPasswordHasher, DynUsers, IdentityError, NewUser, Password, PasswordHasher, PasswordReset,
    PasswordResetRequested, User, UserSignedUp, Users,
};

/// How long a password reset token works.
pub const RESET_TTL: time::Duration = time::Duration::hours(1);

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

    /// Mails a single-use reset token to `email` if it has an account; the answer is the same
    /// either way, so nobody learns which emails have accounts.
    pub async fn request_password_reset(&self, email: &Email) -> Result<(), IdentityError> {
        let Some(stored) = self.users.stored_password(email).await? else {
            return Ok(());
        };
        let token = SessionToken::generate().map_err(|e| Unavailable::new(EntropyError(e)))?;
        let now = self.clock.now();
        let reset = PasswordReset {
            token_hash: token.hash(),
            user_id: stored.user_id,
            created_at: now,
            expires_at: now + RESET_TTL,
        };
        let event = PasswordResetRequested {
            user_id: stored.user_id,
            email: email.as_str().to_owned(),
            token: token.expose().to_owned(),
            expires_at: reset.expires_at,
        };
        self.users
            .create_reset(&reset, &Envelope::wrap(&event, now))
            .await?;
        Ok(())
    }

    /// Sets a new password with a reset token and ends every session of the account. The
    /// sessions end before the token is used, so a failure there leaves the token usable for a
    /// retry; they are ended again after, for one opened with the old password meanwhile.
    pub async fn reset_password(
        &self,
        token: &SessionToken,
        password: Password,
    ) -> Result<(), IdentityError> {
        let hash = token.hash();
        let owner = self
            .users
            .reset_owner(&hash, self.clock.now())
            .await?
            .ok_or(IdentityError::InvalidResetToken)?;
        let password_hash = self.hasher.hash(password).await?;
        self.sessions.revoke_all(owner).await?;
        let user = self
            .users
            .reset_password(&hash, self.clock.now(), &password_hash)
            .await?
            .ok_or(IdentityError::InvalidResetToken)?;
        if let Err(err) = self.sessions.revoke_all(user).await {
            tracing::warn!(user_id = %user, error = %err, "sessions opened during a password reset were not ended");
        }
        Ok(())
    }

    async fn decoy_hash(&self, password: &Password) -> Result<String, IdentityError> {
        if let Some(hash) = self.decoy_hash.get() {
            return Ok(hash.clone());
        }
        let hash = self.hasher.hash(password.clone()).await?;
        Ok(self.decoy_hash.get_or_init(|| hash).clone())
    }
}

/// The system's random source failed.
#[derive(Debug, thiserror::Error)]
#[error("no entropy for a token: {0}")]
struct EntropyError(getrandom::Error);
