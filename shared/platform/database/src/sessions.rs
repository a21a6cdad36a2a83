//! The SQL adapter of the sessions port.

use kernel::{Unavailable, UserId};
use sessions::{DynSessionStore, Session, SessionStore, TokenHash};
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Backend, Db, Dialect};

/// The sessions store on the configured database.
pub fn session_store(backend: &Backend) -> Box<DynSessionStore<'static>> {
    match backend {
        Backend::Postgres(db) => DynSessionStore::new_box(SqlSessions::new(db.clone())),
        Backend::Sqlite(db) => DynSessionStore::new_box(SqlSessions::new(db.clone())),
    }
}

const INSERT: &str = "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)";
pub(crate) const SELECT: &str =
    "SELECT token_hash, user_id, expires_at FROM sessions WHERE token_hash = $1";
pub(crate) const DELETE: &str = "DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id";
pub(crate) const DELETE_USER: &str = "DELETE FROM sessions WHERE user_id = $1";

/// Sessions in the `sessions` table.
#[derive(Debug)]
pub struct SqlSessions<DB: Dialect> {
    db: Db<DB>,
}

impl<DB: Dialect> SqlSessions<DB> {
    pub fn new(db: Db<DB>) -> Self {
        Self { db }
    }
}

#[derive(FromRow)]
struct SessionRow {
    token_hash: Vec<u8>,
    user_id: Uuid,
    expires_at: OffsetDateTime,
}

#[derive(Debug, thiserror::Error)]
#[error("corrupt session row: token_hash is not 32 bytes")]
struct CorruptRow;

impl<DB> SessionStore for SqlSessions<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> OffsetDateTime: Encode<'q, DB> + Type<DB>,
    for<'r> SessionRow: FromRow<'r, DB::Row>,
    for<'r> (Uuid,): FromRow<'r, DB::Row>,
{
    #[tracing::instrument(name = "sessions.insert", skip_all)]
    async fn insert(&self, session: &Session) -> Result<(), Unavailable> {
        let pool = self.db.pool().await?;
        sqlx::query(INSERT)
            .bind(session.token_hash.as_bytes().as_slice())
            .bind(session.user_id.as_uuid())
            .bind(session.expires_at)
            .execute(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(())
    }

    #[tracing::instrument(name = "sessions.find", skip_all)]
    async fn find(&self, hash: &TokenHash) -> Result<Option<Session>, Unavailable> {
        // The writer, never a replica: a session just created must authenticate, and one just
        // revoked must not.
        let pool = self.db.pool().await?;
        let row: Option<SessionRow> = sqlx::query_as(SELECT)
            .bind(hash.as_bytes().as_slice())
            .fetch_optional(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        row.map(|r| {
            Ok(Session {
                token_hash: TokenHash::from_bytes(&r.token_hash)
                    .ok_or_else(|| Unavailable::new(CorruptRow))?,
                user_id: UserId::from_uuid(r.user_id),
                expires_at: r.expires_at,
            })
        })
        .transpose()
    }

    #[tracing::instrument(name = "sessions.delete", skip_all)]
    async fn delete(&self, hash: &TokenHash) -> Result<bool, Unavailable> {
        let pool = self.db.pool().await?;
        let deleted: Option<(Uuid,)> = sqlx::query_as(DELETE)
            .bind(hash.as_bytes().as_slice())
            .fetch_optional(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(deleted.is_some())
    }

    #[tracing::instrument(name = "sessions.delete_user", skip_all, fields(user_id = %user))]
    async fn delete_user(&self, user: UserId) -> Result<u64, Unavailable> {
        let pool = self.db.pool().await?;
        let done = sqlx::query(DELETE_USER)
            .bind(user.as_uuid())
            .execute(pool)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        Ok(DB::rows_affected(&done))
    }
}
