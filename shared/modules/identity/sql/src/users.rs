//! The user directory in the `users` table.

use database::{Db, Dialect, is_unique_violation, outbox};
use identity::{CreateUserError, NewUser, PasswordReset, StoredPassword, Unique, User, Users};
use kernel::{Email, Envelope, Unavailable, UserId};
use sessions::TokenHash;
use sqlx::types::Json;
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use time::OffsetDateTime;
use uuid::Uuid;

const INSERT: &str =
    "INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)";
pub(crate) const SELECT_STORED_PASSWORD: &str =
    "SELECT id, password_hash FROM users WHERE email = $1";
pub(crate) const SELECT_USER: &str = "SELECT id, email, created_at FROM users WHERE id = $1";
const INSERT_RESET: &str = "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) \
     VALUES ($1, $2, $3, $4)";
pub(crate) const SELECT_RESET_OWNER: &str =
    "SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2";
pub(crate) const USE_RESET: &str =
    "DELETE FROM password_resets WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id";
pub(crate) const SET_PASSWORD: &str = "UPDATE users SET password_hash = $2 WHERE id = $1";
pub(crate) const DELETE_RESETS: &str = "DELETE FROM password_resets WHERE user_id = $1";

#[derive(Debug)]
pub struct SqlUsers<DB: Dialect> {
    db: Db<DB>,
}

impl<DB: Dialect> SqlUsers<DB> {
    pub fn new(db: Db<DB>) -> Self {
        Self { db }
    }
}

#[derive(FromRow)]
struct StoredPasswordRow {
    id: Uuid,
    password_hash: String,
}

#[derive(FromRow)]
struct UserRow {
    id: Uuid,
    email: String,
    created_at: OffsetDateTime,
}

/// The table holds something the schema and the domain should both have refused.
#[derive(Debug, thiserror::Error)]
#[error("corrupt users row: {0}")]
struct CorruptRow(&'static str);

impl<DB> Users for SqlUsers<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> Option<Uuid>: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i16: Encode<'q, DB> + Type<DB>,
    for<'q> Json<&'q serde_json::Value>: Encode<'q, DB> + Type<DB>,
    for<'q> OffsetDateTime: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'r> StoredPasswordRow: FromRow<'r, DB::Row>,
    for<'r> UserRow: FromRow<'r, DB::Row>,
    for<'r> (Uuid,): FromRow<'r, DB::Row>,
{
    #[tracing::instrument(name = "users.create", skip_all, fields(user_id = %user.id))]
    async fn create(&self, user: &NewUser, event: &Envelope) -> Result<(), CreateUserError> {
        let mut tx = self.db.begin().await?;
        sqlx::query(INSERT)
            .bind(user.id.as_uuid())
            .bind(user.email.as_str())
            .bind(user.password_hash.as_str())
            .bind(user.created_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    CreateUserError::Unique(Unique::Email)
                } else {
                    self.db.unavailable(e).into()
                }
            })?;
        outbox::append(&mut *tx, event)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(self.db.commit(tx).await?)
    }

    #[tracing::instrument(name = "users.stored_password", skip_all)]
    async fn stored_password(&self, email: &Email) -> Result<Option<StoredPassword>, Unavailable> {
        let row: Option<StoredPasswordRow> = sqlx::query_as(SELECT_STORED_PASSWORD)
            .bind(email.as_str())
            .fetch_optional(self.db.read_pool().await?)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(row.map(|r| StoredPassword {
            user_id: UserId::from_uuid(r.id),
            password_hash: r.password_hash,
        }))
    }

    #[tracing::instrument(name = "users.user", skip_all, fields(user_id = %id))]
    async fn user(&self, id: UserId) -> Result<Option<User>, Unavailable> {
        let row: Option<UserRow> = sqlx::query_as(SELECT_USER)
            .bind(id.as_uuid())
            .fetch_optional(self.db.read_pool().await?)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        row.map(|r| {
            Ok(User {
                id: UserId::from_uuid(r.id),
                email: Email::parse(&r.email).map_err(|_| Unavailable::new(CorruptRow("email")))?,
                created_at: r.created_at,
            })
        })
        .transpose()
    }

    #[tracing::instrument(name = "users.create_reset", skip_all, fields(user_id = %reset.user_id))]
    async fn create_reset(
        &self,
        reset: &PasswordReset,
        event: &Envelope,
    ) -> Result<(), Unavailable> {
        let mut tx = self.db.begin().await?;
        sqlx::query(INSERT_RESET)
            .bind(reset.token_hash.as_bytes().as_slice())
            .bind(reset.user_id.as_uuid())
            .bind(reset.created_at)
            .bind(reset.expires_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        outbox::append(&mut *tx, event)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        self.db.commit(tx).await
    }

    #[tracing::instrument(name = "users.reset_owner", skip_all)]
    async fn reset_owner(
        &self,
        token: &TokenHash,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, Unavailable> {
        let row: Option<(Uuid,)> = sqlx::query_as(SELECT_RESET_OWNER)
            .bind(token.as_bytes().as_slice())
            .bind(now)
            .fetch_optional(self.db.read_pool().await?)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(row.map(|(id,)| UserId::from_uuid(id)))
    }

    #[tracing::instrument(name = "users.reset_password", skip_all)]
    async fn reset_password(
        &self,
        token: &TokenHash,
        now: OffsetDateTime,
        password_hash: &str,
    ) -> Result<Option<UserId>, Unavailable> {
        let mut tx = self.db.begin().await?;
        let used: Option<(Uuid,)> = sqlx::query_as(USE_RESET)
            .bind(token.as_bytes().as_slice())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        let Some((user,)) = used else {
            return Ok(None);
        };
        sqlx::query(SET_PASSWORD)
            .bind(user)
            .bind(password_hash)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        sqlx::query(DELETE_RESETS)
            .bind(user)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        self.db.commit(tx).await?;
        Ok(Some(UserId::from_uuid(user)))
    }
}
