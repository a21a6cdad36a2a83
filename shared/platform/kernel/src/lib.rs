//! The shared kernel every module builds on: identifiers, validated values that more than one
//! module uses, the event envelope, a clock, and the one type for infrastructure failure.
//!
//! Values here are parsed once at the edge and trusted afterwards, so their fields stay private
//! and every constructor is fallible.

mod clock;
mod email;
pub mod events;
mod ids;
pub mod text;
mod unavailable;
mod validation;

pub use clock::{Clock, SystemClock};
pub use email::Email;
pub use events::{Envelope, Event};
pub use ids::{EventId, TenantId, UserId};
pub use unavailable::Unavailable;
pub use validation::ValidationError;
