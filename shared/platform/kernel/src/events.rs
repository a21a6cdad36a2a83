//! Facts one module publishes for others. Each module declares its own event types; they all
//! travel in one [`Envelope`] through the transactional outbox, so the envelope's serialized
//! shape is a contract: add fields, never rename them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{EventId, TenantId};

/// An event type a module publishes.
pub trait Event: Serialize {
    /// The stable name consumers route on, `<module>.<fact>`.
    const TYPE: &'static str;
    /// Bumped when the payload changes in a way old consumers cannot read.
    const VERSION: u16;

    /// The tenant the fact belongs to, for routing and isolation; `None` for facts about a
    /// user that no tenant owns.
    fn tenant(&self) -> Option<TenantId>;
}

/// An event with its metadata, as the outbox stores it and queues carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub id: EventId,
    #[serde(rename = "type")]
    pub kind: String,
    pub version: u16,
    pub tenant_id: Option<TenantId>,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    pub payload: serde_json::Value,
}

impl Envelope {
    pub fn wrap<E: Event>(event: &E, occurred_at: OffsetDateTime) -> Self {
        Self {
            id: EventId::generate(),
            kind: E::TYPE.to_owned(),
            version: E::VERSION,
            tenant_id: event.tenant(),
            occurred_at,
            // Event types are plain data; serializing one cannot fail.
            payload: serde_json::to_value(event).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;

    #[derive(Serialize)]
    struct Joined {
        user_id: UserId,
        tenant_id: TenantId,
    }

    impl Event for Joined {
        const TYPE: &'static str = "test.joined";
        const VERSION: u16 = 2;

        fn tenant(&self) -> Option<TenantId> {
            Some(self.tenant_id)
        }
    }

    #[test]
    fn wraps_an_event_with_its_type_version_and_tenant() {
        let event = Joined {
            user_id: UserId::generate(),
            tenant_id: TenantId::generate(),
        };
        let envelope = Envelope::wrap(&event, OffsetDateTime::UNIX_EPOCH);
        assert_eq!(envelope.kind, "test.joined");
        assert_eq!(envelope.version, 2);
        assert_eq!(envelope.tenant_id, Some(event.tenant_id));
        assert_eq!(envelope.payload["user_id"], event.user_id.to_string());
        let json = serde_json::to_value(&envelope).unwrap_or_default();
        assert_eq!(json["type"], "test.joined");
        assert_eq!(json["occurred_at"], "1970-01-01T00:00:00Z");
        let back: Option<Envelope> = serde_json::from_value(json).ok();
        assert_eq!(back, Some(envelope));
    }
}
