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
