use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{TenantId, UserId};

/// Facts one module publishes for others. They travel through the transactional outbox, so
/// their serialized shape is a contract: add fields, never rename them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum DomainEvent {
    UserSignedUp(UserSignedUp),
}

impl DomainEvent {
    pub const fn event_type(&self) -> &'static str {
        match self {
            Self::UserSignedUp(_) => "UserSignedUp",
        }
    }

    /// The tenant the event belongs to, for routing and isolation.
    pub const fn tenant_id(&self) -> TenantId {
        match self {
            Self::UserSignedUp(e) => e.tenant_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSignedUp {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub email: String,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_a_stable_tag() {
        let event = DomainEvent::UserSignedUp(UserSignedUp {
            user_id: UserId::generate(),
            tenant_id: TenantId::generate(),
            email: "ada@example.com".into(),
            occurred_at: OffsetDateTime::UNIX_EPOCH,
        });
        let json = serde_json::to_value(&event).ok();
        let tag = json.as_ref().and_then(|v| v["type"].as_str());
        assert_eq!(tag, Some(event.event_type()));
        let back: Option<DomainEvent> = json.and_then(|v| serde_json::from_value(v).ok());
        assert_eq!(back, Some(event));
    }
}
