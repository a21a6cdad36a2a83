use std::error::Error as StdError;

/// What a store adapter can report. Adapters translate their driver errors into these, so the
/// module never sees `sqlx::Error`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was violated; names what was duplicated.
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    #[error("not found")]
    NotFound,
    /// The change would leave a tenant without an owner.
    #[error("a tenant must keep at least one owner")]
    LastOwner,
    /// The backing service failed or is unreachable; safe to retry.
    #[error("store unavailable")]
    Unavailable(#[source] Box<dyn StdError + Send + Sync>),
}

impl StoreError {
    pub fn unavailable(err: impl StdError + Send + Sync + 'static) -> Self {
        Self::Unavailable(Box::new(err))
    }
}

/// The outcomes of an accounts use case that a caller must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("email or password is wrong")]
    InvalidCredentials,
    #[error("no valid session")]
    Unauthenticated,
    /// Absent, or present but outside the caller's tenants: the two look the same on purpose.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    Conflict(&'static str),
    /// The input was well-formed but refers to something unusable, naming the field.
    #[error("{field}: {message}")]
    Unprocessable {
        field: &'static str,
        message: &'static str,
    },
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountsError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Duplicate("email") => Self::Conflict("an account with this email exists"),
            StoreError::Duplicate("membership") => Self::Conflict("the user is already a member"),
            StoreError::Duplicate(_) => Self::Conflict("the resource already exists"),
            StoreError::LastOwner => Self::Conflict("a tenant must keep at least one owner"),
            StoreError::NotFound => Self::NotFound("resource"),
            other @ StoreError::Unavailable(_) => Self::Store(other),
        }
    }
}
