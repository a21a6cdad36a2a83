//! The tenancy module's HTTP routes: tenants, their members and roles, and invitations. Every tenant-scoped
//! route answers 404 to a caller outside the tenant, exactly as for a tenant that does not
//! exist. Handlers parse input into domain values, call one use case and map the result; the
//! mapping of the module's errors onto HTTP lives in [`errors`].

mod dto;
mod errors;
mod invitations;
mod members;
mod plans;
mod quotas;
mod tenants;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{delete, get, post};
use sessions::Sessions;
use tenancy::Tenancy;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use web::per_ip;

pub use quotas::PlanQuotas;

/// What the tenancy routes need, built once per process.
#[derive(Clone)]
pub struct TenancyState {
    pub tenancy: Tenancy,
    pub sessions: Sessions,
}

impl FromRef<TenancyState> for Sessions {
    fn from_ref(state: &TenancyState) -> Self {
        state.sessions.clone()
    }
}

/// The public plan catalog alone: it needs no state, so an edge component serves it as it is.
pub fn catalog<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/v1/plans", get(plans::list_plans))
}

/// Every tenancy route: what a function builds at cold start. The functions' tests check that
/// it serves every operation of [`routes`].
pub fn router() -> Router<TenancyState> {
    catalog()
        .route(
            "/v1/tenants",
            get(tenants::list_tenants).post(tenants::create_tenant),
        )
        .route("/v1/tenants/{tenant_id}", get(tenants::get_tenant))
        .route(
            "/v1/tenants/{tenant_id}/members",
            get(members::list_members),
        )
        .route(
            "/v1/tenants/{tenant_id}/members/{user_id}",
            axum::routing::patch(members::change_role).delete(members::remove_member),
        )
        .route(
            "/v1/tenants/{tenant_id}/invitations",
            get(invitations::list_invitations).merge(per_ip(
                post(invitations::invite),
                &invitations::INVITATIONS_PER_IP,
            )),
        )
        .route(
            "/v1/tenants/{tenant_id}/invitations/{invitation_id}",
            delete(invitations::revoke_invitation),
        )
        .route(
            "/v1/invitations/accept",
            per_ip(
                post(invitations::accept_invitation),
                &invitations::INVITATIONS_PER_IP,
            ),
        )
}

/// The same routes, each carrying its OpenAPI operation, for the document.
pub fn routes() -> OpenApiRouter<TenancyState> {
    OpenApiRouter::new()
        .routes(routes!(plans::list_plans))
        .routes(routes!(tenants::list_tenants, tenants::create_tenant))
        .routes(routes!(tenants::get_tenant))
        .routes(routes!(members::list_members))
        .routes(routes!(members::change_role, members::remove_member))
        .routes(routes!(invitations::list_invitations, invitations::invite))
        .routes(routes!(invitations::revoke_invitation))
        .routes(routes!(invitations::accept_invitation))
}
