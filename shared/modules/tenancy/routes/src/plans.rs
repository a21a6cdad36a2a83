//! The public plan catalog.

use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use serde::Serialize;
use tenancy::{PLANS, Plan};
use utoipa::ToSchema;

/// Browsers keep it a minute; the CDN five, so a price change reaches everyone within minutes.
const CACHE_CONTROL_VALUE: &str = "public, max-age=60, s-maxage=300";

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlansBody {
    plans: Vec<PlanBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanBody {
    #[schema(example = "team")]
    id: &'static str,
    #[schema(example = "Team")]
    name: &'static str,
    /// In US cents.
    monthly_price_cents: u32,
    limits: PlanLimitsBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanLimitsBody {
    members: u32,
    requests_per_minute: u32,
    webhook_endpoints: u32,
}

impl From<&Plan> for PlanBody {
    fn from(plan: &Plan) -> Self {
        Self {
            id: plan.id,
            name: plan.name,
            monthly_price_cents: plan.monthly_price_cents,
            limits: PlanLimitsBody {
                members: plan.limits.members,
                requests_per_minute: plan.limits.requests_per_minute,
                webhook_endpoints: plan.limits.webhook_endpoints,
            },
        }
    }
}

/// The plan tiers and what each allows. Public, and cacheable by browsers and the CDN.
#[utoipa::path(
    get,
    path = "/v1/plans",
    tag = "tenancy",
    responses((
        status = 200,
        description = "Every plan, cheapest first",
        body = PlansBody,
        headers(
            ("Cache-Control" = String, description = "public, max-age=60, s-maxage=300"),
            ("ETag" = String, description = "A strong tag of the body, for If-None-Match")
        )
    ))
)]
pub(crate) async fn list_plans() -> impl IntoResponse {
    let body = PlansBody {
        plans: PLANS.iter().map(PlanBody::from).collect(),
    };
    (
        [(CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL_VALUE))],
        axum::Json(body),
    )
}
