use kernel::Unavailable;

/// Whether a statement broke a unique constraint. Adapters know which one from the statement
/// they ran, and name it in their module's own `Unique` type.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// The server refused the credentials (SQLSTATE 28P01 invalid_password, or 28000
/// invalid_authorization_specification, which RDS Proxy uses for a rejected IAM token).
pub(crate) fn is_auth_failure(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("28P01" | "28000")))
}

/// A commit that failed on the way: the server may have applied it before the connection broke.
pub(crate) fn commit_failed(err: sqlx::Error) -> Unavailable {
    match err {
        sqlx::Error::Database(_) => Unavailable::new(err),
        other => Unavailable::outcome_unknown(other),
    }
}
