use kernel::Unavailable;

/// The outcomes of reading a dashboard that a caller must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum ActivityError {
    /// Absent, or present but the caller is not a member: the two look the same on purpose.
    #[error("tenant not found")]
    TenantNotFound,
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}
