//! This module's view of the events it reacts to. Each struct declares only the fields the
//! module reads, under the publisher's type name and version; the publisher's crate is never
//! linked. Unknown fields are ignored, since publishers may add fields within a version.

use kernel::UserId;
use serde::Deserialize;

/// `identity.user_signed_up` version 1: a new account exists.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserSignedUp {
    pub user_id: UserId,
    /// The address as the identity module stored it; parsed again before any mail goes out.
    pub email: String,
}

impl UserSignedUp {
    pub const TYPE: &'static str = "identity.user_signed_up";
    pub const VERSION: u16 = 1;
}
