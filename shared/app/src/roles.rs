//! The two PostgreSQL roles: the owner, which runs the migrations and owns every table, and the
//! application role the functions connect as, with DML on the tables and no DDL.
//!
//! [`bootstrap_app_role`] is all the SQL that sets the application role up; `migrate
//! --bootstrap-app-role <role>` runs it as the owner, once per environment, after the
//! migrations. It is idempotent.

use anyhow::{Context, bail};
use sqlx::{PgPool, Postgres, Transaction};

/// The role RDS grants IAM authentication through: a member logs in with IAM auth tokens (RDS
/// Proxy with IAM auth) instead of a password.
pub const RDS_IAM: &str = "rds_iam";

/// The migrations' bookkeeping table: the application role reads it, never writes it.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// How the application role logs in.
#[derive(Debug, Clone, Copy)]
pub enum Login<'a> {
    /// With IAM auth tokens: the role joins `rds_iam` where that role exists (RDS). Functions
    /// that reach the cluster directly log in this way.
    IamTokens,
    /// With this password: what RDS Proxy logs in with, from the role's own secret, while the
    /// functions reach the proxy with IAM tokens. RDS refuses passwords of `rds_iam` members,
    /// so the role leaves it.
    Password(&'a str),
}

/// Creates the login role `role` if it is missing and grants it what the functions need, with
/// the connected role (the owner) as the one whose future tables it may use:
///
/// - `USAGE` on schema `public`, and nobody but the owner may create objects there;
/// - `SELECT, INSERT, UPDATE, DELETE` on every table, `USAGE, SELECT` on every sequence, and
///   the same on those the owner creates later (default privileges);
/// - only `SELECT` on the migrations' bookkeeping table;
/// - how it logs in ([`Login`]): membership in `rds_iam`, or a password.
///
/// No `TRUNCATE`, `REFERENCES`, `TRIGGER`, and no `CREATE` anywhere.
pub async fn bootstrap_app_role(pool: &PgPool, role: &str, login: Login<'_>) -> anyhow::Result<()> {
    bootstrap_with_iam_role(pool, role, RDS_IAM, login).await
}

/// [`bootstrap_app_role`] with another role standing for `rds_iam`.
pub async fn bootstrap_with_iam_role(
    pool: &PgPool,
    role: &str,
    iam_role: &str,
    login: Login<'_>,
) -> anyhow::Result<()> {
    let app = quoted(role)?;
    let mut tx = pool.begin().await.context("begin")?;
    let owner: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&mut *tx)
        .await
        .context("current_user")?;
    if owner == role {
        bail!("the application role must not be the owner role {owner} that runs the bootstrap");
    }
    let owner = format!("\"{}\"", owner.replace('"', "\"\""));
    // Two bootstraps at once would race between the existence check and CREATE ROLE.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('app::roles::bootstrap'))")
        .execute(&mut *tx)
        .await
        .context("lock")?;
    if !role_exists(&mut tx, role).await? {
        run(&mut tx, &format!("CREATE ROLE {app} LOGIN")).await?;
    }
    let mut statements = vec![
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC".to_owned(),
        format!("GRANT USAGE ON SCHEMA public TO {app}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}"),
        format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public \
             GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}"
        ),
        format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public \
             GRANT USAGE, SELECT ON SEQUENCES TO {app}"
        ),
    ];
    let bookkeeping: Option<String> = sqlx::query_scalar("SELECT to_regclass($1)::text")
        .bind(format!("public.{MIGRATIONS_TABLE}"))
        .fetch_one(&mut *tx)
        .await
        .context("find the migrations table")?;
    if bookkeeping.is_some() {
        statements.push(format!(
            "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLE public.{MIGRATIONS_TABLE} FROM {app}"
        ));
    }
    let iam = role_exists(&mut tx, iam_role).await?;
    match login {
        Login::IamTokens if iam => statements.push(format!("GRANT {} TO {app}", quoted(iam_role)?)),
        Login::IamTokens => {}
        Login::Password(password) => {
            if iam {
                statements.push(format!("REVOKE {} FROM {app}", quoted(iam_role)?));
            }
            // A DDL statement's text may be logged (`log_statement = ddl`): RDS logs none by
            // default, and the secret is the proxy's to rotate.
            statements.push(format!("ALTER ROLE {app} PASSWORD {}", literal(password)?));
        }
    }
    for statement in &statements {
        run(&mut tx, statement).await?;
    }
    tx.commit().await.context("commit")?;
    Ok(())
}

/// Fails, naming the role, when the connected role may not create tables in schema `public`:
/// the application role, say, where only the owner should migrate.
pub async fn ensure_can_migrate(pool: &PgPool) -> anyhow::Result<()> {
    let (user, can_create): (String, bool) = sqlx::query_as(
        "SELECT current_user::text, has_schema_privilege(current_user, 'public', 'CREATE')",
    )
    .fetch_one(pool)
    .await
    .context("check the connected role's privileges")?;
    if !can_create {
        bail!(
            "role {user} may not create tables in schema public: run the migrations as the owner \
             role (the cluster's master user), not as the application role"
        );
    }
    Ok(())
}

async fn role_exists(tx: &mut Transaction<'_, Postgres>, role: &str) -> anyhow::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(role)
        .fetch_one(&mut **tx)
        .await
        .with_context(|| format!("look role {role} up"))
}

async fn run(tx: &mut Transaction<'_, Postgres>, statement: &str) -> anyhow::Result<()> {
    sqlx::raw_sql(statement)
        .execute(&mut **tx)
        .await
        .with_context(|| statement.to_owned())?;
    Ok(())
}

/// `name` as a quoted identifier, once it is a plain lowercase one: letters, digits and
/// underscores, starting with a letter or underscore, at most 63 bytes.
fn quoted(name: &str) -> anyhow::Result<String> {
    let mut chars = name.chars();
    let plain = matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63;
    if !plain {
        bail!(
            "role name {name:?}: use lowercase letters, digits and underscores (at most 63, not starting with a digit)"
        );
    }
    Ok(format!("\"{name}\""))
}

/// `value` as a string literal.
fn literal(value: &str) -> anyhow::Result<String> {
    if value.is_empty() || value.contains('\0') {
        bail!("the application role's password must be non-empty text");
    }
    Ok(format!("'{}'", value.replace('\'', "''")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_are_plain_identifiers() {
        assert_eq!(quoted("saas_app").ok().as_deref(), Some("\"saas_app\""));
        for bad in ["", "1app", "App", "app\"; DROP", "a-b", &"a".repeat(64)] {
            assert!(quoted(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
