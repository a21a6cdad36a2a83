//! Response bodies. Field names here are the public API: add fields, never rename them.

use activity::{Dashboard, DayActivity};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A tenant's last 90 days, oldest first, every day present.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DashboardBody {
    tenant_id: Uuid,
    /// 90 entries, one per UTC day, ending today.
    days: Vec<DayBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DayBody {
    /// A UTC date.
    #[schema(value_type = String, format = Date, example = "2026-03-01")]
    day: String,
    /// Current members who joined the tenant that day.
    signups: u64,
    /// Logins that day by users who are members now.
    logins: u64,
    /// Members with at least one successful request on the tenant that day.
    active_members: u64,
    /// Successful requests on the tenant's routes that day.
    api_calls: u64,
}

impl From<&DayActivity> for DayBody {
    fn from(d: &DayActivity) -> Self {
        Self {
            day: d.day.to_string(),
            signups: d.signups,
            logins: d.logins,
            active_members: d.active_members,
            api_calls: d.api_calls,
        }
    }
}

impl From<Dashboard> for DashboardBody {
    fn from(d: Dashboard) -> Self {
        Self {
            tenant_id: d.tenant_id.as_uuid(),
            days: d.days.iter().map(DayBody::from).collect(),
        }
    }
}
