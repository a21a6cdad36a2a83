//! The shared kernel every module builds on: identifiers, validated value types and domain events.
//!
//! Values here are parsed once at the edge and trusted afterwards, so their fields stay private
//! and every constructor is fallible.

mod email;
mod events;
mod ids;
mod password;
mod role;
mod tenant_name;
mod validation;

pub use email::Email;
pub use events::{DomainEvent, UserSignedUp};
pub use ids::{TenantId, UserId};
pub use password::Password;
pub use role::Role;
pub use tenant_name::TenantName;
pub use validation::ValidationError;
