use kernel::{Event, TenantId, UserId};
use serde::{Deserialize, Serialize};

/// A new account exists. Welcome mail and analytics start here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSignedUp {
    pub user_id: UserId,
    pub email: String,
}

impl Event for UserSignedUp {
    const TYPE: &'static str = "identity.user_signed_up";
    const VERSION: u16 = 1;

    /// An account belongs to no tenant.
    fn tenant(&self) -> Option<TenantId> {
        None
    }
}

/// Someone asked to reset the password of an existing account. The payload carries the
/// single-use token for the mail that delivers it (the database keeps only its hash); it is
/// useless after `expires_at` and once used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordResetRequested {
    pub user_id: UserId,
    pub email: String,
    pub token: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: time::OffsetDateTime,
}

impl Event for PasswordResetRequested {
    const TYPE: &'static str = "identity.password_reset_requested";
    const VERSION: u16 = 1;

    /// An account belongs to no tenant.
    fn tenant(&self) -> Option<TenantId> {
        None
    }
}
