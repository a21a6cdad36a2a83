//! The user directory in the process's memory: the embedded default for unit tests and
//! single-process runs, held to the same contract suite as the SQL adapter
//! (`identity-sql/tests/contract.rs`). Events land in an in-memory outbox.

use std::sync::{Arc, Mutex, PoisonError};

use kernel::{Email, Envelope, Unavailable, UserId};

use sessions::TokenHash;
use time::OffsetDateTime;

use crate::{CreateUserError, NewUser, PasswordReset, StoredPassword, Unique, User, Users};

#[derive(Debug, Default)]
struct State {
    users: Vec<NewUser>,
    resets: Vec<PasswordReset>,
    outbox: Vec<Envelope>,
}

#[derive(Debug, Clone, Default)]
pub struct MemoryUsers {
    state: Arc<Mutex<State>>,
}

impl MemoryUsers {
    /// The events written so far, oldest first.
    pub fn outbox(&self) -> Vec<Envelope> {
        self.with(|s| s.outbox.clone())
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Users for MemoryUsers {
    async fn create(&self, user: &NewUser, event: &Envelope) -> Result<(), CreateUserError> {
        self.with(|s| {
            if s.users.iter().any(|u| u.email == user.email) {
                return Err(CreateUserError::Unique(Unique::Email));
            }
            s.users.push(user.clone());
            s.outbox.push(event.clone());
            Ok(())
        })
    }

    async fn stored_password(&self, email: &Email) -> Result<Option<StoredPassword>, Unavailable> {
        Ok(self.with(|s| {
            s.users
                .iter()
                .find(|u| &u.email == email)
                .map(|u| StoredPassword {
                    user_id: u.id,
                    password_hash: u.password_hash.clone(),
                })
        }))
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, Unavailable> {
        Ok(self.with(|s| {
            s.users.iter().find(|u| u.id == id).map(|u| User {
                id: u.id,
                email: u.email.clone(),
                created_at: u.created_at,
            })
        }))
    }

    async fn create_reset(
        &self,
        reset: &PasswordReset,
        event: &Envelope,
    ) -> Result<(), Unavailable> {
        self.with(|s| {
            s.resets.push(reset.clone());
            s.outbox.push(event.clone());
        });
        Ok(())
    }

    async fn reset_owner(
        &self,
        token: &TokenHash,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, Unavailable> {
        Ok(self.with(|s| {
            s.resets
                .iter()
                .find(|r| r.token_hash.matches(token) && r.expires_at > now)
                .map(|r| r.user_id)
        }))
    }

    async fn reset_password(
        &self,
        token: &TokenHash,
        now: OffsetDateTime,
        password_hash: &str,
    ) -> Result<Option<UserId>, Unavailable> {
        Ok(self.with(|s| {
            let user_id = s
                .resets
                .iter()
                .find(|r| r.token_hash.matches(token) && r.expires_at > now)?
                .user_id;
            s.resets.retain(|r| r.user_id != user_id);
            let user = s.users.iter_mut().find(|u| u.id == user_id)?;
            user.password_hash = password_hash.to_owned();
            Some(user_id)
        }))
    }
}
