use accounts::StoreError;

/// Maps a driver error onto the port's vocabulary; `duplicate` names what a unique violation means.
pub(crate) fn store_error(err: sqlx::Error, duplicate: &'static str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(duplicate),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
        sqlx::Error::RowNotFound => StoreError::NotFound,
        _ => StoreError::unavailable(err),
    }
}

pub(crate) fn unavailable(err: sqlx::Error) -> StoreError {
    StoreError::unavailable(err)
}

/// The server refused the credentials (SQLSTATE 28P01 invalid_password, or 28000
/// invalid_authorization_specification, which RDS Proxy uses for a rejected IAM token).
pub(crate) fn is_auth_failure(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("28P01" | "28000")))
}
