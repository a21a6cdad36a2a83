use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new time-ordered (v7) id, so that ids sort by creation and paginate cheaply.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// Identifies a tenant: the unit of isolation for all tenant-scoped data.
    TenantId
);
id_type!(
    /// Identifies a user account, which may belong to many tenants.
    UserId
);
id_type!(
    /// Identifies one published event, so consumers can drop a redelivery.
    EventId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_time_ordered() {
        let first = UserId::generate();
        let second = UserId::generate();
        assert!(first < second);
    }

    #[test]
    fn parses_its_own_display() {
        let id = TenantId::generate();
        assert_eq!(id.to_string().parse::<TenantId>().ok(), Some(id));
        assert!("not-a-uuid".parse::<TenantId>().is_err());
    }
}
