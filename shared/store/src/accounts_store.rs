//! The one implementation of [`AccountsStore`], instantiated for each sqlx driver.

/// Implements `AccountsStore` for `$store`, a wrapper around `sqlx::Pool<$db>`.
/// `$lock_tenant` serialises membership changes within a tenant for the rest of a transaction.
macro_rules! impl_accounts_store {
    ($store:ty, $db:ty, $lock_tenant:expr) => {
        impl $store {
            fn unavailable(&self, err: sqlx::Error) -> accounts::StoreError {
                self.observe(&err);
                crate::errors::unavailable(err)
            }

            fn store_error(
                &self,
                err: sqlx::Error,
                duplicate: &'static str,
            ) -> accounts::StoreError {
                self.observe(&err);
                crate::errors::store_error(err, duplicate)
            }
        }

        #[async_trait::async_trait]
        impl accounts::AccountsStore for $store {
            #[tracing::instrument(skip_all, fields(tenant_id = %signup.tenant_id))]
            async fn create_signup(
                &self,
                signup: &accounts::NewSignup,
            ) -> Result<(), accounts::StoreError> {
                use crate::sql;
                let tenant = signup.tenant_id.as_uuid();
                let user = signup.user_id.as_uuid();
                let mut tx = self
                    .ready_pool()
                    .await?
                    .begin()
                    .await
                    .map_err(|e| self.unavailable(e))?;
                sqlx::query(sql::INSERT_TENANT)
                    .bind(tenant)
                    .bind(signup.tenant_name.as_str())
                    .bind(signup.at)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.store_error(e, "tenant"))?;
                sqlx::query(sql::INSERT_USER)
                    .bind(user)
                    .bind(signup.email.as_str())
                    .bind(&signup.password_hash)
                    .bind(signup.at)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.store_error(e, "email"))?;
                sqlx::query(sql::INSERT_MEMBERSHIP)
                    .bind(tenant)
                    .bind(user)
                    .bind(domain::Role::Owner.as_str())
                    .bind(signup.at)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.store_error(e, "membership"))?;
                sqlx::query(sql::INSERT_SESSION)
                    .bind(signup.session.token_hash.as_bytes().as_slice())
                    .bind(user)
                    .bind(signup.session.expires_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.store_error(e, "session"))?;
                sqlx::query(sql::INSERT_OUTBOX)
                    .bind(uuid::Uuid::now_v7())
                    .bind(signup.event.tenant_id().as_uuid())
                    .bind(signup.event.event_type())
                    .bind(sqlx::types::Json(&signup.event))
                    .bind(signup.at)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.store_error(e, "event"))?;
                tx.commit().await.map_err(|e| self.unavailable(e))
            }

            async fn credentials(
                &self,
                email: &domain::Email,
            ) -> Result<Option<accounts::Credentials>, accounts::StoreError> {
                let row: Option<crate::rows::CredentialsRow> =
                    sqlx::query_as(crate::sql::SELECT_CREDENTIALS)
                        .bind(email.as_str())
                        .fetch_optional(self.ready_pool().await?)
                        .await
                        .map_err(|e| self.unavailable(e))?;
                Ok(row.map(|r| accounts::Credentials {
                    user_id: domain::UserId::from_uuid(r.id),
                    password_hash: r.password_hash,
                }))
            }

            async fn user(
                &self,
                id: domain::UserId,
            ) -> Result<Option<accounts::User>, accounts::StoreError> {
                let row: Option<crate::rows::UserRow> = sqlx::query_as(crate::sql::SELECT_USER)
                    .bind(id.as_uuid())
                    .fetch_optional(self.ready_pool().await?)
                    .await
                    .map_err(|e| self.unavailable(e))?;
                row.map(TryInto::try_into).transpose()
            }

            async fn user_by_email(
                &self,
                email: &domain::Email,
            ) -> Result<Option<accounts::User>, accounts::StoreError> {
                let row: Option<crate::rows::UserRow> =
                    sqlx::query_as(crate::sql::SELECT_USER_BY_EMAIL)
                        .bind(email.as_str())
                        .fetch_optional(self.ready_pool().await?)
                        .await
                        .map_err(|e| self.unavailable(e))?;
                row.map(TryInto::try_into).transpose()
            }

            async fn insert_session(
                &self,
                session: &accounts::SessionRecord,
            ) -> Result<(), accounts::StoreError> {
                sqlx::query(crate::sql::INSERT_SESSION)
                    .bind(session.token_hash.as_bytes().as_slice())
                    .bind(session.user_id.as_uuid())
                    .bind(session.expires_at)
                    .execute(self.ready_pool().await?)
                    .await
                    .map_err(|e| self.store_error(e, "session"))?;
                Ok(())
            }

            async fn session(
                &self,
                hash: &accounts::TokenHash,
            ) -> Result<Option<accounts::SessionRecord>, accounts::StoreError> {
                let row: Option<crate::rows::SessionRow> =
                    sqlx::query_as(crate::sql::SELECT_SESSION)
                        .bind(hash.as_bytes().as_slice())
                        .fetch_optional(self.ready_pool().await?)
                        .await
                        .map_err(|e| self.unavailable(e))?;
                row.map(TryInto::try_into).transpose()
            }

            async fn delete_session(
                &self,
                hash: &accounts::TokenHash,
            ) -> Result<bool, accounts::StoreError> {
                let done = sqlx::query(crate::sql::DELETE_SESSION)
                    .bind(hash.as_bytes().as_slice())
                    .execute(self.ready_pool().await?)
                    .await
                    .map_err(|e| self.unavailable(e))?;
                Ok(done.rows_affected() > 0)
            }

            async fn memberships(
                &self,
                user: domain::UserId,
            ) -> Result<Vec<accounts::MembershipSummary>, accounts::StoreError> {
                let rows: Vec<crate::rows::MembershipRow> =
                    sqlx::query_as(crate::sql::SELECT_MEMBERSHIPS)
                        .bind(user.as_uuid())
                        .fetch_all(self.ready_pool().await?)
                        .await
                        .map_err(|e| self.unavailable(e))?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn tenant(
                &self,
                tenant: domain::TenantId,
            ) -> Result<Option<accounts::Tenant>, accounts::StoreError> {
                let row: Option<crate::rows::TenantRow> = sqlx::query_as(crate::sql::SELECT_TENANT)
                    .bind(tenant.as_uuid())
                    .fetch_optional(self.ready_pool().await?)
                    .await
                    .map_err(|e| self.unavailable(e))?;
                Ok(row.map(Into::into))
            }

            async fn role(
                &self,
                tenant: domain::TenantId,
                user: domain::UserId,
            ) -> Result<Option<domain::Role>, accounts::StoreError> {
                let row: Option<crate::rows::RoleRow> = sqlx::query_as(crate::sql::SELECT_ROLE)
                    .bind(tenant.as_uuid())
                    .bind(user.as_uuid())
                    .fetch_optional(self.ready_pool().await?)
                    .await
                    .map_err(|e| self.unavailable(e))?;
                row.map(TryInto::try_into).transpose()
            }

            async fn member(
                &self,
                tenant: domain::TenantId,
                user: domain::UserId,
            ) -> Result<Option<accounts::Member>, accounts::StoreError> {
                let row: Option<crate::rows::MemberRow> = sqlx::query_as(crate::sql::SELECT_MEMBER)
                    .bind(tenant.as_uuid())
                    .bind(user.as_uuid())
                    .fetch_optional(self.ready_pool().await?)
                    .await
                    .map_err(|e| self.unavailable(e))?;
                row.map(TryInto::try_into).transpose()
            }

            async fn members(
                &self,
                tenant: domain::TenantId,
                after: Option<domain::UserId>,
                limit: u32,
            ) -> Result<Vec<accounts::Member>, accounts::StoreError> {
                let rows: Vec<crate::rows::MemberRow> = sqlx::query_as(crate::sql::SELECT_MEMBERS)
                    .bind(tenant.as_uuid())
                    .bind(after.map(|id| id.as_uuid()))
                    .bind(i64::from(limit))
                    .fetch_all(self.ready_pool().await?)
                    .await
                    .map_err(|e| self.unavailable(e))?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn add_member(
                &self,
                tenant: domain::TenantId,
                user: domain::UserId,
                role: domain::Role,
                at: time::OffsetDateTime,
            ) -> Result<(), accounts::StoreError> {
                sqlx::query(crate::sql::INSERT_MEMBERSHIP)
                    .bind(tenant.as_uuid())
                    .bind(user.as_uuid())
                    .bind(role.as_str())
                    .bind(at)
                    .execute(self.ready_pool().await?)
                    .await
                    .map_err(|e| self.store_error(e, "membership"))?;
                Ok(())
            }

            async fn change_role(
                &self,
                tenant: domain::TenantId,
                user: domain::UserId,
                role: domain::Role,
            ) -> Result<(), accounts::StoreError> {
                let mut tx = self
                    .ready_pool()
                    .await?
                    .begin()
                    .await
                    .map_err(|e| self.unavailable(e))?;
                let current = locked_role(&mut tx, tenant, user).await?;
                if current == domain::Role::Owner && role != domain::Role::Owner {
                    ensure_other_owner(&mut tx, tenant).await?;
                }
                sqlx::query(crate::sql::UPDATE_ROLE)
                    .bind(tenant.as_uuid())
                    .bind(user.as_uuid())
                    .bind(role.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.unavailable(e))?;
                tx.commit().await.map_err(|e| self.unavailable(e))
            }

            async fn remove_member(
                &self,
                tenant: domain::TenantId,
                user: domain::UserId,
            ) -> Result<(), accounts::StoreError> {
                let mut tx = self
                    .ready_pool()
                    .await?
                    .begin()
                    .await
                    .map_err(|e| self.unavailable(e))?;
                let current = locked_role(&mut tx, tenant, user).await?;
                if current == domain::Role::Owner {
                    ensure_other_owner(&mut tx, tenant).await?;
                }
                sqlx::query(crate::sql::DELETE_MEMBERSHIP)
                    .bind(tenant.as_uuid())
                    .bind(user.as_uuid())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.unavailable(e))?;
                tx.commit().await.map_err(|e| self.unavailable(e))
            }

            async fn ping(&self) -> Result<(), accounts::StoreError> {
                sqlx::query(crate::sql::PING)
                    .execute(self.ready_pool().await?)
                    .await
                    .map_err(|e| self.unavailable(e))?;
                Ok(())
            }
        }

        /// Locks the tenant's memberships for the transaction, then reads the user's role.
        async fn locked_role(
            tx: &mut sqlx::Transaction<'_, $db>,
            tenant: domain::TenantId,
            user: domain::UserId,
        ) -> Result<domain::Role, accounts::StoreError> {
            sqlx::query($lock_tenant)
                .bind(tenant.as_uuid())
                .execute(&mut **tx)
                .await
                .map_err(crate::errors::unavailable)?;
            let row: Option<crate::rows::RoleRow> = sqlx::query_as(crate::sql::SELECT_ROLE)
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .fetch_optional(&mut **tx)
                .await
                .map_err(crate::errors::unavailable)?;
            row.map(TryInto::try_into)
                .transpose()?
                .ok_or(accounts::StoreError::NotFound)
        }

        /// Refuses with `LastOwner` unless the tenant has more than one owner.
        async fn ensure_other_owner(
            tx: &mut sqlx::Transaction<'_, $db>,
            tenant: domain::TenantId,
        ) -> Result<(), accounts::StoreError> {
            let owners: i64 = sqlx::query_scalar(crate::sql::COUNT_OWNERS)
                .bind(tenant.as_uuid())
                .fetch_one(&mut **tx)
                .await
                .map_err(crate::errors::unavailable)?;
            if owners > 1 {
                Ok(())
            } else {
                Err(accounts::StoreError::LastOwner)
            }
        }
    };
}

pub(crate) use impl_accounts_store;
