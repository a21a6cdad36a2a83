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
