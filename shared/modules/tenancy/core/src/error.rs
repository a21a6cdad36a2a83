use kernel::Unavailable;

/// A uniqueness rule of the tenancy module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// A user belongs to a tenant once.
    Membership,
}

/// The outcomes of a tenancy use case that a caller must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum TenancyError {
    /// Absent, or present but the caller is not a member: the two look the same on purpose.
    #[error("tenant not found")]
    TenantNotFound,
    #[error("member not found")]
    MemberNotFound,
    /// No account uses the email a member was to be added by.
    #[error("no account uses this email")]
    UnknownEmail,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("a tenant must keep at least one owner")]
    LastOwner,
    #[error("duplicate {0:?}")]
    Unique(Unique),
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}
