//! The tenancy module's core: tenants, who belongs to them, and with which role.
//!
//! It owns the use cases ([`Tenancy`]), the rules on who may change what ([`rules`]), the ports
//! it needs ([`Members`], [`Directory`]) and the events it publishes. The rules are pure
//! functions that the adapters apply under the tenant's lock, so a decision is always made on
//! the roles as they are at commit time. Nothing here knows about SQL or HTTP, and it builds
//! for `wasm32-wasip2`.

mod error;
mod events;
pub mod memory;
mod model;
pub mod plans;
mod ports;
mod role;
pub mod rules;
mod service;
mod tenant_name;

pub use error::{TenancyError, Unique};
pub use events::{
    InvitationAccepted, MemberAdded, MemberInvited, MemberRemoved, RoleChanged, TenantCreated,
};
pub use memory::{MemoryDirectory, MemoryMembers};
pub use model::{
    Invitation, InvitationId, Member, MemberPage, Membership, NewInvitation, NewTenant, Tenant,
};
pub use plans::{PLANS, Plan, PlanLimits};
pub use ports::{Directory, DirectoryUser, DynDirectory, DynMembers, Members};
pub use role::Role;
pub use service::{INVITATION_TTL, Invited, Tenancy};
pub use tenant_name::TenantName;

/// The largest page a member listing returns.
pub const MAX_PAGE_SIZE: u32 = 100;
