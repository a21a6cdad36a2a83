//! Accounts, read from the identity module's published `directory_users` view.

use database::{Db, Dialect};
use kernel::{Email, Unavailable, UserId};
use sqlx::{Encode, Executor, FromRow, IntoArguments, Type};
use tenancy::{Directory, DirectoryUser};
use uuid::Uuid;

use crate::rows::DirectoryRow;
use crate::sql;

#[derive(Debug)]
pub struct SqlDirectory<DB: Dialect> {
    db: Db<DB>,
}

impl<DB: Dialect> SqlDirectory<DB> {
    pub fn new(db: Db<DB>) -> Self {
        Self { db }
    }
}

impl<DB> Directory for SqlDirectory<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'r> DirectoryRow: FromRow<'r, DB::Row>,
{
    #[tracing::instrument(name = "directory.find", skip_all)]
    async fn find(&self, email: &Email) -> Result<Option<DirectoryUser>, Unavailable> {
        let row: Option<DirectoryRow> = sqlx::query_as(sql::SELECT_DIRECTORY_USER)
            .bind(email.as_str())
            .fetch_optional(self.db.read_pool().await?)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        row.map(TryInto::try_into).transpose()
    }

    #[tracing::instrument(name = "directory.user", skip_all)]
    async fn user(&self, id: UserId) -> Result<Option<DirectoryUser>, Unavailable> {
        let row: Option<DirectoryRow> = sqlx::query_as(sql::SELECT_DIRECTORY_USER_BY_ID)
            .bind(id.as_uuid())
            .fetch_optional(self.db.read_pool().await?)
            .await
            .map_err(|e| self.db.unavailable(e))?;
        row.map(TryInto::try_into).transpose()
    }
}
