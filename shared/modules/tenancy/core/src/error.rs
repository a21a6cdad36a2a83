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
    /// No pending invitation has this token (or id): unknown, used, revoked, replaced or
    /// expired.
    #[error("invitation not found")]
    InvitationNotFound,
    /// The invitation names another email than the caller's account.
    #[error("the invitation is for another email")]
    InvitationForAnotherEmail,
    /// Whoever sent the invitation may no longer grant its role.
    #[error("the invitation is no longer valid")]
    InvitationWithdrawn,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("a tenant must keep at least one owner")]
    LastOwner,
    #[error("duplicate {0:?}")]
    Unique(Unique),
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}
