//! The plan tiers a tenant can be on, and what each allows. The catalog is part of the code: a
//! change ships with a deploy, and the public `GET /v1/plans` can be cached at the edge.

/// What a plan allows a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLimits {
    pub members: u32,
    /// API requests per minute across the tenant's members.
    pub requests_per_minute: u32,
    pub webhook_endpoints: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub id: &'static str,
    pub name: &'static str,
    pub monthly_price_cents: u32,
    pub limits: PlanLimits,
}

/// Every plan, cheapest first; the first is where new tenants start.
pub const PLANS: [Plan; 3] = [
    Plan {
        id: "free",
        name: "Free",
        monthly_price_cents: 0,
        limits: PlanLimits {
            members: 5,
            requests_per_minute: 120,
            webhook_endpoints: 1,
        },
    },
    Plan {
        id: "team",
        name: "Team",
        monthly_price_cents: 4_900,
        limits: PlanLimits {
            members: 50,
            requests_per_minute: 1_200,
            webhook_endpoints: 10,
        },
    },
    Plan {
        id: "business",
        name: "Business",
        monthly_price_cents: 29_900,
        limits: PlanLimits {
            members: 1_000,
            requests_per_minute: 12_000,
            webhook_endpoints: 50,
        },
    },
];

/// Where a new tenant starts.
pub fn starting_plan() -> &'static Plan {
    &PLANS[0]
}

/// A plan by its id.
pub fn plan(id: &str) -> Option<&'static Plan> {
    PLANS.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_unique_and_grow_with_price() {
        for pair in PLANS.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(a.monthly_price_cents < b.monthly_price_cents);
            assert!(a.limits.members < b.limits.members);
            assert!(a.limits.requests_per_minute < b.limits.requests_per_minute);
            assert_ne!(a.id, b.id);
        }
        assert_eq!(plan("team").map(|p| p.name), Some("Team"));
        assert!(plan("gold").is_none());
    }
}
