use std::future::Future;

use kernel::{TenantId, Unavailable, UserId};
use time::Date;

use crate::{Batch, DayActivity};

/// Where usage is kept, and what the dashboard reads of it and of the tenancy module's
/// published members.
#[dynosaur::dynosaur(pub DynActivityStore = dyn(box) ActivityStore)]
pub trait ActivityStore: Send + Sync {
    /// Adds the batch's counts to the stored ones, all or nothing.
    fn flush(&self, batch: &Batch) -> impl Future<Output = Result<(), Unavailable>> + Send;

    /// The tenant's usage from `from` to `to` (both included): at most a few rows per day, in
    /// any order, days without usage left out. Signups and logins count current members only.
    fn dashboard_rows(
        &self,
        tenant: TenantId,
        from: Date,
        to: Date,
    ) -> impl Future<Output = Result<Vec<DayActivity>, Unavailable>> + Send;

    /// Whether `user` is a member of `tenant` now.
    fn is_member(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> impl Future<Output = Result<bool, Unavailable>> + Send;
}
