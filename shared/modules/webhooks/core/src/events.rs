use kernel::{Event, TenantId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An endpoint failed [`DISABLE_AFTER`](crate::DISABLE_AFTER) deliveries in a row and gets no
/// more until it is registered again: what a notification to the tenant's admins hangs on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointDisabled {
    pub tenant_id: TenantId,
    pub endpoint_id: Uuid,
    pub url: String,
    pub consecutive_failures: u32,
}

impl Event for EndpointDisabled {
    const TYPE: &'static str = "webhooks.endpoint_disabled";
    const VERSION: u16 = 1;

    fn tenant(&self) -> Option<TenantId> {
        Some(self.tenant_id)
    }
}
