//! The activity module's core: how much each tenant is used, day by day, and the dashboard
//! that shows it.
//!
//! Usage is counted in process memory ([`ActivityBuffer`]) and written in batches through the
//! [`ActivityStore`] port, never one row per request. The dashboard ([`Activity::dashboard`])
//! covers the last [`DAYS`] UTC days, every day present; it is readable by any member of the
//! tenant, checked on every request, and cached for a minute under [`dashboard_key`]. The
//! [`DashboardInvalidation`] consumer drops a tenant's cached dashboard when its membership
//! changes. Signups are read from the tenancy module's published `tenant_members` view; no
//! table of another module is read. Nothing here knows about SQL or sockets, and it builds for
//! `wasm32-wasip2`.

mod buffer;
mod consumer;
mod error;
pub mod memory;
mod model;
mod ports;
mod service;

pub use buffer::{ActivityBuffer, Batch, MAX_KEYS, MemberCalls, UserLogins};
pub use consumer::DashboardInvalidation;
pub use error::ActivityError;
pub use memory::MemoryActivity;
pub use model::{DAYS, Dashboard, DayActivity, window};
pub use ports::{ActivityStore, DynActivityStore};
pub use service::{Activity, FRESHNESS, dashboard_key};

/// The tenancy module's event types after which a tenant's dashboard is out of date: someone
/// joined (signups change), or left (logins count only current members).
pub const MEMBERSHIP_EVENTS: &[&str] = &[
    "tenancy.member_added",
    "tenancy.invitation_accepted",
    "tenancy.member_removed",
    "tenancy.role_changed",
];
